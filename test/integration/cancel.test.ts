// Deadlines and cancellation: `timeout` and `signal` on execute(), executeMany() and callProc(),
// stopped on the server with KILL QUERY, the connection usable afterwards.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { connect, Connection, OperationalError, ProgrammingError, SSCursor } from "../../src/index.js";
import { testOptions } from "../support/config.js";

/** Fails the test on any unhandled rejection seen while it runs. */
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

/** Statements of `threadId` the server is still running, from information_schema.PROCESSLIST. */
async function running(observer: Connection, threadId: number, like: string): Promise<number> {
  await using cur = observer.cursor();
  await cur.execute("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = %s AND INFO LIKE %s", [threadId, like]);
  const row = (await cur.fetchOne()) as [number];
  return row[0];
}

function isInterrupted(e: unknown, text: RegExp): boolean {
  assert.ok(e instanceof OperationalError, `expected an OperationalError, got ${String(e)}`);
  assert.equal(e.errno, 1317);
  assert.match(e.message, text);
  return true;
}

async function scalar(conn: Connection, sql: string): Promise<unknown> {
  await using cur = conn.cursor();
  await cur.execute(sql);
  return ((await cur.fetchOne()) as unknown[])[0];
}

describe("cancellation and deadlines", () => {
  let conn: Connection;
  let observer: Connection;
  before(async () => {
    process.on("unhandledRejection", onUnhandled);
    conn = await connect(testOptions({ autocommit: true }));
    observer = await connect(testOptions({ autocommit: true }));
    await using cur = observer.cursor();
    await cur.execute("DROP TABLE IF EXISTS test_cancel");
    await cur.execute("CREATE TABLE test_cancel (id INT)");
    await cur.execute("DROP PROCEDURE IF EXISTS test_cancel_sleep");
    await cur.execute("CREATE PROCEDURE test_cancel_sleep(IN s DOUBLE) BEGIN DO SLEEP(s); SELECT 7; END");
  });
  afterEach(() => {
    assert.deepEqual(unhandled, [], "no unhandled rejection");
  });
  after(async () => {
    await using cur = observer.cursor();
    await cur.execute("DROP TABLE IF EXISTS test_cancel");
    await cur.execute("DROP PROCEDURE IF EXISTS test_cancel_sleep");
    conn.close();
    observer.close();
    process.off("unhandledRejection", onUnhandled);
  });

  it("a timeout stops SELECT SLEEP(30) on the server and the connection stays usable", async () => {
    await using cur = conn.cursor();
    await assert.rejects(cur.execute("SELECT SLEEP(30)", undefined, { timeout: 0.3 }), (e) => isInterrupted(e, /timed out after 0\.3 s/));
    assert.equal(await running(observer, conn.threadId, "SELECT SLEEP%"), 0, "the statement is gone from the process list");
    assert.equal(conn.closed, false);
    assert.equal(await scalar(conn, "SELECT 1"), 1);
  });

  it("an AbortSignal stops the statement on the server and carries the reason", async () => {
    await using cur = conn.cursor();
    const ac = new AbortController();
    const p = cur.execute("SELECT SLEEP(30)", undefined, { signal: ac.signal });
    setTimeout(() => ac.abort(new Error("user pressed stop")), 300);
    await assert.rejects(p, (e) => isInterrupted(e, /user pressed stop/));
    assert.equal(await running(observer, conn.threadId, "SELECT SLEEP%"), 0);
    assert.equal(await scalar(conn, "SELECT 2"), 2);
  });

  it("an already aborted signal rejects at once and sends nothing", async () => {
    await using cur = conn.cursor();
    const signal = AbortSignal.abort(new Error("too late"));
    await assert.rejects(cur.execute("INSERT INTO test_cancel VALUES (1)", undefined, { signal }), (e) => isInterrupted(e, /too late/));
    assert.equal(await scalar(conn, "SELECT COUNT(*) FROM test_cancel"), 0, "the INSERT was never sent");
  });

  it("cancelling a queued statement removes it; the one in flight is not touched", async () => {
    await using first = conn.cursor();
    await using second = conn.cursor();
    const ac = new AbortController();
    const p1 = first.execute("SELECT SLEEP(0.5), 'first'");
    const p2 = second.execute("INSERT INTO test_cancel VALUES (2)", undefined, { signal: ac.signal });
    ac.abort();
    await assert.rejects(p2, (e) => isInterrupted(e, /cancelled/));
    assert.equal(await p1, 1);
    assert.deepEqual(await first.fetchOne(), [0, "first"], "the statement in flight completed normally");
    assert.equal(await scalar(conn, "SELECT COUNT(*) FROM test_cancel WHERE id = 2"), 0, "the queued INSERT was never sent");
  });

  it("a statement queued behind a cancellable one is never hit by its KILL QUERY", async () => {
    await using first = conn.cursor();
    await using second = conn.cursor();
    const ac = new AbortController();
    const p1 = first.execute("SELECT SLEEP(0.2)", undefined, { signal: ac.signal });
    const p2 = second.execute("SELECT 'second', SLEEP(0.3)");
    setTimeout(() => ac.abort(), 150);
    const r1 = await p1.then(
      () => "completed",
      (e: unknown) => (isInterrupted(e, /cancelled/) ? "cancelled" : "other"),
    );
    assert.equal(r1, "cancelled");
    assert.equal(await p2, 1);
    assert.deepEqual(await second.fetchOne(), ["second", 0], "the next statement ran to completion, not killed");
  });

  it("a KILL QUERY on an idle connection does not break its next statement", async () => {
    await using side = observer.cursor();
    await side.execute(`KILL QUERY ${conn.threadId}`);
    assert.equal(await scalar(conn, "SELECT 3"), 3);
    assert.equal(conn.closed, false);
  });

  it("a timeout that does not fire leaves the result alone", async () => {
    await using cur = conn.cursor();
    assert.equal(await cur.execute("SELECT %s", [5], { timeout: 30 }), 1);
    assert.deepEqual(await cur.fetchAll(), [[5]]);
  });

  it("executeMany stops at the cancellation and runs nothing after it", async () => {
    await using cur = conn.cursor();
    const ac = new AbortController();
    const p = cur.executeMany(
      "INSERT INTO test_cancel SELECT %s FROM DUAL WHERE SLEEP(%s) = 0",
      [
        [10, 0],
        [11, 30],
        [12, 0],
      ],
      {
        signal: ac.signal,
      },
    );
    setTimeout(() => ac.abort(), 300);
    await assert.rejects(p, (e) => isInterrupted(e, /executeMany\(\)/));
    assert.deepEqual(
      await scalar(conn, "SELECT GROUP_CONCAT(id ORDER BY id) FROM test_cancel WHERE id >= 10"),
      "10",
      "the first row went in, the cancelled and later ones did not",
    );
    assert.equal(await running(observer, conn.threadId, "INSERT%"), 0);
  });

  it("callProc honours a timeout and the connection stays usable", async () => {
    await using cur = conn.cursor();
    await assert.rejects(cur.callProc("test_cancel_sleep", [30], { timeout: 0.3 }), (e) => isInterrupted(e, /callProc\(\).*0\.3 s/));
    assert.equal(await running(observer, conn.threadId, "%SLEEP%"), 0);
    assert.equal(await scalar(conn, "SELECT 4"), 4);
  });

  it("a streaming cursor is cancelled while rows are being read", async () => {
    const cur = conn.cursor(SSCursor);
    const ac = new AbortController();
    await cur.execute("SELECT seq FROM seq_1_to_50000000", undefined, { signal: ac.signal });
    assert.deepEqual(await cur.fetchMany(3), [[1], [2], [3]]);
    ac.abort(new Error("enough rows"));
    await assert.rejects(cur.fetchAll(), (e) => isInterrupted(e, /enough rows/));
    await cur.close();
    assert.equal(await running(observer, conn.threadId, "SELECT seq%"), 0);
    assert.equal(await scalar(conn, "SELECT 5"), 5);
  });

  it("a streaming cursor's timeout stops a statement that has not sent its columns yet", async () => {
    await using cur = conn.cursor(SSCursor);
    await assert.rejects(cur.execute("SELECT SLEEP(30) FROM seq_1_to_2", undefined, { timeout: 0.3 }), (e) => isInterrupted(e, /0\.3 s/));
    assert.equal(await running(observer, conn.threadId, "SELECT SLEEP%"), 0);
    assert.equal(await scalar(conn, "SELECT 6"), 6);
  });

  it("rejects bad options with a ProgrammingError before sending anything", async () => {
    await using cur = conn.cursor();
    await assert.rejects(cur.execute("SELECT 1", undefined, { timeout: -1 }), ProgrammingError);
    await assert.rejects(cur.execute("SELECT 1", undefined, { timeout: Number.NaN }), ProgrammingError);
    await assert.rejects(cur.execute("SELECT 1", undefined, { signal: {} as AbortSignal }), ProgrammingError);
    assert.equal(await scalar(conn, "SELECT 8"), 8);
  });
});
