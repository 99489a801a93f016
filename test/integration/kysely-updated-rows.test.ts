// numUpdatedRows is the number of rows an UPDATE matched, even if not changed (as Kysely
// documents it and mysql2 reports it); numChangedRows counts those changed.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Kysely, sql } from "kysely";
import { createPool } from "../../src/index.js";
import { AiomysqlDialect } from "../../src/kysely/index.js";
import { testOptions } from "../support/config.js";

interface Database {
  ky_updated: { id: number; v: number };
}

let db: Kysely<Database>;

describe("aiomysql/kysely numUpdatedRows", () => {
  before(async () => {
    db = new Kysely<Database>({ dialect: new AiomysqlDialect({ pool: await createPool(testOptions({ autocommit: true, maxSize: 1 })) }) });
    await sql`DROP TABLE IF EXISTS ky_updated`.execute(db);
    await sql`CREATE TABLE ky_updated (id INT PRIMARY KEY, v INT NOT NULL)`.execute(db);
    await db
      .insertInto("ky_updated")
      .values([
        { id: 1, v: 10 },
        { id: 2, v: 20 },
        { id: 3, v: 10 },
      ])
      .execute();
  });
  after(async () => {
    await sql`DROP TABLE IF EXISTS ky_updated`.execute(db);
    await db.destroy();
  });

  it("counts a matched row whose value does not change", async () => {
    const r = await db.updateTable("ky_updated").set({ v: 20 }).where("id", "=", 2).executeTakeFirstOrThrow();
    assert.equal(r.numUpdatedRows, 1n);
    assert.equal(r.numChangedRows, 0n);
  });

  it("counts every matched row, changed or not", async () => {
    const r = await db.updateTable("ky_updated").set({ v: 10 }).where("id", "in", [1, 2, 3]).executeTakeFirstOrThrow();
    assert.equal(r.numUpdatedRows, 3n);
    assert.equal(r.numChangedRows, 1n);
  });

  it("is zero when nothing matches", async () => {
    const r = await db.updateTable("ky_updated").set({ v: 1 }).where("id", "=", 99).executeTakeFirstOrThrow();
    assert.equal(r.numUpdatedRows, 0n);
    assert.equal(r.numChangedRows, 0n);
  });
});
