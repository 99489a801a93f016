// Knex's `connection` settings (as a user writes them for Knex's mysql2 client, or as Knex parses
// a mysql:// URL) turned into aiomysql connect() options.
import { ProgrammingError } from "../errors.js";
import type { ConnectOptions } from "../options.js";
import { CLIENT } from "../protocol/constants.js";
import type { Knex } from "knex";

/**
 * The `connection` of `knex({ client: AiomysqlKnexClient, connection })`: every `connect()`
 * option, plus the mysql2 spellings `database`, `socketPath` and `multipleStatements`.
 * Times are in seconds, as everywhere in aiomysql (mysql2's `connectTimeout` is milliseconds).
 */
export type KnexConnectionSettings = {
  [K in keyof ConnectOptions]?: Exclude<ConnectOptions[K], null>;
} & {
  /** mysql2's name of `unixSocket`. */
  socketPath?: string;
  /** mysql2's name of `multiStatements`. */
  multipleStatements?: boolean;
};

/** mysql2 options that have no aiomysql equivalent of the same meaning, and what to use instead. */
const MYSQL2_ONLY: Readonly<Record<string, string>> = {
  typeCast: "use the 'conv' option (decoders by FIELD_TYPE)",
  dateStrings: "DATE is a string with valueMapping: 'aiomysql'; DATETIME as text needs a 'conv' decoder",
  supportBigNumbers: "BIGINT is never rounded: a number when safe, else a string (valueMapping 'mysql2') or a bigint ('aiomysql')",
  bigNumberStrings: "BIGINT is a number when safe, else a string (valueMapping 'mysql2') or a bigint ('aiomysql')",
  decimalNumbers: "DECIMAL is always an exact string; convert it yourself or with a 'conv' decoder",
  jsonStrings: "JSON columns are text with valueMapping: 'aiomysql'",
  namedPlaceholders: "Knex binds its own '?' placeholders",
  nestTables: "not supported",
  rowsAsArray: "not supported by the Knex client",
  flags: "use 'clientFlag' (CLIENT.* bits)",
};

/** The number in `value`, which Knex's URL parser may leave as a string. */
function numeric(name: string, value: unknown): unknown {
  if (typeof value !== "string") return value;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n))
    throw new ProgrammingError(`Knex connection option '${name}' must be a number, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * connect() options for Knex: autocommit on (as Knex expects of statements outside a
 * transaction), `valueMapping: "mysql2"` (the values Knex's mysql2 client returns) and
 * CLIENT.FOUND_ROWS (update counts are rows matched, as with mysql2), unless set otherwise.
 * @throws ProgrammingError for settings that are not an object, or a mysql2-only option.
 */
export function knexConnectOptions(settings: unknown): ConnectOptions {
  if (settings === null || typeof settings !== "object" || Array.isArray(settings)) {
    throw new ProgrammingError("AiomysqlKnexClient: 'connection' must be an object of connect() options or a mysql:// URL");
  }
  const { socketPath, multipleStatements, ...rest } = settings as KnexConnectionSettings & Record<string, unknown>;
  for (const name of Object.keys(rest)) {
    const hint = MYSQL2_ONLY[name];
    if (hint !== undefined && rest[name] !== undefined) {
      throw new ProgrammingError(`AiomysqlKnexClient: connection option '${name}' is mysql2's and has no aiomysql equivalent: ${hint}`);
    }
  }
  const options: ConnectOptions & Record<string, unknown> = { ...rest };
  // Knex hides the password (non-enumerable), so the spread above does not copy it.
  const { password } = settings as ConnectOptions;
  if (password !== undefined) options.password = password;
  if (socketPath !== undefined && options.unixSocket === undefined) options.unixSocket = socketPath;
  if (multipleStatements !== undefined && options.multiStatements === undefined) options.multiStatements = multipleStatements;
  for (const name of ["port", "connectTimeout", "clientFlag"] as const) {
    if (options[name] !== undefined) options[name] = numeric(name, options[name]) as number;
  }
  options.autocommit ??= true;
  options.valueMapping ??= "mysql2";
  options.clientFlag ??= CLIENT.FOUND_ROWS;
  return options;
}

/**
 * Types aiomysql connection settings for Knex's `connection` option, whose declared type is
 * mysql2's (`knex({ client: AiomysqlKnexClient, connection: knexConnection({ ..., valueMapping:
 * "aiomysql" }) })`). The settings are checked at once.
 * @throws ProgrammingError as knexConnectOptions() does.
 */
export function knexConnection(settings: KnexConnectionSettings): Knex.StaticConnectionConfig {
  knexConnectOptions(settings);
  return settings as Knex.StaticConnectionConfig;
}
