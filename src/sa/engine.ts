// Engine: a Pool and a Dialect together, handing out SAConnections.
import { ClusterPool } from "../cluster/pool.js";
import { Cursor, DictCursor } from "../cursors.js";
import { SSCursor } from "../ss-cursors.js";
import { InterfaceError } from "../errors.js";
import { parseConnectionUrl } from "../options.js";
import { createPool } from "../create-pool.js";
import type { AcquireOptions, Pool, PoolOptions, PoolStats } from "../pool.js";
import { CLIENT } from "../protocol/constants.js";
import { SAConnection, type SAConnectionOwner } from "./connection.js";
import { dialect as defaultDialect, type Dialect } from "./dialect.js";

/** Options of `createEngine()`: every `createPool()` option, plus the dialect. */
export interface EngineOptions extends PoolOptions {
  /** The dialect (default: `dialect` of aiomysql/sa). */
  dialect?: Dialect;
}

/**
 * Connects a Pool and a Dialect: a source of SAConnections. Create one with `createEngine()`;
 * `await using engine = await createEngine(...)` closes it and waits at the end of the block.
 */
export class Engine implements SAConnectionOwner, AsyncDisposable {
  private readonly pool: Pool;
  /** The engine's dialect. */
  readonly dialect: Dialect;

  /** @internal Use `createEngine()`. */
  constructor(pool: Pool, dialect: Dialect) {
    this.pool = pool;
    this.dialect = dialect;
  }

  /** Name of the dialect: "mysql". */
  get name(): string {
    return this.dialect.name;
  }

  /** Driver of the dialect: "aiomysql". */
  get driver(): string {
    return this.dialect.driver;
  }

  /** Connections the pool keeps open (default 1). */
  get minSize(): number {
    return this.pool.minSize;
  }

  /** Most connections at once (default 10). */
  get maxSize(): number {
    return this.pool.maxSize;
  }

  /** Connections in the pool, used and free. */
  get size(): number {
    return this.pool.size;
  }

  /** Free connections in the pool. */
  get freeSize(): number {
    return this.pool.freeSize;
  }

  /** The pool's counters (`pool.stats()`), with one entry per node over a cluster. */
  stats(): PoolStats {
    return this.pool.stats();
  }

  /** True once close() or terminate() was called. */
  get closed(): boolean {
    return this.pool.closed;
  }

  /**
   * Closes the engine: no more connections are handed out, and those in use are closed when
   * they come back. Not async; await `waitClosed()` afterwards.
   */
  close(): void {
    this.pool.close();
  }

  /** Closes the engine and, at once, every connection in use. Not async; await `waitClosed()` afterwards. */
  terminate(): void {
    this.pool.terminate();
  }

  /** Resolves once every connection is back and closed. Call close() or terminate() first. */
  async waitClosed(): Promise<void> {
    await this.pool.waitClosed();
  }

  /**
   * A connection from the pool (`await using conn = await engine.acquire()`). Over a cluster it
   * holds a connection to the writable node, and each read it runs outside a transaction goes to
   * a replica as `pool.query()` routes it, until a statement that may leave session state (SET,
   * CREATE TEMPORARY TABLE, LOCK TABLES, a user variable) keeps its reads at home;
   * `acquire({ readOnly: true })` holds a replica connection.
   */
  async acquire(options?: AcquireOptions): Promise<SAConnection> {
    const raw = await this.pool.acquire(options);
    // Over a cluster, a writer connection's reads outside transactions go to replicas.
    const router = this.pool instanceof ClusterPool && options?.readOnly !== true ? this.pool : null;
    return new SAConnection(raw, this, router);
  }

  /**
   * Gives a connection back to the pool (`conn.close()` does this too). Not async.
   * @throws InterfaceError when the connection has an unfinished transaction, or belongs to
   * another engine.
   */
  release(conn: SAConnection): void {
    if (!(conn instanceof SAConnection)) throw new InterfaceError("release(): expected an SAConnection");
    // Already given back (a connection the server closed is still given back: the pool counts it).
    if (conn.engine === null) return;
    if (conn.engine !== this) throw new InterfaceError("release(): the connection belongs to another engine");
    if (conn.inTransaction) throw new InterfaceError("Cannot release a connection with not finished transaction");
    const raw = conn.detach();
    if (raw !== null) this.pool.release(raw);
  }

  /** Closes the engine and waits for it. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.waitClosed();
  }
}

/**
 * Creates an Engine with an embedded pool of `minSize` (1) to `maxSize` (10) connections.
 * Accepts every `connect()` option (or a connection URL). Its connections use
 * CLIENT.FOUND_ROWS, so `rowCount` counts the rows an UPDATE matched.
 * @throws InterfaceError for a dict or streaming `cursorClass`: rows must be arrays.
 */
export async function createEngine(options: EngineOptions | string = {}): Promise<Engine> {
  const opts: EngineOptions = typeof options === "string" ? (parseConnectionUrl(options) as EngineOptions) : { ...options };
  const { dialect = defaultDialect, ...poolOptions } = opts;
  const cls = poolOptions.cursorClass;
  if (cls !== undefined && cls !== null) {
    const isCursor = typeof cls === "function" && (cls === Cursor || cls.prototype instanceof Cursor);
    if (!isCursor || cls === DictCursor || cls.prototype instanceof DictCursor || cls === SSCursor || cls.prototype instanceof SSCursor) {
      throw new InterfaceError(
        "createEngine(): the engine does not support this cursor class: rows must come from Cursor or a subclass that is not a dict or streaming cursor",
      );
    }
  }
  const flags = poolOptions.clientFlag ?? 0;
  // A bad clientFlag is left for createPool() to reject.
  if (Number.isInteger(flags) && flags >= 0)
    poolOptions.clientFlag = Math.floor(flags / CLIENT.FOUND_ROWS) % 2 === 1 ? flags : flags + CLIENT.FOUND_ROWS;
  const pool = await createPool(poolOptions);
  return new Engine(pool, dialect);
}
