// Figures of the cluster pool on a loopback replication trio (started and stopped here):
// causal-read overhead (write then read, causalReads "pool" vs "none"), acquire latency with
// one replica down and with one frozen, and failover time (kill the primary, promote a replica,
// first successful write).
//
//   npm run build:test && node build/bench/cluster.js [--iterations N]
import { createPool, type Pool, type PoolOptions } from "../src/index.js";
import { startReplication, type ReplicationCluster } from "../test/support/cluster.js";

const n = Number(process.argv[process.argv.indexOf("--iterations") + 1]) || 2000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function opts(cluster: ReplicationCluster, extra: PoolOptions = {}): PoolOptions {
  return {
    hosts: cluster.nodes.map((x) => ({ host: x.host, port: x.port, name: x.name })),
    user: cluster.user,
    password: cluster.password,
    db: cluster.database,
    autocommit: true,
    connectTimeout: 2,
    healthCheckInterval: 0.5,
    ...extra,
  };
}

/** Median microseconds of one INSERT followed by a routed SELECT of that row. */
async function writeThenRead(pool: Pool): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    const r = await pool.execute("INSERT INTO b (i) VALUES (%s)", [i]);
    await pool.query("SELECT i FROM b WHERE id = %s", [r.lastRowId]);
    times.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return median(times);
}

/** Median microseconds of acquire({ readOnly: true }) + release. */
async function acquireLatency(pool: Pool): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    pool.release(await pool.acquire({ readOnly: true }));
    times.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return median(times);
}

async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

async function main(): Promise<void> {
  const cluster = await startReplication();
  try {
    await cluster.sql(cluster.primary(), `CREATE TABLE ${cluster.database}.b (id INT AUTO_INCREMENT PRIMARY KEY, i INT)`);
    const none = await createPool(opts(cluster, { causalReads: "none" }));
    const causal = await createPool(opts(cluster));
    const allUp = (p: Pool): boolean => p.stats().nodes!.every((x) => x.state === "up" && x.role !== "unknown");
    await until("nodes up", () => allUp(none) && allUp(causal));
    await writeThenRead(causal); // warm-up
    const tNone = await writeThenRead(none);
    const tCausal = await writeThenRead(causal);
    console.log(
      `write+read median: causalReads "none" ${tNone.toFixed(0)} us, "pool" ${tCausal.toFixed(0)} us (+${(tCausal - tNone).toFixed(0)} us)`,
    );
    none.close();
    await none.waitClosed();

    const replica = cluster.nodes.find((x) => x !== cluster.primary())!;
    console.log(`acquire({ readOnly }) median, all up: ${(await acquireLatency(causal)).toFixed(0)} us`);
    await cluster.kill(replica, "SIGKILL");
    await until("replica down", () => causal.stats().nodes!.find((x) => x.name === replica.name)!.state === "down");
    console.log(`acquire({ readOnly }) median, one replica down: ${(await acquireLatency(causal)).toFixed(0)} us`);
    await cluster.restart(replica);
    await until("replica up", () => allUp(causal));
    await cluster.kill(replica, "SIGSTOP");
    const frozenAt = Date.now();
    await until("replica down", () => causal.stats().nodes!.find((x) => x.name === replica.name)!.state === "down");
    console.log(`frozen replica detected after ${Date.now() - frozenAt} ms (connectTimeout 2 s)`);
    console.log(`acquire({ readOnly }) median, one replica frozen: ${(await acquireLatency(causal)).toFixed(0)} us`);
    await cluster.resume(replica);
    await until("replica up", () => allUp(causal));

    const old = cluster.primary();
    const next = cluster.nodes.find((x) => x !== old)!;
    await cluster.kill(old, "SIGKILL");
    const killedAt = Date.now();
    await cluster.promote(next);
    const promotedAt = Date.now();
    for (let i = 0; ; i++) {
      try {
        await causal.execute("INSERT INTO b (i) VALUES (-1)");
        break;
      } catch (e) {
        if (i > 200) throw e;
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    const done = Date.now();
    console.log(`failover: first write ${done - promotedAt} ms after promote() returned, ${done - killedAt} ms after the kill`);
    causal.close();
    await causal.waitClosed();
  } finally {
    await cluster.stopAll();
  }
}

await main();
