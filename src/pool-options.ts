// Pool options: what createPool() accepts beyond connect()'s options, their checks and defaults,
// and the shape of the counters Pool.stats() returns.
import type { Cursor, CursorClass } from "./cursors.js";
import { InterfaceError } from "./errors.js";
import { CONNECT_OPTION_NAMES, checkOptionNames, checkOptionsObject } from "./options-check.js";
import { CLUSTER_KEYS, type ClusterOptions, type DiscoveryStats, type NodeStats } from "./cluster/options.js";
import { parseConnectionUrl, resolveOptions, type ConnectOptions, type ResolvedOptions } from "./options.js";
import type { Row } from "./types.js";

/** Options of `createPool()`: every `connect()` option plus the pool's own. Times are in seconds. */
export interface PoolOptions extends ConnectOptions, ClusterOptions {
  /** Connections opened at creation and kept open (default 1). */
  minSize?: number;
  /** Most connections at once, in use and free (default 10; 0 means unlimited). */
  maxSize?: number;
  /**
   * Seconds a free connection may sit unused before it is replaced on acquire (default -1:
   * never). As in the seed, the clock is the time since the connection's last statement.
   */
  poolRecycle?: number;
  /**
   * Default `timeout` of `acquire()`: seconds to wait for a connection before giving up with an
   * `OperationalError` (default: wait forever, as the seed does).
   */
  acquireTimeout?: number | null;
  /**
   * A free connection idle for longer than this many seconds is checked with a COM_PING
   * before it is handed out; a dead one is replaced, so a server-side idle kill (wait_timeout)
   * never reaches the caller (default 30; 0 checks on every acquire; -1 never checks).
   */
  validateAfterIdle?: number;
  /**
   * Free connections above `minSize` idle for longer than this many seconds are closed
   * (default -1: kept, as in the seed).
   */
  idleTimeout?: number;
  /**
   * Connections older than this many seconds (since they were opened) are closed when they
   * come back to the pool or are found free (default -1: no limit).
   */
  maxLifetime?: number;
  /**
   * Logs a warning through `getLogger().warn` (with the stack of the `acquire()` call) when a
   * connection is held for longer than this many seconds (default -1: off). Meant for finding
   * code paths that forget to release.
   */
  warnHeldLongerThan?: number;
  /**
   * Pipelining of `query()` / `execute()` (default true). When every connection is busy, a
   * statement that leaves no session state (a plain SELECT/INSERT/UPDATE/DELETE, no signal or
   * timeout) is written onto the connection with the fewest statements in flight instead of
   * waiting for a free one. Only pools whose connections run in autocommit mode (the
   * `autocommit: true` option) with buffered cursors pipeline. See docs/pool-pipelining.md.
   */
  pipeline?: boolean;
  /** Most `query()`/`execute()` statements in flight on one connection when pipelining (default 16). */
  pipelineDepth?: number;
  /**
   * Resets each released connection's session (COM_RESET_CONNECTION) before the next borrower
   * gets it: user variables, temporary tables, prepared statements, `SET NAMES`, `sql_mode` and
   * any open transaction are gone, and the connection's own settings (charset, sqlMode,
   * initCommand, autocommit) are applied again (default false: one round trip per release).
   */
  resetOnRelease?: boolean;
}

/** Options of `Pool.acquire()`. */
export interface AcquireOptions {
  /** Gives up waiting when aborted; the promise rejects with an `OperationalError` whose `cause` is the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Seconds to wait for a connection before rejecting with an `OperationalError` (default: the pool's `acquireTimeout`). */
  timeout?: number | undefined;
  /** Cluster pools: a connection to a replica (or Synced Galera node) instead of the writable node. Ignored by a single-server pool. */
  readOnly?: boolean | undefined;
}

/** Counters of a pool, as `Pool.stats()` returns them. Totals count since the pool was created. */
export interface PoolStats {
  /** Connections in the pool now: free, in use, being opened or checked. */
  size: number;
  /** Free connections now. */
  free: number;
  /** Connections handed out and not yet released now. */
  used: number;
  /** Connections being opened now. */
  opening: number;
  /** acquire() calls waiting now. */
  waiting: number;
  /** Total connections handed out by acquire(). */
  acquired: number;
  /** Total connections given back by release(). */
  released: number;
  /** Total connections opened. */
  created: number;
  /** Total connections closed by the pool or found closed. */
  destroyed: number;
  /** Total failed attempts to open a connection. */
  createFailures: number;
  /** Total acquire() calls that timed out. */
  timeouts: number;
  /** Total acquire() calls cancelled through their signal. */
  aborted: number;
  /** Total connections released inside a transaction and rolled back. */
  rolledBack: number;
  /** Total COM_PING checks of idle connections. */
  validated: number;
  /** Total COM_PING checks that failed (the connection was replaced). */
  validationFailures: number;
  /** Total connections replaced because of poolRecycle or maxLifetime. */
  recycled: number;
  /** Total free connections closed by idleTimeout. */
  idleClosed: number;
  /** Total free connections the server or the network closed while they sat in the pool. */
  lostWhileFree: number;
  /** Total warnings for connections held longer than warnHeldLongerThan. */
  heldTooLong: number;
  /** Total query()/execute() statements pipelined onto a connection that had statements in flight. */
  pipelined: number;
  /** The most query()/execute() statements that were in flight on one connection at once. */
  peakPipelineDepth: number;
  /** Cluster pools: one entry per node, with its role, state, last error and counters. */
  nodes?: NodeStats[];
  /** Cluster pools with `srv` or `monitor`: the state of node discovery. */
  discovery?: DiscoveryStats;
}

/** @internal The pool's settings, in milliseconds; -1 disables a time. */
export interface PoolSettings {
  minSize: number;
  maxSize: number;
  recycleMs: number;
  acquireTimeoutMs: number;
  validateAfterIdleMs: number;
  idleTimeoutMs: number;
  maxLifetimeMs: number;
  warnHeldMs: number;
  /** Most statements in flight per connection for query()/execute(); 1 when pipelining is off. */
  pipelineDepth: number;
  resetOnRelease: boolean;
}

function fail(message: string): never {
  throw new InterfaceError(`createPool(): ${message}`);
}

/** Largest minSize / maxSize: MySQL's own ceiling of max_connections. */
const MAX_POOL_SIZE = 100_000;

/** @internal The pool's own option names, beside connect()'s. */
export const POOL_OPTION_NAMES = [
  "minSize",
  "maxSize",
  "poolRecycle",
  "acquireTimeout",
  "validateAfterIdle",
  "idleTimeout",
  "maxLifetime",
  "warnHeldLongerThan",
  "resetOnRelease",
  "pipeline",
  "pipelineDepth",
] as const satisfies readonly (keyof PoolOptions)[];

function checkSize(name: string, v: unknown, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > MAX_POOL_SIZE) {
    fail(`option '${name}' must be an integer from 0 to ${MAX_POOL_SIZE}, got ${String(v)}`);
  }
  return v;
}

/** Seconds to milliseconds; a negative value disables (-1). */
function checkSeconds(name: string, v: unknown, dflt: number): number {
  if (v === undefined || v === null) return dflt < 0 ? -1 : dflt * 1000;
  if (typeof v !== "number" || Number.isNaN(v)) fail(`option '${name}' must be a number of seconds, got ${String(v)}`);
  if (v < 0) return -1;
  if (!Number.isFinite(v)) return -1;
  return v * 1000;
}

/** Milliseconds of an acquire() timeout in seconds, or -1 for none; throws on a bad value. */
export function timeoutMs(where: string, v: unknown): number {
  if (v === undefined || v === null) return -1;
  if (typeof v !== "number" || Number.isNaN(v) || v < 0) {
    throw new InterfaceError(`${where}: timeout must be a non-negative number of seconds, got ${String(v)}`);
  }
  return Number.isFinite(v) ? v * 1000 : -1;
}

/** @internal Splits createPool()'s options into the pool's settings and the connect options. */
export function resolvePoolOptions(input: PoolOptions | string): { settings: PoolSettings; connect: ResolvedOptions } {
  const all =
    typeof input === "string" ? (parseConnectionUrl(input) as PoolOptions) : (checkOptionsObject("createPool()", input) as PoolOptions);
  // Cluster options are createPool() options too (a one-host "cluster" is an ordinary pool).
  checkOptionNames("createPool()", all, [...CONNECT_OPTION_NAMES, ...POOL_OPTION_NAMES, ...CLUSTER_KEYS]);
  const {
    minSize,
    maxSize,
    poolRecycle,
    acquireTimeout,
    validateAfterIdle,
    idleTimeout,
    maxLifetime,
    warnHeldLongerThan,
    resetOnRelease,
    pipeline,
    pipelineDepth,
    ...rest
  } = all;
  if (pipeline !== undefined && typeof pipeline !== "boolean") fail(`option 'pipeline' must be a boolean, got ${String(pipeline)}`);
  const depth = checkSize("pipelineDepth", pipelineDepth, 16);
  if (depth < 1) fail("option 'pipelineDepth' must be at least 1");
  const settings: PoolSettings = {
    minSize: checkSize("minSize", minSize, 1),
    maxSize: checkSize("maxSize", maxSize, 10),
    recycleMs: checkSeconds("poolRecycle", poolRecycle, -1),
    acquireTimeoutMs:
      acquireTimeout === null || acquireTimeout === undefined ? -1 : timeoutMs("createPool(): acquireTimeout", acquireTimeout),
    validateAfterIdleMs: checkSeconds("validateAfterIdle", validateAfterIdle, 30),
    idleTimeoutMs: checkSeconds("idleTimeout", idleTimeout, -1),
    maxLifetimeMs: checkSeconds("maxLifetime", maxLifetime, -1),
    warnHeldMs: checkSeconds("warnHeldLongerThan", warnHeldLongerThan, -1),
    pipelineDepth: pipeline === false ? 1 : depth,
    resetOnRelease: resetOnRelease ?? false,
  };
  if (typeof settings.resetOnRelease !== "boolean") fail("option 'resetOnRelease' must be a boolean");
  if (settings.maxSize !== 0 && settings.minSize > settings.maxSize) {
    fail(`minSize (${settings.minSize}) must not exceed maxSize (${settings.maxSize})`);
  }
  const connectOnly: Record<string, unknown> = { ...rest };
  for (const k of CLUSTER_KEYS) delete connectOnly[k];
  return { settings, connect: resolveOptions(connectOnly as ConnectOptions) };
}

/** A fresh set of counters. */
export function emptyStats(): PoolStats {
  return {
    size: 0,
    free: 0,
    used: 0,
    opening: 0,
    waiting: 0,
    acquired: 0,
    released: 0,
    created: 0,
    destroyed: 0,
    createFailures: 0,
    timeouts: 0,
    aborted: 0,
    rolledBack: 0,
    validated: 0,
    validationFailures: 0,
    recycled: 0,
    idleClosed: 0,
    lostWhileFree: 0,
    heldTooLong: 0,
    pipelined: 0,
    peakPipelineDepth: 0,
  };
}

/** Options of `Pool.query()` and `Pool.execute()`: the acquire and execute options together. */
export interface PoolQueryOptions<R = Row> {
  /** Cancels the wait for a connection and the statement. */
  signal?: AbortSignal | undefined;
  /** Seconds for the whole call: waiting for a connection, then the statement with what is left. */
  timeout?: number | undefined;
  /** The cursor class whose rows `query()` returns (default: the pool's `cursorClass`, else `Cursor`). */
  cursorClass?: CursorClass<Cursor<R>> | undefined;
  /** Cluster pools: the statement may run twice, so a write is retried once on the new writer after a failover. */
  idempotent?: boolean | undefined;
}

/** What `Pool.execute()` resolves to. */
export interface PoolExecuteResult {
  /** Rows affected (or returned) by the statement. */
  rowCount: number;
  /** AUTO_INCREMENT id of an INSERT, else null. */
  lastRowId: number | bigint | null;
}
