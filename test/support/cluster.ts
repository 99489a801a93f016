// Real clusters on loopback for the cluster-pool tests: a MariaDB GTID replication cluster
// (scripts/cluster-replication.sh) and a Galera cluster (scripts/cluster-galera.sh). This file
// only drives those scripts; every step (promote, kill, isolate, ...) lives in them, so a human
// can run the same steps by hand (docs/cluster-testing.md).
//
// Each step returns once its effect is in place (a killed node is gone, a restarted node
// serves, a Galera node is Synced again, ...). Every step is bounded: a script that does not
// finish in time gets SIGTERM (start then stops what it started) and the step rejects.
import { execFile, execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** One server of a test cluster. */
export interface ClusterNode {
  /** "node1", "node2", ...: the name the scripts know it by. */
  readonly name: string;
  /** Always "127.0.0.1". */
  readonly host: string;
  /** Its TCP port on 127.0.0.1 (kept across restarts). */
  readonly port: number;
  /** Its unix socket (root logs in there without a password). */
  readonly socket: string;
  /** Its `@@server_id`. */
  readonly serverId: number;
}

/** What every test cluster offers. */
export interface ClusterBase {
  /** The servers, node1 first. */
  readonly nodes: readonly ClusterNode[];
  /** A test user with all privileges on `database` (plus PROCESS, REPLICATION CLIENT, SLAVE MONITOR). */
  readonly user: string;
  /** The test user's password. */
  readonly password: string;
  /** The test database, present on every node. */
  readonly database: string;
  /** Sends `signal` (default SIGKILL) to the node's server by its pid; resolves once it is gone (or frozen, for SIGSTOP). */
  kill(node: ClusterNode, signal?: "SIGKILL" | "SIGTERM" | "SIGSTOP"): Promise<void>;
  /** SIGCONT after SIGSTOP. */
  resume(node: ClusterNode): Promise<void>;
  /** Starts the node again on the same port and data directory; resolves once it serves (Galera: once it is Synced). */
  restart(node: ClusterNode): Promise<void>;
  /** Runs `statement` as root through the mariadb CLI on the node's socket; the tab-separated output, without headers. */
  sql(node: ClusterNode, statement: string): Promise<string>;
  /** Stops every server by its pid and removes the cluster's directories. */
  stopAll(): Promise<void>;
}

/** A primary and its replicas, replicating with GTIDs. */
export interface ReplicationCluster extends ClusterBase {
  /** The current primary per the harness's own bookkeeping. */
  primary(): ClusterNode;
  /** Failover: makes `node` the primary (read_only OFF) and re-points the other live nodes to it (GTID). */
  promote(node: ClusterNode): Promise<void>;
  /** No disconnect: the old primary turns read_only, `node` catches up, is promoted, the others follow. */
  switchover(node: ClusterNode): Promise<void>;
  /** STOP SLAVE SQL_THREAD: the replica keeps receiving but applies nothing. */
  stopApplier(node: ClusterNode): Promise<void>;
  /** START SLAVE SQL_THREAD. */
  startApplier(node: ClusterNode): Promise<void>;
  /** MASTER_DELAY of `seconds` on a replica (0 removes it). */
  delay(node: ClusterNode, seconds: number): Promise<void>;
}

/** A Galera cluster (every node takes writes). */
export interface GaleraCluster extends ClusterBase {
  /** gmcast.isolate: the node leaves the Primary component (resolves once it is non-Primary) or rejoins (once Synced). */
  isolate(node: ClusterNode, on: boolean): Promise<void>;
  /** wsrep_desync: the node reports Donor/Desynced (on) or Synced again (off). */
  desync(node: ClusterNode, on: boolean): Promise<void>;
}

/**
 * A Spider cluster: two data nodes (data1, data2) and two Spider heads (head1, head2) that both
 * hold `t (id INT PRIMARY KEY, v VARCHAR(100))`, sharded: ids below `shardBoundary` on data1,
 * the others on data2. Every head takes reads and writes (a multi-primary front end).
 */
export interface SpiderCluster extends ClusterBase {
  /** The two data nodes. */
  readonly data: readonly [ClusterNode, ClusterNode];
  /** The two Spider heads. */
  readonly heads: readonly [ClusterNode, ClusterNode];
  /** Ids below this live on data1, the others on data2. */
  readonly shardBoundary: number;
}

const SPIDER_SCRIPT = fileURLToPath(new URL("../../../scripts/cluster-spider.sh", import.meta.url));
const REPLICATION_SCRIPT = fileURLToPath(new URL("../../../scripts/cluster-replication.sh", import.meta.url));
const GALERA_SCRIPT = fileURLToPath(new URL("../../../scripts/cluster-galera.sh", import.meta.url));

/** Bound of one script step; starting Galera (three SSTs) is the slowest. */
const STEP_TIMEOUT_MS = 180_000;
/** Bound of one `sql()` statement (a frozen node never answers). */
const SQL_TIMEOUT_MS = 30_000;

function run(file: string, args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, killSignal: "SIGTERM", maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const how = error.killed ? `killed after ${timeoutMs} ms` : `exit status ${String(error.code)}`;
        reject(new Error(`${file} ${args.join(" ")}: ${how}\n${stderr.trim()}`));
      } else {
        resolve(stdout);
      }
    });
  });
}

/** Directories of the clusters this process started and has not stopped yet. */
const live = new Map<string, string>();
let exitHookInstalled = false;

/** Last resort if a test file forgets `stopAll()` or crashes: stop its clusters on exit. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const [dir, script] of live) {
      try {
        execFileSync("bash", [script, "stop", "--dir", dir], { stdio: "ignore", timeout: 60_000 });
      } catch {}
    }
  });
}

interface Started {
  dir: string;
  user: string;
  password: string;
  database: string;
  nodes: ClusterNode[];
}

/** Parses the AIOMYSQL_CLUSTER_* lines `start` prints. */
function parseStart(output: string): Started {
  const values = new Map<string, string>();
  const nodes: ClusterNode[] = [];
  for (const line of output.split("\n")) {
    const m = /^AIOMYSQL_CLUSTER_([A-Z]+)=(.*)$/.exec(line);
    if (!m) continue;
    const [, key, value] = m as unknown as [string, string, string];
    if (key === "NODE") {
      const [name, port, socket, serverId] = value.split(" ");
      if (name === undefined || port === undefined || socket === undefined || serverId === undefined) {
        throw new Error(`bad node line from the cluster script: ${line}`);
      }
      nodes.push({ name, host: "127.0.0.1", port: Number(port), socket, serverId: Number(serverId) });
    } else {
      values.set(key, value);
    }
  }
  const get = (key: string): string => {
    const v = values.get(key);
    if (v === undefined) throw new Error(`the cluster script printed no AIOMYSQL_CLUSTER_${key}:\n${output}`);
    return v;
  };
  if (nodes.length === 0) throw new Error(`the cluster script printed no nodes:\n${output}`);
  return { dir: get("DIR"), user: get("USER"), password: get("PASSWORD"), database: get("DATABASE"), nodes };
}

/** The parts both kinds of cluster share. */
class BaseCluster {
  readonly nodes: readonly ClusterNode[];
  readonly user: string;
  readonly password: string;
  readonly database: string;
  protected readonly dir: string;
  protected readonly script: string;

  constructor(script: string, started: Started) {
    this.script = script;
    this.dir = started.dir;
    this.nodes = started.nodes;
    this.user = started.user;
    this.password = started.password;
    this.database = started.database;
  }

  /** Runs one step of the script on this cluster. */
  protected async step(command: string, ...args: string[]): Promise<string> {
    if (!live.has(this.dir)) throw new Error(`cluster ${this.dir} was stopped`);
    return run("bash", [this.script, command, "--dir", this.dir, ...args], STEP_TIMEOUT_MS);
  }

  protected own(node: ClusterNode): string {
    if (!this.nodes.includes(node)) throw new Error(`node ${node.name} is not one of this cluster's nodes`);
    return node.name;
  }

  async kill(node: ClusterNode, signal: "SIGKILL" | "SIGTERM" | "SIGSTOP" = "SIGKILL"): Promise<void> {
    await this.step("kill", this.own(node), signal);
  }

  async resume(node: ClusterNode): Promise<void> {
    await this.step("resume", this.own(node));
  }

  async restart(node: ClusterNode): Promise<void> {
    await this.step("restart", this.own(node));
  }

  sql(node: ClusterNode, statement: string): Promise<string> {
    this.own(node);
    const args = [
      "--no-defaults",
      "--host=localhost",
      `--socket=${node.socket}`,
      "-uroot",
      "--connect-timeout=5",
      "-N",
      "-B",
      "-e",
      statement,
    ];
    return run("mariadb", args, SQL_TIMEOUT_MS);
  }

  async stopAll(): Promise<void> {
    if (!live.has(this.dir)) return;
    await run("bash", [this.script, "stop", "--dir", this.dir], STEP_TIMEOUT_MS);
    live.delete(this.dir);
  }
}

class Replication extends BaseCluster implements ReplicationCluster {
  #primary: ClusterNode;

  constructor(started: Started) {
    super(REPLICATION_SCRIPT, started);
    this.#primary = started.nodes[0] as ClusterNode;
  }

  primary(): ClusterNode {
    return this.#primary;
  }

  async promote(node: ClusterNode): Promise<void> {
    await this.step("promote", this.own(node));
    this.#primary = node;
  }

  async switchover(node: ClusterNode): Promise<void> {
    await this.step("switchover", this.own(node));
    this.#primary = node;
  }

  async stopApplier(node: ClusterNode): Promise<void> {
    await this.step("stop-applier", this.own(node));
  }

  async startApplier(node: ClusterNode): Promise<void> {
    await this.step("start-applier", this.own(node));
  }

  async delay(node: ClusterNode, seconds: number): Promise<void> {
    if (!Number.isInteger(seconds) || seconds < 0) throw new RangeError(`delay: seconds must be a whole number >= 0, got ${seconds}`);
    await this.step("delay", this.own(node), String(seconds));
  }
}

class Galera extends BaseCluster implements GaleraCluster {
  constructor(started: Started) {
    super(GALERA_SCRIPT, started);
  }

  async isolate(node: ClusterNode, on: boolean): Promise<void> {
    await this.step("isolate", this.own(node), on ? "on" : "off");
  }

  async desync(node: ClusterNode, on: boolean): Promise<void> {
    await this.step("desync", this.own(node), on ? "on" : "off");
  }
}

class Spider extends BaseCluster implements SpiderCluster {
  readonly data: readonly [ClusterNode, ClusterNode];
  readonly heads: readonly [ClusterNode, ClusterNode];
  readonly shardBoundary = 1000;

  constructor(started: Started) {
    super(SPIDER_SCRIPT, started);
    const byName = (name: string): ClusterNode => {
      const n = started.nodes.find((x) => x.name === name);
      if (n === undefined) throw new Error(`the Spider script printed no node ${name}`);
      return n;
    };
    this.data = [byName("data1"), byName("data2")];
    this.heads = [byName("head1"), byName("head2")];
  }
}

async function start(script: string, args: string[]): Promise<Started> {
  installExitHook();
  const started = parseStart(await run("bash", [script, "start", ...args], STEP_TIMEOUT_MS));
  live.set(started.dir, script);
  return started;
}

/** Starts a primary (node1) and `replicas` replicas (default 2), GTID replication, on 127.0.0.1. */
export async function startReplication(options?: { replicas?: number }): Promise<ReplicationCluster> {
  return new Replication(await start(REPLICATION_SCRIPT, ["--replicas", String(options?.replicas ?? 2)]));
}

/** Starts a Galera cluster of `nodes` nodes (default 3) on 127.0.0.1; resolves once all are Synced. */
export async function startGalera(options?: { nodes?: number }): Promise<GaleraCluster> {
  return new Galera(await start(GALERA_SCRIPT, ["--nodes", String(options?.nodes ?? 3)]));
}

/** Starts two data nodes and two Spider heads on 127.0.0.1 (scripts/cluster-spider.sh). */
export async function startSpider(): Promise<SpiderCluster> {
  return new Spider(await start(SPIDER_SCRIPT, []));
}
