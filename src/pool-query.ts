// Pool.query() and Pool.execute(): one statement on a pooled connection, in its own transaction
// (committed on success, rolled back by the release on failure), within one deadline.
import type { Connection } from "./connection.js";
import type { Cursor, CursorClass, ExecuteOptions } from "./cursors.js";
import type { AcquireOptions } from "./pool-options.js";
import type { Row, SqlArgs, SqlParam } from "./types.js";

/** Options of `Pool.query()` and `Pool.execute()`: the acquire and execute options together. */
export interface PoolQueryOptions<R = Row> {
  /** Cancels the wait for a connection and the statement. */
  signal?: AbortSignal | undefined;
  /** Seconds for the whole call: waiting for a connection, then the statement with what is left. */
  timeout?: number | undefined;
  /** The cursor class whose rows `query()` returns (default: the pool's `cursorClass`, else `Cursor`). */
  cursorClass?: CursorClass<Cursor<R>> | undefined;
}

/** What `Pool.execute()` resolves to. */
export interface PoolExecuteResult {
  /** Rows affected (or returned) by the statement. */
  rowCount: number;
  /** AUTO_INCREMENT id of an INSERT, else null. */
  lastRowId: number | bigint | null;
}

/** What the helpers need of a pool. */
interface Lender {
  acquire(options: AcquireOptions): Promise<Connection>;
  release(conn: Connection): void;
}

async function withConnection<T>(
  pool: Lender,
  options: AcquireOptions,
  fn: (conn: Connection, o: ExecuteOptions) => Promise<T>,
): Promise<T> {
  const started = Date.now();
  const conn = await pool.acquire({ signal: options.signal, timeout: options.timeout });
  try {
    const execOptions: ExecuteOptions = {};
    if (options.signal) execOptions.signal = options.signal;
    if (options.timeout !== undefined) execOptions.timeout = Math.max(0.001, options.timeout - (Date.now() - started) / 1000);
    const result = await fn(conn, execOptions);
    if (conn.inTransaction) await conn.commit();
    return result;
  } finally {
    // On failure the release rolls back whatever the statement may have left open.
    pool.release(conn);
  }
}

/** Pool.query(): the rows of one statement. */
export function poolQuery<R>(
  pool: Lender,
  sql: string,
  args: SqlArgs | SqlParam | null | undefined,
  options: PoolQueryOptions<R>,
): Promise<R[]> {
  return withConnection(pool, options, async (conn, execOptions) => {
    const cur = (options.cursorClass ? conn.cursor(options.cursorClass) : conn.cursor()) as Cursor<R>;
    try {
      await cur.execute(sql, args, execOptions);
      return await cur.fetchAll();
    } finally {
      await cur.close();
    }
  });
}

/** Pool.execute(): the row count and last insert id of one statement. */
export function poolExecute(
  pool: Lender,
  sql: string,
  args: SqlArgs | SqlParam | null | undefined,
  options: PoolQueryOptions,
): Promise<PoolExecuteResult> {
  return withConnection(pool, options, async (conn, execOptions) => {
    const cur = conn.cursor();
    try {
      const rowCount = await cur.execute(sql, args, execOptions);
      return { rowCount, lastRowId: cur.lastRowId };
    } finally {
      await cur.close();
    }
  });
}
