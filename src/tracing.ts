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

export const connectChannel = tracingChannel<unknown, ConnectTrace & object>("aiomysql:connect");
export const queryChannel = tracingChannel<unknown, QueryTrace & object>("aiomysql:query");
export const acquireChannel = tracingChannel<unknown, AcquireTrace & object>("aiomysql:pool:acquire");

// Where a password literal follows:
//   IDENTIFIED BY 'x', IDENTIFIED BY PASSWORD 'hash', IDENTIFIED WITH plugin BY|AS 'x',
//   IDENTIFIED VIA plugin USING 'x' | USING PASSWORD('x'), PASSWORD('x'), PASSWORD = 'x',
//   MASTER_PASSWORD = 'x' (any *PASSWORD option: SOURCE_PASSWORD, ...), and PASSWORD 'x'
//   (CREATE SERVER ... OPTIONS (PASSWORD 'x')).
// The literal may carry a character set introducer (_utf8mb4'x') or be an N'', X'' or B'' literal.
const SECRET_LITERAL =
  /\b(IDENTIFIED\s+(?:BY(?:\s+PASSWORD)?|WITH\s+\w+\s+(?:BY|AS)|VIA\s+\w+\s+USING(?:\s+PASSWORD\s*\()?)|\w*PASSWORD\s*(?:\(|=)?)(\s*)(_\w+\s*|[NnXxBb](?=['"]))?(['"])((?:\\[^]|(?!\4)[^\\]|\4\4)*)\4/gi;

/** A statement with its password literals masked, and the literals' contents that were masked. */
export interface RedactedSql {
  /** The statement, password literals replaced by '***'. */
  sql: string;
  /** The text inside each masked literal, longest first (to scrub from server messages). */
  secrets: string[];
}

/** Masks the password literals of `sql` and says what they held. */
export function redactSecrets(sql: string): RedactedSql {
  if (!/IDENTIFIED|PASSWORD/i.test(sql)) return { sql, secrets: [] };
  const secrets: string[] = [];
  const masked = sql.replace(SECRET_LITERAL, (_m, lead: string, space: string, _introducer: unknown, quote: string, body: string) => {
    if (body !== "") secrets.push(body);
    // The spacing is kept; an introducer (_utf8mb4) is dropped with the literal.
    return `${lead}${space}${quote}***${quote}`;
  });
  secrets.sort((a, b) => b.length - a.length);
  return { sql: masked, secrets };
}

/** The SQL with password literals masked, for logs, traces and errors' `sql`. */
export function redactSql(sql: string): string {
  return redactSecrets(sql).sql;
}

/**
 * `message` (a server's error text, which may quote the statement) with every secret of
 * `redacted` replaced by ***.
 */
export function scrubMessage(message: string, redacted: RedactedSql): string {
  let out = message;
  for (const secret of redacted.secrets) out = out.split(secret).join("***");
  return out;
}

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
  return (channel as unknown as ReturnType<typeof tracingChannel<unknown, C>>).tracePromise(fn, context());
}
