// ClusterPool: one Pool over the servers of a replicated or Galera cluster. Each node has its own
// pool; roles and health come from the servers (a probe on every new connection and a
// background loop); statements are routed by what they are; reads on replicas wait for this
// pool's own writes; reads fail over, writes never silently.
import type { Connection } from "../connection.js";
import type { ExecuteOptions } from "../cursors.js";
import {
  clientError,
  FailoverError,
  InterfaceError,
  MySQLError,
  OperationalError,
  TransactionResolutionUnknownError,
  type NodeFailure,
} from "../errors.js";
import { executeCount, Pool, queryRows, type PoolExecuteResult, type PoolQueryOptions } from "../pool.js";
import { resolvePoolOptions, timeoutMs, type AcquireOptions, type PoolOptions, type PoolStats } from "../pool-options.js";
import { CR } from "../protocol/constants.js";
import type { SessionState } from "../protocol/session-state.js";
import type { Row, SqlArgs, SqlParam } from "../types.js";
import { classifyStatement } from "./classify.js";
import { certificationConflict } from "./conflict.js";
import { Discovery, type NodeSetHost } from "./discovery.js";
import { GtidPosition } from "./gtid.js";
import { PrimaryHistory } from "./lag.js";
import { LagNotice } from "./lag-notice.js";
import { ClusterNode, type NodeHealth } from "./node.js";
import { CLUSTER_KEYS, resolveClusterSettings, resolveNodes, type ClusterOptions, type ClusterSettings, type NodeSpec } from "./options.js";
import { applyGaleraStatus, GALERA_STATUS_SQL, runQuery, isNodeFailure, parseProbe, probeSql, READ_ONLY_ERRNOS } from "./probe.js";
import { pickNode, RoundRobin } from "./select.js";

/** Seconds a cluster node's connect may take when the options set no connectTimeout. */
const DEFAULT_NODE_CONNECT_TIMEOUT_S = 5;
/** How often the health loop looks at the nodes (a down node's backoff can be shorter than the interval). */
const LOOP_TICK_MS = 100;

/** MariaDB: add last_gtid to the tracked variables, keeping what the server tracks already. */
const TRACK_LAST_GTID =
  "SET SESSION session_track_system_variables = IF(FIND_IN_SET('last_gtid', @@session.session_track_system_variables) OR @@session.session_track_system_variables = '*', @@session.session_track_system_variables, CONCAT_WS(',', NULLIF(@@session.session_track_system_variables, ''), 'last_gtid'))";
const TRACK_OWN_GTID = "SET SESSION session_track_gtids = OWN_GTID";

type Deadline = { at: number; signal: AbortSignal | undefined };

/** A pool over several servers; made by `createPool()` when the options list `hosts` or a `topology`. */
export class ClusterPool extends Pool implements NodeSetHost {
  /** @internal The nodes, in preference order (replaced, never mutated, when discovery changes them). */ nodes: readonly ClusterNode[];
  /** @internal */ readonly cluster: ClusterSettings;
  private readonly nodeTemplate: PoolOptions;
  private readonly discovery: Discovery;
  /** Nodes that left the set and are draining: their connections close as they come back. */
  private readonly draining = new Set<ClusterNode>();
  private readonly probes = new Map<ClusterNode, Promise<void>>();
  private readonly byPool = new Map<Pool, ClusterNode>();
  private readonly position = new GtidPosition();
  private readonly readRr = new RoundRobin();
  private readonly writeRr = new RoundRobin();
  private galeraWriter: ClusterNode | null = null;
  private loop: NodeJS.Timeout | undefined;
  private lastCheck = new Map<ClusterNode, number>();
  private shut = false;
  private readonly acquireTimeoutMs: number;
  private readonly lagNotice = new LagNotice();
  private readonly health: NodeHealth;

  /** @internal Use `createPool()`. */
  constructor(options: PoolOptions & ClusterOptions) {
    const all: Record<string, unknown> = { ...options };
    const password = options.password;
    for (const k of CLUSTER_KEYS) delete all[k];
    if (password !== undefined) all["password"] = password; // a {...copy} drops the hidden password
    const template: PoolOptions = { ...(all as PoolOptions), connectTimeout: options.connectTimeout ?? DEFAULT_NODE_CONNECT_TIMEOUT_S };
    const cluster = resolveClusterSettings(options);
    // With `srv` the nodes come from DNS at start().
    const specs = cluster.srv !== null ? [] : resolveNodes(options.hosts, { host: options.host, port: options.port });
    super(specs.length > 0 ? { ...template, host: specs[0]!.host, port: specs[0]!.port, unixSocket: specs[0]!.socket } : template);
    this.nodeTemplate = template;
    this.cluster = cluster;
    this.acquireTimeoutMs = this.settings.acquireTimeoutMs;
    const c = this.cluster;
    this.health = { monitor: c.monitor, history: new PrimaryHistory(), detectMs: c.failureDetectionMs };
    this.nodes = specs.map((spec) => this.createNode(spec));
    this.discovery = new Discovery(this);
  }

  /** @internal Makes a node (its own pool, probed on every new connection); not yet in `nodes`. */
  createNode(spec: NodeSpec): ClusterNode {
    const options: PoolOptions = { ...this.nodeTemplate, host: spec.host, port: spec.port, unixSocket: spec.socket };
    const { connect } = resolvePoolOptions(options);
    const pool = new Pool(options);
    const node = new ClusterNode(spec, pool, connect, this.health);
    pool.prepareConnection = (conn) => this.prepare(node, conn);
    // One acquire makes one attempt at a node: a ping that got no answer is that attempt.
    pool.checkTimedOut = (ms) =>
      clientError(CR.SERVER_LOST, `${node.name}: no answer to a check of a pooled connection within ${ms / 1000} s`);
    this.byPool.set(pool, node);
    return node;
  }

  /**
   * @internal Replaces the node set (discovery): new nodes are probed; nodes left out are drained:
   * no new work, in-flight work finishes, their connections close as they come back.
   */
  setNodes(next: readonly ClusterNode[]): void {
    const before = this.nodes;
    this.nodes = next;
    if (this.shut) return;
    for (const n of next) if (!before.includes(n)) void this.probeNode(n);
    for (const n of before) {
      if (next.includes(n)) continue;
      this.draining.add(n);
      if (this.galeraWriter === n) this.galeraWriter = null;
      this.lastCheck.delete(n);
      // After its last probe (which may be opening a monitor connection), close it.
      void Promise.resolve(this.probes.get(n))
        .then(() => {
          n.close(false);
          return n.pool.waitClosed();
        })
        .then(() => {
          this.draining.delete(n);
          this.byPool.delete(n.pool);
          this.probes.delete(n);
        });
    }
  }

  /** @internal Bound of one connect or probe of discovery, in milliseconds. */
  get connectDeadlineMs(): number {
    return (this.nodeTemplate.connectTimeout ?? DEFAULT_NODE_CONNECT_TIMEOUT_S) * 1000;
  }

  // ---- start, health loop ----

  /** @internal Probes every node; rejects when none answered (with the error every node gave, if one). */
  async start(): Promise<void> {
    await this.discovery.initial();
    await Promise.all(this.nodes.map((n) => this.probeNode(n)));
    if (!this.nodes.some((n) => n.role !== "unknown" && n.state !== "down")) {
      const global = this.nodes.map((n) => n.lastError).find((e) => e !== null && !isNodeFailure(e));
      throw global ?? this.noNodeError("No node of the cluster could be reached");
    }
    // Open minSize connections on every node that answered (later ones open on demand).
    await Promise.all(this.nodes.filter((n) => n.state !== "down").map((n) => n.pool.fill().catch(() => {})));
    this.loop = setInterval(() => this.tick(), Math.min(LOOP_TICK_MS, this.cluster.healthCheckMs));
    this.loop.unref();
    this.discovery.startLoop();
    if (this.cluster.monitor !== null) void this.discovery.round();
  }

  private connectMs(n: ClusterNode): number {
    return (n.options.connectTimeout ?? DEFAULT_NODE_CONNECT_TIMEOUT_S) * 1000;
  }

  private probeNode(n: ClusterNode, fresh = false): Promise<void> {
    this.lastCheck.set(n, Date.now());
    const p = n.probe(this.connectMs(n), this.cluster.healthCheckMs, this.cluster.maxReplicaLagS, fresh);
    this.probes.set(n, p);
    return p;
  }

  /**
   * Re-probes up nodes every healthCheckInterval (every half failureDetectionTimeout while
   * statements run on them, so a frozen node is noticed in time) and down nodes when their
   * backoff ends.
   */
  private tick(): void {
    if (this.shut) return;
    const now = Date.now();
    const c = this.cluster;
    for (const n of this.nodes) {
      const every = n.hasWorkInFlight ? Math.min(c.healthCheckMs, c.failureDetectionMs / 2) : c.healthCheckMs;
      const due = n.state === "down" ? now >= n.nextProbeAt : now - (this.lastCheck.get(n) ?? 0) >= every;
      if (due) void this.probeNode(n);
    }
    this.lagNotice.update(this.nodes, c.maxReplicaLagS, c.replicaFallback);
  }

  /** Probes every node now (after a read-only refusal, or when no node can take a call), bounded by `d`. */
  private async reprobe(d: Deadline, only?: (n: ClusterNode) => boolean): Promise<void> {
    // A down node's probe in flight is fresh enough: waiting for another would double the cost of a frozen one.
    const probes = Promise.all([
      ...this.nodes.filter((n) => only?.(n) ?? true).map((n) => this.probeNode(n, n.state !== "down")),
      // Every node down: the cluster may have moved (SRV records re-resolved, announcements re-read).
      this.discovery.active && this.nodes.every((n) => n.state === "down")
        ? this.discovery.round().then(() => Promise.all(this.nodes.map((n) => this.probes.get(n))))
        : undefined,
    ]);
    const left = d.at - Date.now();
    if (left <= 0) return;
    if (!Number.isFinite(left)) return void (await probes); // each probe is bounded by its own deadline
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([probes, new Promise<void>((r) => (timer = setTimeout(r, left)))]);
    clearTimeout(timer);
  }

  /** Runs on every new connection of a node: tracking of GTIDs and the probe, in one round trip. */
  private async prepare(node: ClusterNode, conn: Connection): Promise<void> {
    conn.node = node.name;
    const causal = this.cluster.causalReads === "pool";
    const track = causal ? runQuery(conn, conn.isMariaDB ? TRACK_LAST_GTID : TRACK_OWN_GTID, { drainAll: true }) : Promise.resolve([]);
    const probe = runQuery(conn, probeSql(conn.isMariaDB));
    const [, results] = await Promise.all([track, probe]);
    const p = parseProbe(results);
    if (p.wsrepOn) applyGaleraStatus(p, await runQuery(conn, GALERA_STATUS_SQL));
    node.isMariaDb = conn.isMariaDB;
    node.apply(p, this.cluster.maxReplicaLagS);
    if (node.state === "down") throw node.lastError ?? new OperationalError(`${node.name} is down`);
    // Galera: a read waits until the node has applied every write the cluster certified before it.
    if (p.wsrepOn && causal) await runQuery(conn, "SET SESSION wsrep_sync_wait = 1", { drainAll: true });
    conn.onSessionState = (s) => this.noteSessionState(s);
    // A write refused as read-only, also on a connection the caller holds: the writer moved.
    conn.onServerError = (e) => {
      if (e.errno !== null && READ_ONLY_ERRNOS.has(e.errno) && !this.shut) void this.reprobe({ at: Infinity, signal: undefined });
    };
    if (conn.inTransaction) await conn.rollback();
  }

  private noteSessionState(s: SessionState): void {
    const last = s.systemVariables.get("last_gtid");
    if (last) this.position.noteMariaDb(last);
    if (s.gtids) this.position.noteMySql(s.gtids);
  }

  // ---- which node ----

  private writers(): ClusterNode[] {
    const live = this.nodes.filter((n) => n.state !== "down");
    const topo = this.cluster.topology;
    if (topo === "multi-primary") return live.filter((n) => n.role !== "unknown");
    const galera = live.filter((n) => n.role === "galera");
    if (galera.length > 0 && (topo === "galera" || topo === "auto")) {
      if (this.cluster.multiWriter) return galera;
      // One writer at a time, so concurrent writers never conflict at certification: keep it
      // while it is up, else move to the first up node in `hosts` order.
      const w = this.galeraWriter;
      if (w !== null && w.role === "galera" && w.state === "up") return [w];
      const next = galera.find((n) => n.state === "up") ?? galera[0]!;
      this.galeraWriter = next;
      return [next];
    }
    return live.filter((n) => n.role === "primary");
  }

  private readers(): ClusterNode[] {
    const live = this.nodes.filter((n) => n.state !== "down");
    if (this.cluster.topology === "multi-primary") return live.filter((n) => n.role !== "unknown");
    const replicas = live.filter((n) => n.role === "replica");
    // A replica over maxReplicaLag gets no reads, not even as a fallback: the bound is a promise.
    if (replicas.length > 0) return replicas.filter((n) => !n.lagging);
    return live.filter((n) => n.role === "galera");
  }

  private noNodeError(what: string, cause?: unknown): FailoverError {
    const nodes: NodeFailure[] = this.nodes.map((n) => ({ node: n.name, error: n.lastError }));
    const detail = this.nodes.map((n) => `${n.name} (${n.role}, ${n.state}): ${n.lastError ? n.lastError.message : "no error"}`).join("; ");
    return new FailoverError(`${what}: ${detail}`, nodes, cause === undefined ? {} : { cause });
  }

  private deadline(options: AcquireOptions): Deadline {
    const ms = options.timeout === undefined ? this.acquireTimeoutMs : timeoutMs("acquire()", options.timeout);
    return { at: ms < 0 ? Infinity : Date.now() + ms, signal: options.signal };
  }

  private async take(node: ClusterNode, d: Deadline): Promise<Connection> {
    const left = d.at - Date.now();
    try {
      const conn = await node.pool.acquire({ signal: d.signal, timeout: Number.isFinite(left) ? Math.max(0, left) / 1000 : undefined });
      node.counters.acquired++;
      for (const c of node.inUse) if (c.closed) node.inUse.delete(c);
      node.inUse.add(conn);
      return conn;
    } catch (e) {
      if (isNodeFailure(e)) node.fail(e, this.cluster.healthCheckMs);
      else if (e instanceof MySQLError && e.errno !== null) node.lastError = e;
      throw e;
    }
  }

  /** A connection to the writable node: one attempt per node, probing when none is known. */
  private async takeWriter(d: Deadline): Promise<Connection> {
    const tried = new Set<ClusterNode>();
    let probed = false;
    for (;;) {
      const node = pickNode(
        this.writers().filter((n) => !tried.has(n)),
        this.cluster.topology === "multi-primary" || this.cluster.multiWriter ? this.cluster.selector : "ordered",
        this.writeRr,
      );
      if (node === null) {
        if (probed) throw this.noNodeError("No writable node of the cluster could be reached");
        probed = true;
        await this.reprobe(d, (n) => !tried.has(n));
        continue;
      }
      tried.add(node);
      try {
        return await this.take(node, d);
      } catch (e) {
        if (!isNodeFailure(e) || Date.now() >= d.at) throw e;
      }
    }
  }

  /** A connection for a read: a replica (or Synced Galera node), else the writer when allowed. */
  private async takeReader(d: Deadline, exclude: ReadonlySet<ClusterNode>): Promise<Connection> {
    for (let attempt = 0; attempt < this.nodes.length; attempt++) {
      const eligible = this.readers().filter((n) => !exclude.has(n));
      // Replicas known to be behind this pool's writes only if nothing else can take the read.
      const now = Date.now();
      const current = eligible.filter((n) => !(this.needsWait(n) && n.behindUntil > now));
      if (current.length === 0 && eligible.length > 0 && this.cluster.replicaFallback) break; // all behind: the writer has it
      const node = pickNode(current.length > 0 ? current : eligible, this.cluster.selector, this.readRr);
      if (node === null) break;
      try {
        return await this.take(node, d);
      } catch (e) {
        if (!isNodeFailure(e) || Date.now() >= d.at) throw e;
      }
    }
    this.lagNotice.update(this.nodes, this.cluster.maxReplicaLagS, this.cluster.replicaFallback);
    if (!this.cluster.replicaFallback) {
      const lag = this.cluster.maxReplicaLagS;
      const why = this.lagNotice.allLagging ? `every replica lags more than maxReplicaLag ${lag} s, and ` : "";
      throw this.noNodeError(`No replica of the cluster is eligible for a read (${why}replicaFallback is off)`);
    }
    return this.takeWriter(d);
  }

  private nodeOf(conn: Connection): ClusterNode | undefined {
    return conn.owner instanceof Pool ? this.byPool.get(conn.owner) : undefined;
  }

  /** True when a read on `node` must first wait for this pool's latest write. */
  private needsWait(node: ClusterNode): boolean {
    return (
      this.cluster.causalReads === "pool" && node.role === "replica" && !this.position.empty && node.reachedVersion < this.position.version
    );
  }

  /** Sends the causal wait on `conn` (pipelined with whatever follows); resolves true when reached. */
  private causalWait(node: ClusterNode, conn: Connection): Promise<boolean> | null {
    if (!this.needsWait(node)) return null;
    const sql = this.position.waitStatement(conn.isMariaDB, this.cluster.causalReadTimeoutS);
    if (sql === null) return null;
    const version = this.position.version;
    node.counters.causalWaits++;
    return runQuery(conn, sql, { drainAll: true }).then((results) => {
      const r = results[0];
      const v = r instanceof Error || r === undefined ? null : (r.rows[0] as unknown[] | undefined)?.[0];
      const reached = v !== null && v !== undefined && Number(v) === 0;
      if (reached) {
        node.reachedVersion = Math.max(node.reachedVersion, version);
        node.behindUntil = 0;
      } else {
        node.counters.causalFallbacks++;
        // Do not make the next reads wait on it too: skip it until the next health check.
        node.behindUntil = Date.now() + this.cluster.healthCheckMs;
      }
      return reached;
    });
  }

  // ---- the Pool surface ----

  /**
   * A connection to the writable node, or with `readOnly: true` to a replica (which has applied
   * this pool's writes when `causalReads` is `"pool"`, else the connection is to the primary).
   * Rejects with `FailoverError`, naming each node and its last error, when none can be reached.
   */
  override async acquire(options: AcquireOptions = {}): Promise<Connection> {
    if (this.shut) throw new InterfaceError("Cannot acquire connection after closing pool");
    if (typeof options !== "object" || options === null) throw new InterfaceError("acquire(): options must be an object");
    const d = this.deadline(options);
    if (options.readOnly !== true) return this.takeWriter(d);
    const conn = await this.takeReader(d, new Set());
    const node = this.nodeOf(conn);
    const wait = node === undefined ? null : this.causalWait(node, conn);
    if (wait === null) return conn;
    let reached = false;
    try {
      reached = await wait;
    } catch (e) {
      this.release(conn);
      throw e;
    }
    if (reached) return conn;
    this.release(conn);
    return this.takeWriter(d);
  }

  /** Gives a connection back to its node's pool. */
  override release(conn: Connection): void {
    const node = this.nodeOf(conn);
    if (node === undefined) throw new InterfaceError("release(): the connection does not belong to this pool");
    const lost = conn.closed;
    node.inUse.delete(conn);
    node.pool.release(conn);
    if (lost && !this.shut && this.nodes.includes(node)) void this.probeNode(node);
  }

  /**
   * Runs one statement: a recognisable read on a replica (after this pool's writes, and once
   * more on another node if the replica fails), anything else on the writable node (retried
   * once only with `idempotent: true`). Returns the rows, as `Pool.query()` does.
   */
  override async query<R = Row>(sql: string, args?: SqlArgs | SqlParam | null, options: PoolQueryOptions<R> = {}): Promise<R[]> {
    return this.route(sql, options, (conn, exec) => queryRows(conn, sql, args, options.cursorClass, exec));
  }

  /** Runs one statement, routed as `query()` routes it; returns its row count and last insert id. */
  override async execute(sql: string, args?: SqlArgs | SqlParam | null, options: PoolQueryOptions = {}): Promise<PoolExecuteResult> {
    return this.route(sql, options, (conn, exec) => executeCount(conn, sql, args, exec));
  }

  private async route<T>(
    sql: string,
    options: { signal?: AbortSignal | undefined; timeout?: number | undefined; idempotent?: boolean | undefined },
    fn: (conn: Connection, exec: ExecuteOptions) => Promise<T>,
  ): Promise<T> {
    if (this.shut) throw new InterfaceError("Cannot acquire connection after closing pool");
    const started = Date.now();
    const d = this.deadline({ signal: options.signal, timeout: options.timeout });
    const exec = (): ExecuteOptions => {
      const o: ExecuteOptions = {};
      if (options.signal) o.signal = options.signal;
      if (options.timeout !== undefined) o.timeout = Math.max(0.001, options.timeout - (Date.now() - started) / 1000);
      return o;
    };
    const run = async (conn: Connection, before: Promise<boolean> | null): Promise<{ ok: true; value: T } | { ok: false }> => {
      // The wait (if any) and the statement go out together: one round trip.
      const main = fn(conn, exec()).then(async (value) => {
        if (conn.inTransaction) await conn.commit();
        return value;
      });
      if (before === null) return { ok: true, value: await main };
      const [w, m] = await Promise.allSettled([before, main]);
      if (w.status === "fulfilled" && !w.value) return { ok: false }; // replica behind: rerun on the primary
      if (w.status === "rejected") throw w.reason;
      if (m.status === "rejected") throw m.reason;
      return { ok: true, value: m.value };
    };
    if (classifyStatement(sql) === "read") return this.routeRead(d, run);
    return this.routeWrite(d, options.idempotent === true, run);
  }

  private async routeRead<T>(
    d: Deadline,
    run: (conn: Connection, before: Promise<boolean> | null) => Promise<{ ok: true; value: T } | { ok: false }>,
  ): Promise<T> {
    const failed = new Set<ClusterNode>();
    for (let attempt = 0; ; attempt++) {
      const conn = await this.takeReader(d, failed);
      const node = this.nodeOf(conn)!;
      if (node.role !== "primary") node.counters.routedReads++;
      try {
        const r = await run(conn, this.causalWait(node, conn));
        if (r.ok) return r.value;
      } catch (e) {
        // A read may run again: once, on another node, when this one failed.
        if (attempt > 0 || !isNodeFailure(e)) throw e;
        node.fail(e, this.cluster.healthCheckMs);
        failed.add(node);
        continue;
      } finally {
        this.release(conn);
      }
      // The replica did not catch up within causalReadTimeout: the writer has every write.
      const w = await this.takeWriter(d);
      try {
        const r = await run(w, null);
        if (r.ok) return r.value;
      } finally {
        this.release(w);
      }
    }
  }

  private async routeWrite<T>(
    d: Deadline,
    idempotent: boolean,
    run: (conn: Connection, before: Promise<boolean> | null) => Promise<{ ok: true; value: T } | { ok: false }>,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const conn = await this.takeWriter(d);
      const node = this.nodeOf(conn)!;
      try {
        const r = await run(conn, null);
        if (r.ok) return r.value;
      } catch (e) {
        const again = idempotent && attempt === 0;
        if (e instanceof MySQLError && e.errno !== null && READ_ONLY_ERRNOS.has(e.errno)) {
          // The writer changed under us: find the new one now.
          await this.reprobe(d);
          if (again) continue;
          throw new FailoverError(
            `The writable node changed: ${node.name} refused the write as read-only (errno ${e.errno}); the statement was not applied and not retried (pass idempotent: true to allow one retry)`,
            this.nodes.map((n) => ({ node: n.name, error: n.lastError })),
            { errno: e.errno, sqlState: e.sqlState, cause: e },
          );
        }
        if (!isNodeFailure(e)) throw certificationConflict(node, e);
        node.fail(e, this.cluster.healthCheckMs);
        if (again) continue;
        if (e instanceof TransactionResolutionUnknownError) throw e;
        throw new FailoverError(
          `Lost the writable node ${node.name} during a write: the statement may or may not have been applied, and was not retried (pass idempotent: true to allow one retry): ${(e as Error).message}`,
          this.nodes.map((n) => ({ node: n.name, error: n.lastError })),
          { errno: e instanceof MySQLError ? e.errno : null, cause: e },
        );
      } finally {
        this.release(conn);
      }
    }
  }

  /** @internal A 1213 on a Galera node is a certification conflict (see conflict.ts). */
  transactionError(conn: Connection, err: unknown): unknown {
    return certificationConflict(this.nodeOf(conn), err);
  }

  /** @internal A transaction lost with its node: a FailoverError naming every node. */
  lostTransactionError(conn: Connection, message: string, cause: OperationalError): OperationalError {
    const node = this.nodeOf(conn);
    return new FailoverError(
      node === undefined ? message : `${node.name}: ${message}`,
      this.nodes.map((n) => ({ node: n.name, error: n.lastError })),
      { errno: cause.errno, sqlState: cause.sqlState, cause },
    );
  }

  /** Counters summed over the nodes, and `nodes`: one entry per node with its role, state and counters. */
  override stats(): PoolStats {
    const total = this.nodes.map((n) => n.pool.stats());
    const sum = { ...(total[0] ?? super.stats()) };
    for (const s of total.slice(1)) {
      for (const k of Object.keys(sum) as Array<keyof PoolStats>) {
        const v = s[k];
        if (typeof v === "number") (sum as Record<string, unknown>)[k] = (sum[k] as number) + v;
      }
    }
    sum.nodes = this.nodes.map((n) => ({ ...n.stats(), source: this.discovery.sourceOf(n) }));
    if (this.discovery.active) sum.discovery = this.discovery.stats();
    return sum;
  }

  /** Connections kept open per node. */
  override get minSize(): number {
    return this.settings.minSize;
  }
  /** Most connections per node (0: unlimited). */
  override get maxSize(): number {
    return this.settings.maxSize;
  }
  /** Connections over all nodes: free, in use, being opened or checked. */
  override get size(): number {
    return this.nodes.reduce((s, n) => s + n.pool.size, 0);
  }
  /** Free connections over all nodes. */
  override get freeSize(): number {
    return this.nodes.reduce((s, n) => s + n.pool.freeSize, 0);
  }
  /** True once close() or terminate() was called. */
  override get closed(): boolean {
    return this.shut;
  }

  /** @internal */
  override fill(): Promise<void> {
    return this.start();
  }

  /** Closes every free connection of every node. */
  override async clear(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.pool.clear()));
  }

  /** Stops the health loop and closes every node's pool (connections in use close when released). */
  override close(): void {
    if (this.shut) return;
    this.shut = true;
    clearInterval(this.loop);
    this.discovery.stop();
    for (const n of [...this.nodes, ...this.draining]) n.close(false);
  }

  /** Closes the pool and every connection at once. */
  override terminate(): void {
    this.close();
    for (const n of [...this.nodes, ...this.draining]) n.close(true);
  }

  /** Resolves once every node's connections are back and closed. */
  override async waitClosed(): Promise<void> {
    if (!this.shut) throw new InterfaceError("waitClosed(): call close() or terminate() first");
    await Promise.all([...this.nodes, ...this.draining].map((n) => n.pool.waitClosed()));
  }
}
