// Pool: the seed's semantics on the real server (sizes, FIFO waiting, release, transactions,
// recycle, clear, close/terminate/waitClosed, disposal, refill) and the one-call helpers.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  connect,
  createPool,
  DictCursor,
  InterfaceError,
  OperationalError,
  Pool,
  ProgrammingError,
  type Connection,
} from "../../src/index.js";
import { testOptions } from "../support/config.js";
import { adminConnection, killThread, sleep, waitFor } from "../support/wait.js";

async function scalar(conn: Connection, sql: string): Promise<unknown> {
  await using cur = conn.cursor();
  await cur.execute(sql);
  return (await cur.fetchOne())?.[0];
}

async function closePool(pool: Pool): Promise<void> {
  pool.close();
  await pool.waitClosed();
}

describe("Pool: sizes and acquiring", () => {
  it("opens minSize connections at creation and reports its sizes", async () => {
    const pool = await createPool(testOptions({ minSize: 2, maxSize: 5 }));
    assert.ok(pool instanceof Pool);
    assert.equal(pool.minSize, 2);
    assert.equal(pool.maxSize, 5);
    assert.equal(pool.size, 2);
    assert.equal(pool.freeSize, 2);
    assert.equal(pool.echo, false);
    assert.equal(pool.stats().created, 2);
    await closePool(pool);
  });

  it("defaults to minSize 1 and maxSize 10; minSize 0 opens nothing", async () => {
    const pool = await createPool(testOptions());
    assert.equal(pool.minSize, 1);
    assert.equal(pool.maxSize, 10);
    assert.equal(pool.size, 1);
    await closePool(pool);
    const empty = await createPool(testOptions({ minSize: 0 }));
    assert.equal(empty.size, 0);
    assert.equal(empty.stats().created, 0);
    await closePool(empty);
  });

  it("hands out the free connection, then opens new ones up to maxSize", async () => {
    const pool = await createPool(testOptions({ minSize: 1, maxSize: 3 }));
    const c1 = await pool.acquire();
    assert.equal(pool.freeSize, 0);
    assert.equal(pool.stats().created, 1, "the free connection was reused");
    const c2 = await pool.acquire();
    const c3 = await pool.acquire();
    assert.equal(pool.size, 3);
    assert.equal(new Set([c1.threadId, c2.threadId, c3.threadId]).size, 3);
    for (const c of [c1, c2, c3]) assert.equal(await scalar(c, "SELECT 1"), 1);
    for (const c of [c1, c2, c3]) pool.release(c);
    assert.equal(pool.freeSize, 3);
    const again = await pool.acquire();
    assert.ok(
      [c1, c2, c3].some((c) => c.threadId === again.threadId),
      "a free connection is reused rather than a new one opened",
    );
    pool.release(again);
    assert.equal(pool.stats().created, 3);
    await closePool(pool);
  });

  it("makes callers wait when full and serves them first come, first served", async () => {
    const pool = await createPool(testOptions({ minSize: 1, maxSize: 1 }));
    const held = await pool.acquire();
    const order: string[] = [];
    const waiters = ["a", "b", "c"].map((name) =>
      pool.acquire().then((conn) => {
        order.push(name);
        return conn;
      }),
    );
    await sleep(20);
    assert.deepEqual(order, [], "nobody is served while the only connection is held");
    assert.equal(pool.stats().waiting, 3);
    pool.release(held);
    const a = await waiters[0]!;
    assert.equal(a.threadId, held.threadId, "the released connection goes to the first waiter");
    pool.release(a);
    pool.release(await waiters[1]!);
    pool.release(await waiters[2]!);
    assert.deepEqual(order, ["a", "b", "c"]);
    assert.equal(pool.size, 1);
    await closePool(pool);
  });

  it("maxSize 0 is unlimited", async () => {
    const pool = await createPool(testOptions({ minSize: 0, maxSize: 0 }));
    const conns = await Promise.all(Array.from({ length: 15 }, () => pool.acquire()));
    assert.equal(pool.size, 15);
    assert.equal(new Set(conns.map((c) => c.threadId)).size, 15);
    for (const c of conns) pool.release(c);
    assert.equal(pool.freeSize, 15);
    await closePool(pool);
  });

  it("rejects bad options and bad acquire() arguments with InterfaceError", async () => {
    await assert.rejects(createPool(testOptions({ maxSize: -1 })), InterfaceError);
    await assert.rejects(createPool(testOptions({ minSize: 5, maxSize: 2 })), /must not exceed maxSize/);
    await assert.rejects(createPool(testOptions({ idleTimeout: "soon" as unknown as number })), InterfaceError);
    const pool = await createPool(testOptions({ minSize: 0 }));
    await assert.rejects(pool.acquire({ timeout: -1 }), InterfaceError);
    await assert.rejects(pool.acquire({ signal: "stop" as unknown as AbortSignal }), InterfaceError);
    assert.equal(pool.size, 0, "a rejected acquire opened nothing");
    await closePool(pool);
  });

  it("accepts a URL with the pool's options", async () => {
    const o = testOptions();
    const pool = await createPool(`mysql://${o.user}@${o.host}:${o.port}/${o.db}?minSize=2&maxSize=3&idleTimeout=60&validateAfterIdle=5`);
    assert.equal(pool.size, 2);
    assert.equal(pool.maxSize, 3);
    await closePool(pool);
  });
});

describe("Pool: release", () => {
  let admin: Connection;
  before(async () => {
    admin = await adminConnection();
    await admin.cursor().execute("CREATE TABLE IF NOT EXISTS pool_trx (id INT PRIMARY KEY, v INT) ENGINE=InnoDB");
    await admin.cursor().execute("DELETE FROM pool_trx");
    await admin.cursor().execute("INSERT INTO pool_trx VALUES (1, 0)");
  });
  after(() => admin.close());

  it("is synchronous and wakes the next waiter, with a new connection when the released one was closed", async () => {
    const pool = await createPool(testOptions({ minSize: 1, maxSize: 1 }));
    const held = await pool.acquire();
    const next = pool.acquire();
    held.close();
    assert.equal(pool.release(held), undefined);
    const fresh = await next;
    assert.notEqual(fresh, held);
    assert.notEqual(fresh.threadId, held.threadId);
    assert.equal(await scalar(fresh, "SELECT 2"), 2);
    pool.release(fresh);
    assert.equal(pool.size, 1);
    await closePool(pool);
  });

  it("rolls back a transaction opened by a plain SELECT under autocommit off", async () => {
    const pool = await createPool(testOptions({ minSize: 1, maxSize: 1, autocommit: false }));
    const conn = await pool.acquire();
    await conn.cursor().execute("SELECT * FROM pool_trx");
    assert.equal(conn.inTransaction, true);
    pool.release(conn);
    const again = await pool.acquire();
    assert.equal(again.threadId, conn.threadId, "the same connection again");
    assert.equal(again.inTransaction, false, "the borrower never inherits the transaction");
    assert.equal(pool.stats().rolledBack, 1);
    pool.release(again);
    await closePool(pool);
  });

  it("discards uncommitted changes and frees their locks before anyone else gets the connection", async () => {
    const pool = await createPool(testOptions({ minSize: 1, maxSize: 2, autocommit: false }));
    const conn = await pool.acquire();
    await conn.cursor().execute("UPDATE pool_trx SET v = 99 WHERE id = 1");
    await conn.cursor().execute("SELECT * FROM pool_trx WHERE id = 1 FOR UPDATE");
    pool.release(conn);
    const again = await pool.acquire();
    assert.equal(await scalar(again, "SELECT v FROM pool_trx WHERE id = 1"), 0);
    pool.release(again);
    // The row lock is gone: another session updates the row without waiting for a lock.
    await admin.cursor().execute("SET SESSION innodb_lock_wait_timeout = 5");
    await admin.cursor().execute("UPDATE pool_trx SET v = 1 WHERE id = 1");
    await admin.cursor().execute("UPDATE pool_trx SET v = 0 WHERE id = 1");
    await closePool(pool);
  });

  it("closes a connection whose rollback fails, and the next borrower gets a new one", async () => {
    const pool = await createPool(testOptions({ minSize: 1, maxSize: 1 }));
    const conn = await pool.acquire();
    await conn.begin();
    conn.rollback = () => Promise.reject(new OperationalError("injected rollback failure"));
    pool.release(conn);
    const next = await pool.acquire();
    assert.notEqual(next.threadId, conn.threadId);
    assert.equal(conn.closed, true);
    assert.equal(next.inTransaction, false);
    assert.equal(await scalar(next, "SELECT 3"), 3);
    pool.release(next);
    assert.ok(pool.stats().destroyed >= 1);
    await closePool(pool);
  });

  it("waits for statements still running, then hands the connection on", async () => {
    const pool = await createPool(testOptions({ minSize: 1, maxSize: 1 }));
    const conn = await pool.acquire();
    const running = conn.cursor().execute("SELECT SLEEP(0.2)");
    pool.release(conn);
    const next = await pool.acquire();
    assert.equal(next.threadId, conn.threadId);
    assert.equal(next.hasPendingWork, false);
    await running;
    pool.release(next);
    await closePool(pool);
  });

  it("refuses a connection from elsewhere and ignores a second release", async () => {
    const pool = await createPool(testOptions({ minSize: 1 }));
    const stranger = await connect(testOptions());
    assert.throws(() => pool.release(stranger), InterfaceError);
    stranger.close();
    const conn = await pool.acquire();
    pool.release(conn);
    pool.release(conn);
    assert.equal(pool.stats().released, 1);
    assert.equal(pool.freeSize, 1);
    await closePool(pool);
  });

  it("await using releases on disposal, also a connection closed inside the block", async () => {
    const pool = await createPool(testOptions({ minSize: 1, maxSize: 1 }));
    {
      await using conn = await pool.acquire();
      await conn.begin();
      assert.equal(pool.freeSize, 0);
    }
    assert.equal(pool.stats().released, 1);
    const back = await pool.acquire();
    assert.equal(back.inTransaction, false, "released, and rolled back before being handed out again");
    pool.release(back);
    {
      await using conn = await pool.acquire();
      conn.close();
    }
    assert.equal(pool.stats().released, 3);
    const fresh = await pool.acquire();
    assert.equal(await scalar(fresh, "SELECT 4"), 4);
    pool.release(fresh);
    await closePool(pool);
  });
});

describe("Pool: stale connections, clear and refill", () => {
  let admin: Connection;
  before(async () => {
    admin = await adminConnection();
  });
  after(() => admin.close());

  it("replaces a free connection idle for longer than poolRecycle", async () => {
    const pool = await createPool(testOptions({ minSize: 1, poolRecycle: 0.05 }));
    const first = await pool.acquire();
    const id = first.threadId;
    pool.release(first);
    await sleep(150);
    const second = await pool.acquire();
    assert.notEqual(second.threadId, id);
    assert.equal(first.closed, true);
    assert.equal(pool.stats().recycled, 1);
    pool.release(second);
    await closePool(pool);
  });

  it("keeps connections without poolRecycle", async () => {
    const pool = await createPool(testOptions({ minSize: 1 }));
    const first = await pool.acquire();
    pool.release(first);
    await sleep(100);
    const second = await pool.acquire();
    assert.equal(second.threadId, first.threadId);
    pool.release(second);
    await closePool(pool);
  });

  it("drops a free connection the server killed and refills to minSize", async () => {
    const pool = await createPool(testOptions({ minSize: 2, maxSize: 4 }));
    const conns = await Promise.all([pool.acquire(), pool.acquire()]);
    const victim = conns[0]!.threadId;
    for (const c of conns) pool.release(c);
    await killThread(admin, victim);
    await waitFor("the pool notices the kill", () => pool.stats().lostWhileFree === 1);
    await waitFor("the pool refills to minSize", () => pool.freeSize === 2);
    const got = await Promise.all([pool.acquire(), pool.acquire()]);
    assert.ok(got.every((c) => c.threadId !== victim));
    for (const c of got) assert.equal(await scalar(c, "SELECT 5"), 5);
    for (const c of got) pool.release(c);
    await closePool(pool);
  });

  it("after a connection in use is killed, its user gets OperationalError and the pool refills", async () => {
    const pool = await createPool(testOptions({ minSize: 2, maxSize: 2 }));
    try {
      const conn = await pool.acquire();
      await killThread(admin, conn.threadId);
      // Whether or not the client has seen the kill yet, using the connection fails the same way.
      await assert.rejects(scalar(conn, "SELECT 1"), OperationalError);
      pool.release(conn);
      await waitFor("the pool refills to minSize", () => pool.size === 2 && pool.freeSize === 2);
      const [a, b] = await Promise.all([pool.acquire(), pool.acquire()]);
      assert.equal(await scalar(a!, "SELECT 6"), 6);
      assert.equal(await scalar(b!, "SELECT 7"), 7);
      pool.release(a!);
      pool.release(b!);
    } finally {
      pool.terminate();
      await pool.waitClosed();
    }
  });

  it("clear() closes the free connections; the next acquire opens again", async () => {
    const pool = await createPool(testOptions({ minSize: 2, maxSize: 4 }));
    const before = await Promise.all([pool.acquire(), pool.acquire()]);
    for (const c of before) pool.release(c);
    await pool.clear();
    assert.equal(pool.freeSize, 0);
    assert.equal(pool.size, 0);
    assert.ok(before.every((c) => c.closed));
    const conn = await pool.acquire();
    assert.ok(!before.some((c) => c.threadId === conn.threadId), "a new connection, not a cleared one");
    await waitFor("minSize is restored", () => pool.size === 2);
    pool.release(conn);
    await closePool(pool);
  });
});

describe("Pool: closing", () => {
  it("close(): acquire rejects with InterfaceError, released connections close, waitClosed waits for them", async () => {
    const pool = await createPool(testOptions({ minSize: 2 }));
    const conn = await pool.acquire();
    const idle = await pool.acquire();
    pool.release(idle);
    pool.close();
    assert.equal(pool.closed, true);
    assert.equal(idle.closed, true, "free connections close at once");
    await assert.rejects(pool.acquire(), InterfaceError);
    let done = false;
    const waiting = pool.waitClosed().then(() => (done = true));
    await sleep(50);
    assert.equal(done, false, "waitClosed waits for the connection in use");
    assert.equal(await scalar(conn, "SELECT 8"), 8, "a connection in use keeps working until released");
    pool.release(conn);
    await waiting;
    assert.equal(conn.closed, true);
    assert.equal(pool.size, 0);
  });

  it("close() rejects callers still waiting", async () => {
    const pool = await createPool(testOptions({ minSize: 1, maxSize: 1 }));
    const held = await pool.acquire();
    const waiter = pool.acquire();
    pool.close();
    await assert.rejects(waiter, InterfaceError);
    pool.release(held);
    await pool.waitClosed();
  });

  it("waitClosed() before close() is an InterfaceError", async () => {
    const pool = await createPool(testOptions({ minSize: 0 }));
    await assert.rejects(pool.waitClosed(), InterfaceError);
    await closePool(pool);
  });

  it("terminate() closes connections in use at once", async () => {
    const pool = await createPool(testOptions({ minSize: 1 }));
    const a = await pool.acquire();
    const b = await pool.acquire();
    pool.terminate();
    assert.equal(a.closed, true);
    assert.equal(b.closed, true);
    await pool.waitClosed();
    assert.equal(pool.size, 0);
    pool.release(a); // a late release after terminate is harmless
    assert.throws(() => a.cursor(), InterfaceError);
  });

  it("await using on the pool closes it and waits", async () => {
    let pool: Pool;
    {
      await using p = await createPool(testOptions({ minSize: 2 }));
      pool = p;
    }
    assert.equal(pool.closed, true);
    assert.equal(pool.size, 0);
  });
});

describe("Pool: query() and execute()", () => {
  let pool: Pool;
  before(async () => {
    pool = await createPool(testOptions({ minSize: 1, maxSize: 2 }));
    await pool.query("CREATE TABLE IF NOT EXISTS pool_helpers (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(20)) ENGINE=InnoDB");
    await pool.query("DELETE FROM pool_helpers");
  });
  after(() => closePool(pool));

  it("query() returns rows, with placeholders, and releases the connection", async () => {
    const rows = await pool.query("SELECT %s + 1, %s", [41, "x"]);
    assert.deepEqual(rows, [[42, "x"]]);
    assert.equal(pool.stats().used, 0);
    const dict = await pool.query("SELECT 1 AS one", undefined, { cursorClass: DictCursor });
    assert.deepEqual(dict, [{ one: 1 }]);
  });

  it("execute() commits under autocommit off and returns rowCount and lastRowId", async () => {
    const r = await pool.execute("INSERT INTO pool_helpers (name) VALUES (%s)", ["alpha"]);
    assert.equal(r.rowCount, 1);
    assert.ok(Number(r.lastRowId) > 0);
    const other = await adminConnection();
    assert.equal(await scalar(other, "SELECT COUNT(*) FROM pool_helpers WHERE name = 'alpha'"), 1, "committed, visible elsewhere");
    other.close();
  });

  it("a failing statement rejects with its error and gives the connection back", async () => {
    await assert.rejects(pool.query("SELEC 1"), ProgrammingError);
    assert.equal(pool.stats().used, 0);
    assert.deepEqual(await pool.query("SELECT 9"), [[9]]);
  });

  it("stats() counts what happened", () => {
    const s = pool.stats();
    assert.ok(s.acquired >= 5);
    assert.equal(s.acquired, s.released);
    assert.equal(s.used, 0);
    assert.equal(s.waiting, 0);
    assert.equal(s.size, pool.size);
    assert.equal(s.free, pool.freeSize);
  });
});
