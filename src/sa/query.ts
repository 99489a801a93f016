// What SAConnection.execute() was given, turned into statements to run: an SQL string with the
// seed's %s / %(name)s arguments, or a query builder's SQL with `?` parameters.
import { ProgrammingError } from "../errors.js";
import type { SqlArgs, SqlParam } from "../types.js";

/** A Kysely query: `db.selectFrom("t").selectAll()`, anything whose `compile()` gives `{ sql, parameters }`. */
export interface CompilableQuery {
  /** Compiles the query to its SQL text and parameter values. */
  compile(): {
    /** The SQL text, with `?` placeholders. */
    readonly sql: string;
    /** One value per placeholder, in order. */
    readonly parameters: readonly unknown[];
  };
}

/** A compiled query: Kysely's `CompiledQuery`, or Knex's `toSQL()` / `toNative()` result. */
export type CompiledQueryLike =
  | {
      /** The SQL text, with `?` placeholders. */
      readonly sql: string;
      /** One value per placeholder (Kysely). */
      readonly parameters: readonly unknown[];
    }
  | {
      /** The SQL text, with `?` placeholders. */
      readonly sql: string;
      /** One value per placeholder (Drizzle). */
      readonly params: readonly unknown[];
    }
  | {
      /** The SQL text, with `?` placeholders. */
      readonly sql: string;
      /** One value per placeholder (Knex). */
      readonly bindings: readonly unknown[];
    };

/** A Drizzle or Knex query: anything whose `toSQL()` gives `{ sql, params }` or `{ sql, bindings }` (or a list of them). */
export interface ToSQLQuery {
  /** Compiles the query to one statement, or a list of statements run in order. */
  toSQL(): CompiledQueryLike | readonly CompiledQueryLike[];
}

/** What `SAConnection.execute()` runs: an SQL string or a query builder's query. */
export type Query = string | CompilableQuery | ToSQLQuery | CompiledQueryLike;

/** One statement with `?` parameters. */
export interface QmarkStatement {
  sql: string;
  params: readonly SqlParam[];
}

/** The statements one execute() call runs. */
export type Plan =
  | { kind: "format"; sql: string; args: SqlArgs | undefined }
  | { kind: "formatMany"; sql: string; list: SqlArgs[] }
  | { kind: "qmark"; statements: QmarkStatement[] }
  | { kind: "qmarkMany"; sql: string; list: (readonly SqlParam[])[] };

type Params =
  | { mode: "none" }
  | { mode: "positional"; args: readonly SqlParam[] }
  | { mode: "named"; args: { readonly [name: string]: SqlParam } }
  | { mode: "many"; list: SqlArgs[] };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * SQLAlchemy's rule, as API.md fixes it: separate values or one array are positional
 * parameters; one object is named parameters; one array whose items are all arrays or objects
 * runs the statement once per item.
 */
function classify(multiparams: readonly unknown[]): Params {
  if (multiparams.length === 0) return { mode: "none" };
  if (multiparams.length > 1) return { mode: "positional", args: multiparams as SqlParam[] };
  const only = multiparams[0];
  if (Array.isArray(only)) {
    if (only.length > 0 && only.every((item) => Array.isArray(item) || isPlainObject(item))) {
      return { mode: "many", list: only as SqlArgs[] };
    }
    return { mode: "positional", args: only as SqlParam[] };
  }
  if (isPlainObject(only)) return { mode: "named", args: only as { [name: string]: SqlParam } };
  return { mode: "positional", args: [only as SqlParam] };
}

function compiledParams(c: unknown, where: string): QmarkStatement {
  if (c === null || typeof c !== "object" || typeof (c as { sql?: unknown }).sql !== "string") {
    throw new ProgrammingError(`${where} did not give { sql, parameters | params | bindings }`);
  }
  const o = c as { sql: string; parameters?: unknown; params?: unknown; bindings?: unknown };
  const params = o.parameters ?? o.params ?? o.bindings ?? [];
  if (!Array.isArray(params)) throw new ProgrammingError(`${where} gave parameters that are not an array`);
  return { sql: o.sql, params: params as SqlParam[] };
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "object") return `an object (${(v as object).constructor?.name ?? "null prototype"})`;
  return typeof v;
}

/** The builder's statements, or null when `query` is an SQL string. */
function builderStatements(query: unknown): QmarkStatement[] | null {
  if (typeof query === "string") return null;
  if (query !== null && typeof query === "object") {
    const q = query as { compile?: unknown; toSQL?: unknown; sql?: unknown };
    if (typeof q.compile === "function") return [compiledParams((q as CompilableQuery).compile(), "compile()")];
    if (typeof q.toSQL === "function") {
      const out = (q as ToSQLQuery).toSQL();
      if (Array.isArray(out)) return out.map((c) => compiledParams(c, "toSQL()"));
      return [compiledParams(out, "toSQL()")];
    }
    if (typeof q.sql === "string") return [compiledParams(q, "The query object")];
  }
  throw new ProgrammingError(
    `execute(): the query must be an SQL string or a query builder's query (with compile() or toSQL()), got ${describe(query)}`,
  );
}

/** Works out the statements of `execute(query, ...multiparams)`. */
export function plan(query: unknown, multiparams: readonly unknown[]): Plan {
  const statements = builderStatements(query);
  const params = classify(multiparams);
  if (statements === null) {
    const sql = query as string;
    switch (params.mode) {
      case "none":
        return { kind: "format", sql, args: undefined };
      case "positional":
      case "named":
        return { kind: "format", sql, args: params.args };
      case "many":
        return { kind: "formatMany", sql, list: params.list };
    }
  }
  if (params.mode === "none") return { kind: "qmark", statements };
  if (statements.length !== 1 || statements[0]!.params.length > 0) {
    throw new ProgrammingError("execute(): this query already carries its parameters; pass no others");
  }
  const sql = statements[0]!.sql;
  switch (params.mode) {
    case "positional":
      return { kind: "qmark", statements: [{ sql, params: params.args }] };
    case "named":
      throw new ProgrammingError("execute(): a builder's query has ? placeholders, which take positional parameters, not an object");
    case "many":
      if (!params.list.every(Array.isArray)) {
        throw new ProgrammingError("execute(): a builder's query has ? placeholders: pass an array of arrays to run it once per item");
      }
      return { kind: "qmarkMany", sql, list: params.list as (readonly SqlParam[])[] };
  }
}
