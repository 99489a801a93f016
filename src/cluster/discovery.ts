// Discovery: nodes that join (and leave) a cluster pool while it runs. Two sources besides
// `hosts`: the SRV records of `srv` (re-resolved every discoveryInterval and when every node is
// down), and, with a `monitor` account, what the servers announce: a primary's registered
// replicas (SHOW SLAVE HOSTS, from their report_host / report_port) and a Galera node's
// wsrep_incoming_addresses. A node that leaves its source is drained by the pool (no new work,
// in-flight work finishes, its connections close as they come back). Configured nodes never
// leave. When a source cannot be read, the last good set stays and the error is kept for
// `stats().discovery` and published on the `aiomysql:discovery` channel.
import { channel } from "node:diagnostics_channel";
import { Connection } from "../connection.js";
import { OperationalError } from "../errors.js";
import type { ClusterNode } from "./node.js";
import type { ClusterSettings, DiscoveryStats, NodeSource, NodeSpec } from "./options.js";
import { runQuery } from "./probe.js";
import { defaultSrvResolver, isValidHost, MAX_SRV_RECORDS, resolveSrvNodes, srvQueryName } from "./srv.js";

/** A message of the `aiomysql:discovery` channel: a discovery round changed the node set or failed. */
export interface DiscoveryMessage {
  /** `"srv"` or `"announced"`. */
  source: Exclude<NodeSource, "hosts">;
  /** Names of the nodes that joined. */
  added: string[];
  /** Names of the nodes that left (they are drained). */
  removed: string[];
  /** Why the source could not be read (the node set was kept), or null. */
  error: Error | null;
}

/** The `aiomysql:discovery` channel. */
export const discoveryChannel = channel("aiomysql:discovery");

/** @internal What discovery needs from the pool. */
export interface NodeSetHost {
  /** The nodes now, in preference order. */
  readonly nodes: readonly ClusterNode[];
  readonly cluster: ClusterSettings;
  /** True once the pool is closed. */
  readonly closed: boolean;
  /** Makes (does not yet add) a node for `spec`. */
  createNode(spec: NodeSpec): ClusterNode;
  /** Replaces the node set: nodes left out are drained, new ones probed. */
  setNodes(next: readonly ClusterNode[]): void;
  /** Bound of one connect or probe, in milliseconds. */
  readonly connectDeadlineMs: number;
}

type Address = { host: string; port: number };

function key(a: Address): string {
  return `${a.host.toLowerCase()}:${a.port}`;
}

/** A host:port from a server's announcement, or null when it is malformed. */
export function parseAnnounced(host: unknown, port: unknown): Address | null {
  if (typeof host !== "string") return null;
  const h = host.replace(/^\[(.*)\]$/, "$1");
  const p = typeof port === "string" && /^\d{1,5}$/.test(port) ? Number(port) : port;
  if (!isValidHost(h) || typeof p !== "number" || !Number.isInteger(p) || p <= 0 || p > 65535) return null;
  return { host: h, port: p };
}

/** The addresses of a wsrep_incoming_addresses value ("h1:p1,h2:p2", "AUTO" or empty entries skipped). */
export function parseIncomingAddresses(value: string): Address[] {
  const out: Address[] = [];
  for (const item of value.split(",")) {
    const m = /^\s*(\[[^\]]+\]|[^:\s]+):(\d{1,5})\s*$/.exec(item);
    if (m === null) continue;
    const a = parseAnnounced(m[1], m[2]);
    if (a !== null) out.push(a);
    if (out.length >= MAX_SRV_RECORDS) break;
  }
  return out;
}

/** @internal The discovery of one cluster pool. */
export class Discovery {
  private readonly host: NodeSetHost;
  /** Where each node came from; absent means `hosts`. */
  readonly sources = new Map<ClusterNode, NodeSource>();
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private readonly state: DiscoveryStats = {
    srv: null,
    lastRoundAt: null,
    lastError: null,
    rounds: 0,
    failures: 0,
  };

  constructor(host: NodeSetHost) {
    this.host = host;
    if (host.cluster.srv !== null) this.state.srv = srvQueryName(host.cluster.srv);
  }

  /** True when there is anything to discover. */
  get active(): boolean {
    return this.host.cluster.srv !== null || this.host.cluster.monitor !== null;
  }

  /** The first SRV answer: rejects with a clear error when the name has no usable record. */
  async initial(): Promise<void> {
    const name = this.host.cluster.srv;
    if (name === null) return;
    const found = await resolveSrvNodes(name, this.host.cluster.srvResolver ?? defaultSrvResolver, this.host.connectDeadlineMs);
    if (found.length === 0) {
      throw new OperationalError(
        `createPool(): DNS SRV lookup of ${srvQueryName(name)} found no usable record (no record, or only targets of "." or malformed ones)`,
      );
    }
    this.apply("srv", found, true);
  }

  /** Starts the periodic rounds (unref'd: they never keep the process alive). */
  startLoop(): void {
    if (!this.active || this.timer !== undefined) return;
    this.timer = setInterval(() => void this.round(), this.host.cluster.discoveryMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round of every source; concurrent calls share it. Never rejects. */
  round(): Promise<void> {
    if (this.running === null) {
      this.running = this.runRound().finally(() => (this.running = null));
    }
    return this.running;
  }

  private async runRound(): Promise<void> {
    if (this.host.closed) return;
    this.state.rounds++;
    this.state.lastRoundAt = new Date();
    const srv = this.host.cluster.srv;
    if (srv !== null) {
      try {
        const found = await resolveSrvNodes(srv, this.host.cluster.srvResolver ?? defaultSrvResolver, this.host.connectDeadlineMs);
        // An empty answer is more likely a broken zone than a cluster gone: keep the nodes.
        if (found.length === 0)
          throw new OperationalError(`DNS SRV lookup of ${srvQueryName(srv)} found no usable record; keeping the last node set`);
        this.apply("srv", found, true);
      } catch (e) {
        this.failed("srv", e);
      }
    }
    if (this.host.cluster.monitor !== null && !this.host.closed) {
      const announced = await this.readAnnouncements();
      if (announced !== null) this.apply("announced", announced, false);
    }
  }

  private failed(source: "srv" | "announced", e: unknown): void {
    const error = e instanceof Error ? e : new OperationalError(String(e));
    this.state.lastError = error;
    this.state.failures++;
    if (discoveryChannel.hasSubscribers) {
      const message: DiscoveryMessage = { source, added: [], removed: [], error };
      discoveryChannel.publish(message);
    }
  }

  /**
   * Makes the nodes of `source` exactly `found`: new addresses join, nodes of that source that
   * are not in `found` leave. Addresses that an existing node of another source already has are
   * left to it. With `reorder`, the nodes of `source` take the order of `found`.
   */
  private apply(source: Exclude<NodeSource, "hosts">, found: readonly Address[], reorder: boolean): void {
    if (this.host.closed) return;
    const current = this.host.nodes;
    const byKey = new Map(current.map((n) => [key(n.spec), n]));
    const wanted = new Set(found.map(key));
    const added: ClusterNode[] = [];
    const ordered: ClusterNode[] = [];
    for (const a of found) {
      let n = byKey.get(key(a));
      if (n === undefined) {
        const name = `${a.host}:${a.port}`;
        n = this.host.createNode({ name, host: a.host, port: a.port, socket: null, weight: 1 });
        this.sources.set(n, source);
        byKey.set(key(a), n);
        added.push(n);
      }
      if (this.sourceOf(n) === source && !ordered.includes(n)) ordered.push(n);
    }
    const removed = current.filter((n) => this.sourceOf(n) === source && !wanted.has(key(n.spec)));
    const kept = current.filter((n) => !removed.includes(n));
    let next: ClusterNode[];
    if (reorder) {
      // The source's nodes (SRV: every node but announced ones) first, in the new order.
      next = [...ordered, ...kept.filter((n) => this.sourceOf(n) !== source)];
    } else {
      next = [...kept, ...added];
    }
    for (const n of removed) this.sources.delete(n);
    this.state.lastError = null;
    if (added.length === 0 && removed.length === 0 && sameOrder(current, next)) return;
    this.host.setNodes(next);
    if (discoveryChannel.hasSubscribers && (added.length > 0 || removed.length > 0)) {
      const message: DiscoveryMessage = {
        source,
        added: added.map((n) => n.name),
        removed: removed.map((n) => n.name),
        error: null,
      };
      discoveryChannel.publish(message);
    }
  }

  sourceOf(n: ClusterNode): NodeSource {
    return this.sources.get(n) ?? "hosts";
  }

  /**
   * What the reachable primaries and Galera nodes announce, through the monitor account; null
   * when none could be asked (the last set then stays).
   */
  private async readAnnouncements(): Promise<Address[] | null> {
    const askable = this.host.nodes.filter((n) => n.state !== "down" && (n.role === "primary" || n.role === "galera"));
    if (askable.length === 0) return null;
    const answers = await Promise.all(askable.map((n) => this.ask(n)));
    const ok = answers.filter((a): a is Address[] => a !== null);
    if (ok.length === 0) return null;
    const out: Address[] = [];
    const seen = new Set<string>();
    for (const a of ok.flat()) {
      if (seen.has(key(a)) || out.length >= MAX_SRV_RECORDS) continue;
      seen.add(key(a));
      out.push(a);
    }
    return out;
  }

  /** One node's announcement, on a short-lived connection of the monitor account (bounded). */
  private async ask(node: ClusterNode): Promise<Address[] | null> {
    const monitor = this.host.cluster.monitor!;
    const options = { ...node.options, user: monitor.user, password: monitor.password ?? "", db: null, initCommand: null };
    const conn = new Connection(options);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new OperationalError(`${node.name}: no answer to discovery within ${this.host.connectDeadlineMs / 1000} s`)),
        this.host.connectDeadlineMs,
      );
    });
    try {
      return await Promise.race([this.query(node, conn), deadline]);
    } catch (e) {
      this.failed(
        "announced",
        new OperationalError(`discovery on ${node.name} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e }),
      );
      return null;
    } finally {
      clearTimeout(timer);
      conn.close();
    }
  }

  private async query(node: ClusterNode, conn: Connection): Promise<Address[]> {
    await conn.open();
    if (node.role === "galera") {
      const r = (await runQuery(conn, "SHOW GLOBAL STATUS LIKE 'wsrep_incoming_addresses'"))[0];
      if (r instanceof Error) throw r;
      const row = r?.rows[0] as unknown[] | undefined;
      return typeof row?.[1] === "string" ? parseIncomingAddresses(row[1]) : [];
    }
    // SHOW SLAVE HOSTS: Server_id, Host, Port, Master_id (Host empty without report_host).
    const r = (await runQuery(conn, "SHOW SLAVE HOSTS"))[0];
    if (r instanceof Error) throw r;
    const out: Address[] = [];
    for (const row of (r?.rows ?? []) as unknown[][]) {
      const a = parseAnnounced(row[1], typeof row[2] === "bigint" ? Number(row[2]) : row[2]);
      if (a !== null) out.push(a);
      if (out.length >= MAX_SRV_RECORDS) break;
    }
    // The primary itself is in the set too: announced nodes keep it from being drained.
    out.push({ host: node.spec.host, port: node.spec.port });
    return out;
  }

  stats(): DiscoveryStats {
    return { ...this.state };
  }
}

function sameOrder(a: readonly ClusterNode[], b: readonly ClusterNode[]): boolean {
  return a.length === b.length && a.every((n, i) => b[i] === n);
}
