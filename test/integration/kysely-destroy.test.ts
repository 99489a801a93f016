// db.destroy() while a query or a stream is still running: it waits for them, they report
// their own outcome (a committed INSERT resolves), and only then the pool is closed.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Kysely, sql, type Generated } from "kysely";
import { createPool, ProgrammingError, type Connection } from "../../src/index.js";
import { AiomysqlDialect, AiomysqlDriver } from "../../src/kysely/index.js";
import { testOptions } from "../support/config.js";
import { adminConnection, waitFor } from "../support/wait.js";

interface Database {
  ky_destroy: { id: Generated<number>; label: string };
}

async function scalar(conn: Connection, query: string): Promise<unknown> {
  const cur = conn.cursor();
  await cur.execute(query);
  return ((await cur.fetchOne()) as unknown[])[0];
}

async function setUp(): Promise<{ db: Kysely<Database>; closed: () => boolean }> {
  const pool = await createPool(testOptions({ autocommit: true, maxSize: 2 }));
  const db = new Kysely<Database>({ dialect: new AiomysqlDialect({ pool }) });
  await sql`CREATE TABLE IF NOT EXISTS ky_destroy (id INT AUTO_INCREMENT PRIMARY KEY, label VARCHAR(50) NOT NULL)`.execute(db);
  await sql`TRUNCATE ky_destroy`.execute(db);
  return { db, closed: () => pool.closed };
}

describe("aiomysql/kysely destroy() with work in flight", () => {
  it("waits for a running INSERT, which resolves and is committed", { timeout: 60_000 }, async () => {
    const { db } = await setUp();
    const admin = await adminConnection();
    try {
      // Hold a lock so the INSERT is still running on the server when destroy() is called.
      assert.equal(await scalar(admin, "SELECT GET_LOCK('ky_destroy', 30)"), 1);
      const insert = db
        .insertInto("ky_destroy")
        .values({ label: sql<string>`IF(GET_LOCK('ky_destroy', 30), 'written', 'no lock')` })
        .executeTakeFirstOrThrow();
      await waitFor(
        "the INSERT to wait for the lock",
        async () => Number(await scalar(admin, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE STATE = 'User lock'")) === 1,
      );
      let destroyed = false;
      const destroying = db.destroy().then(() => void (destroyed = true));
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(destroyed, false, "destroy() waits for the running statement");
      await scalar(admin, "SELECT RELEASE_LOCK('ky_destroy')");
      const result = await insert;
      assert.equal(result.numInsertedOrUpdatedRows, 1n);
      await destroying;
      assert.equal(await scalar(admin, "SELECT label FROM ky_destroy"), "written");
    } finally {
      admin.close();
    }
  });

  it("waits for a stream being read, which reads to the end", { timeout: 60_000 }, async () => {
    const { db, closed } = await setUp();
    const stream = db
      .selectNoFrom(sql<number>`seq`.as("n"))
      .modifyEnd(sql`FROM seq_1_to_500`)
      .stream(50);
    const seen: number[] = [];
    let destroyed = false;
    let destroying: Promise<void> | null = null;
    for await (const row of stream) {
      seen.push(Number(row.n));
      if (seen.length === 1) {
        destroying = db.destroy().then(() => void (destroyed = true));
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.equal(destroyed, false, "destroy() waits while the stream is read");
    }
    assert.equal(seen.length, 500);
    assert.equal(seen[499], 500);
    await destroying;
    assert.equal(closed(), true);
  });

  it("the driver refuses connections once destroyed, and a second destroy() resolves", { timeout: 60_000 }, async () => {
    const pool = await createPool(testOptions({ autocommit: true, maxSize: 1 }));
    const driver = new AiomysqlDriver({ pool });
    await driver.init();
    await driver.releaseConnection(await driver.acquireConnection());
    await Promise.all([driver.destroy(), driver.destroy()]);
    assert.equal(pool.closed, true);
    await assert.rejects(driver.acquireConnection(), (e: unknown) => {
      assert.ok(e instanceof ProgrammingError);
      assert.match(e.message, /destroyed/);
      return true;
    });
    await driver.destroy();
  });
});
