// connect() options: their types, defaults and validation, URL strings, and my.cnf files.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { ConnectionOptions as TlsConnectionOptions, SecureContext } from "node:tls";
import { splitUrlHosts } from "./cluster/options.js";
import { InterfaceError } from "./errors.js";
import { CONNECT_OPTION_NAMES, checkOptionNames, checkOptionsObject, checkWireText } from "./options-check.js";
import { charsetByName } from "./protocol/charsets.js";
import type { Decoders } from "./converters.js";
import type { TimeZone } from "./types.js";
import type { CursorClass } from "./cursors.js";
import { applyValueMapping, type ValueMapping } from "./value-mapping.js";

/** Handler for LOAD DATA LOCAL INFILE: given the file name the statement named, returns the data. */
export type LocalInfileHandler = (
  fileName: string,
) => Uint8Array | string | AsyncIterable<Uint8Array | string> | Promise<Uint8Array | string | AsyncIterable<Uint8Array | string>>;

/** The values of the `sslMode` option, as MySQL's `--ssl-mode` names them. */
export type SslMode = "disabled" | "preferred" | "required" | "verify-ca" | "verify-full";

const SSL_MODES: readonly SslMode[] = ["disabled", "preferred", "required", "verify-ca", "verify-full"];

/** Options of `connect()`: the seed's keyword arguments in camelCase, plus a few of our own. */
export interface ConnectOptions {
  /** Host of the server (default "localhost"). */
  host?: string;
  /** User name to log in as. */
  user?: string | null;
  /** Password (default ""). */
  password?: string;
  /** Database to use, or null for none. */
  db?: string | null;
  /** Alias of `db`. */
  database?: string | null;
  /** TCP port (default 3306). */
  port?: number;
  /** Path of a unix socket to use instead of TCP. */
  unixSocket?: string | null;
  /** Connection character set (default "utf8mb4"). */
  charset?: string;
  /** sql_mode to set for the session, such as "NO_BACKSLASH_ESCAPES". */
  sqlMode?: string | null;
  /** my.cnf-style file to read defaults from: `[client]`, then `readDefaultGroup`. */
  readDefaultFile?: string | null;
  /** Decoders by FIELD_TYPE, replacing the defaults for those types. */
  conv?: Decoders;
  /** false returns text columns as Buffers (default true). */
  useUnicode?: boolean | null;
  /** Extra capability flags (CLIENT.*) to send. */
  clientFlag?: number;
  /** Default cursor class of `cursor()` (default Cursor). */
  cursorClass?: CursorClass;
  /** SQL statement run once the connection is established. */
  initCommand?: string | null;
  /** Seconds allowed for the whole connect, handshake included (default: no limit). */
  connectTimeout?: number | null;
  /** Group of the option file to read after `[client]`. */
  readDefaultGroup?: string | null;
  /** Autocommit mode; null keeps the server's default (default false). */
  autocommit?: boolean | null;
  /** Log executed statements to the `aiomysql` logger (default false). */
  echo?: boolean;
  /**
   * TLS: true, Node TLS options (`ca`, `cert`, `key`, `servername`, ...), or a SecureContext.
   * With `ssl` set, TLS is mandatory and the certificate and host name are verified
   * (sslMode "verify-full") unless `sslMode` says otherwise.
   */
  ssl?: boolean | TlsConnectionOptions | SecureContext | null;
  /**
   * How much TLS to insist on: "disabled" (never), "preferred" (when the server offers it,
   * unverified), "required" (always, unverified), "verify-ca" (always, chain checked),
   * "verify-full" (always, chain and host name checked). Default: "verify-full" when `ssl`
   * is set, else "disabled".
   */
  sslMode?: SslMode | null;
  /** Authentication plugin to start with, such as "mysql_clear_password". */
  authPlugin?: string;
  /** Program name sent as a connection attribute. */
  programName?: string;
  /** PEM public key of the server for sha256_password / caching_sha2_password over plain TCP. */
  serverPublicKey?: string | Buffer | null;
  /** Allow LOAD DATA LOCAL INFILE (default false); a function serves the data itself. */
  localInfile?: boolean | LocalInfileHandler;
  /** Time zone of DATETIME/TIMESTAMP values: "local" (default), "Z", or "+HH:MM". */
  timezone?: TimeZone;
  /** Send several statements in one execute (default true, as in aiomysql). */
  multiStatements?: boolean;
  /** Allow sending the password in clear text (mysql_clear_password) without TLS or a unix socket. */
  allowCleartextPassword?: boolean;
  /**
   * Allow asking the server for its RSA public key (caching_sha2_password, sha256_password
   * over plain TCP without `serverPublicKey`). The key is trusted as sent (default false).
   */
  allowPublicKeyRetrieval?: boolean;
  /** Use the zlib compressed protocol. */
  compress?: boolean;
  /**
   * Most bytes of row data a buffered (non-streaming) statement may hold, summed over its
   * result sets (default 256 MiB; 0 for no limit). A result that grows past it fails with an
   * `OperationalError` (errno 2008) and the connection is closed, instead of the process running
   * out of memory; stream big results with `SSCursor`, which holds only a window of rows.
   */
  maxResultBytes?: number;
  /** Which JavaScript values column types become: `"aiomysql"` (default) or mysql2's, `"mysql2"` (see `ValueMapping`). */
  valueMapping?: ValueMapping;
}

/** Options after defaults, validation, URL parsing and option files. */
export interface ResolvedOptions {
  host: string;
  user: string;
  password: string;
  db: string | null;
  port: number;
  unixSocket: string | null;
  charset: string;
  sqlMode: string | null;
  conv: Decoders | null;
  useUnicode: boolean;
  clientFlag: number;
  cursorClass: CursorClass | null;
  initCommand: string | null;
  connectTimeout: number | null;
  autocommit: boolean | null;
  echo: boolean;
  ssl: TlsConnectionOptions | SecureContext | null;
  sslMode: SslMode;
  authPlugin: string;
  programName: string;
  serverPublicKey: string | Buffer | null;
  localInfile: boolean | LocalInfileHandler;
  timezone: TimeZone;
  multiStatements: boolean;
  allowCleartextPassword: boolean;
  allowPublicKeyRetrieval: boolean;
  compress: boolean;
  maxResultBytes: number;
}

/** Default of `maxResultBytes`: 256 MiB of row packets. */
export const DEFAULT_MAX_RESULT_BYTES = 256 * 1024 * 1024;

function fail(message: string): never {
  throw new InterfaceError(`connect(): ${message}`);
}

function optString(name: string, v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== "string") fail(`option '${name}' must be a string, got ${typeof v}`);
  return v;
}

function optBool(name: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "boolean") fail(`option '${name}' must be a boolean, got ${typeof v}`);
  return v;
}

const TIMEZONE_RE = /^(local|Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/** Validates options and applies the seed's defaults. Explicit options win over option files. */
export function resolveOptions(input: ConnectOptions | string = {}): ResolvedOptions {
  let o: ConnectOptions = typeof input === "string" ? parseConnectionUrl(input) : { ...checkOptionsObject("connect()", input) };
  if ((o as { hosts?: unknown }).hosts !== undefined)
    fail("option 'hosts' lists the servers of a cluster: pass it to createPool(), connect() opens one server");
  if ((o as { srv?: unknown }).srv !== undefined)
    fail("option 'srv' (a mysql+srv:// URL) names the servers of a cluster: pass it to createPool(), connect() opens one server");
  checkOptionNames("connect()", o, CONNECT_OPTION_NAMES);
  if (o.readDefaultFile || o.readDefaultGroup) {
    const file = o.readDefaultFile ?? "/etc/mysql/my.cnf";
    const fromFile = readOptionFile(file, o.readDefaultGroup ?? null);
    o = { ...fromFile, ...stripUndefined(o) };
  }
  const port = o.port ?? 3306;
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`option 'port' must be an integer from 0 to 65535, got ${String(port)}`);
  const timeout = o.connectTimeout ?? null;
  if (timeout !== null && (typeof timeout !== "number" || !(timeout > 0) || !Number.isFinite(timeout))) {
    fail(`option 'connectTimeout' must be a positive number of seconds, got ${String(timeout)}`);
  }
  const clientFlag = o.clientFlag ?? 0;
  if (!Number.isInteger(clientFlag) || clientFlag < 0) fail(`option 'clientFlag' must be a non-negative integer`);
  const timezone = o.timezone ?? "local";
  if (typeof timezone !== "string" || !TIMEZONE_RE.test(timezone)) {
    fail(`option 'timezone' must be "local", "Z" or "+HH:MM"/"-HH:MM", got ${JSON.stringify(timezone)}`);
  }
  let ssl: ResolvedOptions["ssl"] = null;
  if (o.ssl === true) ssl = {};
  else if (o.ssl && typeof o.ssl === "object") ssl = o.ssl;
  else if (o.ssl !== undefined && o.ssl !== null && o.ssl !== false) fail("option 'ssl' must be true, TLS options or a SecureContext");
  const sslMode = o.sslMode ?? (ssl ? "verify-full" : "disabled");
  if (!SSL_MODES.includes(sslMode)) fail(`option 'sslMode' must be one of ${SSL_MODES.join(", ")}, got ${JSON.stringify(sslMode)}`);
  const autocommit = o.autocommit === undefined ? false : o.autocommit;
  if (autocommit !== null && typeof autocommit !== "boolean") fail("option 'autocommit' must be a boolean or null");
  const localInfile = o.localInfile ?? false;
  if (typeof localInfile !== "boolean" && typeof localInfile !== "function") fail("option 'localInfile' must be a boolean or a function");
  if (o.conv !== undefined && o.conv !== null && typeof o.conv !== "object")
    fail("option 'conv' must be an object of decoders keyed by FIELD_TYPE");
  if (o.cursorClass !== undefined && o.cursorClass !== null && typeof o.cursorClass !== "function") {
    fail("option 'cursorClass' must be a cursor class such as DictCursor");
  }
  const pk = o.serverPublicKey ?? null;
  if (pk !== null && typeof pk !== "string" && !Buffer.isBuffer(pk)) fail("option 'serverPublicKey' must be a PEM string or Buffer");
  const charset = optString("charset", o.charset) || "utf8mb4";
  const cs = charsetByName(charset);
  const maxResultBytes = o.maxResultBytes ?? DEFAULT_MAX_RESULT_BYTES;
  if (typeof maxResultBytes !== "number" || !Number.isSafeInteger(maxResultBytes) || maxResultBytes < 0) {
    fail(`option 'maxResultBytes' must be a non-negative integer number of bytes (0 for no limit), got ${String(maxResultBytes)}`);
  }
  if (o.db !== undefined && o.db !== null && o.database !== undefined && o.database !== null && o.db !== o.database) {
    fail("options 'db' and 'database' name different databases; pass one of them");
  }
  const user = optString("user", o.user) ?? "";
  const password = optString("password", o.password) ?? "";
  const db = optString("db", o.db ?? o.database);
  // The handshake carries these as NUL-terminated text: they must arrive exactly as given.
  checkWireText("connect()", "option 'user'", user, cs);
  checkWireText("connect()", "option 'password'", password, null, true);
  if (db !== null) checkWireText("connect()", "option 'db'", db, cs);
  const host = optString("host", o.host) || "localhost";
  if (host.includes("\0")) fail("option 'host' must not contain a NUL character");
  return hidePassword({
    host,
    user,
    password,
    db,
    port,
    unixSocket: optString("unixSocket", o.unixSocket) || null,
    charset,
    sqlMode: optString("sqlMode", o.sqlMode),
    conv: applyValueMapping(optString("valueMapping", o.valueMapping), o.conv ?? null, timezone as TimeZone),
    useUnicode: optBool("useUnicode", o.useUnicode, true),
    clientFlag,
    cursorClass: o.cursorClass ?? null,
    initCommand: optString("initCommand", o.initCommand),
    connectTimeout: timeout,
    autocommit,
    echo: optBool("echo", o.echo, false),
    ssl,
    sslMode,
    authPlugin: optString("authPlugin", o.authPlugin) ?? "",
    programName: optString("programName", o.programName) ?? "",
    serverPublicKey: pk,
    localInfile,
    timezone: timezone as TimeZone,
    multiStatements: optBool("multiStatements", o.multiStatements, true),
    allowCleartextPassword: optBool("allowCleartextPassword", o.allowCleartextPassword, false),
    allowPublicKeyRetrieval: optBool("allowPublicKeyRetrieval", o.allowPublicKeyRetrieval, false),
    compress: optBool("compress", o.compress, false),
    maxResultBytes,
  });
}

/**
 * Makes `password` non-enumerable, so util.inspect, JSON.stringify and loggers that walk an
 * object never show it. A `{ ...options }` copy drops it too: pass it again explicitly.
 */
export function hidePassword<T extends { password: string }>(options: T): T {
  Object.defineProperty(options, "password", { value: options.password, enumerable: false, writable: true, configurable: true });
  return options;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const BOOLEAN_OPTIONS = new Set([
  "autocommit",
  "echo",
  "useUnicode",
  "localInfile",
  "multiStatements",
  "allowCleartextPassword",
  "allowPublicKeyRetrieval",
  "compress",
  "resetOnRelease",
  "pipeline",
  "replicaFallback",
  "multiWriter",
]);
const NUMBER_OPTIONS = new Set([
  "port",
  "connectTimeout",
  "clientFlag",
  "minSize",
  "maxSize",
  "poolRecycle",
  "acquireTimeout",
  "validateAfterIdle",
  "idleTimeout",
  "maxLifetime",
  "warnHeldLongerThan",
  "pipelineDepth",
  "maxResultBytes",
  "healthCheckInterval",
  "causalReadTimeout",
  "maxReplicaLag",
  "discoveryInterval",
  "failureDetectionTimeout",
]);
const STRING_OPTIONS = new Set([
  "topology",
  "causalReads",
  "selector",
  "charset",
  "sqlMode",
  "initCommand",
  "readDefaultFile",
  "readDefaultGroup",
  "sslMode",
  "authPlugin",
  "programName",
  "unixSocket",
  "timezone",
  "valueMapping",
  "db",
  "database",
  "host",
  "user",
  "password",
  "serverPublicKey",
]);
/**
 * Options that exist but take values a URL cannot carry (functions, classes, objects); `srv`
 * has its own URL form, mysql+srv://name (as a query parameter it would sit beside a host).
 */
const NOT_URL_OPTIONS = new Set(["conv", "cursorClass", "hosts", "monitor", "srv", "srvResolver"]);

function camelCase(name: string): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Percent-decodes one part of a connection URL; a bad escape is an InterfaceError, not a URIError. */
function decodeUrlPart(what: string, text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // Never echo the text: it may be the password.
    return fail(`the connection URL's ${what} has an invalid percent-escape (write % as %25)`);
  }
}

/**
 * Parses `mysql://user:password@host:port/db?option=value` (also `mariadb://`). Option names
 * may be camelCase or snake_case; `ssl=true` turns TLS on, `ssl=false` off.
 */
export function parseConnectionUrl(url: string): ConnectOptions & Record<string, unknown> {
  // A cluster's host list (h1:3306,h2:3306,[::1]:3307) or SRV name (mysql+srv://) is split out first.
  const split = typeof url === "string" ? splitUrlHosts(url) : null;
  if (split !== null && "srv" in split) {
    const { host: _, ...rest } = parseConnectionUrl(split.url);
    return { ...rest, srv: split.srv };
  }
  if (split !== null) return { ...parseConnectionUrl(split.url), hosts: split.hosts };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    fail("not a valid connection URL (expected mysql://user:password@host:port/db?option=value)");
  }
  if (u.protocol !== "mysql:" && u.protocol !== "mariadb:") fail(`unsupported URL scheme '${u.protocol}', use mysql://`);
  const o: ConnectOptions & Record<string, unknown> = {};
  if (u.hostname) o.host = u.hostname.replace(/^\[(.*)\]$/, "$1");
  if (u.port) o.port = Number(u.port);
  if (u.username) o.user = decodeUrlPart("user name", u.username);
  if (u.password) o.password = decodeUrlPart("password", u.password);
  const db = decodeUrlPart("database", u.pathname.replace(/^\//, ""));
  if (db) o.db = db;
  for (const [rawKey, value] of u.searchParams) {
    const key = camelCase(rawKey);
    if (key === "ssl") {
      o.ssl =
        value === "" || value === "true" || value === "1"
          ? true
          : value === "false" || value === "0"
            ? false
            : fail(`URL option ssl must be true or false`);
    } else if (BOOLEAN_OPTIONS.has(key)) {
      if (!["true", "false", "1", "0"].includes(value)) fail(`URL option ${rawKey} must be true or false, got '${value}'`);
      o[key] = value === "true" || value === "1";
    } else if (NUMBER_OPTIONS.has(key)) {
      const n = Number(value);
      if (value === "" || !Number.isFinite(n)) fail(`URL option ${rawKey} must be a number, got '${value}'`);
      o[key] = n;
    } else if (STRING_OPTIONS.has(key)) {
      o[key] = value;
    } else if (NOT_URL_OPTIONS.has(key)) {
      fail(`option '${rawKey}' cannot be given in a URL; pass it in the options object`);
    } else {
      fail(`unknown URL option '${rawKey}'`);
    }
  }
  return o;
}

/** Options that my.cnf keys map to (as PyMySQL reads them). */
const CNF_KEYS: Record<string, keyof ConnectOptions> = {
  user: "user",
  password: "password",
  host: "host",
  database: "db",
  db: "db",
  socket: "unixSocket",
  port: "port",
  "default-character-set": "charset",
  "init-command": "initCommand",
};

/** Strips MySQL option-file quoting: '...' or "..." with backslash escapes inside double quotes. */
function unquote(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) {
    const inner = v.slice(1, -1);
    return inner.replace(/\\(.)/g, (_, c: string) => ({ n: "\n", t: "\t", r: "\r", b: "\b", s: " " })[c] ?? c);
  }
  // An unquoted value ends at a comment.
  return v.replace(/\s+#.*$/, "");
}

/**
 * Reads `[client]` then `group` of a MySQL option file (with `!include` and `!includedir`);
 * later values win. Returns connect() options.
 */
export function readOptionFile(file: string, group: string | null): ConnectOptions {
  const groups = ["client", ...(group && group !== "client" ? [group] : [])];
  const values = new Map<string, string>();
  const seen = new Set<string>();
  const readOne = (path: string): void => {
    const full = resolve(path);
    if (seen.has(full)) return;
    seen.add(full);
    let text: string;
    try {
      text = readFileSync(full, "utf8");
    } catch (e) {
      throw new InterfaceError(`connect(): cannot read option file '${path}': ${(e as Error).message}`);
    }
    let current: string | null = null;
    const perGroup = new Map<string, Map<string, string>>();
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.trim();
      if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
      if (line.startsWith("!include ")) {
        readOne(resolve(dirname(full), line.slice(9).trim()));
        continue;
      }
      if (line.startsWith("!includedir ")) {
        const dir = resolve(dirname(full), line.slice(12).trim());
        for (const f of readdirSync(dir).sort()) {
          if (/\.(cnf|ini)$/.test(f) && statSync(join(dir, f)).isFile()) readOne(join(dir, f));
        }
        continue;
      }
      const section = /^\[([^\]]+)\]$/.exec(line);
      if (section) {
        current = section[1]!.trim();
        continue;
      }
      if (current === null || !groups.includes(current)) continue;
      const eq = line.indexOf("=");
      const key = (eq === -1 ? line : line.slice(0, eq)).trim().replace(/_/g, "-");
      const value = eq === -1 ? "" : unquote(line.slice(eq + 1));
      let m = perGroup.get(current);
      if (!m) perGroup.set(current, (m = new Map()));
      m.set(key, value);
    }
    // [client] first, then the named group, so the group wins.
    for (const g of groups) for (const [k, v] of perGroup.get(g) ?? []) values.set(k, v);
  };
  readOne(file);
  const out: Record<string, unknown> = {};
  for (const [key, value] of values) {
    const opt = CNF_KEYS[key];
    if (!opt) continue;
    if (opt === "port") {
      const n = Number(value);
      if (!Number.isInteger(n)) throw new InterfaceError(`connect(): option file '${file}': port '${value}' is not a number`);
      out.port = n;
    } else {
      out[opt] = value;
    }
  }
  const sslMode = values.get("ssl-mode");
  if (sslMode !== undefined) {
    // MySQL spells them DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY.
    const mode = sslMode.toLowerCase().replace(/_/g, "-");
    out.sslMode = mode === "verify-identity" ? "verify-full" : mode;
  }
  if (values.has("ssl-ca") || values.has("ssl-cert") || values.has("ssl-key")) {
    const tls: TlsConnectionOptions = {};
    if (values.has("ssl-ca")) tls.ca = readFileSync(values.get("ssl-ca")!);
    if (values.has("ssl-cert")) tls.cert = readFileSync(values.get("ssl-cert")!);
    if (values.has("ssl-key")) tls.key = readFileSync(values.get("ssl-key")!);
    out.ssl = tls;
  }
  return out as ConnectOptions;
}
