// The seed's aiomysql.sa intro with each TypeScript builder (Kysely, Drizzle, Knex) on an
// Engine, and Drizzle's mysql-proxy driver running on aiomysql/sa.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eq } from "drizzle-orm";
import { int, mysqlTable, varchar } from "drizzle-orm/mysql-core";
import { drizzle } from "drizzle-orm/mysql-proxy";
import knexFactory from "knex";
import { DummyDriver, Kysely, MysqlAdapter, MysqlIntrospector, MysqlQueryCompiler, type Generated } from "kysely";
import { createEngine, drizzleCallback, type Engine } from "../../src/sa/index.js";
import { testOptions } from "../support/config.js";

let engine: Engine;

async function resetTable(name: string): Promise<void> {
  const conn = await engine.acquire();
  try {
    await conn.execute(`DROP TABLE IF EXISTS ${name}`);
    await conn.execute(`CREATE TABLE ${name} (id INT AUTO_INCREMENT PRIMARY KEY, val VARCHAR(255)) ENGINE=InnoDB`);
  } finally {
    await conn.close();
  }
}

/** The seed's intro: insert in a transaction, then print every row. */
async function intro(insert: unknown, select: unknown): Promise<unknown[][]> {
  const printed: unknown[][] = [];
  const conn = await engine.acquire();
  try {
    const transaction = await conn.begin();
    await conn.execute(insert as string);
    await transaction.commit();
    const res = await conn.execute<{ id: number; val: string }>(select as string);
    for await (const row of res) printed.push([row.id, row.val]);
  } finally {
    await conn.close();
  }
  return printed;
}

describe("query builders on aiomysql/sa", () => {
  before(async () => {
    engine = await createEngine(testOptions());
  });
  after(async () => {
    engine.close();
    await engine.waitClosed();
  });

  it("Kysely: the seed's intro with queries compiled by a Kysely that never connects", async () => {
    await resetTable("qb_kysely");
    interface DB {
      qb_kysely: { id: Generated<number>; val: string | null };
    }
    const qb = new Kysely<DB>({
      dialect: {
        createAdapter: () => new MysqlAdapter(),
        createDriver: () => new DummyDriver(),
        createIntrospector: (db) => new MysqlIntrospector(db),
        createQueryCompiler: () => new MysqlQueryCompiler(),
      },
    });
    const printed = await intro(qb.insertInto("qb_kysely").values({ val: "abc" }), qb.selectFrom("qb_kysely").selectAll());
    assert.deepEqual(printed, [[1, "abc"]]);
    const conn = await engine.acquire();
    try {
      const row = (await (await conn.execute(qb.selectFrom("qb_kysely").select(["id", "val"]).where("val", "=", "abc"))).first())!;
      assert.equal(row.get("qb_kysely.val"), "abc", "a Kysely column reference");
      assert.equal(await conn.scalar(qb.selectFrom("qb_kysely").select((eb) => eb.fn.countAll().as("n"))), 1);
    } finally {
      await conn.close();
    }
  });

  it("Drizzle: the seed's intro, row.get(table.column), and the mysql-proxy driver on the engine", async () => {
    await resetTable("qb_drizzle");
    const tbl = mysqlTable("qb_drizzle", {
      id: int("id").primaryKey().autoincrement(),
      val: varchar("val", { length: 255 }),
    });
    const db = drizzle(drizzleCallback(engine));
    const printed = await intro(db.insert(tbl).values({ val: "abc" }), db.select().from(tbl));
    assert.deepEqual(printed, [[1, "abc"]]);

    const conn = await engine.acquire();
    try {
      const row = (await (await conn.execute(db.select().from(tbl).where(eq(tbl.val, "abc")))).first())!;
      assert.equal(row.get(tbl.id), 1, "a Drizzle column object");
      assert.equal(row.get(tbl.val), "abc");
    } finally {
      await conn.close();
    }

    // Drizzle's own API, each query on a pooled connection in autocommit mode.
    const [header] = await db.insert(tbl).values([{ val: "two" }, { val: "it's three" }]);
    assert.equal((header as unknown as { insertId: number }).insertId, 2);
    const rows = await db.select({ id: tbl.id, val: tbl.val }).from(tbl).orderBy(tbl.id);
    assert.deepEqual(rows, [
      { id: 1, val: "abc" },
      { id: 2, val: "two" },
      { id: 3, val: "it's three" },
    ]);
    await db.update(tbl).set({ val: "deux" }).where(eq(tbl.id, 2));
    await db.delete(tbl).where(eq(tbl.id, 1));
    assert.deepEqual(
      (await db.select().from(tbl).orderBy(tbl.id)).map((r) => r.val),
      ["deux", "it's three"],
      "writes through the proxy persist",
    );

    // Transactions: a Drizzle db bound to one SAConnection runs inside its transaction.
    const tconn = await engine.acquire();
    try {
      const tdb = drizzle(drizzleCallback(tconn));
      const trans = await tconn.begin();
      await tdb.insert(tbl).values({ val: "rolled back" });
      assert.equal((await tdb.select().from(tbl)).length, 3, "visible inside the transaction");
      await trans.rollback();
    } finally {
      await tconn.close();
    }
    assert.equal((await db.select().from(tbl)).length, 2);
  });

  it("Knex: the seed's intro with queries compiled by a Knex that never connects", async () => {
    await resetTable("qb_knex");
    const knex = knexFactory({ client: "mysql2" });
    try {
      const printed = await intro(knex("qb_knex").insert({ val: "abc" }), knex("qb_knex").select("*"));
      assert.deepEqual(printed, [[1, "abc"]]);
      const conn = await engine.acquire();
      try {
        const ins = await conn.execute(knex("qb_knex").insert({ val: "x'y" }).toSQL().toNative());
        assert.equal(ins.lastRowId, 2);
        const upd = await conn.execute(knex("qb_knex").update({ val: "abc" }).where("id", 1));
        assert.equal(upd.rowCount, 1, "rows matched");
        const raw = await conn.execute(knex.raw("select ?? from ?? where id = ?", ["val", "qb_knex", 2]));
        assert.equal((await raw.first())?.get("val"), "x'y");
        // A schema builder compiles to a list of statements: each runs in turn.
        await conn.execute(knex.schema.dropTableIfExists("qb_knex_schema"));
        await conn.execute(
          knex.schema.createTable("qb_knex_schema", (t) => {
            t.increments("id");
            t.string("name");
          }),
        );
        assert.deepEqual((await conn.execute("SELECT * FROM qb_knex_schema")).keys(), ["id", "name"]);
        await conn.execute(knex.schema.dropTable("qb_knex_schema"));
      } finally {
        await conn.close();
      }
      const client = knex.client as { pool?: unknown; driver?: unknown };
      assert.equal(client.pool, undefined, "Knex opened no pool");
      assert.equal(client.driver, undefined, "Knex loaded no driver");
    } finally {
      await knex.destroy();
    }
  });
});
