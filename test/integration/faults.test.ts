// Network faults between the client and a real server, injected by test/support/fault-proxy.ts:
// cuts mid-handshake, mid-result and mid-write, stalls, resets and bytes dripped one at a time,
// on buffered and streaming cursors and through the pool.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { connect, createPool, Connection, Cursor, OperationalError, SSCursor, type CursorClass } from "../../src/index.js";
import { testOptions } from "../support/config.js";
import { FaultProxy, type Fault } from "../support/fault-proxy.js";

/** A bound against hangs only: every call here settles long before it. */
const HANG_GUARD_MS = 60_000;

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

/** Settles `p` or fails the test if it never settles (a hang). */
async function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("hang: the call never settled")), HANG_GUARD_MS);
  });
  try {
    return await Promise.race([p.then((value) => ({ ok: true as const, value })), guard]);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("hang:")) throw error;
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}

function assertOperational(r: { ok: boolean; error?: unknown }, what: string): OperationalError {
  assert.equal(r.ok, false, `${what} must reject`);
  assert.ok(r.error instanceof OperationalError, `${what}: expected an OperationalError, got ${String(r.error)}`);
  return r.error;
}

/** A statement whose result is far larger than any fault's byte budget. */
const BIG_RESULT = "SELECT seq, REPEAT('x', 200) FROM seq_1_to_20000";
/** A statement whose request is far larger than any fault's byte budget. */
const BIG_WRITE = `SELECT LENGTH('${"y".repeat(1_000_000)}')`;

/** Runs `sql` on a cursor of `cls` and reads every row. */
async function runAll(conn: Connection, cls: CursorClass<Cursor<unknown>>, sql: string, timeout?: number): Promise<unknown[]> {
  const cur = conn.cursor(cls);
  await cur.execute(sql, undefined, timeout === undefined ? undefined : { timeout });
  return cur.fetchAll();
}

describe("fault injection", () => {
  let proxy: FaultProxy;
  const via = <O extends object>(extra?: O) => testOptions({ host: "127.0.0.1", port: proxy.port, ...extra });

  before(async () => {
    process.on("unhandledRejection", onUnhandled);
    const o = testOptions();
    proxy = await FaultProxy.start(o.host, o.port);
  });
  afterEach(() => {
    proxy.nextFault = null;
    assert.deepEqual(unhandled, [], "no unhandled rejection");
  });
  after(async () => {
    await proxy.close();
    process.off("unhandledRejection", onUnhandled);
  });

  describe("during the handshake", () => {
    const cases: Array<[string, Fault]> = [
      ["cut", { action: "cut", direction: "toClient", afterBytes: 20 }],
      ["reset", { action: "reset", direction: "toClient", afterBytes: 20 }],
      ["cut while the client writes", { action: "cut", direction: "toServer", afterBytes: 10 }],
      ["stall", { action: "stall", direction: "toClient", afterBytes: 30 }],
    ];
    for (const [name, fault] of cases) {
      it(`connect() rejects on a ${name}`, async () => {
        proxy.nextFault = fault;
        const r = await settle(connect(via({ connectTimeout: 1 })));
        const e = assertOperational(r, "connect()");
        assert.ok([2003, 2013].includes(e.errno ?? 0), `errno ${e.errno}: ${e.message}`);
      });

      it(`the pool's acquire() rejects on a ${name} and the pool recovers`, async () => {
        const pool = await createPool(via({ minSize: 0, maxSize: 2, connectTimeout: 1 }));
        try {
          proxy.nextFault = fault;
          assertOperational(await settle(pool.acquire()), "acquire()");
          assert.equal(pool.size, 0, "the failed connection is not counted");
          proxy.nextFault = null;
          const conn = await pool.acquire();
          assert.deepEqual(await runAll(conn, Cursor, "SELECT 1"), [[1]]);
          pool.release(conn);
        } finally {
          pool.close();
          await pool.waitClosed();
        }
      });
    }
  });

  describe("after the handshake", () => {
    const cases: Array<[string, Fault, string, number | undefined]> = [
      ["cut mid-result", { action: "cut", direction: "toClient", afterBytes: 5000 }, BIG_RESULT, undefined],
      ["reset mid-result", { action: "reset", direction: "toClient", afterBytes: 5000 }, BIG_RESULT, undefined],
      ["cut mid-write", { action: "cut", direction: "toServer", afterBytes: 1000 }, BIG_WRITE, undefined],
      ["reset mid-write", { action: "reset", direction: "toServer", afterBytes: 1000 }, BIG_WRITE, undefined],
      ["stall mid-result (with a timeout)", { action: "stall", direction: "toClient", afterBytes: 5000 }, BIG_RESULT, 1],
      ["stall before the answer (with a timeout)", { action: "stall", direction: "toClient", afterBytes: 0 }, "SELECT 1", 1],
    ];
    for (const [cls, clsName] of [
      [Cursor, "Cursor"],
      [SSCursor, "SSCursor"],
    ] as const) {
      for (const [name, fault, sql, timeout] of cases) {
        it(`${clsName}: ${name} rejects with an OperationalError and closes the connection`, async () => {
          const conn = await connect(via());
          try {
            proxy.arm(fault);
            const e = assertOperational(await settle(runAll(conn, cls, sql, timeout)), name);
            if (timeout !== undefined) assert.match(e.message, /timed out after 1 s/);
            assert.equal(conn.closed, true, "the connection is marked closed");
            assert.equal(conn.hasPendingWork, false, "nothing left pending");
            await assert.rejects(runAll(conn, cls, "SELECT 1"), OperationalError);
          } finally {
            conn.close();
          }
        });
      }
    }

    it("bytes dripped one at a time still make the right result", async () => {
      const conn = await connect(via());
      try {
        proxy.arm({ action: "drip", direction: "toClient", afterBytes: 0 });
        const rows = await runAll(conn, Cursor, "SELECT seq, CONCAT('r', seq) FROM seq_1_to_50");
        assert.equal(rows.length, 50);
        assert.deepEqual(rows[49], [50, "r50"]);
        const streamed = await runAll(conn, SSCursor, "SELECT seq FROM seq_1_to_30");
        assert.deepEqual(streamed[29], [30]);
        assert.equal(conn.closed, false);
      } finally {
        conn.close();
      }
    });

    it("a dripped handshake connects", async () => {
      proxy.nextFault = { action: "drip", direction: "toClient", afterBytes: 0 };
      const conn = await connect(via());
      try {
        assert.deepEqual(await runAll(conn, Cursor, "SELECT 'ok'"), [["ok"]]);
      } finally {
        conn.close();
      }
    });

    it("the pool replaces a connection lost mid-result", async () => {
      const pool = await createPool(via({ minSize: 2, maxSize: 2 }));
      try {
        const conn = await pool.acquire();
        proxy.arm({ action: "cut", direction: "toClient", afterBytes: 5000 });
        assertOperational(await settle(runAll(conn, Cursor, BIG_RESULT)), "execute()");
        pool.release(conn);
        assert.ok(
          pool.stats().destroyed >= 1 && pool.stats().used === 0,
          "the dead connection left the pool (a replacement may already be opening: minSize refill)",
        );
        // The other free connection was cut too when armed; the pool must notice and replace it.
        const fresh = await pool.acquire();
        const r = await settle(runAll(fresh, Cursor, "SELECT 2"));
        if (!r.ok) {
          assertOperational(r, "first use of a connection that was cut while idle");
          pool.release(fresh);
          const again = await pool.acquire();
          assert.deepEqual(await runAll(again, Cursor, "SELECT 2"), [[2]]);
          pool.release(again);
        } else {
          assert.deepEqual(r.value, [[2]]);
          pool.release(fresh);
        }
      } finally {
        pool.close();
        await pool.waitClosed();
      }
    });
  });
});
