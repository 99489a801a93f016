// Knex through aiomysql/knex on the real server. Every case runs twice, on our client and on
// Knex's own mysql2 client, and the two must give the same results; the differences the docs
// name (docs/knex.md: `fields`, the result header's extra mysql2 properties, error `code`s)
// are left out of the comparison and checked on our side alone.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import knexFactory, { type Knex } from "knex";
import mysql2 from "mysql2";
import { connect, createPool, IntegrityError, type Pool } from "../../src/index.js";
import { AiomysqlKnexClient, KnexConnection, knexConnection, knexPool } from "../../src/knex/index.js";
import { TEST_DB, testOptions } from "../support/config.js";

const o = testOptions();
const settings = { host: o.host, port: o.port, user: o.user, password: o.password, database: TEST_DB };

type Driver = "aiomysql" | "mysql2";
const DRIVERS: readonly Driver[] = ["aiomysql", "mysql2"];

function make(driver: Driver, extra: Partial<Knex.Config> = {}): Knex {
  const client = driver === "aiomysql" ? AiomysqlKnexClient : "mysql2";
  return knexFactory({ client, connection: { ...settings }, pool: { min: 0, max: 2 }, ...extra });
}

const instances = new Map<Driver, Knex>();

/** Runs `fn` on both clients, one after the other, asserts equal results and returns ours. */
async function both<T>(fn: (k: Knex, driver: Driver) => Promise<T>): Promise<T> {
  const results: T[] = [];
  for (const d of DRIVERS) results.push(await fn(instances.get(d)!, d));
  assert.deepEqual(results[0], results[1], "aiomysql and mysql2 give the same result");
  return results[0]!;
}

/** Like both(), on a fresh Knex per client made by `create`, destroyed afterwards. */
async function bothWith<T>(create: (d: Driver) => Knex, fn: (k: Knex, driver: Driver) => Promise<T>): Promise<T> {
  const results: T[] = [];
  for (const d of DRIVERS) {
    const k = create(d);
    try {
      results.push(await fn(k, d));
    } finally {
      await k.destroy();
    }
  }
  assert.deepEqual(results[0], results[1], "aiomysql and mysql2 give the same result");
  return results[0]!;
}

async function people(k: Knex): Promise<void> {
  await k.schema.dropTableIfExists("kx_people");
  await k.schema.createTable("kx_people", (t) => {
    t.increments("id");
    t.string("name").notNullable().unique();
    t.date("born");
    t.bigInteger("big");
    t.decimal("price", 10, 2);
    t.dateTime("seen");
    t.integer("age");
  });
}

describe("aiomysql/knex", () => {
  before(() => {
    for (const d of DRIVERS) instances.set(d, make(d));
  });
  after(async () => {
    for (const k of instances.values()) {
      await k.schema.dropTableIfExists("kx_people");
      await k.destroy();
    }
  });

  it("inserts with insert ids, selects, updates (rows matched) and deletes", async () => {
    const res = await both(async (k) => {
      await people(k);
      const ids1 = await k("kx_people").insert({
        name: "ann",
        born: "1990-05-17",
        big: "9007199254740991",
        price: "12.50",
        seen: new Date(2024, 0, 2, 3, 4, 5),
        age: 30,
      });
      const ids2 = await k("kx_people").insert([
        { name: "bob", age: 40 },
        { name: "cy", age: 50 },
      ]);
      const updated = await k("kx_people").where("age", ">=", 40).update({ age: 40 });
      const rows = await k("kx_people").select("*").orderBy("id");
      const first = await k("kx_people").where({ name: "ann" }).first("name", "age");
      const names = await k("kx_people").orderBy("id").pluck("name");
      const [{ n }] = (await k("kx_people").count({ n: "*" })) as { n: number }[];
      const deleted = await k("kx_people").where("age", 40).del();
      return { ids1, ids2, updated, rows, first, names, n, deleted };
    });
    assert.deepEqual(res.ids1, [1]);
    assert.deepEqual(res.ids2, [2], "the first id of a multi-row insert, as mysql2 gives it");
    assert.equal(res.updated, 2, "an UPDATE counts the rows it matched (CLIENT.FOUND_ROWS), as with mysql2");
    assert.deepEqual(res.first, { name: "ann", age: 30 });
    assert.deepEqual(res.names, ["ann", "bob", "cy"]);
    assert.equal(res.n, 3);
    assert.equal(res.deleted, 2);
    const ann = res.rows[0] as Record<string, unknown>;
    assert.ok(
      ann.born instanceof Date && ann.born.getTime() === new Date(1990, 4, 17).getTime(),
      "DATE as a local Date, as mysql2 gives it",
    );
    assert.equal(ann.big, 9007199254740991);
    // The one named difference in values: beyond 2^53 mysql2 rounds a BIGINT, we give its exact digits.
    const [[ours]] = (await instances.get("aiomysql")!.raw("SELECT CAST(? AS SIGNED) AS big", ["9007199254740993"])) as [
      [{ big: unknown }],
    ];
    const [[theirs]] = (await instances.get("mysql2")!.raw("SELECT CAST(? AS SIGNED) AS big", ["9007199254740993"])) as [
      [{ big: unknown }],
    ];
    assert.equal(ours.big, "9007199254740993", "a BIGINT beyond 2^53 as an exact string (never rounded)");
    assert.equal(theirs.big, 9007199254740992, "mysql2 rounds it");
    assert.equal(ann.price, "12.50");
    assert.deepEqual(ann.seen, new Date(2024, 0, 2, 3, 4, 5));
  });

  it("runs raw queries: [rows, fields], and the result header of a write", async () => {
    const res = await both(async (k) => {
      await people(k);
      const [rows] = (await k.raw("SELECT ? AS a, ? AS b, ? AS c", [1, "x'y", null])) as [unknown[], unknown];
      const [header] = (await k.raw("INSERT INTO kx_people (name) VALUES (?), (?)", ["p", "q"])) as [
        { insertId: number; affectedRows: number },
      ];
      const [named] = (await k.raw("SELECT name FROM kx_people WHERE name = :name", { name: "q" })) as [unknown[]];
      return { rows, insertId: header.insertId, affectedRows: header.affectedRows, named };
    });
    assert.deepEqual(res, { rows: [{ a: 1, b: "x'y", c: null }], insertId: 1, affectedRows: 2, named: [{ name: "q" }] });
    const [, fields] = (await instances.get("aiomysql")!.raw("SELECT 1 AS one")) as [unknown, unknown[]];
    assert.equal((fields[0] as unknown[])[0], "one", "fields are aiomysql's column descriptions (name first)");
  });

  it("commits and rolls back transactions, with savepoints for nested ones", async () => {
    const res = await both(async (k) => {
      await people(k);
      await k.transaction(async (trx) => {
        await trx("kx_people").insert({ name: "kept" });
        await trx
          .transaction(async (inner) => {
            await inner("kx_people").insert({ name: "undone" });
            throw new Error("roll back the savepoint");
          })
          .catch((e: Error) => assert.equal(e.message, "roll back the savepoint"));
        await trx.transaction(async (inner) => {
          await inner("kx_people").insert({ name: "nested" });
        });
      });
      const failed = await k
        .transaction(async (trx) => {
          await trx("kx_people").insert({ name: "gone" });
          throw new Error("roll back all");
        })
        .catch((e: Error) => e.message);
      const trx = await k.transaction();
      await trx("kx_people").insert({ name: "manual" });
      await trx.rollback();
      const rows = await k("kx_people").orderBy("id").pluck("name");
      return { failed, rows, rejected: await trx.executionPromise.catch((e: Error) => e.message) };
    });
    assert.equal(res.failed, "roll back all");
    assert.deepEqual(res.rows, ["kept", "nested"]);
  });

  it("rejects with the server's error: errno and SQL state", async () => {
    const res = await both(async (k) => {
      await people(k);
      await k("kx_people").insert({ name: "dup" });
      const e = (await k("kx_people")
        .insert({ name: "dup" })
        .catch((err: unknown) => err)) as { errno: number; sqlState: string; message: string };
      return { errno: e.errno, sqlState: e.sqlState, sqlInMessage: e.message.startsWith("insert into `kx_people`") };
    });
    assert.deepEqual(res, { errno: 1062, sqlState: "23000", sqlInMessage: true });
    const ours = await instances.get("aiomysql")!("kx_people")
      .insert({ name: "dup" })
      .catch((e: unknown) => e);
    assert.ok(ours instanceof IntegrityError, "our errors keep their classes under Knex");
  });

  it("streams rows with .stream(), with bounded memory, and stops early cleanly", async () => {
    const res = await bothWith(
      (d) => make(d, { pool: { min: 0, max: 1 } }),
      async (k) => {
        await people(k);
        await k.batchInsert(
          "kx_people",
          Array.from({ length: 500 }, (_, i) => ({ name: `n${i}`, age: i })),
          100,
        );
        let sum = 0;
        let count = 0;
        for await (const row of k("kx_people").select("age").orderBy("id").stream({ highWaterMark: 16 })) {
          sum += (row as { age: number }).age;
          count++;
        }
        // Stop after a few rows: the rest is discarded and the (only) connection serves the next query.
        const seen: unknown[] = [];
        const stream = k("kx_people").select("name").orderBy("id").stream();
        for await (const row of stream) {
          seen.push(row);
          if (seen.length === 3) break;
        }
        // A failing streamed query errors the stream, and the connection is released.
        let failure = "";
        try {
          for await (const row of k.raw("SELECT * FROM kx_no_such_table").stream()) seen.push(row);
        } catch (e) {
          failure = String((e as { errno?: number }).errno);
        }
        const after = await k("kx_people").count({ n: "*" });
        return { sum, count, seen, failure, after };
      },
    );
    assert.equal(res.count, 500);
    assert.equal(res.sum, (499 * 500) / 2);
    assert.deepEqual(res.seen, [{ name: "n0" }, { name: "n1" }, { name: "n2" }]);
    assert.equal(res.failure, "1146");
    assert.deepEqual(res.after, [{ n: 500 }]);
  });

  it(".timeout(ms, { cancel: true }) stops the statement on the server (KILL QUERY) and keeps the connection", async () => {
    const res = await bothWith(
      (d) => make(d, { pool: { min: 0, max: 1 } }),
      async (k, driver) => {
        const [[{ id: before }]] = (await k.raw("SELECT CONNECTION_ID() AS id")) as [[{ id: number }]];
        const e = (await k
          .raw("SELECT SLEEP(30) AS slept")
          .timeout(50, { cancel: true })
          .catch((err: unknown) => err)) as Error;
        if (driver === "aiomysql") {
          // Our cancelQuery() resolves once the statement has ended on the server.
          const side = await connect(testOptions());
          const cur = side.cursor();
          await cur.execute("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = %s AND INFO LIKE 'SELECT SLEEP(30)%%'", [
            before,
          ]);
          assert.deepEqual(await cur.fetchAll(), [[0]], "the SLEEP no longer runs on the server");
          side.close();
        }
        const [[{ id: afterId, one }]] = (await k.raw("SELECT CONNECTION_ID() AS id, 1 AS one")) as [[{ id: number; one: number }]];
        return { name: e.name, message: e.message, sameConnection: before === afterId, one };
      },
    );
    assert.equal(res.name, "KnexTimeoutError");
    assert.match(res.message, /Defined query timeout of 50ms exceeded/);
    assert.equal(res.sameConnection, true, "a cancelled statement leaves its connection usable");
  });

  it(".timeout(ms) without cancel gives up on the connection", async () => {
    const res = await bothWith(
      (d) => make(d, { pool: { min: 0, max: 1 } }),
      async (k) => {
        const [[{ id: before }]] = (await k.raw("SELECT CONNECTION_ID() AS id")) as [[{ id: number }]];
        const e = (await k
          .raw("SELECT SLEEP(1)")
          .timeout(20)
          .catch((err: unknown) => err)) as Error;
        const [[{ id: afterId }]] = (await k.raw("SELECT CONNECTION_ID() AS id")) as [[{ id: number }]];
        return { name: e.name, sameConnection: before === afterId };
      },
    );
    assert.deepEqual(res, { name: "KnexTimeoutError", sameConnection: false });
  });

  it("runs migrations up and down, and seeds", async () => {
    const migrations: Record<string, Knex.Migration> = {
      "001_people": {
        up: (k) =>
          k.schema.createTable("kx_mig", (t) => {
            t.increments("id");
            t.string("name");
          }),
        down: (k) => k.schema.dropTable("kx_mig"),
      },
      "002_age": {
        up: (k) =>
          k.schema.alterTable("kx_mig", (t) => {
            t.integer("age");
          }),
        down: (k) =>
          k.schema.alterTable("kx_mig", (t) => {
            t.dropColumn("age");
          }),
      },
    };
    const migrationSource = {
      getMigrations: async () => Object.keys(migrations),
      getMigrationName: (m: string) => m,
      getMigration: async (m: string) => migrations[m]!,
    };
    const seedSource = {
      getSeeds: async () => ["people"],
      getSeed: async () => ({
        seed: async (k: Knex) => {
          await k("kx_mig").insert([
            { name: "s1", age: 1 },
            { name: "s2", age: 2 },
          ]);
        },
      }),
    };
    const res = await both(async (k) => {
      const config = { migrationSource, tableName: "kx_migrations" };
      await k.schema.dropTableIfExists("kx_mig");
      await k.schema.dropTableIfExists("kx_migrations");
      await k.schema.dropTableIfExists("kx_migrations_lock");
      const [batch, done] = (await k.migrate.latest(config)) as [number, string[]];
      const columns = Object.keys(await k("kx_mig").columnInfo()).sort();
      const [seeded] = (await k.seed.run({ seedSource } as Knex.SeederConfig)) as [string[]];
      const rows = await k("kx_mig").select("name", "age").orderBy("id");
      const version = await k.migrate.currentVersion(config);
      const [, undone] = (await k.migrate.rollback(config, true)) as [number, string[]];
      const exists = await k.schema.hasTable("kx_mig");
      await k.schema.dropTableIfExists("kx_migrations");
      await k.schema.dropTableIfExists("kx_migrations_lock");
      return { batch, done, columns, seeded, rows, version, undone, exists };
    });
    assert.deepEqual(res, {
      batch: 1,
      done: ["001_people", "002_age"],
      columns: ["age", "id", "name"],
      seeded: ["people"],
      rows: [
        { name: "s1", age: 1 },
        { name: "s2", age: 2 },
      ],
      version: "002",
      undone: ["002_age", "001_people"],
      exists: false,
    });
  });

  it("accepts a mysql:// URL as the connection", async () => {
    const url = `mysql://${encodeURIComponent(o.user)}:${encodeURIComponent(o.password)}@${o.host}:${o.port}/${TEST_DB}`;
    const res = await bothWith(
      (d) => knexFactory({ client: d === "aiomysql" ? AiomysqlKnexClient : "mysql2", connection: url, pool: { min: 0, max: 1 } }),
      async (k) => ((await k.raw("SELECT DATABASE() AS db")) as [unknown[]])[0],
    );
    assert.deepEqual(res, [{ db: TEST_DB }]);
  });

  it("runs on an aiomysql pool (connectionPool: knexPool(pool)) as on a mysql2 pool, and leaves it open", async () => {
    let pool: Pool | null = null;
    let mysql2Pool: mysql2.Pool | null = null;
    try {
      pool = await createPool(testOptions({ maxSize: 2 }));
      mysql2Pool = mysql2.createPool({ ...settings, connectionLimit: 2 });
      const ours = pool;
      const theirs = mysql2Pool;
      const res = await bothWith(
        (d) =>
          knexFactory({
            client: d === "aiomysql" ? AiomysqlKnexClient : "mysql2",
            connectionPool: d === "aiomysql" ? knexPool(ours) : (theirs as unknown as Knex.MySQLPoolLike),
          }),
        async (k) => {
          await people(k);
          await k.transaction(async (trx) => {
            await trx("kx_people").insert({ name: "in-trx" });
          });
          // Autocommit was off on the aiomysql pool (the seed's default): Knex's write still persists.
          return k("kx_people").pluck("name");
        },
      );
      assert.deepEqual(res, ["in-trx"]);
      // Schema queries find the pool's database although no `connection` setting names it
      // (Knex's mysql2 client on a mysql2 pool finds no columns here).
      const k = knexFactory({ client: AiomysqlKnexClient, connectionPool: knexPool(ours) });
      try {
        assert.deepEqual(Object.keys(await k("kx_people").columnInfo()).sort(), ["age", "big", "born", "id", "name", "price", "seen"]);
      } finally {
        await k.destroy();
      }
      assert.equal(pool.closed, false, "knex.destroy() leaves the caller's pool open");
      assert.ok(pool.stats().acquired >= 3, "the connections came from the aiomysql pool");
      const conn = await pool.acquire();
      assert.equal(conn.getAutocommit(), false, "the pool's autocommit setting is restored on release");
      pool.release(conn);
    } finally {
      pool?.close();
      await pool?.waitClosed();
      await new Promise((r) => (mysql2Pool ? mysql2Pool.end(r) : r(undefined)));
    }
  });

  it("valueMapping: 'aiomysql' in the connection gives aiomysql's own values", async () => {
    const connection = knexConnection({ ...settings, valueMapping: "aiomysql" });
    const k = knexFactory({ client: AiomysqlKnexClient, connection, pool: { min: 0, max: 1 } });
    try {
      const [rows] = (await k.raw("SELECT DATE '2024-02-29' AS d, CAST(9007199254740993 AS SIGNED) AS big")) as [unknown[]];
      assert.deepEqual(rows, [{ d: "2024-02-29", big: 9007199254740993n }]);
    } finally {
      await k.destroy();
    }
  });

  it("refuses mysql2-only connection options instead of ignoring them", async () => {
    const k = knexFactory({
      client: AiomysqlKnexClient,
      connection: { ...settings, dateStrings: true } as Knex.StaticConnectionConfig,
      pool: { min: 0, max: 1 },
    });
    try {
      await assert.rejects(k.raw("SELECT 1"), /connection option 'dateStrings' is mysql2's/);
    } finally {
      await k.destroy();
    }
  });

  it("refuses mysql2 driver options of .options() instead of ignoring them", async () => {
    const k = instances.get("aiomysql")!;
    await assert.rejects(k.raw("SELECT 1").options({ nestTables: true }), /query options \(nestTables\) are mysql2 driver options/);
    assert.deepEqual(await k("kx_people").select("id").options({}).limit(0), []);
  });

  it("hands Knex KnexConnection objects whose threadId is the server's", async () => {
    const k = instances.get("aiomysql")!;
    const conn = (await k.client.acquireConnection()) as KnexConnection;
    try {
      assert.ok(conn instanceof KnexConnection);
      const [[{ id }]] = (await k.raw("SELECT CONNECTION_ID() AS id").connection(conn)) as [[{ id: number }]];
      assert.equal(conn.threadId, id);
    } finally {
      await k.client.releaseConnection(conn);
    }
  });
});
