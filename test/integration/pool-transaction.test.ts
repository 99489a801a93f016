// Pool.transaction() on a single-server pool: commit and rollback, a real InnoDB deadlock
// surfaced or retried with `retryable`, and a transaction whose connection is killed mid-way
// replayed with `replay` or failed saying nothing was committed, and a COMMIT whose answer is
// lost (through a fault proxy): TransactionResolutionUnknownError, or a replay with `replay`.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  createPool,
  InterfaceError,
  OperationalError,
  TransactionResolutionUnknownError,
  type Connection,
  type Pool,
  type SqlArgs,
} from "../../src/index.js";
import { testOptions } from "../support/config.js";
import { FaultProxy } from "../support/fault-proxy.js";
import { adminConnection } from "../support/wait.js";

let pool: Pool;

async function run(conn: Connection, sql: string, args: SqlArgs = []): Promise<unknown[][]> {
  await using cur = conn.cursor();
  await cur.execute(sql, args);
  return (await cur.fetchAll()) as unknown[][];
}

async function rows(): Promise<unknown[][]> {
  return pool.query<unknown[]>("SELECT id, v FROM tx_rows ORDER BY id");
}

/** A promise and the function that resolves it. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

describe("Pool.transaction()", () => {
  before(async () => {
    pool = await createPool(testOptions({ autocommit: true, maxSize: 4 }));
    await pool.execute("DROP TABLE IF EXISTS tx_rows");
    await pool.execute("CREATE TABLE tx_rows (id INT PRIMARY KEY, v INT) ENGINE=InnoDB");
  });
  after(async () => {
    await pool.execute("DROP TABLE IF EXISTS tx_rows");
    pool.close();
    await pool.waitClosed();
  });

  it("commits what fn did and returns its value; rolls back and rethrows when fn throws; the connection goes back", async () => {
    await pool.execute("DELETE FROM tx_rows");
    const got = await pool.transaction(async (conn, attempt) => {
      assert.ok(conn.inTransaction, "inside BEGIN");
      await run(conn, "INSERT INTO tx_rows VALUES (1, 1)");
      return attempt;
    });
    assert.equal(got, 1);
    const boom = new Error("caller's own failure");
    await assert.rejects(
      pool.transaction(async (conn) => {
        await run(conn, "INSERT INTO tx_rows VALUES (2, 2)");
        throw boom;
      }),
      (e: unknown) => e === boom,
    );
    assert.deepEqual(await rows(), [[1, 1]]);
    assert.equal(pool.stats().used, 0);
    await assert.rejects(
      pool.transaction(async () => 1, { replay: -1 }),
      (e: unknown) => e instanceof InterfaceError && /replay/.test(e.message),
    );
  });

  it("a read-only transaction refuses writes", async () => {
    await assert.rejects(
      pool.transaction(async (conn) => run(conn, "INSERT INTO tx_rows VALUES (9, 9)"), { readOnly: true }),
      (e: unknown) => e instanceof OperationalError && e.errno === 1792,
    );
  });

  /** Two transactions that lock rows 1 and 2 in opposite orders: InnoDB kills one as a deadlock. */
  async function deadlock(retryable: boolean): Promise<{ outcomes: unknown[]; attempts: number[] }> {
    await pool.execute("DELETE FROM tx_rows");
    await pool.execute("INSERT INTO tx_rows VALUES (1, 0), (2, 0)");
    const attempts = [0, 0];
    const bothLocked = [gate(), gate()];
    const body = (mine: number, theirs: number, i: number) => async (conn: Connection, attempt: number) => {
      attempts[i] = attempt;
      await run(conn, "UPDATE tx_rows SET v = v + 1 WHERE id = %s", [mine]);
      if (attempt === 1) {
        bothLocked[i]!.open();
        await Promise.all(bothLocked.map((g) => g.wait));
      }
      await run(conn, "UPDATE tx_rows SET v = v + 1 WHERE id = %s", [theirs]);
    };
    const outcomes = await Promise.all([
      pool.transaction(body(1, 2, 0), { retryable }).then(
        () => "ok",
        (e: unknown) => e,
      ),
      pool.transaction(body(2, 1, 1), { retryable }).then(
        () => "ok",
        (e: unknown) => e,
      ),
    ]);
    return { outcomes, attempts };
  }

  it("a deadlock (1213) surfaces without retryable: nothing of the victim was committed", async () => {
    const { outcomes, attempts } = await deadlock(false);
    const failed = outcomes.filter((o) => o !== "ok");
    assert.equal(failed.length, 1, String(outcomes));
    assert.ok(failed[0] instanceof OperationalError && failed[0].errno === 1213, String(failed[0]));
    assert.deepEqual(attempts, [1, 1]);
    assert.deepEqual(await rows(), [
      [1, 1],
      [2, 1],
    ]);
  });

  it("a deadlock (1213) is retried with retryable: both transactions commit, once each", async () => {
    const { outcomes, attempts } = await deadlock(true);
    assert.deepEqual(outcomes, ["ok", "ok"]);
    assert.deepEqual(attempts.toSorted(), [1, 2], "the victim ran twice");
    assert.deepEqual(await rows(), [
      [1, 2],
      [2, 2],
    ]);
  });

  /** Runs an idempotent transaction whose first attempt's connection is killed mid-way. */
  async function killedMidway(replay: number | undefined): Promise<{ outcome: unknown; attempts: number }> {
    await pool.execute("DELETE FROM tx_rows");
    const admin = await adminConnection();
    let attempts = 0;
    try {
      const outcome = await pool
        .transaction(
          async (conn, attempt) => {
            attempts = attempt;
            await run(conn, "INSERT INTO tx_rows VALUES (7, 7) ON DUPLICATE KEY UPDATE v = VALUES(v)");
            if (attempt === 1) await run(admin, `KILL CONNECTION ${conn.threadId}`);
            await run(conn, "SELECT 1");
            return attempt;
          },
          replay === undefined ? {} : { replay },
        )
        .then(
          (a) => a,
          (e: unknown) => e,
        );
      return { outcome, attempts };
    } finally {
      admin.close();
    }
  }

  it("a transaction lost before COMMIT is replayed with replay, and lands once", async () => {
    const { outcome, attempts } = await killedMidway(1);
    assert.equal(outcome, 2);
    assert.equal(attempts, 2);
    assert.deepEqual(await rows(), [[7, 7]]);
  });

  it("a transaction lost before COMMIT fails without replay, saying nothing was committed", async () => {
    const { outcome, attempts } = await killedMidway(undefined);
    assert.ok(outcome instanceof OperationalError, String(outcome));
    assert.match(
      outcome.message,
      /lost with its connection before COMMIT, so nothing of it was committed; it was not replayed \(pass replay/,
    );
    assert.ok(outcome.errno === 2013 || outcome.errno === 2006, String(outcome.errno));
    assert.equal(attempts, 1);
    assert.deepEqual(await rows(), []);
  });

  /** An upsert whose first COMMIT's answer the proxy cuts (the server commits it). */
  async function commitAnswerLost(replay: number | undefined): Promise<{ outcome: unknown; attempts: number }> {
    await pool.execute("DELETE FROM tx_rows");
    const o = testOptions();
    const proxy = await FaultProxy.start(o.host, o.port);
    const viaProxy = await createPool(testOptions({ host: "127.0.0.1", port: proxy.port, unixSocket: undefined, autocommit: true }));
    let attempts = 0;
    try {
      const outcome = await viaProxy
        .transaction(
          async (conn, attempt) => {
            attempts = attempt;
            await run(conn, "INSERT INTO tx_rows VALUES (8, %s) ON DUPLICATE KEY UPDATE v = VALUES(v)", [attempt]);
            if (attempt === 1) proxy.arm({ action: "cut", direction: "toClient", afterBytes: 0 });
            return attempt;
          },
          replay === undefined ? {} : { replay },
        )
        .then(
          (a) => a,
          (e: unknown) => e,
        );
      return { outcome, attempts };
    } finally {
      viaProxy.close();
      await viaProxy.waitClosed();
      await proxy.close();
    }
  }

  it("a COMMIT whose answer is lost is TransactionResolutionUnknownError without replay: it had been applied", async () => {
    const { outcome, attempts } = await commitAnswerLost(undefined);
    assert.ok(outcome instanceof TransactionResolutionUnknownError, String(outcome));
    assert.equal(attempts, 1);
    assert.deepEqual(await rows(), [[8, 1]], "the server committed it");
  });

  it("a COMMIT whose answer is lost is replayed with replay: the idempotent work lands once", async () => {
    const { outcome, attempts } = await commitAnswerLost(1);
    assert.equal(outcome, 2);
    assert.equal(attempts, 2);
    assert.deepEqual(await rows(), [[8, 2]], "applied twice, one row: why replay is for idempotent work");
  });
});
