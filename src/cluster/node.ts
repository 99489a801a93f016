// One node of a cluster pool: its own pool of connections, its role and health as the server
// reports them, the backoff of its probes while it is down, and its counters.
import { channel } from "node:diagnostics_channel";
import { Connection } from "../connection.js";
import { clientError, OperationalError } from "../errors.js";
import { CR } from "../protocol/constants.js";
import { hidePassword, type ResolvedOptions } from "../options.js";
import { Pool } from "../pool.js";
import {
  applyGaleraStatus,
  GALERA_STATUS_SQL,
  runQuery,
  isNodeFailure,
  judge,
  parseProbe,
  probeSql,
  readLag,
  type ProbeResult,
} from "./probe.js";
import { PrimaryHistory } from "./lag.js";
import type { MonitorCredentials, NodeRole, NodeSpec, NodeState, NodeStats } from "./options.js";

/** A message of the `aiomysql:node` diagnostics channel: a node's state or role changed. */
export interface NodeChangeMessage {
  /** The node's name. */
  node: string;
  /** Host name or address. */
  host: string;
  /** TCP port. */
  port: number;
  /** Role now. */
  role: NodeRole;
  /** Role before the change. */
  previousRole: NodeRole;
  /** State now. */
  state: NodeState;
  /** State before the change. */
  previousState: NodeState;
  /** Why the node is down or degraded, or null when it is up. */
  error: Error | null;
  /**
   * Set when the message is about the cluster's reads rather than this node's state:
   * `"all-replicas-lagging"` (every replica lags more than `maxReplicaLag`, so reads go to this
   * node, the primary; `error` says why) and `"replicas-caught-up"` (a replica is back under the
   * bound). Each is sent once per change.
   */
  event?: "all-replicas-lagging" | "replicas-caught-up";
}

/** @internal What a node's health checks share with the pool. */
export interface NodeHealth {
  /** The probes' account (option `monitor`), or null for the pool's own account. */
  monitor: MonitorCredentials | null;
  /** The primary's recent GTID positions, for the lag of replicas without `monitor`. */
  history: PrimaryHistory;
  /** Option `failureDetectionTimeout`, in ms. */
  detectMs: number;
}

/** The `aiomysql:node` diagnostics channel. */
export const nodeChannel = channel("aiomysql:node");

const BACKOFF_MIN_MS = 100;
/** Failure-detection time of a node made without the pool's settings (the option's default). */
const DEFAULT_DETECT_MS = 4000;
/** Longest the health probe waits for a replica's lag. */
const LAG_DEADLINE_MS = 500;

/** `p`'s value, or undefined when it takes longer than `ms`. */
async function withDeadline<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** @internal */
export class ClusterNode {
  readonly spec: NodeSpec;
  readonly pool: Pool;
  readonly options: ResolvedOptions;
  role: NodeRole = "unknown";
  state: NodeState = "down";
  lag: number | null = null;
  /** A replica over `maxReplicaLag`: it gets no reads (its lag is a promise about staleness). */
  lagging = false;
  lastError: Error | null = null;
  serverId: number | null = null;
  isMariaDb = true;
  /** The GtidPosition version this node was last seen to have applied. */
  reachedVersion = -1;
  /** Until this time a causal read skips the node: its last wait timed out (a stopped or delayed applier). */
  behindUntil = 0;
  /** Earliest time of the next probe while down; backoff doubles up to the health interval. */
  nextProbeAt = 0;
  private backoffMs = 0;
  private probing: Promise<void> | null = null;
  private monitor: Connection | null = null;
  counters = { acquired: 0, failed: 0, routedReads: 0, causalWaits: 0, causalFallbacks: 0 };
  /** Connections handed out from this node (closed ones are pruned as new ones are added). */
  readonly inUse = new Set<Connection>();
  readonly health: NodeHealth;

  constructor(
    spec: NodeSpec,
    pool: Pool,
    options: ResolvedOptions,
    health: NodeHealth = { monitor: null, history: new PrimaryHistory(), detectMs: DEFAULT_DETECT_MS },
  ) {
    this.spec = spec;
    this.pool = pool;
    this.options = options;
    this.health = health;
  }

  /** True while a statement runs on a connection handed out from this node. */
  get hasWorkInFlight(): boolean {
    for (const conn of this.inUse) if (!conn.closed && conn.hasPendingWork) return true;
    return false;
  }

  get name(): string {
    return this.spec.name;
  }

  /** Connections in use from this node (for least-busy). */
  get busy(): number {
    const s = this.pool.stats();
    return s.used + s.waiting;
  }

  /** Applies a probe's result, announcing a change of role or state. */
  apply(p: ProbeResult, maxLagS: number | null): void {
    this.serverId = p.serverId;
    const { role, state, why } = judge(p, this.lag, maxLagS);
    this.lagging = role === "replica" && maxLagS !== null && this.lag !== null && this.lag > maxLagS;
    this.set(role, state, why === null ? null : new OperationalError(`${this.name}: ${why}`));
  }

  /** Records that the node failed with `err`: down, probed again after a backoff with jitter. */
  fail(err: unknown, intervalMs: number): void {
    this.counters.failed++;
    this.backOff(intervalMs);
    const error = err instanceof Error ? err : new OperationalError(String(err));
    this.set(this.role, "down", error);
    // Free connections to a down node are most likely dead: drop them.
    void this.pool.clear().catch(() => {});
  }

  /** Pushes the next probe back: the delay doubles from 100 ms up to the health interval. */
  private backOff(intervalMs: number): void {
    this.backoffMs = Math.min(intervalMs, Math.max(BACKOFF_MIN_MS, this.backoffMs * 2));
    // Jitter in [backoff/2, backoff): many clients do not reprobe a node in step.
    this.nextProbeAt = Date.now() + this.backoffMs / 2 + Math.random() * (this.backoffMs / 2);
  }

  private set(role: NodeRole, state: NodeState, error: Error | null): void {
    const previousRole = this.role;
    const previousState = this.state;
    this.role = role;
    this.state = state;
    if (error !== null || state === "up") this.lastError = error;
    if (state !== "down") this.backoffMs = 0;
    if ((previousRole !== role || previousState !== state) && nodeChannel.hasSubscribers) {
      const message: NodeChangeMessage = {
        node: this.name,
        host: this.spec.host,
        port: this.spec.port,
        role,
        previousRole,
        state,
        previousState,
        error,
      };
      nodeChannel.publish(message);
    }
  }

  /**
   * Probes the node on its monitor connection (opened when needed, within `connectMs`); the
   * probe's statements must answer within half the failure-detection time. Concurrent calls
   * share one probe. Never rejects: a failure marks the node down.
   */
  probe(connectMs: number, intervalMs: number, maxLagS: number | null, fresh = false): Promise<void> {
    // A fresh probe must start after the call (the node may have come back since the one in flight began).
    if (this.probing !== null) return fresh ? this.probing.then(() => this.probe(connectMs, intervalMs, maxLagS)) : this.probing;
    // A frozen server (SIGSTOP, a hung host) keeps its sockets open and never answers: the probe
    // is the side connection that notices, within half the failure-detection time of its start.
    const open = this.monitor !== null && !this.monitor.closed;
    const deadlineMs = (open ? 0 : connectMs) + this.health.detectMs / 2;
    this.probing = this.runProbe(deadlineMs, intervalMs, maxLagS).finally(() => (this.probing = null));
    return this.probing;
  }

  private async runProbe(deadlineMs: number, intervalMs: number, maxLagS: number | null): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new OperationalError(`${this.name}: no answer to the health probe within ${deadlineMs / 1000} s`, { errno: 2013 })),
        deadlineMs,
      );
    });
    try {
      await Promise.race([this.probeOnce(maxLagS), deadline]);
    } catch (e) {
      this.monitor?.close();
      this.monitor = null;
      if (!isNodeFailure(e)) {
        // An error every node would give (a wrong password): not a sign of the node's health.
        this.lastError = e instanceof Error ? e : new OperationalError(String(e));
        this.counters.failed++;
        this.backOff(intervalMs);
        return;
      }
      this.fail(e, intervalMs);
      // The node does not answer: statements still waiting on it would wait forever (a frozen
      // server keeps its sockets open). Fail them as lost, so reads can run elsewhere.
      const lost = clientError(
        CR.SERVER_LOST,
        `Lost connection to ${this.name}: the node stopped answering (${this.lastError?.message ?? "down"})`,
        e,
      );
      for (const conn of this.inUse) if (!conn.closed && conn.hasPendingWork) conn.session.fatal(lost);
    } finally {
      clearTimeout(timer);
    }
  }

  private async probeOnce(maxLagS: number | null): Promise<void> {
    if (this.monitor === null || this.monitor.closed) {
      const m = this.health.monitor;
      // The monitor account needs no access to the pool's database.
      const conn = new Connection(
        m === null ? this.options : hidePassword({ ...this.options, user: m.user, password: m.password ?? "", db: null }),
      );
      this.monitor = conn;
      await conn.open();
    }
    const conn = this.monitor;
    this.isMariaDb = conn.isMariaDB;
    const result = parseProbe(await runQuery(conn, probeSql(conn.isMariaDB)));
    const at = Date.now();
    if (result.wsrepOn) applyGaleraStatus(result, await runQuery(conn, GALERA_STATUS_SQL));
    if (!result.wsrepOn && !result.readOnly) this.health.history.note(this.name, result.gtidPosition, at);
    if (result.wsrepOn || !result.readOnly) {
      this.lag = null;
    } else if (this.health.monitor === null) {
      // No privilege to read replica status: the lag from GTID positions (see lag.ts).
      this.lag = this.health.history.lagOf(result.gtidPosition, at);
    } else {
      this.apply(result, maxLagS);
      // The lag is read last and on its own bound: SHOW SLAVE STATUS can wait on replication
      // locks for long, and that says nothing about whether the node serves reads.
      const lag = await withDeadline(readLag(conn), LAG_DEADLINE_MS);
      if (lag === undefined) {
        conn.close(); // still busy with the SHOW: the next probe opens a new monitor
        if (this.monitor === conn) this.monitor = null;
        return;
      }
      this.lag = lag;
    }
    this.apply(result, maxLagS);
  }

  stats(): NodeStats {
    return {
      name: this.name,
      host: this.spec.host,
      port: this.spec.port,
      role: this.role,
      state: this.state,
      lag: this.lag,
      lastError: this.lastError,
      serverId: this.serverId,
      size: this.pool.size,
      ...this.counters,
    };
  }

  /** Closes the monitor connection and the node's pool. */
  close(terminate: boolean): void {
    this.monitor?.close();
    this.monitor = null;
    if (terminate) this.pool.terminate();
    else this.pool.close();
  }
}
