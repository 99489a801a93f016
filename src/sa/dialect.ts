// The sa dialect: what SQLAlchemy's pymysql dialect object tells aiomysql.sa, for TypeScript.
import { randomBytes } from "node:crypto";
import { escape, escapeId, interpolate, type EscapeOptions } from "../sql/escape.js";
import { formatQmark } from "../sql/qmark.js";
import type { SqlArgs, SqlParam } from "../types.js";

/**
 * Describes the SQL that an Engine speaks and how parameters are bound. The seed's
 * `aiomysql.sa.dialect` is SQLAlchemy's pymysql dialect; this one carries the same facts for the
 * TypeScript builders (which compile to `?` placeholders) and for SQL strings (`%s`, `%(name)s`).
 */
export class Dialect {
  /** Name of the dialect: "mysql" (MariaDB included). */
  readonly name = "mysql";
  /** The DB-API driver: "aiomysql". */
  readonly driver = "aiomysql";
  /** DB-API paramstyle of SQL strings: "format" (`%s`; `%(name)s` works too). */
  readonly paramStyle = "format";
  /** Builders' queries use `?` placeholders, bound client-side. */
  readonly builderParamStyle = "qmark";
  /** SAVEPOINT is available (`beginNested()`). */
  readonly supportsSavepoints = true;
  /** XA two-phase transactions are available (`beginTwophase()`). */
  readonly supportsTwoPhase = true;
  /** Longest identifier the server accepts. */
  readonly maxIdentifierLength = 64;

  /** A random id for a two-phase transaction, as SQLAlchemy makes them: `_sa_` and 32 hex digits. */
  createXid(): string {
    return "_sa_" + randomBytes(16).toString("hex");
  }

  /** Quotes an identifier (see `escapeId()`). */
  quoteIdentifier(name: string | readonly string[]): string {
    return escapeId(name);
  }

  /** An SQL literal for `value` (see `escape()`). */
  literal(value: SqlParam, options?: EscapeOptions): string {
    return escape(value, options);
  }

  /** Binds `%s` / `%(name)s` arguments to an SQL string (see `interpolate()`). */
  formatString(sql: string, args: SqlArgs | SqlParam, options?: EscapeOptions): string {
    return interpolate(sql, args, options);
  }

  /** Binds `?` parameters of a builder's query (see `formatQmark()`). */
  formatQmark(sql: string, params: readonly SqlParam[], options?: EscapeOptions): string {
    return formatQmark(sql, params, options);
  }
}

/** The default dialect of `createEngine()`. */
export const dialect: Dialect = Object.freeze(new Dialect());
