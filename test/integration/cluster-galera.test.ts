// The cluster pool over a real 3-node Galera cluster on loopback: one writer node at a time,
// reads on every Synced node, a desynced node degraded, a node outside the Primary component
// (isolated) down, a certification conflict between two writer nodes (surfaced, or retried by
// a retryable transaction), and a node killed with SIGKILL that rejoins.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  CertificationConflictError,
  ClusterPool,
  createPool,
  FailoverError,
  OperationalError,
  type Connection,
  type Pool,
  type PoolOptions,
} from "../../src/index.js";
import { startGalera, type GaleraCluster } from "../support/cluster.js";
import { clusterPoolOptions } from "../support/cluster-pool.js";
import { waitFor } from "../support/wait.js";

let cluster: GaleraCluster;

async function open(extra: PoolOptions = {}): Promise<ClusterPool> {
  const pool = await createPool(clusterPoolOptions(cluster, extra));
  assert.ok(pool instanceof ClusterPool);
  return pool;
}

function stateOf(pool: Pool, name: string): string {
  const n = pool.stats().nodes?.find((x) => x.name === name);
  assert.ok(n, `no stats for ${name}`);
  return n.state;
}

async function allUp(pool: Pool): Promise<void> {
  await waitFor("every Galera node up", () => pool.stats().nodes!.every((n) => n.role === "galera" && n.state === "up"));
}

async function writerName(pool: Pool): Promise<string> {
  const conn = await pool.acquire();
  try {
    return conn.node!;
  } finally {
    pool.release(conn);
  }
}

/** The node names that answered `n` routed reads. */
async function readNodes(pool: Pool, n: number): Promise<Set<number>> {
  const ids = new Set<number>();
  for (let i = 0; i < n; i++) ids.add(Number((await pool.query<unknown[]>("SELECT @@server_id"))[0]![0]));
  return ids;
}

describe("cluster pool over a Galera cluster", { timeout: 600_000 }, () => {
  before(async () => {
    cluster = await startGalera();
    await cluster.sql(cluster.nodes[0]!, `CREATE TABLE ${cluster.database}.g (id INT AUTO_INCREMENT PRIMARY KEY, i INT) ENGINE=InnoDB`);
  });
  after(async () => {
    await cluster?.stopAll();
  });

  it("writes on one node at a time, reads on every Synced node, and reads its own writes", async () => {
    await using pool = await open({ selector: "round-robin" });
    await allUp(pool);
    const writers = new Set<string>();
    for (let i = 0; i < 10; i++) writers.add(await writerName(pool));
    assert.equal(writers.size, 1, "one writer node");
    assert.equal((await readNodes(pool, 9)).size, 3, "reads spread over the three nodes");
    let misses = 0;
    for (let i = 0; i < 200; i++) {
      const r = await pool.execute("INSERT INTO g (i) VALUES (%s)", [i]);
      if ((await pool.query("SELECT i FROM g WHERE id = %s", [r.lastRowId])).length !== 1) misses++;
    }
    assert.equal(misses, 0);
  });

  it("monitor: with one node listed, the others join from wsrep_incoming_addresses and take reads", async () => {
    const first = cluster.nodes[0]!;
    await using pool = await createPool(
      clusterPoolOptions(
        cluster,
        { topology: "galera", monitor: { user: cluster.user, password: cluster.password }, discoveryInterval: 0.2 },
        [first],
      ),
    );
    assert.ok(pool instanceof ClusterPool);
    await waitFor("every node joins", () => pool.stats().nodes!.length === 3 && pool.stats().nodes!.every((n) => n.state === "up"));
    const sources = pool
      .stats()
      .nodes!.map((n) => `${n.port}:${n.source}`)
      .sort();
    assert.deepEqual(sources, cluster.nodes.map((n) => `${n.port}:${n === first ? "hosts" : "announced"}`).sort());
    assert.equal((await readNodes(pool, 9)).size, 3, "reads spread over the three nodes");
  });

  it("degrades a desynced node: it gets no reads while the others are up", async () => {
    await using pool = await open({ selector: "round-robin" });
    await allUp(pool);
    const target = cluster.nodes[2]!;
    await cluster.desync(target, true);
    try {
      await waitFor("the desynced node degraded", () => stateOf(pool, target.name) === "degraded");
      assert.ok(!(await readNodes(pool, 12)).has(target.serverId));
    } finally {
      await cluster.desync(target, false);
    }
    await waitFor("the node up again", () => stateOf(pool, target.name) === "up");
  });

  it("marks a node that lost quorum (isolated) down, moves the writer off it, and takes it back", async () => {
    await using pool = await open({ selector: "round-robin" });
    await allUp(pool);
    const target = cluster.nodes.find((n) => n.name === cluster.nodes[0]!.name)!;
    assert.equal(await writerName(pool), target.name, "the first Synced node in hosts order writes");
    await cluster.isolate(target, true);
    try {
      await waitFor("the isolated node down", () => stateOf(pool, target.name) === "down");
      const after = await writerName(pool);
      assert.notEqual(after, target.name);
      await pool.execute("INSERT INTO g (i) VALUES (-1)");
      assert.ok(!(await readNodes(pool, 12)).has(target.serverId));
    } finally {
      await cluster.isolate(target, false);
    }
    await waitFor("the node up again", () => stateOf(pool, target.name) === "up");
  });

  it("a certification conflict between two writer nodes is a CertificationConflictError, retried when the transaction is retryable", async () => {
    await using pool = await open({ multiWriter: true, selector: "round-robin" });
    await allUp(pool);
    await pool.execute("CREATE TABLE cert (id INT PRIMARY KEY, v INT) ENGINE=InnoDB");
    await pool.execute("INSERT INTO cert VALUES (1, 0)");
    const update = async (conn: Connection, by: number): Promise<void> => {
      await using cur = conn.cursor();
      await cur.execute("UPDATE cert SET v = v + %s WHERE id = 1", [by]);
    };
    /** Two transactions on two nodes update the row; the first commits while the second is open. */
    const race = async (retryable: boolean): Promise<{ outcome: unknown; nodes: string[]; firstNode: string }> => {
      let firstIn!: () => void;
      let secondIn!: () => void;
      let releaseFirst!: () => void;
      let releaseSecond!: () => void;
      const firstEntered = new Promise<void>((r) => (firstIn = r));
      const secondEntered = new Promise<void>((r) => (secondIn = r));
      const firstGate = new Promise<void>((r) => (releaseFirst = r));
      const secondGate = new Promise<void>((r) => (releaseSecond = r));
      let firstNode = "";
      const first = pool.transaction(async (conn) => {
        firstNode = conn.node!;
        await update(conn, 1);
        firstIn();
        await firstGate;
      });
      await firstEntered;
      const nodes: string[] = [];
      const second = pool
        .transaction(
          async (conn, attempt) => {
            nodes.push(conn.node!);
            await update(conn, 10);
            if (attempt === 1) {
              secondIn();
              await secondGate;
            }
            return attempt;
          },
          { retryable },
        )
        .then(
          (attempt) => attempt,
          (e: unknown) => e,
        );
      await secondEntered;
      releaseFirst();
      await first;
      releaseSecond();
      return { outcome: await second, nodes, firstNode };
    };
    const value = async (): Promise<number> => Number((await pool.query<unknown[]>("SELECT v FROM cert WHERE id = 1"))[0]![0]);

    const surfaced = await race(false);
    assert.notEqual(surfaced.nodes[0], surfaced.firstNode, "the two transactions ran on two nodes");
    const e = surfaced.outcome;
    assert.ok(e instanceof CertificationConflictError, String(e));
    assert.ok(e instanceof OperationalError, "still the class of errno 1213");
    assert.equal(e.errno, 1213);
    assert.match(e.message, new RegExp(`^${surfaced.nodes[0]}: Galera certification conflict`));
    assert.equal(surfaced.nodes.length, 1, "not retried");
    assert.equal(await value(), 1, "only the first transaction committed");

    const retried = await race(true);
    assert.notEqual(retried.nodes[0], retried.firstNode);
    assert.equal(retried.outcome, 2, "the second transaction committed on its second attempt");
    assert.equal(await value(), 12, "both committed once: 1 + (1 + 10)");
  });

  it("survives a SIGKILL of the writer node, which rejoins by itself", async () => {
    await using pool = await open();
    await allUp(pool);
    const victim = await writerName(pool);
    const node = cluster.nodes.find((n) => n.name === victim)!;
    await cluster.kill(node, "SIGKILL");
    // The first write may meet the dead connection: it is not retried, and says so.
    await pool.execute("INSERT INTO g (i) VALUES (-2)").catch((e: unknown) => {
      assert.ok(e instanceof FailoverError, String(e));
    });
    await pool.execute("INSERT INTO g (i) VALUES (-3)");
    assert.notEqual(await writerName(pool), victim);
    await cluster.restart(node);
    await waitFor("the killed node up again", () => stateOf(pool, victim) === "up");
    assert.ok((await readNodes(pool, 12)).size >= 2);
  });
});
