// Kysely through aiomysql/kysely on the real server.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CompiledQuery, Kysely, Migrator, sql, type DatabaseConnection, type Generated, type Migration } from "kysely";
import { createPool, ProgrammingError, type Pool } from "../../src/index.js";
import { AiomysqlConnection, AiomysqlDialect } from "../../src/kysely/index.js";
import { testOptions } from "../support/config.js";

interface PersonTable {
  id: Generated<number>;
  first_name: string;
  age: number | null;
}
interface PetTable {
  id: Generated<number>;
  owner_id: number;
  name: string;
}
interface Database {
  ky_person: PersonTable;
  ky_pet: PetTable;
}

let pool: Pool;
let db: Kysely<Database>;

async function countPeople(): Promise<number> {
  const row = await db
    .selectFrom("ky_person")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe("aiomysql/kysely", () => {
  before(async () => {
    pool = await createPool(testOptions({ autocommit: true, maxSize: 3 }));
    db = new Kysely<Database>({ dialect: new AiomysqlDialect({ pool }) });
    await db.schema.dropTable("ky_pet").ifExists().execute();
    await db.schema.dropTable("ky_person").ifExists().execute();
    await db.schema
      .createTable("ky_person")
      .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
      .addColumn("first_name", "varchar(255)", (c) => c.notNull())
      .addColumn("age", "integer")
      .execute();
    await db.schema
      .createTable("ky_pet")
      .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
      .addColumn("owner_id", "integer", (c) => c.notNull().references("ky_person.id").onDelete("cascade"))
      .addColumn("name", "varchar(255)", (c) => c.notNull())
      .execute();
  });
  after(async () => {
    await db.destroy();
    assert.equal(pool.closed, true, "destroy() closes the pool");
  });

  it("inserts, selects, updates and deletes, with insertId and numAffectedRows as bigints", async () => {
    const ins = await db.insertInto("ky_person").values({ first_name: "Jennifer", age: 40 }).executeTakeFirstOrThrow();
    assert.equal(typeof ins.insertId, "bigint");
    assert.equal(ins.numInsertedOrUpdatedRows, 1n);
    const many = await db
      .insertInto("ky_person")
      .values([
        { first_name: "Arnold", age: 70 },
        { first_name: "O'Brien \\ ? --", age: null },
      ])
      .executeTakeFirstOrThrow();
    assert.equal(many.numInsertedOrUpdatedRows, 2n);
    const obrien = await db.selectFrom("ky_person").selectAll().where("first_name", "=", "O'Brien \\ ? --").executeTakeFirstOrThrow();
    assert.equal(obrien.age, null);
    const upd = await db.updateTable("ky_person").set({ age: 41 }).where("id", "=", Number(ins.insertId)).executeTakeFirstOrThrow();
    assert.equal(upd.numUpdatedRows, 1n);
    assert.equal(upd.numChangedRows, 1n);
    const same = await db.updateTable("ky_person").set({ age: 41 }).where("id", "=", Number(ins.insertId)).executeTakeFirstOrThrow();
    assert.equal(same.numChangedRows, 0n, "numChangedRows comes from the server's info message");
    const people = await db.selectFrom("ky_person").select(["first_name", "age"]).where("age", ">", 40).orderBy("age").execute();
    assert.deepEqual(people, [
      { first_name: "Jennifer", age: 41 },
      { first_name: "Arnold", age: 70 },
    ]);
    const del = await db.deleteFrom("ky_person").where("first_name", "=", "Arnold").executeTakeFirstOrThrow();
    assert.equal(del.numDeletedRows, 1n);
    assert.equal(await countPeople(), 2, "writes outside a transaction are committed");
  });

  it("joins", async () => {
    const owner = await db.insertInto("ky_person").values({ first_name: "Sylvester", age: 77 }).executeTakeFirstOrThrow();
    await db
      .insertInto("ky_pet")
      .values([
        { owner_id: Number(owner.insertId), name: "Catto" },
        { owner_id: Number(owner.insertId), name: "Doggo" },
      ])
      .execute();
    const rows = await db
      .selectFrom("ky_pet")
      .innerJoin("ky_person", "ky_person.id", "ky_pet.owner_id")
      .select(["ky_person.first_name as owner", "ky_pet.name as pet"])
      .orderBy("ky_pet.name")
      .execute();
    assert.deepEqual(rows, [
      { owner: "Sylvester", pet: "Catto" },
      { owner: "Sylvester", pet: "Doggo" },
    ]);
  });

  it("commits and rolls back transactions, with isolation level and access mode", async () => {
    const before = await countPeople();
    await db.transaction().execute(async (trx) => {
      await trx.insertInto("ky_person").values({ first_name: "Committed", age: 1 }).execute();
    });
    assert.equal(await countPeople(), before + 1);
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await trx.insertInto("ky_person").values({ first_name: "RolledBack", age: 2 }).execute();
        throw new Error("boom");
      }),
      /boom/,
    );
    assert.equal(await countPeople(), before + 1);
    const isolation = await db
      .transaction()
      .setIsolationLevel("serializable")
      .execute(async (trx) => {
        await trx.selectFrom("ky_person").select("id").execute(); // starts the InnoDB transaction
        const r = await sql<{
          l: string;
        }>`SELECT trx_isolation_level AS l FROM information_schema.innodb_trx WHERE trx_mysql_thread_id = CONNECTION_ID()`.execute(trx);
        return r.rows[0]!.l;
      });
    assert.equal(isolation, "SERIALIZABLE");
    await assert.rejects(
      db
        .transaction()
        .setAccessMode("read only")
        .execute(async (trx) => {
          await trx.insertInto("ky_person").values({ first_name: "ReadOnly", age: 3 }).execute();
        }),
      /READ ONLY/,
    );
    await assert.rejects(
      db
        .transaction()
        .setIsolationLevel("snapshot")
        .execute(async () => {}),
      ProgrammingError,
    );
  });

  it("savepoints of controlled transactions", async () => {
    const before = await countPeople();
    const trx = await db.startTransaction().execute();
    await trx.insertInto("ky_person").values({ first_name: "Kept", age: 5 }).execute();
    const sp = await trx.savepoint("sp one").execute();
    await sp.insertInto("ky_person").values({ first_name: "Undone", age: 6 }).execute();
    const back = await sp.rollbackToSavepoint("sp one").execute();
    const sp2 = await back.savepoint("sp2").execute();
    await sp2.insertInto("ky_person").values({ first_name: "Released", age: 7 }).execute();
    const released = await sp2.releaseSavepoint("sp2").execute();
    await released.commit().execute();
    assert.equal(await countPeople(), before + 2);
    const names = await db.selectFrom("ky_person").select("first_name").where("first_name", "in", ["Kept", "Undone", "Released"]).execute();
    assert.deepEqual(names.map((n) => n.first_name).sort(), ["Kept", "Released"]);
  });

  it("streams rows in chunks from the server, and stops early", async () => {
    const streamed: number[] = [];
    const nums = db
      .selectFrom(sql<{ n: number }>`(SELECT seq AS n FROM seq_1_to_1000)`.as("s"))
      .select("s.n")
      .orderBy("s.n");
    for await (const row of nums.stream(64)) streamed.push(row.n);
    assert.equal(streamed.length, 1000);
    assert.equal(streamed[999], 1000);
    let seen = 0;
    for await (const row of nums.stream(10)) {
      seen = row.n;
      if (seen === 15) break;
    }
    assert.equal(seen, 15);
    assert.equal(await countPeople(), await countPeople(), "the connection is usable after an early stop");
    // The driver's chunks are chunkSize rows each.
    const raw = await pool.acquire();
    try {
      const sizes: number[] = [];
      const conn = new AiomysqlConnection(raw, pool);
      for await (const chunk of conn.streamQuery(CompiledQuery.raw("SELECT seq FROM seq_1_to_150 WHERE seq > ?", [0]), 64))
        sizes.push(chunk.rows.length);
      assert.deepEqual(sizes, [64, 64, 22]);
    } finally {
      pool.release(raw);
    }
  });

  it("runs a migration with Migrator and an in-memory provider, and introspects the schema", async () => {
    await sql`DROP TABLE IF EXISTS ky_migrated, kysely_migration, kysely_migration_lock`.execute(db);
    const migrations: Record<string, Migration> = {
      "0001_create": {
        async up(k: Kysely<unknown>) {
          await k.schema
            .createTable("ky_migrated")
            .addColumn("id", "integer", (c) => c.primaryKey())
            .addColumn("label", "varchar(50)")
            .execute();
        },
        async down(k: Kysely<unknown>) {
          await k.schema.dropTable("ky_migrated").execute();
        },
      },
    };
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    const { error, results } = await migrator.migrateToLatest();
    assert.equal(error, undefined);
    assert.deepEqual(
      results?.map((r) => [r.migrationName, r.status]),
      [["0001_create", "Success"]],
    );
    const tables = await db.introspection.getTables();
    const migrated = tables.find((t) => t.name === "ky_migrated");
    assert.ok(migrated);
    assert.deepEqual(
      migrated.columns.map((c) => c.name),
      ["id", "label"],
    );
    const down = await migrator.migrateDown();
    assert.equal(down.error, undefined);
    assert.ok(!(await db.introspection.getTables()).some((t) => t.name === "ky_migrated"));
  });

  it("takes the pool from a function, calls the connection hooks, and keeps writes on an autocommit-off pool", async () => {
    const offPool = await createPool(testOptions({ maxSize: 1 })); // autocommit false, the seed's default
    const created: DatabaseConnection[] = [];
    let reserved = 0;
    const db2 = new Kysely<Database>({
      dialect: new AiomysqlDialect({
        pool: async () => offPool,
        onCreateConnection: async (c) => void created.push(c),
        onReserveConnection: async () => void reserved++,
      }),
    });
    try {
      const before = await countPeople();
      await db2.insertInto("ky_person").values({ first_name: "Autocommitted", age: 9 }).execute();
      assert.equal(await countPeople(), before + 1, "the write was committed");
      await db2.selectFrom("ky_person").select("id").execute();
      assert.equal(created.length, 1);
      assert.equal(reserved, 2);
      const conn = await offPool.acquire();
      assert.equal(conn.getAutocommit(), false, "the pool's connection got its autocommit mode back");
      offPool.release(conn);
    } finally {
      await db2.destroy();
    }
  });
});
