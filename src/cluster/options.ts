// Cluster pool options: the host list, the topology and the routing knobs, their checks and
// defaults, and the split of a URL's host list (Node's URL parser rejects one).
import { InterfaceError } from "../errors.js";

/** One server of a cluster: `"host:port"` (`"[::1]:3307"` for IPv6), or an object. */
export type HostSpec =
  | string
  | {
      /** Host name or address. */
      host?: string;
      /** TCP port (default: the pool's `port`, else 3306). */
      port?: number;
      /** Unix socket path, instead of TCP. */
      socket?: string;
      /** Relative share of the traffic this node gets among its peers (default 1). */
      weight?: number;
      /** The name in stats, errors and diagnostics messages (default `host:port`). */
      name?: string;
    };

/** How the servers of a cluster relate to each other. */
export type Topology = "auto" | "replication" | "galera" | "multi-primary";
/** How a node is picked among the eligible ones. */
export type Selector = "least-busy" | "round-robin" | "random" | "ordered";
/** Whether reads on a replica wait for this pool's writes. */
export type CausalReads = "pool" | "none";

/** A node's role, as the servers report it (never from the order of `hosts`). */
export type NodeRole = "primary" | "replica" | "galera" | "unknown";
/** A node's health: `degraded` nodes get traffic only when no `up` node can take it. */
export type NodeState = "up" | "degraded" | "down";

/** One node in `pool.stats().nodes`. */
export interface NodeStats {
  /** The node's name (its `name` option, else `host:port`). */
  name: string;
  /** Host name or address. */
  host: string;
  /** TCP port. */
  port: number;
  /** As the server last reported it: `"primary"`, `"replica"`, `"galera"`, or `"unknown"` before it answered. */
  role: NodeRole;
  /** `"up"`, `"degraded"` or `"down"`. */
  state: NodeState;
  /**
   * Replication delay in seconds, or null when not known (not a replica, or not measured yet):
   * from GTID positions, or with `monitor` the worst `Seconds_Behind_Master`, `Infinity` when it
   * is NULL (replication stopped).
   */
  lag: number | null;
  /** The error that last made the node down or degraded, or null. */
  lastError: Error | null;
  /** The node's @@server_id, or null before it answered. */
  serverId: number | null;
  /** Connections of this node's pool: in use, free and being opened. */
  size: number;
  /** Connections handed out from this node. */
  acquired: number;
  /** Failed attempts to use the node (connects, probes and statements lost with it). */
  failed: number;
  /** Where the node came from: `"hosts"`, `"srv"` or `"announced"` (set by the cluster pool). */
  source?: NodeSource;
  /** Reads `query()`/`execute()` routed to this node. */
  routedReads: number;
  /** Causal-read waits run on this node before a read. */
  causalWaits: number;
  /** Causal-read waits that timed out here, so the read ran on the writable node. */
  causalFallbacks: number;
}

/** Where a node of a cluster pool came from: the `hosts` option, the SRV records, or a server's announcement. */
export type NodeSource = "hosts" | "srv" | "announced";

/** `pool.stats().discovery`: the state of SRV and announced-node discovery. */
export interface DiscoveryStats {
  /** The SRV name looked up (`_mysql._tcp.<srv>`), or null without `srv`. */
  srv: string | null;
  /** When the last discovery round started, or null before the first. */
  lastRoundAt: Date | null;
  /** Why the last round could not read a source (its last node set was kept), or null when it could. */
  lastError: Error | null;
  /** Discovery rounds run (the first SRV lookup at start not counted). */
  rounds: number;
  /** Sources that could not be read (each kept its last node set). */
  failures: number;
}

/** The options that make `createPool()` build a cluster pool. Times are in seconds. */
export interface ClusterOptions {
  /** The servers of the cluster; with more than one (or with `topology`) the pool is a cluster pool. */
  hosts?: readonly HostSpec[];
  /** `"auto"` (default: detected from the servers), `"replication"`, `"galera"` or `"multi-primary"`. */
  topology?: Topology;
  /** Galera: let every Synced node take writes (default false: one writer node at a time). */
  multiWriter?: boolean;
  /** Seconds between background checks of every node's role and health (default 2). */
  healthCheckInterval?: number;
  /** A read goes to the writable node when no replica is eligible (default true). */
  replicaFallback?: boolean;
  /** `"pool"` (default): a read on a replica sees every write this pool committed before it; `"none"`. */
  causalReads?: CausalReads;
  /** Seconds a replica may take to catch up with a causal read before it runs on the primary (default 1). */
  causalReadTimeout?: number;
  /** A replica lagging more than this many seconds is degraded and gets no reads (default: no bound). */
  maxReplicaLag?: number | null;
  /** How a node is picked among the eligible ones (default `"least-busy"`). */
  selector?: Selector;
  /**
   * Seconds after which a node that stopped answering (a frozen or hung server, whose sockets
   * stay open) is declared down and the statements in flight on it fail with an
   * `OperationalError` (default 4). Detection is by the health probe on a side connection, run
   * every half of this while the node has statements in flight; its own answer deadline is
   * also half of this.
   */
  failureDetectionTimeout?: number;
  /**
   * An account for the health probes, with REPLICATION CLIENT / SLAVE MONITOR: the probes then read
   * the replicas' `Seconds_Behind_Master` and the replicas a primary announces. Without it the probes
   * use the pool's own account and measure lag from GTID positions.
   */
  monitor?: MonitorCredentials | null;
  /**
   * Discovery by DNS: the nodes are the targets of the SRV records `_mysql._tcp.<srv>`, in RFC
   * 2782 order (priority, then weighted random), re-resolved every `discoveryInterval` seconds
   * and whenever every node is down. Not with `hosts`. The URL form is `mysql+srv://user:pw@name/db`.
   */
  srv?: string | null;
  /** Resolves the SRV records of a name (default `dns.promises.resolveSrv`); tests inject their own. */
  srvResolver?: SrvResolver | null;
  /**
   * Seconds between discovery rounds (default 30): SRV re-resolution, and with `monitor` the
   * replicas the primary announces (SHOW SLAVE HOSTS) and the Galera nodes' incoming addresses.
   */
  discoveryInterval?: number;
}

/** One DNS SRV record, as `dns.promises.resolveSrv` returns it. */
export interface SrvRecord {
  /** Target host name. */
  name: string;
  /** TCP port. */
  port: number;
  /** Lower is preferred (RFC 2782). */
  priority: number;
  /** Relative share among the records of one priority (0: picked only when no other is left). */
  weight: number;
}

/** Looks up the SRV records of a DNS name (the full `_mysql._tcp.<name>`). */
export type SrvResolver = (name: string) => Promise<SrvRecord[]>;

/** The account of the cluster's health probes (option `monitor`). */
export interface MonitorCredentials {
  /** User name. */
  user: string;
  /** Password (default: none). */
  password?: string;
}

/** @internal One node as configured. */
export interface NodeSpec {
  name: string;
  host: string;
  port: number;
  socket: string | null;
  weight: number;
}

/** @internal The cluster's settings, times in milliseconds. */
export interface ClusterSettings {
  topology: Topology;
  multiWriter: boolean;
  healthCheckMs: number;
  replicaFallback: boolean;
  causalReads: CausalReads;
  causalReadTimeoutS: number;
  maxReplicaLagS: number | null;
  selector: Selector;
  monitor: MonitorCredentials | null;
  srv: string | null;
  srvResolver: SrvResolver | null;
  discoveryMs: number;
  failureDetectionMs: number;
}

/** @internal The option names that belong to the cluster, not to each node. */
export const CLUSTER_KEYS = [
  "hosts",
  "topology",
  "multiWriter",
  "healthCheckInterval",
  "replicaFallback",
  "causalReads",
  "causalReadTimeout",
  "maxReplicaLag",
  "selector",
  "monitor",
  "srv",
  "srvResolver",
  "discoveryInterval",
  "failureDetectionTimeout",
] as const;

function fail(message: string): never {
  throw new InterfaceError(`createPool(): ${message}`);
}

/** True when these options ask for a cluster pool. */
export function wantsCluster(o: ClusterOptions): boolean {
  return (
    (o.hosts !== undefined && o.hosts !== null) ||
    (o.topology !== undefined && o.topology !== null) ||
    (o.srv !== undefined && o.srv !== null)
  );
}

/** Parses `"host:port"`, `"host"` or `"[v6]:port"`. */
export function parseHostPort(spec: string, defaultPort: number): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d+))?$/.exec(spec.trim());
  if (m === null) fail(`host ${JSON.stringify(spec)} is not "host", "host:port" or "[ipv6]:port"`);
  const port = m[3] === undefined ? defaultPort : Number(m[3]);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) fail(`host ${JSON.stringify(spec)} has an invalid port`);
  return { host: (m[1] ?? m[2])!, port };
}

/** @internal Validates the host list; `fallback` are the pool's own host and port. */
export function resolveNodes(
  hosts: readonly HostSpec[] | undefined,
  fallback: { host?: string | undefined; port?: number | undefined },
): NodeSpec[] {
  const defaultPort = fallback.port ?? 3306;
  const list: readonly HostSpec[] = hosts ?? [`${fallback.host ?? "localhost"}`];
  if (!Array.isArray(list) || list.length === 0) fail("option 'hosts' must be a non-empty array");
  const names = new Set<string>();
  return list.map((h, i) => {
    let spec: NodeSpec;
    if (typeof h === "string") {
      const { host, port } = parseHostPort(h, defaultPort);
      spec = { name: `${host}:${port}`, host, port, socket: null, weight: 1 };
    } else if (typeof h === "object" && h !== null) {
      const port = h.port ?? defaultPort;
      if (!Number.isInteger(port) || port <= 0 || port > 65535) fail(`hosts[${i}].port must be an integer from 1 to 65535`);
      const weight = h.weight ?? 1;
      if (typeof weight !== "number" || !Number.isFinite(weight) || weight <= 0) fail(`hosts[${i}].weight must be a positive number`);
      const host = h.host ?? fallback.host ?? "localhost";
      const socket = h.socket ?? null;
      const name = h.name ?? (socket !== null && h.host === undefined ? socket : `${host}:${port}`);
      spec = { name, host, port, socket, weight };
    } else {
      fail(`hosts[${i}] must be a "host:port" string or an object`);
    }
    if (names.has(spec.name)) fail(`hosts lists ${spec.name} twice (give each node its own name)`);
    names.add(spec.name);
    return spec;
  });
}

function oneOf<T extends string>(name: string, v: unknown, allowed: readonly T[], dflt: T): T {
  if (v === undefined || v === null) return dflt;
  if (!allowed.includes(v as T))
    fail(`option '${name}' must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${JSON.stringify(v)}`);
  return v as T;
}

function seconds(name: string, v: unknown, dflt: number | null, positive: boolean): number | null {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || (positive && v === 0)) {
    fail(`option '${name}' must be a ${positive ? "positive" : "non-negative"} number of seconds, got ${String(v)}`);
  }
  return v;
}

function bool(name: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "boolean") fail(`option '${name}' must be a boolean, got ${String(v)}`);
  return v;
}

function monitorCredentials(v: unknown): MonitorCredentials | null {
  if (v === undefined || v === null) return null;
  const m = v as Partial<MonitorCredentials>;
  if (typeof v !== "object" || typeof m.user !== "string" || m.user === "") fail("option 'monitor' must be { user, password? }");
  if (m.password !== undefined && typeof m.password !== "string") fail("option 'monitor.password' must be a string");
  return m.password === undefined ? { user: m.user } : { user: m.user, password: m.password };
}

function srvName(o: ClusterOptions): string | null {
  if (o.srv === undefined || o.srv === null) return null;
  if (typeof o.srv !== "string" || !/^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,251}[A-Za-z0-9_.])?$/.test(o.srv)) {
    fail(`option 'srv' must be a DNS name, got ${JSON.stringify(o.srv)}`);
  }
  if (o.hosts !== undefined && o.hosts !== null) fail("options 'srv' and 'hosts' exclude each other: the SRV records list the nodes");
  if (o.srvResolver !== undefined && o.srvResolver !== null && typeof o.srvResolver !== "function") {
    fail("option 'srvResolver' must be a function (name) => Promise<SrvRecord[]>");
  }
  return o.srv;
}

/** @internal Checks the cluster options and applies their defaults. */
export function resolveClusterSettings(o: ClusterOptions): ClusterSettings {
  return {
    srv: srvName(o),
    srvResolver: o.srvResolver ?? null,
    discoveryMs: seconds("discoveryInterval", o.discoveryInterval, 30, true)! * 1000,
    topology: oneOf("topology", o.topology, ["auto", "replication", "galera", "multi-primary"], "auto"),
    multiWriter: bool("multiWriter", o.multiWriter, false),
    healthCheckMs: seconds("healthCheckInterval", o.healthCheckInterval, 2, true)! * 1000,
    replicaFallback: bool("replicaFallback", o.replicaFallback, true),
    causalReads: oneOf("causalReads", o.causalReads, ["pool", "none"], "pool"),
    causalReadTimeoutS: seconds("causalReadTimeout", o.causalReadTimeout, 1, false)!,
    maxReplicaLagS: seconds("maxReplicaLag", o.maxReplicaLag, null, false),
    selector: oneOf("selector", o.selector, ["least-busy", "round-robin", "random", "ordered"], "least-busy"),
    monitor: monitorCredentials(o.monitor),
    failureDetectionMs: seconds("failureDetectionTimeout", o.failureDetectionTimeout, 4, true)! * 1000,
  };
}

/**
 * Splits the host list out of a connection URL's authority, which Node's URL parser rejects:
 * returns the URL with only the first host, and the list, or null when there is one host.
 * A `mysql+srv://user:pw@name/db` URL returns the plain URL and `srv: name` (the SRV records
 * give the hosts and ports, so a port or a host list with `+srv` is an error).
 */
export function splitUrlHosts(url: string): { url: string; hosts: string[] } | { url: string; srv: string } | null {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/s.exec(url);
  if (m === null) return null;
  const authority = m[2]!;
  const at = authority.lastIndexOf("@");
  const userinfo = at === -1 ? "" : authority.slice(0, at + 1);
  const hostList = authority.slice(at + 1);
  const srv = /^(mysql|mariadb)\+srv:\/\/$/i.exec(m[1]!);
  if (srv !== null) {
    if (hostList.includes(",")) fail("a mysql+srv:// URL names one DNS name, not a host list");
    if (/:\d*$/.test(hostList)) fail("a mysql+srv:// URL takes no port: the SRV records give each node's port");
    if (hostList === "") fail("a mysql+srv:// URL needs the DNS name to look up");
    return { url: `${srv[1]!.toLowerCase()}://${userinfo}${hostList}${m[3]}`, srv: hostList };
  }
  if (!hostList.includes(",")) return null;
  const hosts = hostList.split(",").map((h) => h.trim());
  if (hosts.some((h) => h === "")) fail(`the URL's host list ${JSON.stringify(hostList)} has an empty entry`);
  for (const h of hosts) parseHostPort(h, 3306);
  return { url: `${m[1]}${userinfo}${hosts[0]}${m[3]}`, hosts };
}
