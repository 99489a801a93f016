// Seed 7.6.1, the aiomysql.sa intro, with Kysely as the SQL query builder (in place of
// SQLAlchemy Core). Kysely only compiles the queries here; aiomysql/sa runs them.
import assert from "node:assert/strict";
import { DummyDriver, Kysely, MysqlAdapter, MysqlIntrospector, MysqlQueryCompiler, type Generated } from "kysely";
import { createEngine } from "aiomysql/sa";
import { config, runIfMain } from "./config.js";

interface Database {
  tbl: { id: Generated<number>; val: string | null };
}

// A Kysely that compiles MySQL and never connects: the counterpart of `sa.Table(...)` metadata.
const sa = new Kysely<Database>({
  dialect: {
    createAdapter: () => new MysqlAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new MysqlIntrospector(db),
    createQueryCompiler: () => new MysqlQueryCompiler(),
  },
});

export async function main(): Promise<void> {
  const engine = await createEngine({ ...config, db: "test_pymysql" });

  const printed: unknown[][] = [];
  {
    await using conn = await engine.acquire();
    await conn.execute("DROP TABLE IF EXISTS tbl");
    await conn.execute("CREATE TABLE tbl (id INT AUTO_INCREMENT PRIMARY KEY, val VARCHAR(255))");
    {
      await using transaction = await conn.begin();
      await conn.execute(sa.insertInto("tbl").values({ val: "abc" }));
      await transaction.commit();
    }

    const res = await conn.execute(sa.selectFrom("tbl").selectAll());
    for await (const row of res) {
      console.log(row.id, row.val);
      printed.push([row.id, row.val]);
    }
  }

  engine.close();
  await engine.waitClosed();
  assert.deepEqual(printed, [[1, "abc"]]);
}

runIfMain(import.meta.url, main);
