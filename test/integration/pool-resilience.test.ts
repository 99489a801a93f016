// Pool under load and failure: 1,000 concurrent tasks with the server's process list as the
// witness, an unreachable server at creation, and a server restart in the middle of use.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as net from "node:net";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { createPool, OperationalError, type Connection } from "../../src/index.js";
import { testOptions } from "../support/config.js";
import { adminConnection, threadsAlive, waitFor } from "../support/wait.js";

const SERVER_SCRIPT = fileURLToPath(new URL("../../../scripts/mariadb-test-server.sh", import.meta.url));

async function selectValue(conn: Connection, sql: string): Promise<unknown> {
  await using cur = conn.cursor();
  await cur.execute(sql);
  return (await cur.fetchOne())?.[0];
}

/** Counts of the kinds of handles that keep the event loop alive (timers, sockets). */
function liveHandles(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

/** A TCP port on 127.0.0.1 that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Runs `bash scripts/mariadb-test-server.sh restart` against the suite's throwaway server. */
function restartServer(serverDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [SERVER_SCRIPT, "restart"], {
      env: { ...process.env, AIOMYSQL_SERVER_DIR: serverDir },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (b: Buffer) => (output += b.toString()));
    child.stderr.on("data", (b: Buffer) => (output += b.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`restart exited with ${code}:\n${output}`))));
  });
}

describe("Pool under load", () => {
  let admin: Connection;
  before(async () => {
    admin = await adminConnection();
  });
  after(() => admin.close());

  it("1,000 concurrent tasks over maxSize 10 leak nothing; pool counters and the process list agree", async () => {
    const pool = await createPool(testOptions({ minSize: 2, maxSize: 10, autocommit: true }));
    const seen = new Set<number>();
    let maxInUse = 0;
    const results = await Promise.all(
      Array.from({ length: 1000 }, async (_, i) => {
        await using conn = await pool.acquire({ timeout: 120 });
        seen.add(conn.threadId);
        maxInUse = Math.max(maxInUse, pool.stats().used);
        return selectValue(conn, `SELECT ${i}`);
      }),
    );
    assert.deepEqual(
      results,
      Array.from({ length: 1000 }, (_, i) => i),
      "every task got its own answer",
    );
    const s = pool.stats();
    assert.equal(s.acquired, 1000);
    assert.equal(s.released, 1000);
    assert.equal(s.used, 0);
    assert.equal(s.waiting, 0);
    assert.ok(maxInUse <= 10, `at most maxSize in use (saw ${maxInUse})`);
    assert.ok(s.created <= 10, `at most maxSize opened (${s.created})`);
    assert.equal(seen.size, s.created, "every connection opened was used");
    await waitFor("background work settles", () => pool.stats().opening === 0 && pool.size === pool.freeSize);
    assert.equal(pool.size, s.created - s.destroyed);
    assert.equal(await threadsAlive(admin, [...seen]), pool.size, "the server sees exactly the pool's connections");
    pool.close();
    await pool.waitClosed();
    await waitFor("the server drops every pool connection", async () => (await threadsAlive(admin, [...seen])) === 0);
  });
});

describe("Pool against an unreachable server", () => {
  it("createPool() rejects with OperationalError and leaves no timers or sockets behind", async () => {
    const port = await closedPort();
    const before = liveHandles();
    const err = await createPool(testOptions({ port, minSize: 3, connectTimeout: 5, idleTimeout: 1 })).then(
      () => assert.fail("createPool() should have failed"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof OperationalError, String(err));
    assert.equal(err.errno, 2003);
    // Destroyed sockets release their handles within a few turns of the event loop.
    const settled = (): boolean => {
      const now = liveHandles();
      return ["Timeout", "TCPSocketWrap"].every((kind) => (now.get(kind) ?? 0) <= (before.get(kind) ?? 0));
    };
    await waitFor(`no timers or sockets left behind (before ${JSON.stringify([...before])})`, settled, 10_000);
  });

  it("acquire() on a pool whose server went away rejects with the connect error and does not hang", async () => {
    const port = await closedPort();
    const pool = await createPool(testOptions({ port, minSize: 0, maxSize: 2 }));
    const errors = await Promise.all(
      [pool.acquire(), pool.acquire(), pool.acquire()].map((p) =>
        p.then(
          () => null,
          (e: unknown) => e,
        ),
      ),
    );
    for (const e of errors) assert.ok(e instanceof OperationalError && e.errno === 2003, String(e));
    assert.equal(pool.size, 0);
    assert.equal(pool.stats().createFailures, 3);
    pool.close();
    await pool.waitClosed();
  });
});

describe("Pool across a server restart", () => {
  it("serves again after the server restarts, without user action", async () => {
    const serverDir = process.env.AIOMYSQL_TEST_SERVER_DIR;
    assert.ok(
      serverDir,
      "this test restarts the server, so it needs the throwaway server of scripts/mariadb-test-server.sh (run it with npm test, or source .test-server/env); it cannot restart a server given through MYSQL_HOST",
    );
    const pool = await createPool(testOptions({ minSize: 2, maxSize: 4, autocommit: true }));
    const held = await pool.acquire();
    assert.equal(await selectValue(held, "SELECT 1"), 1);

    await restartServer(serverDir);

    // The connection in use was cut: its user sees an OperationalError and gives it back.
    await assert.rejects(selectValue(held, "SELECT 1"), OperationalError);
    pool.release(held);
    // The free connection died too; the pool drops it without anyone asking.
    await waitFor("the pool notices its free connection died", () => pool.stats().lostWhileFree >= 1);
    const conns = await Promise.all(Array.from({ length: 4 }, () => pool.acquire({ timeout: 60 })));
    for (const c of conns) {
      assert.notEqual(c, held);
      assert.equal(c.closed, false);
      assert.equal(await selectValue(c, "SELECT 2"), 2);
    }
    for (const c of conns) pool.release(c);
    await waitFor("the pool is back at minSize or more", () => pool.size >= pool.minSize && pool.stats().used === 0);
    pool.close();
    await pool.waitClosed();
  });
});
