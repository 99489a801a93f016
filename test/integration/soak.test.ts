// Soak: 200 concurrent tasks over a pool of 10 mixing transactions, server errors, timeouts and
// cancellations. At the end nothing leaked (the server's process list agrees), retained memory
// is flat, and every promise settled. SOAK_SECONDS sets the length (default 20).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect, createPool, Connection, OperationalError, Pool, ProgrammingError } from "../../src/index.js";
import { testOptions } from "../support/config.js";
import { retainedHeap } from "../support/gc.js";
import { prng } from "../support/prng.js";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 20);
const TASKS = Number(process.env.SOAK_TASKS ?? 200);
const POOL_SIZE = 10;

interface Tally {
  ops: number;
  commits: number;
  rollbacks: number;
  serverErrors: number;
  timeouts: number;
  cancels: number;
  acquireTimeouts: number;
  unexpected: unknown[];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function processCount(admin: Connection): Promise<number> {
  await using cur = admin.cursor();
  await cur.execute("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE COMMAND <> 'Daemon' AND USER <> 'system user'");
  return Number(((await cur.fetchOne()) as [number])[0]);
}

async function oneOp(pool: Pool, rnd: () => number, task: number, tally: Tally): Promise<void> {
  const kind = Math.floor(rnd() * 6);
  let conn: Connection;
  try {
    conn = await pool.acquire({ timeout: kind === 5 ? 0.001 : 30 });
  } catch (e) {
    if (e instanceof OperationalError && /timed out/i.test(e.message)) {
      tally.acquireTimeouts++;
      return;
    }
    throw e;
  }
  try {
    await using cur = conn.cursor();
    switch (kind) {
      case 0: {
        await conn.begin();
        await cur.execute("INSERT INTO test_soak (task) VALUES (%s)", [task]);
        if (rnd() < 0.5) {
          await conn.commit();
          tally.commits++;
        } else {
          await conn.rollback();
          tally.rollbacks++;
        }
        break;
      }
      case 1:
        await assert.rejects(cur.execute("SELEKT nonsense"), ProgrammingError);
        tally.serverErrors++;
        break;
      case 2:
        await assert.rejects(cur.execute("SELECT SLEEP(5)", undefined, { timeout: 0.02 + rnd() * 0.05 }), (e) => {
          assert.ok(e instanceof OperationalError && e.errno === 1317, String(e));
          return true;
        });
        tally.timeouts++;
        break;
      case 3: {
        // Cancelled inside a transaction: the pool must roll it back on release.
        const ac = new AbortController();
        await conn.begin();
        const p = cur.execute("INSERT INTO test_soak (task) SELECT %s FROM DUAL WHERE SLEEP(5) = 0", [-task], { signal: ac.signal });
        setTimeout(() => ac.abort(), rnd() * 40);
        await assert.rejects(p, OperationalError);
        tally.cancels++;
        break;
      }
      default:
        await cur.execute("SELECT %s, CONNECTION_ID()", [task]);
        assert.equal(((await cur.fetchOne()) as unknown[])[0], task);
    }
    tally.ops++;
  } finally {
    pool.release(conn);
  }
}

describe(`soak: ${TASKS} tasks over a pool of ${POOL_SIZE} for ${SECONDS} s`, () => {
  let admin: Connection;
  const unhandled: unknown[] = [];
  const onUnhandled = (r: unknown): void => {
    unhandled.push(r);
  };
  before(async () => {
    process.on("unhandledRejection", onUnhandled);
    admin = await connect(testOptions({ autocommit: true }));
    await using cur = admin.cursor();
    await cur.execute("DROP TABLE IF EXISTS test_soak");
    await cur.execute("CREATE TABLE test_soak (id INT PRIMARY KEY AUTO_INCREMENT, task INT) ENGINE=InnoDB");
  });
  after(async () => {
    await using cur = admin.cursor();
    await cur.execute("DROP TABLE IF EXISTS test_soak");
    admin.close();
    process.off("unhandledRejection", onUnhandled);
  });

  it("leaks nothing, keeps memory flat and settles every promise", { timeout: (SECONDS + 120) * 1000 }, async () => {
    const baseline = await processCount(admin);
    const tally: Tally = { ops: 0, commits: 0, rollbacks: 0, serverErrors: 0, timeouts: 0, cancels: 0, acquireTimeouts: 0, unexpected: [] };
    const pool = await createPool(testOptions({ minSize: 2, maxSize: POOL_SIZE, autocommit: false }));
    const runRound = async (seconds: number, seed: number): Promise<void> => {
      const deadline = Date.now() + seconds * 1000;
      const tasks = Array.from({ length: TASKS }, async (_, task) => {
        const rnd = prng(seed * 1000 + task);
        while (Date.now() < deadline) {
          try {
            await oneOp(pool, rnd, task + 1, tally);
          } catch (e) {
            tally.unexpected.push(e);
          }
        }
      });
      const settled = await Promise.allSettled(tasks);
      assert.ok(settled.every((s) => s.status === "fulfilled"));
    };

    await runRound(Math.min(3, SECONDS / 4), Number(process.env.SOAK_SEED ?? 1));
    const heapBefore = retainedHeap();
    await runRound(SECONDS, Number(process.env.SOAK_SEED ?? 1) + 1);
    // Let releases that roll back in the background finish.
    for (let i = 0; i < 200 && pool.size !== pool.freeSize; i++) await sleep(50);
    const heapAfter = retainedHeap();

    assert.deepEqual(tally.unexpected.map(String), [], "no unexpected error");
    assert.ok(tally.ops > TASKS, `operations completed: ${tally.ops}`);
    assert.ok(tally.timeouts > 0 && tally.cancels > 0 && tally.commits > 0 && tally.serverErrors > 0, JSON.stringify(tally));
    assert.ok(pool.size <= POOL_SIZE);
    assert.equal(pool.size, pool.freeSize, "every connection is back in the pool");

    const [[committed]] = (await (async () => {
      await using cur = admin.cursor();
      await cur.execute("SELECT COUNT(*) FROM test_soak");
      return cur.fetchAll();
    })()) as [[number]];
    assert.equal(Number(committed), tally.commits, "exactly the committed rows are stored: cancelled and rolled back ones are not");

    pool.close();
    await pool.waitClosed();
    // The server notices closed sockets asynchronously: wait (bounded) for the list to settle.
    let count = await processCount(admin);
    for (let i = 0; i < 100 && count !== baseline; i++) {
      await sleep(100);
      count = await processCount(admin);
    }
    assert.equal(count, baseline, "no connection left on the server");
    const grown = heapAfter - heapBefore;
    assert.ok(grown < 16 * 1024 * 1024, `retained heap grew by ${grown} bytes`);
    assert.deepEqual(unhandled, [], "no unhandled rejection");
    console.log(`soak: ${JSON.stringify({ ...tally, unexpected: tally.unexpected.length })}, retained heap delta ${grown} bytes`);
  });
});
