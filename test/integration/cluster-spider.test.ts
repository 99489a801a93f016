// topology "multi-primary" over a real Spider cluster on loopback (scripts/cluster-spider.sh):
// two data nodes and two Spider heads holding a table sharded over them. Both heads take reads
// and writes; a stopped data node makes the statements on its shard fail as BackendError and
// marks no head down; a stopped head is marked down and the work moves to the other head.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BackendError, ClusterPool, createPool, OperationalError, type PoolOptions } from "../../src/index.js";
import { startSpider, type SpiderCluster } from "../support/cluster.js";
import { clusterPoolOptions } from "../support/cluster-pool.js";
import { waitFor } from "../support/wait.js";

let cluster: SpiderCluster;

async function open(extra: PoolOptions = {}): Promise<ClusterPool> {
  const pool = await createPool(
    clusterPoolOptions(cluster, { topology: "multi-primary", selector: "round-robin", ...extra }, cluster.heads),
  );
  assert.ok(pool instanceof ClusterPool);
  return pool;
}

function node(pool: ClusterPool, name: string): { state: string; role: string; acquired: number; lastError: Error | null } {
  const n = pool.stats().nodes?.find((x) => x.name === name);
  assert.ok(n, `no stats for ${name}`);
  return n;
}

async function bothUp(pool: ClusterPool): Promise<void> {
  await waitFor("both heads up", () => cluster.heads.every((h) => node(pool, h.name).state === "up"));
}

describe("multi-primary over Spider heads", { timeout: 300_000 }, () => {
  before(async () => {
    cluster = await startSpider();
  });
  after(async () => {
    await cluster?.stopAll();
  });

  it("sends reads and writes to both heads, and each head sees the other's writes", async () => {
    await using pool = await open();
    await bothUp(pool);
    const before = cluster.heads.map((h) => node(pool, h.name).acquired);
    for (let i = 0; i < 8; i++) await pool.execute("INSERT INTO t VALUES (%s, 'w'), (%s, 'w')", [10 + i, 2000 + i]);
    const servers = new Set<number>();
    for (let i = 0; i < 8; i++) {
      const rows = await pool.query<unknown[]>("SELECT @@server_id, (SELECT COUNT(*) FROM t WHERE v = 'w')");
      servers.add(Number(rows[0]![0]));
      assert.equal(Number(rows[0]![1]), 16, "every head sees all 16 rows on both shards");
    }
    assert.deepEqual([...servers].sort(), cluster.heads.map((h) => h.serverId).sort(), "reads ran on both heads");
    cluster.heads.forEach((h, i) => assert.ok(node(pool, h.name).acquired > before[i]!, `${h.name} took statements`));
    for (const h of cluster.heads) assert.equal(node(pool, h.name).role, "primary");
    // Both heads take writes on a held connection too.
    for (let i = 0; i < 2; i++) {
      const conn = await pool.acquire();
      try {
        const cur = conn.cursor();
        await cur.execute("INSERT INTO t VALUES (%s, 'held')", [100 + i]);
        await cur.close();
      } finally {
        pool.release(conn);
      }
    }
    assert.equal(Number((await pool.query<unknown[]>("SELECT COUNT(*) FROM t WHERE v = 'held'"))[0]![0]), 2);
  });

  it("a stopped data node fails its shard's statements as BackendError and marks no head down", async () => {
    await using pool = await open();
    await bothUp(pool);
    const [data1, data2] = cluster.data;
    await cluster.kill(data2, "SIGKILL");
    try {
      // Enough statements that both heads (round-robin) get some.
      for (let i = 0; i < 4; i++) {
        const write = await pool.execute("INSERT INTO t VALUES (%s, 'lost')", [5000 + i]).then(
          () => null,
          (e: unknown) => e,
        );
        assert.ok(write instanceof BackendError, `write on the stopped shard: ${String(write)}`);
        assert.ok(write instanceof OperationalError);
        assert.equal(write.errno, 1429);
        assert.match(write.message, /backend behind the front end failed.*data2/);
        const read = await pool.query("SELECT * FROM t WHERE id = 2000").then(
          () => null,
          (e: unknown) => e,
        );
        assert.ok(read instanceof BackendError, `read on the stopped shard: ${String(read)}`);
        // The other shard still works, through either head.
        await pool.execute("INSERT INTO t VALUES (%s, 'ok')", [300 + i]);
        assert.equal((await pool.query("SELECT v FROM t WHERE id = %s", [300 + i])).length, 1);
      }
      for (const h of cluster.heads) {
        const s = node(pool, h.name);
        assert.equal(s.state, "up", `${h.name} stays up`);
        assert.ok(!(s.lastError instanceof BackendError), `${h.name} does not carry the backend's error as its own`);
      }
      assert.equal(Number((await cluster.sql(data1, `SELECT COUNT(*) FROM ${cluster.database}.t WHERE v = 'ok'`)).trim()), 4);
    } finally {
      await cluster.restart(data2);
    }
    await pool.execute("INSERT INTO t VALUES (5999, 'back')");
  });

  it("a stopped head is marked down and its work moves to the other head", async () => {
    await using pool = await open();
    await bothUp(pool);
    const [head1, head2] = cluster.heads;
    await cluster.kill(head1, "SIGKILL");
    try {
      // A write is never retried (it may have been applied): wait until the probes saw the head go.
      await waitFor("head1 down", () => node(pool, head1.name).state === "down");
      for (let i = 0; i < 6; i++) await pool.execute("INSERT INTO t VALUES (%s, 'moved')", [400 + i]);
      assert.equal(node(pool, head2.name).state, "up");
      const rows = await pool.query<unknown[]>("SELECT @@server_id, COUNT(*) FROM t WHERE v = 'moved'");
      assert.equal(Number(rows[0]![0]), head2.serverId);
      assert.equal(Number(rows[0]![1]), 6, "no write was lost");
    } finally {
      await cluster.restart(head1);
    }
    await waitFor("head1 back up", () => node(pool, head1.name).state === "up");
  });
});
