// The bodies of Pool.query() and Pool.execute() (and of the cluster pool's): one statement on a
// cursor of a pooled connection.
import type { Connection } from "./connection.js";
import type { Cursor, CursorClass, ExecuteOptions } from "./cursors.js";
import type { PoolExecuteResult } from "./pool-options.js";
import type { SqlArgs, SqlParam } from "./types.js";

/** @internal The body of `Pool.query()`: one statement on a cursor of `conn`, its rows. */
export async function queryRows<R>(
  conn: Connection,
  sql: string,
  args: SqlArgs | SqlParam | null | undefined,
  cursorClass: CursorClass<Cursor<R>> | undefined,
  execOptions?: ExecuteOptions,
): Promise<R[]> {
  const cur = (cursorClass ? conn.cursor(cursorClass) : conn.cursor()) as Cursor<R>;
  try {
    await cur.execute(sql, args, execOptions);
    return await cur.fetchAll();
  } finally {
    await cur.close();
  }
}

/** @internal The body of `Pool.execute()`: one statement on a cursor of `conn`, its counts. */
export async function executeCount(
  conn: Connection,
  sql: string,
  args: SqlArgs | SqlParam | null | undefined,
  execOptions?: ExecuteOptions,
): Promise<PoolExecuteResult> {
  const cur = conn.cursor();
  try {
    const rowCount = await cur.execute(sql, args, execOptions);
    return { rowCount, lastRowId: cur.lastRowId };
  } finally {
    await cur.close();
  }
}
