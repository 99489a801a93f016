// Pool: the seed's connection pool. Connections are handed out first come, first served; a
// connection released inside a transaction is rolled back before anyone else gets it.
import { Connection, type ConnectionOwner } from "./connection.js";
import { InterfaceError } from "./errors.js";
import { parseConnectionUrl, resolveOptions, type ConnectOptions, type ResolvedOptions } from "./options.js";

/** Options of `createPool()`: every connect() option plus the pool's own. */
export interface PoolOptions extends ConnectOptions {
  /** Connections opened at creation and kept open (default 1). */
  minSize?: number;
  /** Most connections at once, in use and free (default 10; 0 means unlimited). */
  maxSize?: number;
  /** Seconds after which an idle connection is replaced on acquire (default -1: never). */
  poolRecycle?: number;
}

/** Options of `Pool.acquire()`. */
export interface AcquireOptions {
  /** Gives up waiting when aborted. */
  signal?: AbortSignal;
  /** Seconds to wait for a connection before giving up. */
  timeout?: number;
}

interface Waiter {
  resolve(conn: Connection): void;
  reject(err: Error): void;
}

function checkSize(name: string, v: unknown, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
    throw new InterfaceError(`createPool(): option '${name}' must be a non-negative integer, got ${String(v)}`);
  }
  return v;
}

/** A pool of connections; create one with `createPool()`. */
export class Pool implements ConnectionOwner, AsyncDisposable {
  readonly minSize: number;
  readonly maxSize: number;
  private readonly recycleMs: number;
  private readonly connectOptions: ResolvedOptions;
  private readonly free: Connection[] = [];
  private readonly used = new Set<Connection>();
  /** Connections being opened, rolled back or checked: counted in size, not yet free or used. */
  private busy = 0;
  private readonly terminated = new Set<Connection>();
  private readonly waiters: Waiter[] = [];
  private closing = false;
  private closedFlag = false;
  private closeWaiters: Array<() => void> = [];

  /** @internal Use `createPool()`. */
  constructor(options: PoolOptions | string = {}) {
    const { minSize, maxSize, poolRecycle, ...rest } =
      typeof options === "string" ? (parseConnectionUrl(options) as PoolOptions) : options;
    this.minSize = checkSize("minSize", minSize, 1);
    this.maxSize = checkSize("maxSize", maxSize, 10);
    if (this.maxSize !== 0 && this.minSize > this.maxSize) {
      throw new InterfaceError(`createPool(): minSize (${this.minSize}) must not exceed maxSize (${this.maxSize})`);
    }
    const recycle = poolRecycle ?? -1;
    if (typeof recycle !== "number" || Number.isNaN(recycle)) throw new InterfaceError("createPool(): poolRecycle must be a number of seconds");
    this.recycleMs = recycle < 0 ? -1 : recycle * 1000;
    this.connectOptions = resolveOptions(rest);
  }

  /** Whether executed statements are logged to the "aiomysql" logger. */
  get echo(): boolean {
    return this.connectOptions.echo;
  }

  /** Connections in the pool: free, in use, and being opened. */
  get size(): number {
    return this.free.length + this.used.size + this.busy;
  }

  /** Connections ready to be acquired. */
  get freeSize(): number {
    return this.free.length;
  }

  /** True once close() or terminate() was called. */
  get closed(): boolean {
    return this.closing;
  }

  private hasRoom(): boolean {
    return this.maxSize === 0 || this.size < this.maxSize;
  }

  /** @internal Opens the first minSize connections. */
  async fill(): Promise<void> {
    while (this.size < this.minSize) {
      this.busy++;
      try {
        const conn = await this.openConnection();
        this.free.push(conn);
      } finally {
        this.busy--;
      }
    }
  }

  private async openConnection(): Promise<Connection> {
    const conn = new Connection(this.connectOptions);
    await conn.open();
    conn.owner = this;
    return conn;
  }

  /** Closes every free connection; at the next acquire at least minSize are opened again. */
  async clear(): Promise<void> {
    const conns = this.free.splice(0);
    await Promise.all(conns.map((c) => c.ensureClosed().catch(() => {})));
    this.dispatch();
  }

  /**
   * Waits for a free connection (first come, first served), opening a new one while the pool
   * is below maxSize. Release it with `release()`, or use `await using`.
   */
  acquire(options: AcquireOptions = {}): Promise<Connection> {
    if (this.closing) return Promise.reject(new InterfaceError("Cannot acquire connection after closing pool"));
    return new Promise<Connection>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject };
      const { signal, timeout } = options;
      let timer: NodeJS.Timeout | undefined;
      const giveUp = (err: Error): void => {
        const i = this.waiters.indexOf(waiter);
        if (i === -1) return;
        this.waiters.splice(i, 1);
        reject(err);
      };
      const onAbort = (): void =>
        giveUp(signal?.reason instanceof Error ? signal.reason : new InterfaceError("acquire() was aborted"));
      if (signal?.aborted) return onAbort();
      waiter.resolve = (conn) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        resolve(conn);
      };
      waiter.reject = (err) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        reject(err);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      if (timeout !== undefined) {
        timer = setTimeout(
          () =>
            giveUp(
              new InterfaceError(
                `acquire() timed out after ${timeout} s: ${this.used.size} connection(s) in use, ${this.waiters.length} waiting, maxSize ${this.maxSize}`,
              ),
            ),
          timeout * 1000,
        );
      }
      this.waiters.push(waiter);
      this.dispatch();
    });
  }

  /** Hands free connections, or new ones while there is room, to waiters in arrival order. */
  private dispatch(): void {
    while (this.waiters.length > 0 && !this.closing) {
      const conn = this.free.pop();
      if (conn !== undefined) {
        const waiter = this.waiters.shift()!;
        void this.handOut(conn, waiter);
      } else if (this.hasRoom()) {
        const waiter = this.waiters.shift()!;
        void this.createFor(waiter);
      } else {
        return;
      }
    }
  }

  private async handOut(conn: Connection, waiter: Waiter): Promise<void> {
    const stale = conn.closed || (this.recycleMs >= 0 && Date.now() - conn.lastUsedAt > this.recycleMs);
    if (stale) {
      conn.close();
      await this.createFor(waiter);
      return;
    }
    this.used.add(conn);
    waiter.resolve(conn);
  }

  private async createFor(waiter: Waiter): Promise<void> {
    this.busy++;
    let conn: Connection;
    try {
      conn = await this.openConnection();
    } catch (e) {
      this.busy--;
      waiter.reject(e as Error);
      this.dispatch();
      this.notifyClosed();
      return;
    }
    this.busy--;
    if (this.closing) {
      conn.close();
      waiter.reject(new InterfaceError("Cannot acquire connection after closing pool"));
      this.notifyClosed();
      return;
    }
    this.used.add(conn);
    waiter.resolve(conn);
  }

  /**
   * Gives a connection back. Not async: a connection inside a transaction is rolled back in
   * the background (and closed if that fails) before anyone else gets it.
   */
  release(conn: Connection): void {
    if (this.terminated.delete(conn)) return;
    if (!this.used.has(conn)) {
      if (conn.owner === this) return; // already released
      throw new InterfaceError("release(): the connection does not belong to this pool");
    }
    this.used.delete(conn);
    if (conn.closed) {
      this.afterRelease();
      return;
    }
    if (this.closing) {
      conn.close();
      this.afterRelease();
      return;
    }
    if (conn.inTransaction || conn.hasPendingWork) {
      this.busy++;
      void conn
        .settle()
        .then(() => (conn.inTransaction ? conn.rollback() : undefined))
        .then(
          () => this.returnToFree(conn),
          () => conn.close(),
        )
        .finally(() => {
          this.busy--;
          this.afterRelease();
        });
      return;
    }
    this.returnToFree(conn);
    this.afterRelease();
  }

  private returnToFree(conn: Connection): void {
    if (this.closing || conn.closed || conn.inTransaction) conn.close();
    else this.free.push(conn);
  }

  private afterRelease(): void {
    this.dispatch();
    this.notifyClosed();
  }

  /** Marks the pool closed: acquire() rejects, free and released connections are closed. Not async. */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    for (const conn of this.free.splice(0)) conn.close();
    const err = new InterfaceError("Cannot acquire connection after closing pool");
    for (const w of this.waiters.splice(0)) w.reject(err);
    this.notifyClosed();
  }

  /** Closes the pool and, at once, every connection in use too. Not async. */
  terminate(): void {
    this.close();
    for (const conn of this.used) {
      conn.close();
      this.terminated.add(conn);
    }
    this.used.clear();
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
    const waiters = this.closeWaiters.splice(0);
    for (const w of waiters) w();
  }

  /** Closes the pool and waits for it (`await using pool = await createPool(...)`). */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.waitClosed();
  }
}

/**
 * Creates a pool and opens its first `minSize` connections. Accepts every connect() option,
 * or a connection URL.
 */
export async function createPool(options: PoolOptions | string = {}): Promise<Pool> {
  const pool = new Pool(options);
  try {
    await pool.fill();
  } catch (e) {
    pool.close();
    throw e;
  }
  return pool;
}
