// Figures of the cluster pool on a loopback replication cluster (a primary and three replicas,
// started and stopped here), side by side with mysql2's and mariadb's PoolCluster where they
// have the feature:
//
//   routed reads   `SELECT 1` throughput over 1, 2 and 3 replicas (16 callers in flight);
//                  the peers' `cluster.of("R*", "RR").query()`
//   frozen node    latency of acquire + `SELECT 1` + release with one of three replicas
//                  SIGSTOPped (each operation bounded; one that does not finish counts as timed out)
//   causal reads   write then read the row on a replica: causalReads "pool" against "none"
//                  (the peers have no causal reads)
//   failover       kill the primary, promote a replica, first successful write (the peers have
//                  no role detection: their writes stay on the configured node)
//
//   npm run bench:cluster [-- --quick] [-- --out file.json]
//
// Every driver runs in this one process, one after the other, so the figures compare like with
// like but include the servers' work on the same (shared) machine: see the load averages printed.
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import type * as mariadbTypes from "mariadb";
import type * as mysql2Types from "mysql2/promise";
import { createPool, type Pool, type PoolOptions } from "../src/index.js";
import { startReplication, type ClusterNode, type ReplicationCluster } from "../test/support/cluster.js";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const outIndex = args.indexOf("--out");
const outFile = outIndex >= 0 ? args[outIndex + 1] : undefined;
/** Iterations of the causal-read measurement. */
const ITERATIONS = quick ? 20 : 2000;
/** Milliseconds of each throughput measurement. */
const THROUGHPUT_MS = quick ? 300 : 5000;
/** Callers in flight during a throughput measurement. */
const CALLERS = 16;
/** Bound of one operation with a node frozen, and of the whole frozen phase per driver. */
const OP_BOUND_MS = 3000;
const FROZEN_BUDGET_MS = quick ? 2000 : 20_000;
const FROZEN_OPS = quick ? 20 : 300;

type Row = { figure: string; aiomysql: string; mysql2: string; mariadb: string };
const rows: Row[] = [];
const json: Record<string, unknown> = {};

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)]!;
}
function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(s.length * q))]!;
}
function ms(x: number): string {
  return Number.isNaN(x) ? "-" : x < 10 ? x.toFixed(2) : x.toFixed(0);
}

async function until(what: string, cond: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** `p`, or the string "timeout" after `bound` ms. */
async function bounded<T>(p: Promise<T>, bound: number): Promise<T | "timeout"> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), bound)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** A routed-read client: one of the three drivers over some replicas. */
interface Client {
  /** One routed `SELECT 1`. */
  read(): Promise<void>;
  /** Acquire a connection to a replica, `SELECT 1` on it, release it. */
  acquireRead(): Promise<void>;
  close(): Promise<void>;
}

function ourOptions(cluster: ReplicationCluster, nodes: readonly ClusterNode[], extra: PoolOptions = {}): PoolOptions {
  return {
    hosts: nodes.map((x) => ({ host: x.host, port: x.port, name: x.name })),
    user: cluster.user,
    password: cluster.password,
    db: cluster.database,
    autocommit: true,
    connectTimeout: 2,
    healthCheckInterval: 0.5,
    maxSize: 8,
    ...extra,
  };
}

async function ours(cluster: ReplicationCluster, replicas: readonly ClusterNode[]): Promise<Client> {
  const pool = await createPool(ourOptions(cluster, [cluster.primary(), ...replicas], { causalReads: "none" }));
  await until("every node up", () => pool.stats().nodes!.every((n) => n.state === "up" && n.role !== "unknown"));
  return {
    read: async () => void (await pool.query("SELECT 1")),
    acquireRead: async () => {
      const conn = await pool.acquire({ readOnly: true });
      try {
        const cur = conn.cursor();
        await cur.execute("SELECT 1");
        await cur.close();
      } finally {
        pool.release(conn);
      }
    },
    close: async () => {
      pool.close();
      await pool.waitClosed();
    },
  };
}

/** What mysql2's and mariadb's promise PoolCluster have in common, as used here. */
interface PeerCluster {
  add(id: string, config: Record<string, unknown>): void;
  of(pattern: string, selector: string): { query(sql: string): Promise<unknown> };
  getConnection(pattern: string, selector: string): Promise<{ query(sql: string): Promise<unknown>; release(): unknown }>;
  end(): Promise<void>;
}

/** A peer's PoolCluster with the replicas as R0, R1, ..., read through `of("R*", "RR")`. */
function peer(pc: PeerCluster, cluster: ReplicationCluster, replicas: readonly ClusterNode[]): Client {
  replicas.forEach((n, i) =>
    pc.add(`R${i}`, {
      host: n.host,
      port: n.port,
      user: cluster.user,
      password: cluster.password,
      database: cluster.database,
      connectionLimit: 8,
      connectTimeout: 2000,
    }),
  );
  const ns = pc.of("R*", "RR");
  return {
    read: async () => void (await ns.query("SELECT 1")),
    acquireRead: async () => {
      const conn = await pc.getConnection("R*", "RR");
      try {
        await conn.query("SELECT 1");
      } finally {
        await conn.release();
      }
    },
    close: () => pc.end(),
  };
}

async function mysql2(cluster: ReplicationCluster, replicas: readonly ClusterNode[]): Promise<Client> {
  const m: typeof mysql2Types = await import("mysql2/promise");
  return peer(m.createPoolCluster({ defaultSelector: "RR", restoreNodeTimeout: 1000 }) as unknown as PeerCluster, cluster, replicas);
}

async function mariadb(cluster: ReplicationCluster, replicas: readonly ClusterNode[]): Promise<Client> {
  const m: typeof mariadbTypes = await import("mariadb");
  return peer(m.createPoolCluster({ restoreNodeTimeout: 1000 }) as unknown as PeerCluster, cluster, replicas);
}

const DRIVERS = { aiomysql: ours, mysql2, mariadb } as const;
type DriverName = keyof typeof DRIVERS;
const NAMES = Object.keys(DRIVERS) as DriverName[];

/** Routed reads per second with CALLERS callers in flight for THROUGHPUT_MS. */
async function throughput(client: Client): Promise<number> {
  for (let i = 0; i < 50; i++) await client.read(); // warm-up: every node's first connections
  let done = 0;
  const end = Date.now() + THROUGHPUT_MS;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (Date.now() < end) {
        await client.read();
        done++;
      }
    }),
  );
  return done / (Number(process.hrtime.bigint() - t0) / 1e9);
}

/** Latencies (ms) of acquireRead with a node frozen; operations past OP_BOUND_MS count as timed out. */
async function frozenLatency(client: Client): Promise<{ times: number[]; timeouts: number; errors: number }> {
  const times: number[] = [];
  let timeouts = 0;
  let errors = 0;
  const end = Date.now() + FROZEN_BUDGET_MS;
  for (let i = 0; i < FROZEN_OPS && Date.now() < end; i++) {
    const t = process.hrtime.bigint();
    const r = await bounded(
      client.acquireRead().then(
        () => "ok" as const,
        () => "error" as const,
      ),
      OP_BOUND_MS,
    );
    if (r === "timeout") timeouts++;
    else if (r === "error") errors++;
    else times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return { times, timeouts, errors };
}

/** Median microseconds of one INSERT followed by a routed SELECT of that row. */
async function writeThenRead(pool: Pool): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const t = process.hrtime.bigint();
    const r = await pool.execute("INSERT INTO b (i) VALUES (%s)", [i]);
    await pool.query("SELECT i FROM b WHERE id = %s", [r.lastRowId]);
    times.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return median(times);
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const cluster = await startReplication({ replicas: 3 });
  try {
    const replicas = cluster.nodes.filter((x) => x !== cluster.primary());
    await cluster.sql(cluster.primary(), `CREATE TABLE ${cluster.database}.b (id INT AUTO_INCREMENT PRIMARY KEY, i INT)`);

    // Routed-read throughput over 1, 2 and 3 replicas.
    for (const k of [1, 2, 3]) {
      const row: Row = { figure: `routed reads/s over ${k} replica${k > 1 ? "s" : ""}`, aiomysql: "", mysql2: "", mariadb: "" };
      for (const name of NAMES) {
        const client = await DRIVERS[name](cluster, replicas.slice(0, k));
        try {
          const qps = await throughput(client);
          row[name] = qps.toFixed(0);
          json[`throughput${k}.${name}`] = qps;
        } finally {
          await client.close();
        }
      }
      rows.push(row);
    }

    // Acquire + SELECT 1 + release with one of three replicas frozen.
    const frozen = replicas[2]!;
    const med: Row = { figure: "acquire+read, 1 of 3 frozen: median ms", aiomysql: "", mysql2: "", mariadb: "" };
    const p99: Row = { figure: "acquire+read, 1 of 3 frozen: p99 / max ms", aiomysql: "", mysql2: "", mariadb: "" };
    const lost: Row = {
      figure: `acquire+read, 1 of 3 frozen: timed out (> ${OP_BOUND_MS} ms) / failed of ops`,
      aiomysql: "",
      mysql2: "",
      mariadb: "",
    };
    for (const name of NAMES) {
      const client = await DRIVERS[name](cluster, replicas);
      try {
        for (let i = 0; i < 30; i++) await client.acquireRead(); // connections to every replica
        await cluster.kill(frozen, "SIGSTOP");
        try {
          const r = await frozenLatency(client);
          med[name] = ms(median(r.times));
          p99[name] = `${ms(quantile(r.times, 0.99))} / ${ms(Math.max(...r.times))}`;
          lost[name] = `${r.timeouts} / ${r.errors} of ${r.times.length + r.timeouts + r.errors}`;
          json[`frozen.${name}`] = r;
        } finally {
          await cluster.resume(frozen);
        }
      } finally {
        await bounded(client.close(), 10_000);
      }
    }
    rows.push(med, p99, lost);

    // Causal-read overhead.
    const none = await createPool(ourOptions(cluster, cluster.nodes, { causalReads: "none" }));
    const causal = await createPool(ourOptions(cluster, cluster.nodes));
    const allUp = (p: Pool): boolean => p.stats().nodes!.every((x) => x.state === "up" && x.role !== "unknown");
    await until("nodes up", () => allUp(none) && allUp(causal));
    await writeThenRead(causal); // warm-up
    const tNone = await writeThenRead(none);
    const tCausal = await writeThenRead(causal);
    rows.push({
      figure: 'write, then read it on a replica: median us, causalReads "none" / "pool"',
      aiomysql: `${tNone.toFixed(0)} / ${tCausal.toFixed(0)} (+${(tCausal - tNone).toFixed(0)})`,
      mysql2: "no causal reads",
      mariadb: "no causal reads",
    });
    json["causal"] = { none: tNone, pool: tCausal };
    none.close();
    await none.waitClosed();

    // Failover: kill the primary, promote a replica, first successful write.
    const old = cluster.primary();
    const next = replicas[0]!;
    await cluster.kill(old, "SIGKILL");
    const killedAt = Date.now();
    await cluster.promote(next);
    const promotedAt = Date.now();
    for (let i = 0; ; i++) {
      try {
        await causal.execute("INSERT INTO b (i) VALUES (-1)");
        break;
      } catch (e) {
        if (i > 1000) throw e;
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    const done = Date.now();
    rows.push({
      figure: "failover: first write after promote() / after the kill, ms",
      aiomysql: `${done - promotedAt} / ${done - killedAt}`,
      mysql2: "no role detection",
      mariadb: "no role detection",
    });
    json["failover"] = { afterPromote: done - promotedAt, afterKill: done - killedAt };
    causal.close();
    await causal.waitClosed();
  } finally {
    await cluster.stopAll();
  }
  const loadAfter = loadavg();
  const load = `load average before ${loadBefore.map((x) => x.toFixed(2)).join(" ")}, after ${loadAfter.map((x) => x.toFixed(2)).join(" ")}`;
  const table = [
    "| figure | aiomysql | mysql2 PoolCluster | mariadb PoolCluster |",
    "|---|---|---|---|",
    ...rows.map((r) => `| ${r.figure} | ${r.aiomysql} | ${r.mysql2} | ${r.mariadb} |`),
  ].join("\n");
  console.log(table);
  console.log(`\n${load}; node ${process.version}${quick ? "; --quick" : ""}`);
  if (outFile !== undefined) writeFileSync(outFile, JSON.stringify({ rows, figures: json, load, quick }, null, 2));
}

await main();
