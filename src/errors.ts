// The PEP 249 exception hierarchy, with server error codes mapped to classes as PyMySQL maps them.
import { CR } from "./protocol/constants.js";
import { ER } from "./protocol/er.js";
import { serverErrorName } from "./protocol/error-names.js";

/** Marks instances so that `instanceof` works across two copies of this package. */
const KINDS = Symbol.for("aiomysql.error.kinds");

interface Branded {
  [KINDS]?: readonly string[];
}

function hasKind(value: unknown, kind: string): boolean {
  if (typeof value !== "object" || value === null) return false;
  const kinds = (value as Branded)[KINDS];
  return Array.isArray(kinds) && kinds.includes(kind);
}

export interface ErrorDetails {
  /** The server's error code (`ER_*`) or the client's (`CR_*`, 2000-2999). */
  errno?: number | null;
  /** The five-character SQLSTATE the server sent, when it sent one. */
  sqlState?: string | null;
  /** What the library was doing, such as the SQL text (never a password). */
  sql?: string;
  /** The server's error message, for errors the server reported (mysql2's `sqlMessage`). */
  sqlMessage?: string;
  /** The string code, when the caller knows it better than the errno alone (which server sent it). */
  code?: string;
  cause?: unknown;
}

const ER_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(ER).map(([name, code]) => [code, `ER_${name}`]));
const CR_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(CR).map(([name, code]) => [code, `CR_${name}`]));

/** The string code of an error number; `mariadb` says which server sent it (null: unknown). */
function codeFor(errno: number, mariadb: boolean | null): string {
  if (errno >= 2000 && errno < 3000) return CR_NAMES.get(errno) ?? `CR_${errno}`;
  return serverErrorName(errno, mariadb) ?? ER_NAMES.get(errno) ?? CR_NAMES.get(errno) ?? `ER_${errno}`;
}

/** The root of every error this library throws (PyMySQL's `MySQLError`). */
export class MySQLError extends Error {
  /** The server's or client's numeric error code, or null when there is none. */
  readonly errno: number | null;
  /** SQLSTATE, for errors the server reported. */
  readonly sqlState: string | null;
  /**
   * A stable string code: the server's name for its error number (`ER_DUP_ENTRY`, MariaDB's or
   * MySQL's name, whichever server sent it), the client's (`CR_SERVER_LOST`), or `ER_<n>` for
   * a number neither server names.
   */
  readonly code: string;
  /** The statement that failed, when the error came from one. */
  sql?: string;
  /** The server's error message, for errors the server reported (as mysql2's `sqlMessage`). */
  sqlMessage?: string;

  constructor(message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.errno = details.errno ?? null;
    this.sqlState = details.sqlState ?? null;
    if (details.sql !== undefined) this.sql = details.sql;
    if (details.sqlMessage !== undefined) this.sqlMessage = details.sqlMessage;
    const errno = this.errno;
    this.code = details.code ?? (errno === null ? "AIOMYSQL_ERROR" : codeFor(errno, null));
    // Record the names of every class in the chain so instanceof works across copies.
    const kinds: string[] = [];
    // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- walks constructors of any shape
    for (let p: Function = new.target; p && p !== (Error as Function); p = Object.getPrototypeOf(p) as Function) kinds.push(p.name);
    Object.defineProperty(this, KINDS, { value: kinds });
    Object.defineProperty(this, "name", { value: new.target.name, enumerable: false, configurable: true });
  }

  /** True when `value` is an error of this class or a subclass, even from another copy of the module. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasKind(value, this.name) || Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

/** Important warnings such as data truncation (PEP 249 `Warning`). Also exported as `MySQLWarning`. */
export class Warning extends MySQLError {}
/** Base class of every error except `Warning`. */
export class Error_ extends MySQLError {}
/** A misuse of the library itself: a closed connection or cursor, a bad option. */
export class InterfaceError extends Error_ {}
/** Errors that concern the database. */
export class DatabaseError extends Error_ {}
/** Problems with the processed data: out of range, too long, truncated. */
export class DataError extends DatabaseError {}
/** Errors in the database's operation: lost connection, access denied, deadlock, timeout. */
export class OperationalError extends DatabaseError {}
/** Relational integrity: duplicate key, foreign key, NOT NULL, CHECK. */
export class IntegrityError extends DatabaseError {}
/** The server's internal errors. */
export class InternalError extends DatabaseError {}
/** Programming errors: bad SQL, missing table, wrong number of parameters. */
export class ProgrammingError extends DatabaseError {}
/** A feature the server or this library does not support. */
export class NotSupportedError extends DatabaseError {}

// `Error` is the PEP 249 name; inside this module it would shadow the global Error.
Object.defineProperty(Error_, "name", { value: "Error" });
export { Error_ as Error };

type ErrorClass = new (message: string, details?: ErrorDetails) => MySQLError;

const ERROR_MAP = new Map<number, ErrorClass>();
function mapErrors(cls: ErrorClass, ...codes: number[]): void {
  for (const code of codes) ERROR_MAP.set(code, cls);
}
mapErrors(
  ProgrammingError,
  ER.DB_CREATE_EXISTS,
  ER.SYNTAX_ERROR,
  ER.PARSE_ERROR,
  ER.NO_SUCH_TABLE,
  ER.WRONG_DB_NAME,
  ER.WRONG_TABLE_NAME,
  ER.FIELD_SPECIFIED_TWICE,
  ER.INVALID_GROUP_FUNC_USE,
  ER.UNSUPPORTED_EXTENSION,
  ER.TABLE_MUST_HAVE_COLUMNS,
  ER.CANT_DO_THIS_DURING_AN_TRANSACTION,
  ER.WRONG_COLUMN_NAME,
);
mapErrors(
  DataError,
  ER.WARN_DATA_TRUNCATED,
  ER.WARN_NULL_TO_NOTNULL,
  ER.WARN_DATA_OUT_OF_RANGE,
  ER.NO_DEFAULT,
  ER.PRIMARY_CANT_HAVE_NULL,
  ER.DATA_TOO_LONG,
  ER.DATETIME_FUNCTION_OVERFLOW,
  ER.TRUNCATED_WRONG_VALUE_FOR_FIELD,
  ER.ILLEGAL_VALUE_FOR_TYPE,
);
mapErrors(
  IntegrityError,
  ER.DUP_ENTRY,
  ER.NO_REFERENCED_ROW,
  ER.NO_REFERENCED_ROW_2,
  ER.ROW_IS_REFERENCED,
  ER.ROW_IS_REFERENCED_2,
  ER.CANNOT_ADD_FOREIGN,
  ER.BAD_NULL_ERROR,
  ER.CONSTRAINT_FAILED,
  ER.CHECK_CONSTRAINT_VIOLATED,
);
mapErrors(NotSupportedError, ER.WARNING_NOT_COMPLETE_ROLLBACK, ER.NOT_SUPPORTED_YET, ER.FEATURE_DISABLED, ER.UNKNOWN_STORAGE_ENGINE);
mapErrors(
  OperationalError,
  ER.DBACCESS_DENIED_ERROR,
  ER.ACCESS_DENIED_ERROR,
  ER.CON_COUNT_ERROR,
  ER.TABLEACCESS_DENIED_ERROR,
  ER.COLUMNACCESS_DENIED_ERROR,
  ER.LOCK_DEADLOCK,
  ER.LOCK_WAIT_TIMEOUT,
);

/**
 * The server is a front end (a Spider head, a proxy, a TiDB server) and a backend behind it
 * failed: the front end itself answers, and another front end would most likely hit the same
 * backend. A cluster pool marks no node down for it. `errno` is the server's (1429 and 1430 for
 * Spider's and FEDERATED's remote server, 12701 for Spider's "remote server has gone away", 9001,
 * 9002, 9003 and 9005 for TiDB's PD and TiKV timeouts); `sqlMessage` its message unchanged.
 */
export class BackendError extends OperationalError {
  constructor(message: string, details: ErrorDetails = {}) {
    super(`A backend behind the front end failed (errno ${details.errno ?? "?"}): ${message}`, details);
  }
}
mapErrors(
  BackendError,
  1429, // ER_CONNECT_TO_FOREIGN_DATA_SOURCE: Spider / FEDERATED cannot connect to the remote server
  1430, // ER_QUERY_ON_FOREIGN_DATA_SOURCE: the remote server refused or lost the statement
  12701, // Spider's ER_SPIDER_REMOTE_SERVER_GONE_AWAY
  9001, // TiDB: PD server timeout
  9002, // TiDB: TiKV server timeout
  9003, // TiDB: TiKV server is busy
  9005, // TiDB: region is unavailable
);

/** The class PyMySQL raises for a server error code: unmapped codes below 1000 are internal. */
export function errorClassFor(errno: number): ErrorClass {
  return ERROR_MAP.get(errno) ?? (errno < 1000 ? InternalError : OperationalError);
}

/**
 * Builds the error for an ERR packet; `mariadb` says whether a MariaDB server sent it (for the
 * name in `code`: the two servers name many numbers above 1700 differently).
 */
export function serverError(errno: number, sqlState: string | null, message: string, sql?: string, mariadb?: boolean): MySQLError {
  const cls = errorClassFor(errno);
  const code = codeFor(errno, mariadb ?? null);
  return new cls(message, { errno, sqlState, sqlMessage: message, code, ...(sql === undefined ? {} : { sql }) });
}

/** Client-side operational failures (`CR_*` codes), such as a lost connection. */
export function clientError(errno: number, message: string, cause?: unknown): OperationalError {
  return new OperationalError(message, { errno, cause });
}

/** What a cluster pool last saw of one node, as a `FailoverError` reports it. */
export interface NodeFailure {
  /** The node's name (its `name` option, else `host:port`). */
  readonly node: string;
  /** The node's last error, or null when it has none (it was up but not eligible). */
  readonly error: globalThis.Error | null;
}

/**
 * A cluster pool could not run a statement where it had to: no writable node could be reached
 * (or, for a read, no node at all), or the writable node changed under a statement that was not
 * retried. `nodes` names every node with its last error; the message says the same.
 */
export class FailoverError extends OperationalError {
  /** Every node of the cluster with its last error. */
  readonly nodes: readonly NodeFailure[];
  constructor(message: string, nodes: readonly NodeFailure[] = [], details: ErrorDetails = {}) {
    super(message, details);
    this.nodes = nodes;
  }
}

/**
 * The connection was lost while COMMIT was in flight: the server may or may not have committed
 * the transaction, and this client cannot tell. `errno` is the lost connection's (2013 or 2006);
 * `cause` is its error. Check the data before you retry the transaction.
 */
export class TransactionResolutionUnknownError extends OperationalError {}

/**
 * A Galera node rolled the transaction back because a transaction committed on another node
 * wrote the same rows first (a certification conflict, or a brute-force abort by one): errno
 * 1213, as an InnoDB deadlock, and like it an `OperationalError`. Nothing of the transaction was
 * committed; running it again is safe. `Pool.transaction()` does so with `retryable`.
 */
export class CertificationConflictError extends OperationalError {}

/**
 * The error for a COMMIT that failed after it was sent: a lost connection (2006, 2013) becomes
 * `TransactionResolutionUnknownError`; any other error (a server's ERR) is returned unchanged.
 */
export function commitOutcomeUnknown(err: unknown): unknown {
  if (!(err instanceof OperationalError) || (err.errno !== CR.SERVER_LOST && err.errno !== CR.SERVER_GONE_ERROR)) return err;
  return new TransactionResolutionUnknownError(
    `The connection was lost during COMMIT, so whether the transaction was committed is unknown: ${err.message}`,
    { errno: err.errno, sqlState: err.sqlState, sql: "COMMIT", cause: err },
  );
}
