// Kysely's `log` sees every statement of a transaction: SET TRANSACTION, BEGIN, SAVEPOINT,
// ROLLBACK TO, RELEASE SAVEPOINT, COMMIT and ROLLBACK, spelled as Kysely's mysql2 driver sends them.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { Kysely, sql, type LogEvent } from "kysely";
import { createPool } from "../../src/index.js";
import { AiomysqlDialect } from "../../src/kysely/index.js";
import { testOptions } from "../support/config.js";

let db: Kysely<unknown>;
const logged: string[] = [];

describe("aiomysql/kysely log of transaction statements", () => {
  before(async () => {
    const pool = await createPool(testOptions({ autocommit: true, maxSize: 1 }));
    db = new Kysely<unknown>({
      dialect: new AiomysqlDialect({ pool }),
      log: (event: LogEvent) => void logged.push(`${event.level}: ${event.query.sql}`),
    });
  });
  beforeEach(() => void (logged.length = 0));
  after(async () => {
    await db.destroy();
  });

  it("transaction().execute() with an isolation level logs SET TRANSACTION, BEGIN and COMMIT", async () => {
    await db
      .transaction()
      .setIsolationLevel("serializable")
      .execute(async (trx) => {
        await sql`select 1`.execute(trx);
      });
    assert.deepEqual(logged, ["query: set transaction isolation level serializable", "query: begin", "query: select 1", "query: commit"]);
  });

  it("a failed transaction logs its ROLLBACK", async () => {
    await assert.rejects(
      db
        .transaction()
        .setAccessMode("read only")
        .execute(async (trx) => {
          await sql`select 1`.execute(trx);
          throw new Error("give up");
        }),
      /give up/,
    );
    assert.deepEqual(logged, ["query: set transaction read only", "query: begin", "query: select 1", "query: rollback"]);
  });

  it("a controlled transaction logs SAVEPOINT, ROLLBACK TO and RELEASE SAVEPOINT", async () => {
    const trx = await db.startTransaction().execute();
    const sp = await trx.savepoint("sp1").execute();
    await sql`select 2`.execute(sp);
    const back = await sp.rollbackToSavepoint("sp1").execute();
    const sp2 = await back.savepoint("sp2").execute();
    const released = await sp2.releaseSavepoint("sp2").execute();
    await released.commit().execute();
    assert.deepEqual(logged, [
      "query: begin",
      "query: savepoint `sp1`",
      "query: select 2",
      "query: rollback to `sp1`",
      "query: savepoint `sp2`",
      "query: release savepoint `sp2`",
      "query: commit",
    ]);
  });

  it("a statement that fails inside the transaction is logged as an error", async () => {
    const trx = await db.startTransaction().execute();
    await assert.rejects(sql`select * from ky_no_such_table`.execute(trx));
    await trx.rollback().execute();
    assert.deepEqual(logged, ["query: begin", "error: select * from ky_no_such_table", "query: rollback"]);
  });
});
