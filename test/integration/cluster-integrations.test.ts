// Kysely and aiomysql/sa over a cluster pool on a real replication trio: Kysely's selectFrom
// runs on a replica (and sees the write just made), insertInto and whole transactions on the
// primary; createEngine() takes `hosts` like createPool(), its acquire({ readOnly: true }) a replica.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Kysely, sql, type Generated } from "kysely";
import { ClusterPool, createPool, type PoolOptions } from "../../src/index.js";
import { AiomysqlDialect } from "../../src/kysely/index.js";
import { createEngine, type SAConnection } from "../../src/sa/index.js";
import { startReplication, type ReplicationCluster } from "../support/cluster.js";
import { clusterPoolOptions } from "../support/cluster-pool.js";
import { waitFor } from "../support/wait.js";

interface Db {
  kv: { id: Generated<number>; v: string };
}

let cluster: ReplicationCluster;

function options(): PoolOptions {
  // Kysely and sa manage autocommit themselves: leave it at the default (off).
  return clusterPoolOptions(cluster, { autocommit: false });
}

describe("Kysely and sa over a cluster pool", { timeout: 300_000 }, () => {
  before(async () => {
    cluster = await startReplication();
    await cluster.sql(
      cluster.primary(),
      `CREATE TABLE ${cluster.database}.kv (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(50)) ENGINE=InnoDB`,
    );
  });
  after(async () => {
    await cluster?.stopAll();
  });

  it("Kysely: selectFrom on a replica, insertInto and transactions on the primary", async () => {
    const pool = await createPool(options());
    assert.ok(pool instanceof ClusterPool);
    const db = new Kysely<Db>({ dialect: new AiomysqlDialect({ pool }) });
    try {
      const primary = cluster.primary();
      await waitFor("roles known", () => pool.stats().nodes!.every((n) => n.role !== "unknown"));
      for (let i = 0; i < 20; i++) {
        const r = await db
          .insertInto("kv")
          .values({ v: `k${i}` })
          .executeTakeFirstOrThrow();
        const rows = await db
          .selectFrom("kv")
          .select(["v", sql<number>`@@server_id`.as("sid")])
          .where("id", "=", Number(r.insertId))
          .execute();
        assert.equal(rows.length, 1, "the replica read sees the write just made");
        assert.equal(rows[0]!.v, `k${i}`);
        assert.notEqual(Number(rows[0]!.sid), primary.serverId, "selectFrom ran on a replica");
      }
      const inTrx = await db.transaction().execute(async (trx) => {
        await trx.insertInto("kv").values({ v: "trx" }).execute();
        const row = await trx
          .selectFrom("kv")
          .select(sql<number>`@@server_id`.as("sid"))
          .where("v", "=", "trx")
          .executeTakeFirstOrThrow();
        return Number(row.sid);
      });
      assert.equal(inTrx, primary.serverId, "the whole transaction ran on the primary");
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await trx.insertInto("kv").values({ v: "rolled back" }).execute();
          throw new Error("abort");
        }),
        /abort/,
      );
      const gone = await db.selectFrom("kv").select("id").where("v", "=", "rolled back").execute();
      assert.equal(gone.length, 0);
      const routed = pool
        .stats()
        .nodes!.filter((n) => n.role === "replica")
        .reduce((s, n) => s + n.acquired, 0);
      assert.ok(routed >= 20, `replica connections handed out: ${routed}`);
    } finally {
      await db.destroy();
    }
  });

  it("sa: createEngine() with hosts; writes and transactions on the primary, readOnly connections on a replica", async () => {
    const engine = await createEngine(options());
    try {
      const primary = cluster.primary();
      {
        await using conn = await engine.acquire();
        await conn.execute("INSERT INTO kv (v) VALUES (%s)", "sa");
        assert.equal(Number(await conn.scalar("SELECT @@server_id")), primary.serverId);
        const trx = await conn.begin();
        await conn.execute("INSERT INTO kv (v) VALUES (%s)", "sa trx");
        await trx.commit();
      }
      {
        await using conn = await engine.acquire({ readOnly: true });
        assert.notEqual(Number(await conn.scalar("SELECT @@server_id")), primary.serverId);
        assert.equal(Number(await conn.scalar("SELECT COUNT(*) FROM kv WHERE v LIKE 'sa%'")), 2, "the replica has the engine's writes");
      }
    } finally {
      engine.close();
      await engine.waitClosed();
    }
  });

  it("sa: reads outside a transaction go to a replica and see the writes before them; session state keeps them home", async () => {
    const primary = cluster.primary();
    const sid = async (conn: SAConnection, extra = ""): Promise<number> => Number(await conn.scalar(`SELECT @@server_id${extra}`));
    const engine = await createEngine(clusterPoolOptions(cluster, { autocommit: true }));
    try {
      await waitFor("roles known", () => engine.stats().nodes!.every((n) => n.role !== "unknown"));
      await using conn = await engine.acquire();
      for (let i = 0; i < 10; i++) {
        const r = await conn.execute("INSERT INTO kv (v) VALUES (%s)", `route${i}`);
        const res = await conn.execute<{ v: string; sid: number }>("SELECT v, @@server_id AS sid FROM kv WHERE id = %s", r.lastRowId);
        const rows = await res.fetchAll();
        assert.equal(rows.length, 1, "the replica read sees the write just committed");
        assert.equal(rows[0]!.v, `route${i}`);
        assert.notEqual(Number(rows[0]!.sid), primary.serverId, "the read ran on a replica");
      }
      const trx = await conn.begin();
      assert.equal(await sid(conn), primary.serverId, "inside a transaction reads stay on the writer");
      await trx.commit();
      assert.notEqual(await sid(conn), primary.serverId);
      // A temporary table exists on this session only: from here on reads stay home.
      await conn.execute("CREATE TEMPORARY TABLE tmp_sa (a INT)");
      await conn.execute("INSERT INTO tmp_sa VALUES (1)");
      assert.equal(Number(await conn.scalar("SELECT COUNT(*) FROM tmp_sa")), 1);
      assert.equal(await sid(conn), primary.serverId, "pinned after CREATE TEMPORARY TABLE");
    } finally {
      engine.close();
      await engine.waitClosed();
    }
    // With autocommit off an uncommitted write is read back on its own connection.
    const manual = await createEngine(options());
    try {
      await using conn = await manual.acquire();
      await conn.execute("INSERT INTO kv (v) VALUES (%s)", "uncommitted");
      assert.equal(Number(await conn.scalar("SELECT COUNT(*) FROM kv WHERE v = 'uncommitted'")), 1);
      assert.equal(await sid(conn), primary.serverId);
      await conn.execute("ROLLBACK");
    } finally {
      manual.close();
      await manual.waitClosed();
    }
  });
});
