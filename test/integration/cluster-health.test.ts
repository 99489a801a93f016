// Cluster pool health under hostile conditions, on a real MariaDB GTID replication trio on
// loopback: the replica lag bound (from GTID distance with an unprivileged pool account, and
// from Seconds_Behind_Master with a monitor account), frozen nodes (a peer that accepts TCP and
// never answers, a replica and a primary under SIGSTOP mid-statement), and the replay of an
// idempotent transaction after a failover.
import assert from "node:assert/strict";
import { channel } from "node:diagnostics_channel";
import { after, before, describe, it } from "node:test";
import {
  ClusterPool,
  createPool,
  FailoverError,
  OperationalError,
  type Connection,
  type NodeChangeMessage,
  type Pool,
  type PoolOptions,
} from "../../src/index.js";
import { startReplication, type ClusterNode, type ReplicationCluster } from "../support/cluster.js";
import { clusterPoolOptions } from "../support/cluster-pool.js";
import { startFrozenPeer } from "../support/frozen-peer.js";
import { waitFor } from "../support/wait.js";

let cluster: ReplicationCluster;
/** An account with no privilege beyond the test database: no REPLICATION CLIENT, no SLAVE MONITOR. */
const PLAIN = { user: "plain", password: "plain-pw-1" };
/** The monitor account: REPLICATION CLIENT and SLAVE MONITOR only. */
const MONITOR = { user: "monitor", password: "monitor-pw-1" };

async function open(extra: PoolOptions = {}, nodes?: readonly ClusterNode[]): Promise<ClusterPool> {
  const pool = await createPool(clusterPoolOptions(cluster, { causalReadTimeout: 0.3, ...extra }, nodes));
  assert.ok(pool instanceof ClusterPool);
  return pool;
}

function nodeStats(pool: Pool, name: string): NonNullable<ReturnType<Pool["stats"]>["nodes"]>[number] {
  const n = pool.stats().nodes?.find((x) => x.name === name);
  assert.ok(n, `no stats for ${name}`);
  return n;
}

async function settled(pool: Pool): Promise<void> {
  const primary = cluster.primary().name;
  await waitFor("every node up with its role", () =>
    cluster.nodes.every((n) => {
      const s = nodeStats(pool, n.name);
      return s.state === "up" && s.role === (n.name === primary ? "primary" : "replica");
    }),
  );
}

async function serverIdsOfReads(pool: Pool, n: number): Promise<Set<number>> {
  const ids = new Set<number>();
  for (let i = 0; i < n; i++) ids.add(Number((await pool.query<unknown[]>("SELECT @@server_id"))[0]![0]));
  return ids;
}

function replicas(): ClusterNode[] {
  return cluster.nodes.filter((n) => n !== cluster.primary());
}

/** Collects `aiomysql:node` messages until the returned function is called. */
function listen(): { seen: NodeChangeMessage[]; stop: () => void } {
  const seen: NodeChangeMessage[] = [];
  const on = (m: unknown): void => void seen.push(m as NodeChangeMessage);
  channel("aiomysql:node").subscribe(on);
  return { seen, stop: () => channel("aiomysql:node").unsubscribe(on) };
}

async function runOn(conn: Connection, sql: string): Promise<unknown[][]> {
  await using cur = conn.cursor();
  await cur.execute(sql);
  return (await cur.fetchAll()) as unknown[][];
}

describe("cluster pool health over a replication cluster", { timeout: 600_000 }, () => {
  before(async () => {
    cluster = await startReplication();
    const db = cluster.database;
    await cluster.sql(
      cluster.primary(),
      `CREATE TABLE ${db}.lagged (id INT AUTO_INCREMENT PRIMARY KEY, tag VARCHAR(20)) ENGINE=InnoDB;
       CREATE TABLE ${db}.replayed (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB;
       CREATE USER '${PLAIN.user}'@'%' IDENTIFIED BY '${PLAIN.password}';
       GRANT ALL PRIVILEGES ON ${db}.* TO '${PLAIN.user}'@'%';
       CREATE USER '${MONITOR.user}'@'%' IDENTIFIED BY '${MONITOR.password}';
       GRANT REPLICATION CLIENT, SLAVE MONITOR ON *.* TO '${MONITOR.user}'@'%';`,
    );
    for (const r of replicas()) {
      await waitFor(`the accounts on ${r.name}`, async () => {
        const out = await cluster.sql(r, `SELECT COUNT(*) FROM mysql.user WHERE User IN ('${PLAIN.user}', '${MONITOR.user}')`);
        return out.trim() === "2";
      });
    }
  });
  after(async () => {
    await cluster?.stopAll();
  });

  it("without a monitor account: a replica behind by GTID distance gets no reads; all behind, reads go to the primary, said once each way", async () => {
    // No causal reads: a replica behind this pool's writes would send reads to the primary anyway.
    await using pool = await open({ ...PLAIN, maxReplicaLag: 1, selector: "round-robin", causalReads: "none" });
    await settled(pool);
    // The pool's account cannot read replica status: the lag below can only come from GTIDs.
    await assert.rejects(pool.query("SHOW ALL SLAVES STATUS"), (e: unknown) => e instanceof OperationalError && e.errno === 1227);
    const [a, b] = replicas() as [ClusterNode, ClusterNode];
    const primary = cluster.primary();
    const messages = listen();
    try {
      await cluster.stopApplier(a);
      await pool.execute("INSERT INTO lagged (tag) VALUES ('a behind')");
      await waitFor(`${a.name} over the bound`, () => nodeStats(pool, a.name).state === "degraded");
      assert.ok((nodeStats(pool, a.name).lag ?? 0) > 1);
      assert.match(String(nodeStats(pool, a.name).lastError?.message), /over maxReplicaLag 1 s, so it gets no reads/);
      const ids = await serverIdsOfReads(pool, 30);
      assert.ok(!ids.has(a.serverId), `no read on the lagging replica: ${[...ids].join(",")}`);
      assert.ok(ids.has(b.serverId));

      await cluster.stopApplier(b);
      await pool.execute("INSERT INTO lagged (tag) VALUES ('both behind')");
      await waitFor("every replica over the bound", () => messages.seen.some((m) => m.event === "all-replicas-lagging"));
      assert.deepEqual([...(await serverIdsOfReads(pool, 10))], [primary.serverId], "reads on the primary");
      // Said once: still one message after the lag grew by another second (several probes).
      const lagThen = nodeStats(pool, b.name).lag!;
      await waitFor("the lag grows", () => (nodeStats(pool, b.name).lag ?? 0) > lagThen + 1);
      const lagging = messages.seen.filter((m) => m.event === "all-replicas-lagging");
      assert.equal(lagging.length, 1);
      assert.equal(lagging[0]!.node, primary.name);
      assert.match(String(lagging[0]!.error?.message), /every replica lags more than maxReplicaLag 1 s .*reads go to the primary/);
    } finally {
      for (const r of [a, b]) await cluster.startApplier(r);
    }
    await waitFor("a replica back under the bound", () => messages.seen.some((m) => m.event === "replicas-caught-up"));
    messages.stop();
    await settled(pool);
    assert.equal(messages.seen.filter((m) => m.event !== undefined).length, 2, "one message each way");
    assert.ok((await serverIdsOfReads(pool, 10)).has(a.serverId), "reads on the replicas again");
  });

  it("with replicaFallback off, every replica over the bound is a FailoverError that says so", async () => {
    await using pool = await open({ ...PLAIN, maxReplicaLag: 1, replicaFallback: false });
    await settled(pool);
    const rs = replicas();
    try {
      for (const r of rs) await cluster.stopApplier(r);
      await pool.execute("INSERT INTO lagged (tag) VALUES ('no fallback')");
      await waitFor("every replica over the bound", () => rs.every((r) => nodeStats(pool, r.name).state === "degraded"));
      await assert.rejects(pool.query("SELECT 1"), (e: unknown) => {
        assert.ok(e instanceof FailoverError, String(e));
        assert.match(e.message, /every replica lags more than maxReplicaLag 1 s, and replicaFallback is off/);
        return true;
      });
    } finally {
      for (const r of rs) await cluster.startApplier(r);
    }
    await settled(pool);
  });

  it("with a monitor account: a stopped applier (Seconds_Behind_Master NULL) is infinitely behind, with no write at all", async () => {
    await using pool = await open({ ...PLAIN, monitor: MONITOR, maxReplicaLag: 30 });
    await settled(pool);
    const [a, b] = replicas() as [ClusterNode, ClusterNode];
    await waitFor("the replicas' lag read", () => nodeStats(pool, a.name).lag === 0 && nodeStats(pool, b.name).lag === 0);
    try {
      await cluster.stopApplier(a);
      await waitFor(`${a.name} infinitely behind`, () => nodeStats(pool, a.name).lag === Infinity);
      assert.equal(nodeStats(pool, a.name).state, "degraded");
      assert.match(String(nodeStats(pool, a.name).lastError?.message), /replication is stopped \(Seconds_Behind_Master is NULL\)/);
      const ids = await serverIdsOfReads(pool, 20);
      assert.ok(!ids.has(a.serverId), `no read on the stopped replica: ${[...ids].join(",")}`);
    } finally {
      await cluster.startApplier(a);
    }
    await waitFor(`${a.name} up again`, () => nodeStats(pool, a.name).state === "up" && nodeStats(pool, a.name).lag === 0);
  });

  it("a peer that accepts TCP and never greets costs one acquire one attempt, then is skipped while down", async () => {
    const [replica, other] = replicas() as [ClusterNode, ClusterNode];
    const peer = await startFrozenPeer(replica.port);
    try {
      const hosts = [
        { host: "127.0.0.1", port: cluster.primary().port, name: cluster.primary().name },
        { host: "127.0.0.1", port: peer.port, name: "peer" },
        { host: "127.0.0.1", port: other.port, name: other.name },
      ];
      // A long health interval: only acquires (and a down node's backoff) touch the peer.
      await using pool = await createPool({
        ...clusterPoolOptions(cluster, { selector: "ordered", healthCheckInterval: 600, connectTimeout: 1, minSize: 0 }),
        hosts,
        validateAfterIdle: 0,
      });
      await waitFor("the peer up as a replica", () => nodeStats(pool, "peer").role === "replica" && nodeStats(pool, "peer").state === "up");
      const readOn = async (): Promise<string> => {
        const conn = await pool.acquire({ readOnly: true });
        pool.release(conn);
        return conn.node!;
      };
      assert.equal(await readOn(), "peer"); // a pooled connection to the peer, free again

      // (1) Frozen under a pooled connection: the check (a ping) is the one attempt, no new connect.
      peer.freeze();
      let before = peer.accepted;
      let t = Date.now();
      assert.equal(await readOn(), other.name);
      const checkMs = Date.now() - t;
      assert.equal(peer.accepted - before, 0, "no connect after the unanswered check");
      assert.equal(nodeStats(pool, "peer").state, "down");
      // Later acquires skip it while it is down.
      t = Date.now();
      for (let i = 0; i < 20; i++) assert.equal(await readOn(), other.name);
      const skipMs = (Date.now() - t) / 20;
      assert.equal(nodeStats(pool, "peer").acquired, 1);

      // (2) Up again, then frozen with no pooled connection: one connect, no greeting, skipped.
      peer.thaw();
      await waitFor("the peer up again", () => nodeStats(pool, "peer").state === "up");
      await pool.clear();
      peer.freeze();
      before = peer.accepted;
      t = Date.now();
      assert.equal(await readOn(), other.name);
      const connectMs = Date.now() - t;
      assert.equal(peer.accepted - before, 1, "one connect attempt at the silent peer");
      console.log(
        `# figure: silent peer (connectTimeout 1 s): first acquire ${checkMs} ms via a pooled connection's check, ${connectMs} ms via a new connect; ${skipMs.toFixed(1)} ms per acquire while it is down`,
      );
      assert.equal(nodeStats(pool, "peer").state, "down");
      assert.match(String(nodeStats(pool, "peer").lastError?.message), /timed? ?out|timeout/i);
    } finally {
      await peer.close();
    }
  });

  it("a statement on a replica that freezes (SIGSTOP) fails with an OperationalError naming it; the pool heals after SIGCONT", async () => {
    // A long health interval: only the probes run while a statement is in flight can notice.
    await using pool = await open({ selector: "ordered", failureDetectionTimeout: 2, healthCheckInterval: 600 });
    await settled(pool);
    const conn = await pool.acquire({ readOnly: true });
    const victim = cluster.nodes.find((n) => n.name === conn.node)!;
    assert.notEqual(victim, cluster.primary());
    const running = runOn(conn, "SELECT SLEEP(60)");
    await waitFor("the statement sent", () => conn.hasPendingWork);
    await cluster.kill(victim, "SIGSTOP");
    const frozenAt = Date.now();
    try {
      await assert.rejects(running, (e: unknown) => {
        assert.ok(e instanceof OperationalError, String(e));
        assert.equal(e.errno, 2013);
        assert.match(e.message, new RegExp(`Lost connection to ${victim.name}: the node stopped answering`));
        return true;
      });
      console.log(`# figure: statement on a frozen replica failed ${Date.now() - frozenAt} ms after SIGSTOP (failureDetectionTimeout 2 s)`);
    } finally {
      pool.release(conn);
      await cluster.resume(victim);
    }
    await waitFor("the frozen replica up again", () => nodeStats(pool, victim.name).state === "up");
    const again = await pool.acquire({ readOnly: true });
    try {
      assert.equal(again.node, victim.name);
      assert.deepEqual(await runOn(again, "SELECT 1"), [[1]]);
    } finally {
      pool.release(again);
    }
  });

  it("a write on a primary that freezes (SIGSTOP) fails with FailoverError, and so do writes while it is frozen", async () => {
    await using pool = await open({ failureDetectionTimeout: 2 });
    await settled(pool);
    const primary = cluster.primary();
    const conn = await pool.acquire();
    pool.release(conn); // warm: the write below goes out on a pooled connection at once
    const writing = pool.execute("DO SLEEP(60)");
    const node = pool.nodes.find((n) => n.name === primary.name)!;
    await waitFor("the write sent", () => node.hasWorkInFlight);
    await cluster.kill(primary, "SIGSTOP");
    const frozenAt = Date.now();
    try {
      await assert.rejects(writing, (e: unknown) => {
        assert.ok(e instanceof FailoverError, String(e));
        assert.match(e.message, new RegExp(`Lost the writable node ${primary.name} during a write`));
        return true;
      });
      const failedAt = Date.now();
      await assert.rejects(pool.execute("INSERT INTO lagged (tag) VALUES ('frozen')"), FailoverError);
      console.log(
        `# figure: write in flight on a frozen primary failed ${failedAt - frozenAt} ms after SIGSTOP; the next write failed in ${Date.now() - failedAt} ms (failureDetectionTimeout 2 s, connectTimeout 2 s)`,
      );
    } finally {
      await cluster.resume(primary);
    }
    await settled(pool);
    await pool.execute("INSERT INTO lagged (tag) VALUES ('thawed')");
  });

  // Last: it kills the primary and promotes a replica.
  it("replays an idempotent transaction lost with its primary exactly once; one without replay fails saying nothing was committed", async () => {
    await using pool = await open();
    await settled(pool);
    const old = cluster.primary();
    const next = replicas()[0]!;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let inside = 0;
    const body =
      (id: number) =>
      async (conn: Connection, attempt: number): Promise<number> => {
        await runOn(conn, `INSERT INTO replayed (id, v) VALUES (${id}, 'once') ON DUPLICATE KEY UPDATE v = VALUES(v)`);
        if (attempt === 1) {
          inside++;
          await gate;
        }
        await runOn(conn, "SELECT 1");
        return attempt;
      };
    const replayed = pool.transaction(body(1), { replay: 2 });
    const plain = pool.transaction(body(2)).then(
      () => assert.fail("the transaction without replay committed"),
      (e: unknown) => e,
    );
    await waitFor("both transactions open", () => inside === 2);
    await cluster.kill(old, "SIGKILL");
    await cluster.promote(next);
    const promotedAt = Date.now();
    release();
    assert.equal(await replayed, 2, "ran twice: lost once, replayed once");
    console.log(`# figure: replayed transaction committed ${Date.now() - promotedAt} ms after promote() returned`);
    const e = await plain;
    assert.ok(e instanceof FailoverError, String(e));
    assert.match(
      e.message,
      new RegExp(
        `^${old.name}: The transaction was lost with its connection before COMMIT, so nothing of it was committed; it was not replayed \\(pass replay`,
      ),
    );
    assert.deepEqual(await pool.query<unknown[]>("SELECT id, v FROM replayed ORDER BY id", null, { timeout: 10 }), [[1, "once"]]);
    const out = await cluster.sql(next, `SELECT COUNT(*) FROM ${cluster.database}.replayed`);
    assert.equal(out.trim(), "1");
  });
});
