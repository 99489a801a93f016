// Pool: the seed's connection pool. Waiters are served first come, first served; a connection
// released inside a transaction is rolled back before anyone else gets it; dead, stale and
// surplus idle connections are replaced or closed, and the pool refills itself to minSize.
import { Connection, type ConnectionOwner } from "./connection.js";
import type { ExecuteOptions } from "./cursors.js";
import { InterfaceError, OperationalError } from "./errors.js";
import { BackoffTimer } from "./backoff-timer.js";
import { getLogger } from "./log.js";
import { QueryPipeline } from "./pool-pipeline.js";
import { cleanForReuse, createLease, leaseOf, type Holding, type Waiter } from "./pool-lease.js";
import { acquireChannel, traced } from "./tracing.js";
import type { ResolvedOptions } from "./options.js";
import {
  emptyStats,
  resolvePoolOptions,
  timeoutMs,
  type AcquireOptions,
  type PoolExecuteResult,
  type PoolOptions,
  type PoolQueryOptions,
  type PoolSettings,
  type PoolStats,
} from "./pool-options.js";
import type { Row, SqlArgs, SqlParam } from "./types.js";

export type { AcquireOptions, PoolExecuteResult, PoolOptions, PoolQueryOptions, PoolStats } from "./pool-options.js";
export { executeCount, queryRows } from "./pool-query.js";
import { executeCount, queryRows } from "./pool-query.js";
import { runTransaction, type TransactionOptions } from "./pool-transaction.js";

const CLOSED_MESSAGE = "Cannot acquire connection after closing pool";
/** Longest a COM_PING check may take when the connection has no connectTimeout. */
const DEFAULT_PING_DEADLINE_MS = 10_000;
/** Retry delays of the background refill after a failed connect. */
const REFILL_BACKOFF_MIN_MS = 200;
const REFILL_BACKOFF_MAX_MS = 10_000;

/** A pool of connections; create one with `createPool()`. */
export class Pool implements ConnectionOwner, AsyncDisposable {
  /** @internal */ readonly settings: PoolSettings;
  private readonly connectOptions: ResolvedOptions;
  /** Free connections, most recently used last (acquire takes from the end). */
  private readonly free: Connection[] = [];
  private readonly used = new Map<Connection, Holding>();
  /** Connections being pinged or rolled back: counted in size, neither free nor used. */
  private readonly transit = new Set<Connection>();
  /** Connections being opened. */
  private opening = 0;
  private readonly terminated = new Set<Connection>();
  private readonly waiters: Waiter[] = [];
  private closing = false;
  private closedFlag = false;
  private closeWaiters: Array<() => void> = [];
  private readonly counters = emptyStats();
  private maintenanceTimer: NodeJS.Timeout | undefined;
  private readonly refill = new BackoffTimer(REFILL_BACKOFF_MIN_MS, REFILL_BACKOFF_MAX_MS);
  /** Pipelining of query()/execute() (pool-pipeline.ts), or null when off. */
  private readonly pipeline: QueryPipeline | null;

  /** @internal Use `createPool()`. */
  constructor(options: PoolOptions | string = {}) {
    const { settings, connect } = resolvePoolOptions(options);
    this.settings = settings;
    this.connectOptions = connect;
    const host = { acquire: () => this.acquire(), release: (c: Connection) => this.release(c), waiting: () => this.waiters.length };
    this.pipeline = QueryPipeline.forPool(settings.pipelineDepth, connect, {
      ...host,
      canAcquireNow: () => this.free.length > 0 || this.hasRoom(),
    });
  }

  /** Minimum number of connections kept open (read-only). */
  get minSize(): number {
    return this.settings.minSize;
  }

  /** Maximum number of connections, in use and free; 0 means unlimited (read-only). */
  get maxSize(): number {
    return this.settings.maxSize;
  }

  /** Whether executed statements are logged to the "aiomysql" logger. */
  get echo(): boolean {
    return this.connectOptions.echo;
  }

  /** Connections in the pool: free, in use, and being opened or checked. */
  get size(): number {
    return this.free.length + this.used.size + this.transit.size + this.opening;
  }

  /** Connections ready to be acquired. */
  get freeSize(): number {
    return this.free.length;
  }

  /** True once close() or terminate() was called. */
  get closed(): boolean {
    return this.closing;
  }

  /** A snapshot of the pool's counters: current sizes and totals since creation. */
  stats(): PoolStats {
    return {
      ...this.counters,
      size: this.size,
      free: this.free.length,
      used: this.used.size,
      opening: this.opening,
      waiting: this.waiters.length,
      ...QueryPipeline.stats(this.pipeline),
    };
  }

  private hasRoom(): boolean {
    return this.settings.maxSize === 0 || this.size < this.settings.maxSize;
  }

  /** Connections that will be offered to waiters once their open, check or rollback ends. */
  private incoming(): number {
    return this.opening + this.transit.size;
  }

  // ---- opening ----

  /** @internal Opens the first minSize connections; closes them all if one fails. */
  async fill(): Promise<void> {
    const n = Math.max(0, this.settings.minSize - this.size);
    this.opening += n;
    const results = await Promise.allSettled(Array.from({ length: n }, () => this.openConnection()));
    this.opening -= n;
    const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    for (const r of results) {
      if (r.status !== "fulfilled") continue;
      if (failure) {
        r.value.close();
        this.counters.destroyed++;
      } else {
        this.free.push(r.value);
      }
    }
    if (failure) throw failure.reason;
    this.startMaintenance();
  }

  /**
   * @internal Runs on every new connection before the pool uses it (a cluster pool's probe); a
   * rejection closes the connection and fails the open.
   */
  prepareConnection: ((conn: Connection) => Promise<void>) | null = null;
  /** @internal A check that timed out fails the first waiter with this error, not a new connect (which would hang too). */
  checkTimedOut: ((deadlineMs: number) => Error) | null = null;

  private async openConnection(): Promise<Connection> {
    const conn = new Connection(this.connectOptions);
    try {
      await conn.open();
      if (this.prepareConnection !== null) await this.prepareConnection(conn);
    } catch (e) {
      conn.close();
      this.counters.createFailures++;
      throw e;
    }
    conn.owner = this;
    this.counters.created++;
    return conn;
  }

  /** Opens one connection in the background and offers it to the first waiter or the free list. */
  private openOne(refill: boolean): void {
    this.opening++;
    this.openConnection().then(
      (conn) => {
        this.opening--;
        this.refill.reset();
        this.offer(conn);
      },
      (err: unknown) => {
        this.opening--;
        // The connect error goes to the longest waiter that no other connection is coming for.
        if (!refill && this.waiters.length > this.incoming()) {
          this.waiters.shift()!.reject(err instanceof Error ? err : new OperationalError(String(err)));
        }
        if (refill || this.size < this.settings.minSize) this.scheduleRefill();
        this.dispatch();
        this.notifyClosed();
      },
    );
  }

  /** Opens connections in the background until the pool holds minSize again. */
  private ensureMin(): void {
    if (this.closing || this.refill.pending) return;
    let missing = this.settings.minSize - this.size;
    while (missing-- > 0) this.openOne(true);
  }

  private scheduleRefill(): void {
    if (!this.closing) this.refill.schedule(() => this.ensureMin());
  }

  // ---- handing out ----

  /**
   * Waits for a free connection (first come, first served), opening a new one while the pool
   * is below maxSize. Give it back with `release()`, or use `await using`.
   *
   * With `timeout` (seconds) or `signal`, a wait that runs out or is aborted rejects with an
   * `OperationalError` saying how many connections are in use and how many callers wait; a
   * connection opened for a caller who gave up goes to the next one or to the free list.
   */
  acquire(options: AcquireOptions = {}): Promise<Connection> {
    if (!acquireChannel.hasSubscribers) return this.acquireConnection(options);
    return traced(
      acquireChannel,
      () => ({ size: this.size, freeSize: this.freeSize, waiting: this.waiters.length }),
      () => this.acquireConnection(options),
    );
  }

  private acquireConnection(options: AcquireOptions): Promise<Connection> {
    if (this.closing) return Promise.reject(new InterfaceError(CLOSED_MESSAGE));
    let waitMs: number;
    try {
      if (typeof options !== "object" || options === null) throw new InterfaceError("acquire(): options must be an object");
      waitMs = options.timeout === undefined ? this.settings.acquireTimeoutMs : timeoutMs("acquire()", options.timeout);
      if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
        throw new InterfaceError("acquire(): signal must be an AbortSignal");
      }
    } catch (e) {
      return Promise.reject(e);
    }
    const { signal } = options;
    const stack = this.settings.warnHeldMs >= 0 ? new Error("acquired here") : undefined;
    if (signal?.aborted) {
      this.counters.aborted++;
      return Promise.reject(this.abortError(signal));
    }
    return new Promise<Connection>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cleanup = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      const waiter: Waiter = {
        resolve: (conn) => {
          cleanup();
          resolve(conn);
        },
        reject: (err) => {
          cleanup();
          reject(err);
        },
        stack,
      };
      const giveUp = (makeError: () => Error): void => {
        const i = this.waiters.indexOf(waiter);
        if (i === -1) return;
        this.waiters.splice(i, 1);
        waiter.reject(makeError());
      };
      const onAbort = (): void =>
        giveUp(() => {
          this.counters.aborted++;
          return this.abortError(signal!);
        });
      signal?.addEventListener("abort", onAbort, { once: true });
      if (waitMs >= 0) {
        timer = setTimeout(
          () =>
            giveUp(() => {
              this.counters.timeouts++;
              return new OperationalError(
                `Timed out after ${waitMs / 1000} s waiting for a connection from the pool: ${this.describeLoad()}`,
              );
            }),
          waitMs,
        );
      }
      this.waiters.push(waiter);
      this.dispatch();
      this.ensureMin();
    });
  }

  private abortError(signal: AbortSignal): OperationalError {
    return new OperationalError(`acquire() was aborted while waiting for a connection from the pool: ${this.describeLoad()}`, {
      cause: signal.reason,
    });
  }

  /** "3 in use, 2 other caller(s) waiting, ...": the load when a waiter gives up (it no longer counts itself). */
  private describeLoad(): string {
    const max = this.settings.maxSize === 0 ? "unlimited" : String(this.settings.maxSize);
    return `${this.used.size} in use, ${this.waiters.length} other caller(s) waiting, ${this.opening} being opened (maxSize ${max})`;
  }

  /** Serves waiters from the free list, or by opening connections while there is room. */
  private dispatch(): void {
    if (this.closing) return;
    while (this.waiters.length > this.incoming()) {
      const conn = this.free.pop();
      if (conn !== undefined) {
        if (!this.keepFree(conn, Date.now())) continue;
        const idleMs = Date.now() - conn.lastUsedAt;
        if (this.settings.validateAfterIdleMs >= 0 && idleMs >= this.settings.validateAfterIdleMs) this.validate(conn);
        else this.giveTo(this.waiters.shift()!, conn);
      } else if (this.hasRoom()) {
        this.openOne(false);
      } else {
        return;
      }
    }
  }

  /** Whether a free connection may still be used; closes it and counts why when not. */
  private keepFree(conn: Connection, now: number): boolean {
    if (conn.closed) {
      this.counters.destroyed++;
      return false;
    }
    const s = this.settings;
    if ((s.recycleMs >= 0 && now - conn.lastUsedAt > s.recycleMs) || (s.maxLifetimeMs >= 0 && now - conn.createdAt > s.maxLifetimeMs)) {
      this.counters.recycled++;
      this.destroy(conn);
      return false;
    }
    return true;
  }

  /** Longest a check (COM_PING) or a release's ROLLBACK may take. */
  private checkDeadlineMs(): number {
    return this.connectOptions.connectTimeout === null ? DEFAULT_PING_DEADLINE_MS : this.connectOptions.connectTimeout * 1000;
  }

  /** Pings an idle connection before handing it out; a dead one is dropped and replaced. */
  private validate(conn: Connection): void {
    this.transit.add(conn);
    this.counters.validated++;
    const deadlineMs = this.checkDeadlineMs();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      conn.close();
    }, deadlineMs);
    timer.unref();
    conn.ping(false).then(
      () => {
        clearTimeout(timer);
        this.transit.delete(conn);
        this.offer(conn);
      },
      () => {
        clearTimeout(timer);
        this.transit.delete(conn);
        this.counters.validationFailures++;
        this.destroy(conn);
        const fail = timedOut ? this.checkTimedOut?.(deadlineMs) : undefined;
        if (fail !== undefined && this.waiters.length > this.incoming()) this.waiters.shift()!.reject(fail);
        this.afterChange();
      },
    );
  }

  /** A healthy connection with no owner right now: to the first waiter, else to the free list. */
  private offer(conn: Connection): void {
    if (this.closing || conn.closed) {
      this.destroy(conn);
      this.afterChange();
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) this.giveTo(waiter, conn);
    else this.free.push(conn);
    this.afterChange();
  }

  private giveTo(waiter: Waiter, conn: Connection): void {
    const holding: Holding = { timer: undefined, lease: createLease(conn, (handle) => this.release(handle)) };
    const warnMs = this.settings.warnHeldMs;
    if (warnMs >= 0) {
      holding.timer = setTimeout(() => {
        this.counters.heldTooLong++;
        const where = waiter.stack?.stack?.split("\n").slice(1).join("\n") ?? "";
        getLogger().warn(
          `a pool connection (thread id ${conn.threadId}) has been held for more than ${warnMs / 1000} s without being released; acquired at:\n${where}`,
        );
      }, warnMs);
      holding.timer.unref();
    }
    this.used.set(conn, holding);
    this.counters.acquired++;
    waiter.resolve(holding.lease.handle);
  }

  // ---- giving back ----

  /**
   * Gives a connection back. Not async: a connection inside a transaction (or with statements
   * still running) is settled and rolled back in the background, and closed if that fails,
   * before anyone else gets it. Releasing a closed connection makes room for a new one.
   *
   * What acquire() returns is a one-shot lease of the pooled connection: releasing it a second
   * time does nothing (even once the connection has gone to another caller), and any method
   * called on it after release() throws an InterfaceError.
   */
  release(handle: Connection): void {
    const lease = typeof handle === "object" && handle !== null ? leaseOf(handle) : undefined;
    if (lease?.released) return; // a stale lease: its connection may belong to someone else now
    const conn = lease?.conn ?? handle;
    if (this.terminated.delete(conn)) {
      if (lease) lease.released = true;
      return;
    }
    const holding = this.used.get(conn);
    if (holding === undefined || (lease !== undefined && holding.lease !== lease)) {
      if (conn instanceof Connection && conn.owner === this) return; // released twice
      throw new InterfaceError("release(): the connection does not belong to this pool");
    }
    holding.lease.released = true;
    clearTimeout(holding.timer);
    this.used.delete(conn);
    this.counters.released++;
    const s = this.settings;
    if (conn.closed || this.closing) {
      this.destroy(conn);
    } else if (s.maxLifetimeMs >= 0 && Date.now() - conn.createdAt > s.maxLifetimeMs) {
      this.counters.recycled++;
      this.destroy(conn);
    } else if (conn.mayBeInTransaction || conn.hasPendingWork || s.resetOnRelease) {
      this.rollBack(conn);
      return;
    } else {
      this.offer(conn);
      return;
    }
    this.afterChange();
  }

  /** Settles a released connection, then rolls it back (or resets it) before offering it again. */
  private rollBack(conn: Connection): void {
    this.transit.add(conn);
    const done = (reusable: boolean): void => {
      this.transit.delete(conn);
      if (reusable) return this.offer(conn);
      this.destroy(conn);
      this.afterChange();
    };
    cleanForReuse(conn, this.settings.resetOnRelease, this.checkDeadlineMs() / 1000, () => this.counters.rolledBack++).then(done, () =>
      done(false),
    );
  }

  private destroy(conn: Connection): void {
    conn.close();
    this.counters.destroyed++;
  }

  private afterChange(): void {
    this.dispatch();
    this.ensureMin();
    this.notifyClosed();
  }

  /** @internal Called by a connection the server or the network closed. */
  connectionLost(conn: Connection): void {
    const i = this.free.indexOf(conn);
    if (i === -1) return; // in use: its user sees the error and releases it
    this.free.splice(i, 1);
    this.counters.lostWhileFree++;
    this.counters.destroyed++;
    this.afterChange();
  }

  // ---- housekeeping ----

  private startMaintenance(): void {
    const s = this.settings;
    const limits = [s.idleTimeoutMs, s.maxLifetimeMs].filter((ms) => ms >= 0);
    if (limits.length === 0 || this.closing) return;
    const every = Math.max(50, Math.min(1000, Math.min(...limits) / 2));
    this.maintenanceTimer = setInterval(() => this.maintain(), every);
    this.maintenanceTimer.unref();
  }

  /** Closes free connections past idleTimeout (above minSize) or maxLifetime. */
  private maintain(): void {
    const now = Date.now();
    const idleMs = this.settings.idleTimeoutMs;
    // The least recently used connections are at the start of the free list.
    for (let i = 0; i < this.free.length;) {
      const conn = this.free[i]!;
      if (!this.keepFree(conn, now)) {
        this.free.splice(i, 1);
      } else if (idleMs >= 0 && now - conn.lastUsedAt > idleMs && this.size > this.settings.minSize) {
        this.free.splice(i, 1);
        this.counters.idleClosed++;
        this.destroy(conn);
      } else {
        i++;
      }
    }
    this.afterChange();
  }

  /** Closes every free connection; at the next acquire at least minSize are opened again. */
  async clear(): Promise<void> {
    const conns = this.free.splice(0);
    this.counters.destroyed += conns.length;
    await Promise.all(conns.map((c) => c.ensureClosed().catch(() => {})));
    this.dispatch();
    this.notifyClosed();
  }

  /** Marks the pool closed: acquire() rejects, free and released connections are closed. Not async. */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.maintenanceTimer);
    this.refill.cancel();
    for (const conn of this.free.splice(0)) this.destroy(conn);
    const err = new InterfaceError(CLOSED_MESSAGE);
    for (const w of this.waiters.splice(0)) w.reject(err);
    this.notifyClosed();
  }

  /** Closes the pool and, at once, every connection in use or being rolled back too. Not async. */
  terminate(): void {
    this.close();
    for (const [conn, holding] of this.used) {
      clearTimeout(holding.timer);
      this.destroy(conn);
      this.terminated.add(conn);
    }
    this.used.clear();
    for (const conn of this.transit) conn.close();
    this.notifyClosed();
  }

  /** Resolves once every connection is back and closed. Call close() or terminate() first. */
  async waitClosed(): Promise<void> {
    if (this.closedFlag) return;
    if (!this.closing) throw new InterfaceError("waitClosed(): call close() or terminate() first");
    if (this.size > 0) await new Promise<void>((resolve) => this.closeWaiters.push(resolve));
    this.closedFlag = true;
  }

  private notifyClosed(): void {
    if (!this.closing || this.size > 0) return;
    for (const w of this.closeWaiters.splice(0)) w();
  }

  // ---- one-call helpers ----

  /**
   * Runs one statement on a pooled connection and returns its rows (arrays, or what the
   * `cursorClass` option's cursor returns). The statement runs in its own transaction: it is
   * committed when it succeeds (so an INSERT sticks under `autocommit: false`) and rolled back
   * when it fails.
   */
  async query<R = Row>(sql: string, args?: SqlArgs | SqlParam | null, options: PoolQueryOptions<R> = {}): Promise<R[]> {
    const run = (conn: Connection, o?: ExecuteOptions): Promise<R[]> => queryRows<R>(conn, sql, args, options.cursorClass, o);
    return this.pipeline?.accepts(sql, options) ? this.pipeline.run(run) : this.withConnection(options, run);
  }

  /**
   * Runs one statement on a pooled connection and returns its row count and last insert id;
   * committed on success like `query()`.
   */
  async execute(sql: string, args?: SqlArgs | SqlParam | null, options: PoolQueryOptions = {}): Promise<PoolExecuteResult> {
    const run = (conn: Connection, o?: ExecuteOptions): Promise<PoolExecuteResult> => executeCount(conn, sql, args, o);
    return this.pipeline?.accepts(sql, options) ? this.pipeline.run(run) : this.withConnection(options, run);
  }

  /** Runs `fn(conn, attempt)` between BEGIN and COMMIT on one connection; retries only as `TransactionOptions` allow. */
  transaction<T>(fn: (conn: Connection, attempt: number) => Promise<T>, options?: TransactionOptions): Promise<T> {
    return runTransaction(this, fn, options);
  }
  private async withConnection<T>(options: AcquireOptions, fn: (conn: Connection, o: ExecuteOptions) => Promise<T>): Promise<T> {
    const started = Date.now();
    const conn = await this.acquire({ signal: options.signal, timeout: options.timeout });
    try {
      const execOptions: ExecuteOptions = {};
      if (options.signal) execOptions.signal = options.signal;
      if (options.timeout !== undefined) execOptions.timeout = Math.max(0.001, options.timeout - (Date.now() - started) / 1000);
      const result = await fn(conn, execOptions);
      if (conn.inTransaction) await conn.commit();
      return result;
    } finally {
      this.release(conn);
    }
  }

  /** Closes the pool and waits for it (`await using pool = await createPool(...)`). */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.waitClosed();
  }
}
