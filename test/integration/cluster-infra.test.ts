// The cluster test harness itself (test/support/cluster.ts over scripts/cluster-*.sh): each step
// really does what it says, checked on the servers. The cluster-pool tests rely on these steps,
// so a step that silently did nothing would make them pass for the wrong reason.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect, DictCursor, type Connection } from "../../src/index.js";
import {
  startGalera,
  startReplication,
  type ClusterBase,
  type ClusterNode,
  type GaleraCluster,
  type ReplicationCluster,
} from "../support/cluster.js";
import { waitFor } from "../support/wait.js";

/** The test user's connection to one node, over TCP. */
function connectTo(cluster: ClusterBase, node: ClusterNode, connectTimeout = 10): Promise<Connection> {
  return connect({
    host: node.host,
    port: node.port,
    user: cluster.user,
    password: cluster.password,
    db: cluster.database,
    autocommit: true,
    connectTimeout,
  });
}

async function scalar(cluster: ClusterBase, node: ClusterNode, statement: string): Promise<string> {
  return (await cluster.sql(node, statement)).trim();
}

/** Sequence number of domain 0 in a GTID position such as "0-1-12" (or "0-1-12,1-3-4"); -1 when absent. */
function seqOf(position: string): number {
  for (const part of position.split(",")) {
    const [domain, , seq] = part.trim().split("-");
    if (domain === "0" && seq !== undefined) return Number(seq);
  }
  return -1;
}

/** `Gtid_IO_Pos` of a replica: what it has received, applied or not. */
async function receivedSeq(cluster: ClusterBase, node: ClusterNode): Promise<number> {
  const conn = await connectTo(cluster, node);
  try {
    await using cur = conn.cursor(DictCursor);
    await cur.execute("SHOW SLAVE STATUS");
    const row = await cur.fetchOne();
    return seqOf(String(row?.["Gtid_IO_Pos"] ?? ""));
  } finally {
    conn.close();
  }
}

/** Inserts `marker` on `node` (root), returning the GTID sequence number of that write. */
async function write(cluster: ClusterBase, node: ClusterNode, marker: number): Promise<number> {
  const gtid = await scalar(cluster, node, `INSERT INTO ${cluster.database}.marks (v) VALUES (${marker}); SELECT @@last_gtid`);
  return seqOf(gtid);
}

async function hasMark(cluster: ClusterBase, node: ClusterNode, marker: number): Promise<boolean> {
  return (await scalar(cluster, node, `SELECT COUNT(*) FROM ${cluster.database}.marks WHERE v = ${marker}`)) === "1";
}

async function waitMark(cluster: ClusterBase, node: ClusterNode, marker: number): Promise<void> {
  await waitFor(`mark ${marker} on ${node.name}`, () => hasMark(cluster, node, marker));
}

async function readOnly(cluster: ClusterBase, node: ClusterNode): Promise<string> {
  return scalar(cluster, node, "SELECT @@read_only");
}

describe("replication cluster harness", () => {
  let cluster: ReplicationCluster;
  let marker = 0;
  before(async () => {
    cluster = await startReplication();
    await cluster.sql(cluster.primary(), `CREATE TABLE ${cluster.database}.marks (id INT AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL)`);
  });
  after(() => cluster?.stopAll());

  it("starts a primary and two read-only replicas with distinct server ids, reachable by the test user", async () => {
    assert.equal(cluster.nodes.length, 3);
    assert.equal(cluster.primary(), cluster.nodes[0]);
    const [primary, r1, r2] = cluster.nodes as [ClusterNode, ClusterNode, ClusterNode];
    assert.equal(await readOnly(cluster, primary), "0");
    assert.equal(await readOnly(cluster, r1), "1");
    assert.equal(await readOnly(cluster, r2), "1");
    const ids = new Set<string>();
    for (const node of cluster.nodes) {
      const conn = await connectTo(cluster, node);
      try {
        await using cur = conn.cursor();
        await cur.execute("SELECT @@server_id, @@gtid_strict_mode, @@log_bin, DATABASE()");
        const row = await cur.fetchOne();
        assert.deepEqual(row?.slice(1), [1, 1, cluster.database], `${node.name}: strict GTID, binlog, test database`);
        assert.equal(Number(row?.[0]), node.serverId);
        ids.add(String(row?.[0]));
      } finally {
        conn.close();
      }
    }
    assert.equal(ids.size, 3);
  });

  it("a write on the primary reaches both replicas; the test user cannot write on a replica", async () => {
    const m = ++marker;
    await write(cluster, cluster.primary(), m);
    for (const node of cluster.nodes.slice(1)) await waitMark(cluster, node, m);
    const conn = await connectTo(cluster, cluster.nodes[1] as ClusterNode);
    try {
      await using cur = conn.cursor();
      await assert.rejects(cur.execute(`INSERT INTO marks (v) VALUES (-1)`), (e: { errno?: number }) => e.errno === 1290);
    } finally {
      conn.close();
    }
  });

  it("stopApplier: the replica receives a fresh write but does not apply it until startApplier", async () => {
    const replica = cluster.nodes[1] as ClusterNode;
    await cluster.stopApplier(replica);
    const m = ++marker;
    const seq = await write(cluster, cluster.primary(), m);
    await waitFor(`${replica.name} receives GTID seq ${seq}`, async () => (await receivedSeq(cluster, replica)) >= seq);
    assert.equal(await hasMark(cluster, replica, m), false, "received but not applied");
    await waitMark(cluster, cluster.nodes[2] as ClusterNode, m);
    await cluster.startApplier(replica);
    await waitMark(cluster, replica, m);
  });

  it("delay: a replica with MASTER_DELAY receives a fresh write but does not apply it; delay 0 lets it through", async () => {
    const replica = cluster.nodes[2] as ClusterNode;
    await cluster.delay(replica, 3600);
    const m = ++marker;
    const seq = await write(cluster, cluster.primary(), m);
    await waitFor(`${replica.name} receives GTID seq ${seq}`, async () => (await receivedSeq(cluster, replica)) >= seq);
    assert.equal(await hasMark(cluster, replica, m), false, "received but held back");
    await cluster.delay(replica, 0);
    await waitMark(cluster, replica, m);
  });

  it("SIGSTOP freezes a node (connects time out) and resume thaws it", async () => {
    const replica = cluster.nodes[2] as ClusterNode;
    await cluster.kill(replica, "SIGSTOP");
    await assert.rejects(connectTo(cluster, replica, 1));
    await cluster.resume(replica);
    (await connectTo(cluster, replica)).close();
  });

  it("SIGKILL the primary, promote a replica: it takes writes, the other follows; the old one restarts as a replica", async () => {
    const [old, next, other] = cluster.nodes as [ClusterNode, ClusterNode, ClusterNode];
    assert.equal(cluster.primary(), old);
    await cluster.kill(old, "SIGKILL");
    await assert.rejects(connectTo(cluster, old, 2), "the killed node is gone");
    await cluster.promote(next);
    assert.equal(cluster.primary(), next);
    assert.equal(await readOnly(cluster, next), "0");
    assert.equal(await readOnly(cluster, other), "1");
    const m = ++marker;
    await write(cluster, next, m);
    await waitMark(cluster, other, m);
    await cluster.restart(old);
    assert.equal(await readOnly(cluster, old), "1", "a restarted former primary comes back read-only");
    await waitMark(cluster, old, m);
  });

  it("switchover without disconnect: a session on the old primary stays connected and is refused writes (1290)", async () => {
    const old = cluster.primary();
    const next = cluster.nodes.find((n) => n !== old) as ClusterNode;
    const conn = await connectTo(cluster, old);
    try {
      await using cur = conn.cursor();
      await cur.execute(`INSERT INTO marks (v) VALUES (${++marker})`);
      await cluster.switchover(next);
      assert.equal(cluster.primary(), next);
      assert.equal(await readOnly(cluster, old), "1");
      assert.equal(await readOnly(cluster, next), "0");
      await assert.rejects(cur.execute(`INSERT INTO marks (v) VALUES (-2)`), (e: { errno?: number }) => e.errno === 1290);
      await cur.execute("SELECT 1");
      assert.deepEqual(await cur.fetchOne(), [1], "the same session still works");
    } finally {
      conn.close();
    }
    const m = ++marker;
    await write(cluster, next, m);
    for (const node of cluster.nodes) if (node !== next) await waitMark(cluster, node, m);
  });

  it("SIGTERM and restart keep the port and the data", async () => {
    const replica = cluster.nodes.find((n) => n !== cluster.primary()) as ClusterNode;
    const before = await scalar(cluster, replica, `SELECT COUNT(*) FROM ${cluster.database}.marks`);
    await cluster.kill(replica, "SIGTERM");
    await assert.rejects(connectTo(cluster, replica, 2));
    await cluster.restart(replica);
    assert.equal(await scalar(cluster, replica, `SELECT COUNT(*) FROM ${cluster.database}.marks`), before);
    const m = ++marker;
    await write(cluster, cluster.primary(), m);
    await waitMark(cluster, replica, m);
  });

  it("SIGKILL every node, restart them all: roles kept, replication resumes", async () => {
    const primary = cluster.primary();
    for (const node of cluster.nodes) await cluster.kill(node, "SIGKILL");
    for (const node of cluster.nodes) await cluster.restart(node);
    assert.equal(cluster.primary(), primary);
    for (const node of cluster.nodes) assert.equal(await readOnly(cluster, node), node === primary ? "0" : "1", node.name);
    const m = ++marker;
    await write(cluster, primary, m);
    for (const node of cluster.nodes) await waitMark(cluster, node, m);
  });
});

/** One wsrep status variable of a Galera node. */
async function wsrep(cluster: ClusterBase, node: ClusterNode, variable: string): Promise<string> {
  const line = await scalar(cluster, node, `SHOW GLOBAL STATUS LIKE '${variable}'`);
  return line.split("\t")[1] ?? "";
}

describe("Galera cluster harness", () => {
  let cluster: GaleraCluster;
  let marker = 0;
  before(async () => {
    cluster = await startGalera();
    await cluster.sql(
      cluster.nodes[0] as ClusterNode,
      `CREATE TABLE ${cluster.database}.marks (id INT AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL)`,
    );
  });
  after(() => cluster?.stopAll());

  it("starts three Synced nodes in one Primary component, reachable by the test user", async () => {
    assert.equal(cluster.nodes.length, 3);
    for (const node of cluster.nodes) {
      assert.equal(await wsrep(cluster, node, "wsrep_local_state_comment"), "Synced", node.name);
      assert.equal(await wsrep(cluster, node, "wsrep_cluster_status"), "Primary", node.name);
      assert.equal(await wsrep(cluster, node, "wsrep_cluster_size"), "3", node.name);
      const conn = await connectTo(cluster, node);
      try {
        await using cur = conn.cursor();
        await cur.execute("SELECT @@wsrep_on, @@server_id, @@read_only");
        assert.deepEqual(await cur.fetchOne(), [1, node.serverId, 0]);
      } finally {
        conn.close();
      }
    }
  });

  it("a write on any node reaches the others", async () => {
    const m = ++marker;
    await cluster.sql(cluster.nodes[1] as ClusterNode, `INSERT INTO ${cluster.database}.marks (v) VALUES (${m})`);
    for (const node of cluster.nodes) await waitMark(cluster, node, m);
  });

  it("desync on: Donor/Desynced; off: Synced again", async () => {
    const node = cluster.nodes[1] as ClusterNode;
    await cluster.desync(node, true);
    assert.equal(await wsrep(cluster, node, "wsrep_local_state_comment"), "Donor/Desynced");
    assert.equal(await scalar(cluster, node, "SELECT @@wsrep_desync"), "1");
    await cluster.desync(node, false);
    assert.equal(await wsrep(cluster, node, "wsrep_local_state_comment"), "Synced");
  });

  it("isolate on: the node is non-Primary and refuses queries (1047) while the others go on; off: it rejoins and catches up", async () => {
    const [a, b, isolated] = cluster.nodes as [ClusterNode, ClusterNode, ClusterNode];
    await cluster.isolate(isolated, true);
    assert.notEqual(await wsrep(cluster, isolated, "wsrep_cluster_status"), "Primary");
    assert.equal(await wsrep(cluster, a, "wsrep_cluster_size"), "2");
    const conn = await connectTo(cluster, isolated);
    try {
      await using cur = conn.cursor();
      await assert.rejects(cur.execute("SELECT COUNT(*) FROM marks"), (e: { errno?: number }) => e.errno === 1047);
    } finally {
      conn.close();
    }
    const m = ++marker;
    await cluster.sql(a, `INSERT INTO ${cluster.database}.marks (v) VALUES (${m})`);
    await waitMark(cluster, b, m);
    await cluster.isolate(isolated, false);
    assert.equal(await wsrep(cluster, isolated, "wsrep_cluster_status"), "Primary");
    assert.equal(await wsrep(cluster, isolated, "wsrep_local_state_comment"), "Synced");
    assert.equal(await wsrep(cluster, a, "wsrep_cluster_size"), "3");
    await waitMark(cluster, isolated, m);
  });

  it("SIGKILL a node, write meanwhile, restart: it rejoins, is Synced and has the write", async () => {
    const [a, victim] = cluster.nodes as [ClusterNode, ClusterNode];
    await cluster.kill(victim, "SIGKILL");
    await assert.rejects(connectTo(cluster, victim, 2), "the killed node is gone");
    const m = ++marker;
    await cluster.sql(a, `INSERT INTO ${cluster.database}.marks (v) VALUES (${m})`);
    await cluster.restart(victim);
    assert.equal(await wsrep(cluster, victim, "wsrep_local_state_comment"), "Synced");
    assert.equal(await wsrep(cluster, victim, "wsrep_cluster_status"), "Primary");
    await waitMark(cluster, victim, m);
  });

  it("SIGKILL every node: restarting one bootstraps a new Primary component, the others rejoin it", async () => {
    for (const node of cluster.nodes) await cluster.kill(node, "SIGKILL");
    const [first, ...rest] = cluster.nodes as [ClusterNode, ...ClusterNode[]];
    await cluster.restart(first);
    assert.equal(await wsrep(cluster, first, "wsrep_cluster_status"), "Primary");
    assert.equal(await wsrep(cluster, first, "wsrep_cluster_size"), "1");
    const m = ++marker;
    await cluster.sql(first, `INSERT INTO ${cluster.database}.marks (v) VALUES (${m})`);
    for (const node of rest) await cluster.restart(node);
    for (const node of cluster.nodes) {
      assert.equal(await wsrep(cluster, node, "wsrep_local_state_comment"), "Synced", node.name);
      await waitMark(cluster, node, m);
    }
    assert.equal(await wsrep(cluster, first, "wsrep_cluster_size"), String(cluster.nodes.length));
  });
});
