// The Kysely dialect against Kysely's own mysql2 dialect: every case runs on both and must give
// the same results. The pool has valueMapping: "mysql2" so that values match; the differences
// that remain are named in docs/kysely.md and checked here on our side alone.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Kysely, MysqlDialect, sql, type Generated } from "kysely";
import mysql2 from "mysql2";
import { createPool } from "../../src/index.js";
import { AiomysqlDialect } from "../../src/kysely/index.js";
import { TEST_DB, testOptions } from "../support/config.js";

interface Db {
  kv_person: {
    id: Generated<number>;
    name: string;
    born: Date | string | null;
    big: number | string | bigint | null;
    price: string | null;
  };
}

type Driver = "aiomysql" | "mysql2";
const dbs = new Map<Driver, Kysely<Db>>();

async function both<T>(fn: (db: Kysely<Db>, driver: Driver) => Promise<T>): Promise<T> {
  const results: T[] = [];
  for (const d of ["aiomysql", "mysql2"] as const) results.push(await fn(dbs.get(d)!, d));
  assert.deepEqual(results[0], results[1], "aiomysql and mysql2 give the same result");
  return results[0]!;
}

async function reset(db: Kysely<Db>): Promise<void> {
  await db.schema.dropTable("kv_person").ifExists().execute();
  await db.schema
    .createTable("kv_person")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("name", "varchar(50)", (c) => c.notNull().unique())
    .addColumn("born", "date")
    .addColumn("big", "bigint")
    .addColumn("price", "decimal(10, 2)")
    .execute();
}

describe("aiomysql/kysely beside Kysely's mysql2 dialect", () => {
  before(() => {
    const o = testOptions();
    dbs.set(
      "aiomysql",
      new Kysely<Db>({
        dialect: new AiomysqlDialect({ pool: () => createPool(testOptions({ autocommit: true, maxSize: 2, valueMapping: "mysql2" })) }),
      }),
    );
    const pool = mysql2.createPool({
      host: o.host,
      port: o.port,
      user: o.user,
      password: o.password,
      database: TEST_DB,
      connectionLimit: 2,
    });
    dbs.set("mysql2", new Kysely<Db>({ dialect: new MysqlDialect({ pool }) }));
  });
  after(async () => {
    for (const db of dbs.values()) {
      await db.schema.dropTable("kv_person").ifExists().execute();
      await db.destroy();
    }
  });

  it("inserts, selects, updates and deletes with the same results", async () => {
    const res = await both(async (db) => {
      await reset(db);
      const ins = await db
        .insertInto("kv_person")
        .values({ name: "ann", born: "1990-05-17", big: "9007199254740991", price: "1.50" })
        .executeTakeFirstOrThrow();
      const many = await db
        .insertInto("kv_person")
        .values([{ name: "bob" }, { name: "cy" }])
        .executeTakeFirstOrThrow();
      const upd = await db.updateTable("kv_person").set({ price: "2.00" }).where("name", "in", ["bob", "cy"]).executeTakeFirstOrThrow();
      const rows = await db.selectFrom("kv_person").selectAll().orderBy("id").execute();
      const del = await db.deleteFrom("kv_person").where("name", "=", "cy").executeTakeFirstOrThrow();
      return { ins, many, upd, rows, del };
    });
    assert.equal(res.ins.insertId, 1n);
    assert.equal(res.many.insertId, 2n);
    assert.equal(res.upd.numUpdatedRows, 2n);
    assert.equal(res.del.numDeletedRows, 1n);
    assert.deepEqual(res.rows[0], { id: 1, name: "ann", born: new Date(1990, 4, 17), big: 9007199254740991, price: "1.50" });
  });

  it("runs transactions and savepoints the same way", async () => {
    const res = await both(async (db) => {
      await reset(db);
      await db.transaction().execute(async (trx) => {
        await trx.insertInto("kv_person").values({ name: "kept" }).execute();
      });
      await db
        .transaction()
        .execute(async (trx) => {
          await trx.insertInto("kv_person").values({ name: "gone" }).execute();
          throw new Error("roll back");
        })
        .catch(() => {});
      const trx = await db.startTransaction().execute();
      await trx.insertInto("kv_person").values({ name: "outer" }).execute();
      const sp = await trx.savepoint("sp1").execute();
      await sp.insertInto("kv_person").values({ name: "inner" }).execute();
      await sp.rollbackToSavepoint("sp1").execute();
      await trx.commit().execute();
      return db.selectFrom("kv_person").select("name").orderBy("id").execute();
    });
    assert.deepEqual(res, [{ name: "kept" }, { name: "outer" }]);
  });

  it("streams the same rows", async () => {
    const res = await both(async (db) => {
      await reset(db);
      await db
        .insertInto("kv_person")
        .values(Array.from({ length: 120 }, (_, i) => ({ name: `p${i}` })))
        .execute();
      const names: string[] = [];
      for await (const row of db.selectFrom("kv_person").select("name").orderBy("id").stream(25)) names.push(row.name);
      return names;
    });
    assert.equal(res.length, 120);
    assert.equal(res[119], "p119");
  });

  it("rejects with the same server error numbers", async () => {
    const res = await both(async (db) => {
      await reset(db);
      await db.insertInto("kv_person").values({ name: "dup" }).execute();
      const e = (await db
        .insertInto("kv_person")
        .values({ name: "dup" })
        .execute()
        .catch((err: unknown) => err)) as { errno: number; sqlState: string };
      return { errno: e.errno, sqlState: e.sqlState };
    });
    assert.deepEqual(res, { errno: 1062, sqlState: "23000" });
  });

  it("differs only where docs/kysely.md says: BIGINT beyond 2^53 is exact", async () => {
    const query = sql<{ big: unknown }>`SELECT CAST(9007199254740993 AS SIGNED) AS big`;
    const ours = await query.execute(dbs.get("aiomysql")!);
    const theirs = await query.execute(dbs.get("mysql2")!);
    assert.deepEqual(ours.rows, [{ big: "9007199254740993" }]);
    assert.deepEqual(theirs.rows, [{ big: 9007199254740992 }], "mysql2 rounds it");
  });
});
