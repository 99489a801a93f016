// Observability without a logging dependency: node:diagnostics_channel tracing channels that
// APM tools subscribe to, and the `echo` log. Nothing is built when nobody subscribes.
//
//   aiomysql:connect        context { host, port, unixSocket, user, database }
//   aiomysql:query          context { sql, threadId, host, port, database }
//   aiomysql:pool:acquire   context { size, freeSize, waiting }
//
// Each is a TracingChannel: subscribe to `tracing:aiomysql:query:start`, `...:asyncEnd`,
// `...:error` (or `diagnostics_channel.tracingChannel("aiomysql:query").subscribe({...})`).
// The `result` of a query is its list of result sets; `error` is the error it rejected with.
import { tracingChannel } from "node:diagnostics_channel";
import { getLogger } from "./log.js";
import { redactSql } from "./sql/redact.js";

export { redactSql };

/** Context of `aiomysql:connect`. */
export interface ConnectTrace {
  /** Server host name or address. */
  host: string;
  /** Server TCP port. */
  port: number;
  /** Unix socket path, or null for TCP. */
  unixSocket: string | null;
  /** User name logging in. */
  user: string;
  /** Database selected at connect, or null. */
  database: string | null;
}

/** Context of `aiomysql:query`. The SQL has password literals masked. */
export interface QueryTrace {
  /** The statement text, password literals masked. */
  sql: string;
  /** The connection's server thread id (`CONNECTION_ID()`). */
  threadId: number;
  /** Server host name or address. */
  host: string;
  /** Server TCP port. */
  port: number;
  /** The connection's current database, or null. */
  database: string | null;
}

/** Context of `aiomysql:pool:acquire`. */
export interface AcquireTrace {
  /** Connections the pool holds (free, in use and being opened). */
  size: number;
  /** Idle connections ready to hand out. */
  freeSize: number;
  /** Callers already waiting for a connection. */
  waiting: number;
}

// The store type is `object`: @types/node 24 and later require it to be one (TS2344 otherwise).
export const connectChannel = tracingChannel<object, ConnectTrace>("aiomysql:connect");
export const queryChannel = tracingChannel<object, QueryTrace>("aiomysql:query");
export const acquireChannel = tracingChannel<object, AcquireTrace>("aiomysql:pool:acquire");

/** Writes a statement to the "aiomysql" logger (the `echo` option). */
export function echo(sql: string): void {
  getLogger().info(redactSql(sql));
}

/** Runs `fn` inside a tracing channel when someone subscribes, else just runs it. */
export function traced<T, C extends object>(
  channel: typeof queryChannel | typeof connectChannel | typeof acquireChannel,
  context: () => C,
  fn: () => Promise<T>,
): Promise<T> {
  if (!channel.hasSubscribers) return fn();
  return (channel as unknown as ReturnType<typeof tracingChannel<object, C>>).tracePromise(fn, context());
}
