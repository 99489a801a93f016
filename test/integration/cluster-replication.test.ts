// The cluster pool over a real MariaDB GTID replication trio on loopback: roles from the
// servers, routing, read-your-writes with a stopped and a delayed applier, a replica killed
// mid-read, a switchover without disconnect, a killed primary and a promotion, every node down
// then one back, and a wrong password on one node and on all.
import assert from "node:assert/strict";
import { channel } from "node:diagnostics_channel";
import { after, before, describe, it } from "node:test";
import {
  ClusterPool,
  createPool,
  FailoverError,
  OperationalError,
  Pool,
  type NodeChangeMessage,
  type PoolOptions,
} from "../../src/index.js";
import { startReplication, type ReplicationCluster } from "../support/cluster.js";
import { clusterPoolOptions } from "../support/cluster-pool.js";
import { waitFor } from "../support/wait.js";

let cluster: ReplicationCluster;

function options(extra: PoolOptions = {}): PoolOptions {
  // Listed in reverse: roles must come from the servers, not from this order.
  return clusterPoolOptions(cluster, { causalReadTimeout: 0.3, ...extra }, [...cluster.nodes].reverse());
}

async function open(extra: PoolOptions = {}): Promise<ClusterPool> {
  const pool = await createPool(options(extra));
  assert.ok(pool instanceof ClusterPool);
  return pool;
}

function stateOf(pool: Pool, name: string): { role: string; state: string; lastError: Error | null } {
  const n = pool.stats().nodes?.find((x) => x.name === name);
  assert.ok(n, `no stats for ${name}`);
  return n;
}

async function serverIdOfRead(pool: Pool, sql = "SELECT @@server_id"): Promise<number> {
  const rows = await pool.query<unknown[]>(sql);
  return Number(rows[0]![0]);
}

/** Waits until every node is up with the role the harness says it has. */
async function settled(pool: Pool): Promise<void> {
  const primary = cluster.primary().name;
  await waitFor("every node up with its role", () =>
    cluster.nodes.every((n) => {
      const s = stateOf(pool, n.name);
      return s.state === "up" && s.role === (n.name === primary ? "primary" : "replica");
    }),
  );
}

/** Runs `n` write-then-read iterations; returns how many reads missed their own write. */
async function readYourWrites(pool: Pool, n: number, tag: string): Promise<number> {
  let misses = 0;
  for (let i = 0; i < n; i++) {
    const r = await pool.execute("INSERT INTO ryw (tag, i) VALUES (%s, %s)", [tag, i]);
    const rows = await pool.query<unknown[]>("SELECT i FROM ryw WHERE id = %s", [r.lastRowId]);
    if (rows.length !== 1) misses++;
  }
  return misses;
}

describe("cluster pool over a replication cluster", { timeout: 600_000 }, () => {
  before(async () => {
    cluster = await startReplication();
    await cluster.sql(
      cluster.primary(),
      `CREATE TABLE ${cluster.database}.ryw (id INT AUTO_INCREMENT PRIMARY KEY, tag VARCHAR(20), i INT) ENGINE=InnoDB`,
    );
  });
  after(async () => {
    await cluster?.stopAll();
  });

  it("takes roles from the servers, routes reads to replicas and writes to the primary", async () => {
    await using pool = await open();
    await settled(pool);
    const primary = cluster.primary();
    const replicaIds = cluster.nodes.filter((n) => n !== primary).map((n) => n.serverId);
    for (let i = 0; i < 6; i++) assert.ok(replicaIds.includes(await serverIdOfRead(pool)), "a plain SELECT runs on a replica");
    // Not reads: locking, user variables, LAST_INSERT_ID(), writes.
    assert.equal(
      await serverIdOfRead(pool, "SELECT @@server_id FROM ryw LIMIT 1 FOR UPDATE").catch(() => primary.serverId),
      primary.serverId,
    );
    assert.equal(await serverIdOfRead(pool, "SELECT @@server_id, @x"), primary.serverId);
    assert.equal(await serverIdOfRead(pool, "SELECT @@server_id, LAST_INSERT_ID()"), primary.serverId);
    const w = await pool.acquire();
    try {
      assert.equal(w.node, primary.name);
    } finally {
      pool.release(w);
    }
    const r = await pool.acquire({ readOnly: true });
    try {
      assert.notEqual(r.node, primary.name);
      assert.ok(cluster.nodes.some((n) => n.name === r.node));
    } finally {
      pool.release(r);
    }
    const stats = pool.stats();
    assert.ok(stats.nodes);
    const routed = stats.nodes.filter((n) => n.role === "replica").reduce((s, n) => s + n.routedReads, 0);
    assert.ok(routed >= 6, `routed reads counted (${routed})`);
    assert.equal(stats.nodes.find((n) => n.name === primary.name)?.routedReads, 0);
  });

  it("accepts a URL with a host list", async () => {
    const hosts = cluster.nodes.map((n) => `${n.host}:${n.port}`).join(",");
    const url = `mysql://${cluster.user}:${cluster.password}@${hosts}/${cluster.database}?autocommit=true&healthCheckInterval=0.3&causalReads=pool`;
    await using pool = await createPool(url);
    assert.ok(pool instanceof ClusterPool);
    assert.equal(pool.stats().nodes?.length, 3);
    const primary = cluster.primary();
    await waitFor("the primary found", () => pool.stats().nodes?.find((n) => n.port === primary.port)?.role === "primary");
  });

  it("reads its own writes with a stopped applier (1,000 iterations), and misses without causal reads", async () => {
    const stalled = cluster.nodes.find((n) => n !== cluster.primary())!;
    await cluster.stopApplier(stalled);
    try {
      {
        await using control = await open({ causalReads: "none", selector: "round-robin" });
        await settled(control);
        const misses = await readYourWrites(control, 100, "control");
        assert.ok(misses > 0, "the control run (causalReads: none) must miss, or this test proves nothing");
      }
      await using pool = await open();
      await settled(pool);
      const misses = await readYourWrites(pool, 1000, "stopped");
      assert.equal(misses, 0);
      const s = pool.stats().nodes!.find((n) => n.name === stalled.name)!;
      assert.ok(s.causalFallbacks >= 1, "the stalled replica's wait timed out at least once");
      // Most reads still ran on the healthy replica, after a wait: not all on the primary.
      const healthy = pool.stats().nodes!.find((n) => n.role === "replica" && n.name !== stalled.name)!;
      assert.ok(healthy.routedReads > 500 && healthy.causalWaits > 500, `healthy replica: ${JSON.stringify(healthy)}`);
    } finally {
      await cluster.startApplier(stalled);
    }
  });

  it("reads its own writes with a delayed applier (1,000 iterations)", async () => {
    const delayed = cluster.nodes.find((n) => n !== cluster.primary())!;
    await cluster.delay(delayed, 30);
    try {
      await using pool = await open({ selector: "round-robin", maxReplicaLag: 1 });
      await settled(pool);
      assert.equal(await readYourWrites(pool, 1000, "delayed"), 0);
      const healthy = pool.stats().nodes!.find((n) => n.role === "replica" && n.name !== delayed.name)!;
      assert.ok(healthy.routedReads > 500, `healthy replica: ${JSON.stringify(healthy)}`);
      // Its lag grows past maxReplicaLag: degraded, until the delay is lifted.
      await waitFor("the delayed replica degraded by its lag", () => stateOf(pool, delayed.name).state === "degraded");
      assert.ok((pool.stats().nodes!.find((n) => n.name === delayed.name)!.lag ?? 0) > 1);
      await cluster.delay(delayed, 0);
      await waitFor("the replica up once it caught up", () => stateOf(pool, delayed.name).state === "up");
    } finally {
      await cluster.delay(delayed, 0);
    }
  });

  it("retries a read on another node when its replica is killed mid-read", async () => {
    await using pool = await open({ selector: "ordered" });
    await settled(pool);
    const seen: NodeChangeMessage[] = [];
    const onMessage = (m: unknown): void => void seen.push(m as NodeChangeMessage);
    channel("aiomysql:node").subscribe(onMessage);
    try {
      // "ordered" picks the first replica in hosts order (the list is reversed: the last node).
      const victim = [...cluster.nodes].reverse().find((n) => n !== cluster.primary())!;
      const read = pool.query<unknown[]>("SELECT SLEEP(1), @@server_id");
      await waitFor("the read running on the victim", async () => (await cluster.sql(victim, "SHOW PROCESSLIST")).includes("SLEEP(1)"));
      await cluster.kill(victim, "SIGKILL");
      const rows = await read;
      assert.notEqual(Number(rows[0]![1]), victim.serverId, "the read was answered by another node");
      await waitFor("the victim marked down", () => stateOf(pool, victim.name).state === "down");
      assert.ok(seen.some((m) => m.node === victim.name && m.state === "down" && m.previousState === "up"));
      await cluster.restart(victim);
      await waitFor("the victim up again", () => stateOf(pool, victim.name).state === "up");
    } finally {
      channel("aiomysql:node").unsubscribe(onMessage);
    }
  });

  it("fails over a read stuck on a frozen replica (SIGSTOP) and routes around it", async () => {
    await using pool = await open({ selector: "ordered" });
    await settled(pool);
    const victim = [...cluster.nodes].reverse().find((n) => n !== cluster.primary())!;
    // Warm a connection to the victim, so the read below is sent before anyone notices.
    assert.equal(await serverIdOfRead(pool), victim.serverId);
    await cluster.kill(victim, "SIGSTOP");
    try {
      const rows = await pool.query<unknown[]>("SELECT @@server_id");
      assert.notEqual(Number(rows[0]![0]), victim.serverId, "the read was answered by another node");
      assert.equal(stateOf(pool, victim.name).state, "down");
      const started = process.hrtime.bigint();
      for (let i = 0; i < 20; i++) pool.release(await pool.acquire({ readOnly: true }));
      const perAcquireUs = Number(process.hrtime.bigint() - started) / 20 / 1000;
      console.log(`# figure: acquire({ readOnly: true }) with one replica frozen: ${perAcquireUs.toFixed(0)} us each`);
    } finally {
      await cluster.resume(victim);
    }
    await waitFor("the frozen replica up again", () => stateOf(pool, victim.name).state === "up");
  });

  it("follows a switchover without disconnect: a write that meets the old primary fails with FailoverError, then writes go to the new one", async () => {
    // A long health interval, so the pool learns of the switchover from the refusal itself.
    await using pool = await open({ healthCheckInterval: 3600 });
    const old = cluster.primary();
    const next = cluster.nodes.find((n) => n !== old)!;
    await waitFor("the primary found", () => stateOf(pool, old.name).role === "primary");
    await cluster.switchover(next);
    await assert.rejects(pool.execute("INSERT INTO ryw (tag, i) VALUES ('switch', 1)"), (e: unknown) => {
      assert.ok(e instanceof FailoverError, String(e));
      assert.ok(e instanceof OperationalError);
      assert.equal(e.errno, 1290);
      return true;
    });
    // The refusal re-probed the nodes: the next write lands on the new primary.
    const r = await pool.execute("INSERT INTO ryw (tag, i) VALUES ('switch', 2)");
    assert.ok(r.lastRowId !== null);
    const conn = await pool.acquire();
    try {
      assert.equal(conn.node, next.name);
    } finally {
      pool.release(conn);
    }
    assert.equal(stateOf(pool, old.name).role, "replica");
    // An idempotent write is retried once across the next switchover.
    await cluster.switchover(old);
    await pool.execute("INSERT INTO ryw (tag, i) VALUES ('switch', 3)", undefined, { idempotent: true });
    const back = await pool.acquire();
    try {
      assert.equal(back.node, old.name);
    } finally {
      pool.release(back);
    }
  });

  it("re-probes at once when a write on a connection the caller holds is refused as read-only", async () => {
    await using pool = await open({ healthCheckInterval: 3600 });
    const old = cluster.primary();
    const next = cluster.nodes.find((n) => n !== old)!;
    await waitFor("the primary found", () => stateOf(pool, old.name).role === "primary");
    const held = await pool.acquire();
    try {
      assert.equal(held.node, old.name);
      await cluster.switchover(next);
      const cur = held.cursor();
      await assert.rejects(
        cur.execute("INSERT INTO ryw (tag, i) VALUES ('held', 1)"),
        (e: unknown) => (e as OperationalError).errno === 1290,
      );
    } finally {
      pool.release(held);
    }
    // No health check is due for an hour: only the refusal can have told the pool.
    await waitFor("the new primary found", () => stateOf(pool, next.name).role === "primary" && stateOf(pool, old.name).role === "replica");
    const conn = await pool.acquire();
    try {
      assert.equal(conn.node, next.name);
    } finally {
      pool.release(conn);
    }
  });

  it("fails writes with FailoverError when the primary is killed, and follows the promotion", async () => {
    await using pool = await open();
    await settled(pool);
    const old = cluster.primary();
    const next = cluster.nodes.find((n) => n !== old)!;
    await cluster.kill(old, "SIGKILL");
    await assert.rejects(pool.execute("INSERT INTO ryw (tag, i) VALUES ('failover', 1)"), FailoverError);
    // Reads keep working on the replicas meanwhile.
    assert.notEqual(await serverIdOfRead(pool), old.serverId);
    await cluster.promote(next);
    const promotedAt = Date.now();
    await pool.execute("INSERT INTO ryw (tag, i) VALUES ('failover', 2)");
    const failoverMs = Date.now() - promotedAt;
    const conn = await pool.acquire();
    try {
      assert.equal(conn.node, next.name);
    } finally {
      pool.release(conn);
    }
    console.log(`# figure: first write on the promoted primary ${failoverMs} ms after promote() returned`);
    await cluster.restart(old);
    await settled(pool);
  });

  it("names every node when all are down, and works again as soon as one is back", async () => {
    await using pool = await open({ acquireTimeout: 5 });
    await settled(pool);
    const primary = cluster.primary();
    for (const n of cluster.nodes) await cluster.kill(n, "SIGKILL");
    const started = Date.now();
    await assert.rejects(pool.acquire(), (e: unknown) => {
      assert.ok(e instanceof FailoverError, String(e));
      for (const n of cluster.nodes) assert.ok(e.message.includes(n.name), `names ${n.name}: ${e.message}`);
      assert.equal(e.nodes.length, 3);
      assert.ok(e.nodes.every((n) => n.error !== null));
      return true;
    });
    assert.ok(Date.now() - started < 5000 + 1000, "within acquireTimeout");
    await cluster.restart(primary);
    const conn = await pool.acquire();
    try {
      assert.equal(conn.node, primary.name);
    } finally {
      pool.release(conn);
    }
    for (const n of cluster.nodes) if (n !== primary) await cluster.restart(n);
    await settled(pool);
  });

  it("reports one clear 1045 for a wrong password on every node, and keeps serving with a wrong password on one", async () => {
    await assert.rejects(createPool(options({ password: "wrong" })), (e: unknown) => {
      assert.ok(e instanceof OperationalError);
      assert.ok(!(e instanceof FailoverError));
      assert.equal(e.errno, 1045);
      return true;
    });
    const odd = cluster.nodes.find((n) => n !== cluster.primary())!;
    // Only on that node: not written to its binary log, so nothing replicates it.
    await cluster.sql(odd, `SET sql_log_bin = 0; ALTER USER '${cluster.user}'@'%' IDENTIFIED BY 'other'`);
    try {
      await using pool = await open();
      const s = stateOf(pool, odd.name);
      assert.equal((s.lastError as OperationalError | null)?.errno, 1045);
      for (let i = 0; i < 4; i++) assert.notEqual(await serverIdOfRead(pool), odd.serverId);
      await pool.execute("INSERT INTO ryw (tag, i) VALUES ('password', 1)");
    } finally {
      await cluster.sql(odd, `SET sql_log_bin = 0; ALTER USER '${cluster.user}'@'%' IDENTIFIED BY '${cluster.password}'`);
    }
  });
});
