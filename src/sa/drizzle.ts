// A callback for Drizzle's `drizzle-orm/mysql-proxy` driver that runs its queries on an Engine
// or on one SAConnection. It needs nothing from drizzle-orm itself.
import type { Connection } from "../connection.js";
import { ProgrammingError } from "../errors.js";
import { SAConnection } from "./connection.js";
import { Engine } from "./engine.js";
import type { ResultProxy } from "./result.js";

/** The shape of Drizzle's mysql-proxy `RemoteCallback`. */
export type DrizzleProxyCallback = (
  sql: string,
  params: unknown[],
  method: "all" | "execute",
) => Promise<{
  /** The rows (arrays for "all"), or `[DrizzleResultHeader]` / `[rows, fields]` for "execute". */
  rows: unknown[];
  /** The AUTO_INCREMENT id an INSERT generated. */
  insertId?: number;
  /** Rows affected by an INSERT, UPDATE or DELETE. */
  affectedRows?: number;
}>;

/** What an "execute" of a statement without rows gives Drizzle, like mysql2's ResultSetHeader. */
export interface DrizzleResultHeader {
  /** The AUTO_INCREMENT id an INSERT generated, 0 when none was. */
  insertId: number;
  /** Rows affected by the statement. */
  affectedRows: number;
}

async function answer(res: ResultProxy<object>, method: "all" | "execute"): Promise<Awaited<ReturnType<DrizzleProxyCallback>>> {
  if (res.returnsRows) {
    const rows = await res.fetchAll();
    // "all": Drizzle maps rows given as arrays of values; "execute" of a SELECT: [rows, fields], as mysql2 gives.
    if (method === "all") return { rows: rows.map((r) => r.asTuple()) };
    return { rows: [rows.map((r) => r.toJSON()), res.keys().map((name) => ({ name }))] };
  }
  const header: DrizzleResultHeader = { insertId: Number(res.lastRowId ?? 0), affectedRows: res.rowCount };
  return { rows: method === "all" ? [] : [header], ...header };
}

async function withAutocommit<T>(raw: Connection, fn: () => Promise<T>): Promise<T> {
  if (raw.getAutocommit()) return fn();
  await raw.autocommit(true);
  try {
    return await fn();
  } finally {
    await raw.autocommit(false);
  }
}

/**
 * A callback for `drizzle()` of `drizzle-orm/mysql-proxy`:
 * ```ts
 * import { drizzle } from "drizzle-orm/mysql-proxy";
 * const db = drizzle(drizzleCallback(engine));
 * ```
 * On an Engine, each query borrows a connection and runs in autocommit mode (as with Drizzle's
 * mysql2 driver), so writes persist. On an SAConnection, queries run on that connection,
 * inside whatever transaction it has begun: that is how to use transactions, since the proxy
 * driver has none of its own.
 */
export function drizzleCallback(source: Engine | SAConnection): DrizzleProxyCallback {
  if (!(source instanceof Engine) && !(source instanceof SAConnection)) {
    throw new ProgrammingError("drizzleCallback(): expected an Engine or an SAConnection");
  }
  return async (sql, params, method) => {
    const query = { sql, params };
    if (source instanceof SAConnection) return answer(await source.execute(query), method);
    await using conn = await source.acquire();
    return await withAutocommit(conn.connection, async () => answer(await conn.execute(query), method));
  };
}
