// Pool: acquire() deadlines and cancellation (and their races with release), idle
// validation, idle timeout, maxLifetime and the held-too-long warning.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createPool, getLogger, InterfaceError, OperationalError, setLogger, type Connection, type Pool } from "../../src/index.js";
import { testOptions } from "../support/config.js";
import { sleep, waitFor } from "../support/wait.js";

async function closePool(pool: Pool): Promise<void> {
  pool.close();
  await pool.waitClosed();
}

async function selectOne(conn: Connection): Promise<unknown> {
  await using cur = conn.cursor();
  await cur.execute("SELECT 1");
  return (await cur.fetchOne())?.[0];
}

/** Nothing in use, nobody waiting, nothing in flight: what every race test must end with. */
function assertQuiet(pool: Pool): void {
  const s = pool.stats();
  assert.equal(s.used, 0, "no connection leaked to a caller who gave up");
  assert.equal(s.waiting, 0);
  assert.equal(s.opening, 0);
  assert.equal(s.acquired, s.released);
  assert.ok(pool.size <= pool.maxSize);
  assert.equal(pool.size, pool.freeSize);
}

describe("Pool: acquire() timeout and cancellation", () => {
  it("times out with an OperationalError that tells how many are in use and waiting", async () => {
    const pool = await createPool(testOptions({ minSize: 1, maxSize: 1 }));
    const held = await pool.acquire();
    const other = pool.acquire();
    const err = await pool.acquire({ timeout: 0.05 }).then(
      () => assert.fail("acquire() should have timed out"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof OperationalError);
    assert.match(err.message, /Timed out after 0\.05 s/);
    assert.match(err.message, /1 in use, 1 other caller\(s\) waiting/);
    assert.equal(pool.stats().timeouts, 1);
    pool.release(held);
    const next = await other;
    assert.equal(next.threadId, held.threadId, "the waiter behind the one that timed out is served");
    pool.release(next);
    assertQuiet(pool);
    await closePool(pool);
  });

  it("acquireTimeout is the default timeout", async () => {
    const pool = await createPool(testOptions({ minSize: 1, maxSize: 1, acquireTimeout: 0.05 }));
    const held = await pool.acquire();
    await assert.rejects(pool.acquire(), (e: unknown) => e instanceof OperationalError && /Timed out/.test(e.message));
    pool.release(held);
    assertQuiet(pool);
    await closePool(pool);
  });

  it("an abort rejects with an OperationalError whose cause is the signal's reason", async () => {
    const pool = await createPool(testOptions({ minSize: 1, maxSize: 1 }));
    const held = await pool.acquire();
    const ac = new AbortController();
    const p = pool.acquire({ signal: ac.signal });
    const reason = new Error("user went away");
    ac.abort(reason);
    const err = await p.then(
      () => assert.fail("should have been aborted"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof OperationalError);
    assert.equal(err.cause, reason);
    assert.match(err.message, /1 in use/);
    assert.equal(pool.stats().aborted, 1);
    pool.release(held);
    assertQuiet(pool);
    await closePool(pool);
  });

  it("an already aborted signal rejects at once and opens nothing", async () => {
    const pool = await createPool(testOptions({ minSize: 0 }));
    await assert.rejects(pool.acquire({ signal: AbortSignal.abort() }), OperationalError);
    assert.equal(pool.stats().created, 0);
    assert.equal(pool.size, 0);
    await closePool(pool);
  });

  it("a connection opened for a caller who gave up goes to the free list", async () => {
    const pool = await createPool(testOptions({ minSize: 0, maxSize: 1 }));
    const ac = new AbortController();
    const p = pool.acquire({ signal: ac.signal });
    assert.equal(pool.stats().opening, 1);
    ac.abort();
    await assert.rejects(p, OperationalError);
    await waitFor("the opened connection lands in the free list", () => pool.freeSize === 1);
    const conn = await pool.acquire();
    assert.equal(pool.stats().created, 1, "that connection is the one handed out next");
    assert.equal(await selectOne(conn), 1);
    pool.release(conn);
    assertQuiet(pool);
    await closePool(pool);
  });

  it("a connection opened for a caller who gave up goes to the next waiter", async () => {
    const pool = await createPool(testOptions({ minSize: 0, maxSize: 1 }));
    const ac = new AbortController();
    const first = pool.acquire({ signal: ac.signal });
    const second = pool.acquire();
    ac.abort();
    await assert.rejects(first, OperationalError);
    const conn = await second;
    assert.equal(pool.stats().created, 1);
    pool.release(conn);
    assertQuiet(pool);
    await closePool(pool);
  });

  it("timeouts racing releases never leak or strand a connection", async () => {
    const pool = await createPool(testOptions({ minSize: 1, maxSize: 2 }));
    let served = 0;
    let timedOut = 0;
    const task = async (i: number): Promise<void> => {
      try {
        const conn = await pool.acquire({ timeout: (i % 5) * 0.002 });
        served++;
        if (i % 3 === 0) await selectOne(conn);
        pool.release(conn);
      } catch (e) {
        assert.ok(e instanceof OperationalError, String(e));
        timedOut++;
      }
    };
    await Promise.all(Array.from({ length: 200 }, (_, i) => task(i)));
    assert.equal(served + timedOut, 200);
    assert.ok(served > 0);
    assert.equal(pool.stats().timeouts, timedOut);
    await waitFor("connections opened for callers who timed out settle", () => pool.stats().opening === 0);
    assertQuiet(pool);
    const conn = await pool.acquire({ timeout: 30 });
    assert.equal(await selectOne(conn), 1);
    pool.release(conn);
    await closePool(pool);
  });

  it("aborts racing releases and opens never leak or strand a connection", async () => {
    const pool = await createPool(testOptions({ minSize: 0, maxSize: 3 }));
    const controllers: AbortController[] = [];
    const results = await Promise.allSettled(
      Array.from({ length: 150 }, async (_, i) => {
        const ac = new AbortController();
        controllers.push(ac);
        if (i % 4 === 1) queueMicrotask(() => ac.abort());
        if (i % 4 === 2) setImmediate(() => ac.abort());
        const conn = await pool.acquire({ signal: ac.signal });
        await selectOne(conn);
        pool.release(conn);
      }),
    );
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    for (const f of failures) assert.ok(f.reason instanceof OperationalError, String(f.reason));
    assert.equal(pool.stats().aborted, failures.length);
    assert.ok(failures.length >= 1 && failures.length < 150);
    await waitFor("connections opened for aborted callers settle", () => pool.stats().opening === 0);
    assertQuiet(pool);
    await closePool(pool);
  });

  it("acquire() after close() is an InterfaceError even with a signal", async () => {
    const pool = await createPool(testOptions({ minSize: 0 }));
    pool.close();
    await assert.rejects(pool.acquire({ signal: new AbortController().signal, timeout: 1 }), InterfaceError);
    await pool.waitClosed();
  });
});

describe("Pool: idle validation, idle timeout, lifetime, warnings", () => {
  it("pings a connection idle longer than validateAfterIdle before handing it out", async () => {
    const pool = await createPool(testOptions({ minSize: 1, validateAfterIdle: 0 }));
    const conn = await pool.acquire();
    pool.release(conn);
    const again = await pool.acquire();
    assert.equal(again.threadId, conn.threadId, "the same connection again");
    assert.equal(pool.stats().validated, 2);
    pool.release(again);
    await closePool(pool);
  });

  it("does not ping a connection used recently", async () => {
    const pool = await createPool(testOptions({ minSize: 1, validateAfterIdle: 60 }));
    const conn = await pool.acquire();
    pool.release(conn);
    pool.release(await pool.acquire());
    assert.equal(pool.stats().validated, 0);
    await closePool(pool);
  });

  it("replaces a connection whose ping fails", async () => {
    const pool = await createPool(testOptions({ minSize: 1, validateAfterIdle: 0 }));
    const conn = await pool.acquire();
    conn.ping = () => Promise.reject(new OperationalError("injected: no answer to COM_PING"));
    pool.release(conn);
    const next = await pool.acquire();
    assert.notEqual(next.threadId, conn.threadId);
    assert.equal(conn.closed, true);
    assert.equal(pool.stats().validationFailures, 1);
    assert.equal(await selectOne(next), 1);
    pool.release(next);
    await closePool(pool);
  });

  it("a server-side idle kill (wait_timeout) never reaches the caller", async () => {
    const pool = await createPool(testOptions({ minSize: 1, maxSize: 1 }));
    const conn = await pool.acquire();
    const old = conn.threadId;
    await conn.cursor().execute("SET SESSION wait_timeout = 1");
    pool.release(conn);
    await waitFor("the server drops the idle connection", () => conn.closed);
    const next = await pool.acquire();
    assert.notEqual(next.threadId, old);
    assert.equal(await selectOne(next), 1);
    pool.release(next);
    await closePool(pool);
  });

  it("closes idle connections above minSize after idleTimeout", async () => {
    const pool = await createPool(testOptions({ minSize: 1, maxSize: 5, idleTimeout: 0.1 }));
    const conns = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    for (const c of conns) pool.release(c);
    assert.equal(pool.size, 3);
    await waitFor("idle connections above minSize are closed", () => pool.size === 1);
    assert.equal(pool.freeSize, 1);
    assert.equal(pool.stats().idleClosed, 2);
    const conn = await pool.acquire();
    assert.equal(await selectOne(conn), 1);
    pool.release(conn);
    await closePool(pool);
  });

  it("closes a connection older than maxLifetime when it comes back", async () => {
    const pool = await createPool(testOptions({ minSize: 0, maxSize: 2, maxLifetime: 0.05 }));
    const conn = await pool.acquire();
    await sleep(100);
    pool.release(conn);
    assert.equal(conn.closed, true);
    assert.equal(pool.stats().recycled, 1);
    const next = await pool.acquire();
    assert.notEqual(next.threadId, conn.threadId);
    pool.release(next);
    await closePool(pool);
  });

  it("warns, with the acquiring stack, about a connection held longer than warnHeldLongerThan", async () => {
    const warnings: string[] = [];
    const previous = getLogger();
    setLogger({ info: () => {}, warn: (m) => warnings.push(m) });
    try {
      const pool = await createPool(testOptions({ minSize: 1, warnHeldLongerThan: 0.05 }));
      const conn = await pool.acquire();
      await waitFor("the held-too-long warning", () => warnings.length > 0);
      assert.match(warnings[0]!, new RegExp(`thread id ${conn.threadId}`));
      assert.match(warnings[0]!, /pool-waiting\.test/, "the warning shows where the connection was acquired");
      assert.equal(pool.stats().heldTooLong, 1);
      pool.release(conn);
      const quick = await pool.acquire();
      pool.release(quick);
      await sleep(100);
      assert.equal(warnings.length, 1, "no warning for a connection released in time");
      await closePool(pool);
    } finally {
      setLogger(previous);
    }
  });
});
