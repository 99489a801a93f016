// Discovery over a real GTID replication trio on loopback: a pool whose nodes come from SRV
// records (an injected resolver that points at the trio and changes its answer), and a pool
// started with only the primary that finds the replicas the primary announces (SHOW SLAVE
// HOSTS, through a monitor account). Nodes join, nodes that leave are drained (work in flight
// finishes, their connections close when released), and a failed lookup keeps the last set.
import assert from "node:assert/strict";
import { channel } from "node:diagnostics_channel";
import { createServer, connect as tcpConnect, type Server, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { ClusterPool, createPool, OperationalError, type DiscoveryMessage, type PoolOptions, type SrvRecord } from "../../src/index.js";
import { startReplication, type ClusterNode, type ReplicationCluster } from "../support/cluster.js";
import { clusterPoolOptions } from "../support/cluster-pool.js";
import { waitFor } from "../support/wait.js";

let cluster: ReplicationCluster;
const MONITOR_USER = "cluster_monitor";
const MONITOR_PASSWORD = "monitor_pw";

/** The test cluster's pool options without `hosts` (each test says where the nodes come from). */
function base(extra: PoolOptions = {}): PoolOptions {
  const { hosts: _, ...rest } = clusterPoolOptions(cluster, { discoveryInterval: 0.2 });
  return { ...rest, ...extra };
}

/** An SRV answer naming `nodes` (127.0.0.1 and the node's port), priority in list order. */
function answer(nodes: readonly { port: number }[]): SrvRecord[] {
  return nodes.map((n, i) => ({ name: "127.0.0.1", port: n.port, priority: i, weight: 1 }));
}

function names(pool: ClusterPool): string[] {
  return (pool.stats().nodes ?? []).map((n) => n.name);
}

function stat(pool: ClusterPool, node: { port: number }): { state: string; source?: string; routedReads: number } | undefined {
  return pool.stats().nodes?.find((n) => n.port === node.port);
}

async function serverIdsOfReads(pool: ClusterPool, n: number): Promise<Set<number>> {
  const ids = new Set<number>();
  for (let i = 0; i < n; i++) ids.add(Number((await pool.query<unknown[]>("SELECT @@server_id"))[0]![0]));
  return ids;
}

/** A loopback TCP forwarder to `port`, which the test can take away. */
async function forwarder(port: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = tcpConnect(port, "127.0.0.1");
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === "object");
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe("cluster discovery over a replication cluster", { timeout: 300_000 }, () => {
  let primary: ClusterNode;
  let replicas: ClusterNode[];
  before(async () => {
    cluster = await startReplication();
    primary = cluster.primary();
    replicas = cluster.nodes.filter((n) => n !== primary);
    // SHOW SLAVE HOSTS needs REPLICATION MASTER ADMIN; written on the primary, replicated.
    await cluster.sql(
      primary,
      `CREATE USER '${MONITOR_USER}'@'%' IDENTIFIED BY '${MONITOR_PASSWORD}'; GRANT REPLICATION MASTER ADMIN, SLAVE MONITOR, BINLOG MONITOR ON *.* TO '${MONITOR_USER}'@'%'`,
    );
  });
  after(async () => {
    await cluster?.stopAll();
  });

  it("SRV: nodes in priority order, a new record joins and takes reads, a vanished one is drained", async () => {
    let records = answer([primary, replicas[0]!]);
    const asked: string[] = [];
    await using pool = (await createPool(
      base({ srv: "db.test", srvResolver: async (name) => (asked.push(name), records), selector: "ordered" }),
    )) as ClusterPool;
    assert.equal(asked[0], "_mysql._tcp.db.test");
    assert.deepEqual(names(pool), [`127.0.0.1:${primary.port}`, `127.0.0.1:${replicas[0]!.port}`]);
    assert.ok(pool.stats().nodes!.every((n) => n.source === "srv"));
    await waitFor("both up", () => pool.stats().nodes!.every((n) => n.state === "up"));
    assert.deepEqual([...(await serverIdsOfReads(pool, 4))], [replicas[0]!.serverId]);

    // The third node appears in DNS (first in priority): it joins and, being first for the
    // "ordered" selector, takes the reads.
    records = answer([replicas[1]!, primary, replicas[0]!]);
    await waitFor("the third node joins", () => stat(pool, replicas[1]!)?.state === "up");
    assert.equal(stat(pool, replicas[1]!)?.source, "srv");
    assert.deepEqual(names(pool)[0], `127.0.0.1:${replicas[1]!.port}`);
    assert.deepEqual([...(await serverIdsOfReads(pool, 4))], [replicas[1]!.serverId]);

    // It vanishes again while a caller holds one of its connections: no new work goes there,
    // the held connection still works, and closes when released.
    const held = await pool.acquire({ readOnly: true });
    assert.equal(held.node, `127.0.0.1:${replicas[1]!.port}`);
    records = answer([primary, replicas[0]!]);
    await waitFor("the node leaves", () => stat(pool, replicas[1]!) === undefined);
    assert.deepEqual([...(await serverIdsOfReads(pool, 4))], [replicas[0]!.serverId]);
    const cur = held.cursor();
    await cur.execute("SELECT @@server_id");
    assert.equal(Number((await cur.fetchOne())![0]), replicas[1]!.serverId, "work in flight on a drained node finishes");
    await cur.close();
    assert.equal(held.closed, false);
    pool.release(held);
    await waitFor("the drained node's connection closes", () => held.closed);
  });

  it("SRV: a failed lookup keeps the last node set and says so; an empty answer too", async () => {
    let fail: Error | null = null;
    let empty = false;
    const messages: DiscoveryMessage[] = [];
    const listener = (m: unknown): void => void messages.push(m as DiscoveryMessage);
    channel("aiomysql:discovery").subscribe(listener);
    try {
      await using pool = (await createPool(
        base({
          srv: "db.test",
          srvResolver: async () => {
            if (fail !== null) throw fail;
            return empty ? [] : answer([primary, replicas[0]!]);
          },
        }),
      )) as ClusterPool;
      fail = Object.assign(new Error("querySrv ESERVFAIL _mysql._tcp.db.test"), { code: "ESERVFAIL" });
      await waitFor("a failed round", () => pool.stats().discovery?.lastError !== null);
      const d = pool.stats().discovery!;
      assert.ok(d.lastError instanceof OperationalError);
      assert.match(d.lastError.message, /ESERVFAIL/);
      assert.ok(d.failures > 0);
      assert.equal(d.srv, "_mysql._tcp.db.test");
      assert.equal(names(pool).length, 2, "the nodes stay");
      await pool.execute("DO 1");
      assert.ok(messages.some((m) => m.source === "srv" && m.error !== null && m.removed.length === 0));
      fail = null;
      empty = true;
      await waitFor("an empty round", () => /no usable record/.test(pool.stats().discovery?.lastError?.message ?? ""));
      assert.equal(names(pool).length, 2, "an empty answer drains nothing");
      empty = false;
      await waitFor("a good round", () => pool.stats().discovery?.lastError === null);
    } finally {
      channel("aiomysql:discovery").unsubscribe(listener);
    }
  });

  it("SRV: when every node is down, the records are looked up again at once", async () => {
    const proxy = await forwarder(primary.port);
    let records = answer([proxy]);
    // A round every 10 minutes: only the "every node down" path can look again in time.
    await using pool = (await createPool(
      base({ srv: "db.test", srvResolver: async () => records, discoveryInterval: 600 }),
    )) as ClusterPool;
    await pool.execute("DO 1");
    await proxy.close();
    records = answer([primary]);
    await waitFor("the proxied node down", () => pool.stats().nodes?.[0]?.state === "down");
    // The write finds no node, looks again, and runs on the node DNS names now.
    const r = await pool.execute("DO 1");
    assert.equal(r.rowCount, 0);
    assert.deepEqual(names(pool), [`127.0.0.1:${primary.port}`]);
  });

  it("monitor: replicas the primary announces join the pool (only the primary listed) and take reads", async () => {
    await using pool = (await createPool(
      base({
        hosts: [`127.0.0.1:${primary.port}`],
        topology: "replication",
        monitor: { user: MONITOR_USER, password: MONITOR_PASSWORD },
      }),
    )) as ClusterPool;
    await waitFor("both replicas join", () => replicas.every((r) => stat(pool, r)?.state === "up"));
    for (const r of replicas) assert.equal(stat(pool, r)?.source, "announced");
    assert.equal(stat(pool, primary)?.source, "hosts");
    const ids = await serverIdsOfReads(pool, 8);
    assert.deepEqual([...ids].sort(), replicas.map((r) => r.serverId).sort(), "reads go to the announced replicas");

    // A replica that stops is no longer announced: it leaves; back, it joins again. The
    // configured primary never leaves.
    const gone = replicas[1]!;
    await cluster.kill(gone, "SIGKILL");
    try {
      await waitFor("the stopped replica leaves", () => stat(pool, gone) === undefined);
      assert.equal(stat(pool, primary)?.source, "hosts");
    } finally {
      await cluster.restart(gone);
    }
    await waitFor("the replica joins again", () => stat(pool, gone)?.state === "up");
  });

  it("monitor: a monitor account without the privilege for SHOW SLAVE HOSTS keeps the configured nodes and says why", async () => {
    // The test account reads replication status but lacks REPLICATION MASTER ADMIN.
    await using pool = (await createPool(
      base({ hosts: [`127.0.0.1:${primary.port}`], topology: "replication", monitor: { user: cluster.user, password: cluster.password } }),
    )) as ClusterPool;
    await waitFor("a failed round", () => pool.stats().discovery?.lastError != null);
    assert.match(pool.stats().discovery!.lastError!.message, /discovery on 127\.0\.0\.1:\d+ failed: .*(denied|privilege)/i);
    assert.ok(pool.stats().discovery!.failures > 0);
    assert.equal(names(pool).length, 1);
    await pool.execute("DO 1");
  });
});
