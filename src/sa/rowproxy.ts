// RowProxy: one row of a ResultProxy, readable by position, by column name and by column object,
// as aiomysql.sa's RowProxy (a read-only Mapping of column names to values) is.
import { inspect } from "node:util";
import { ProgrammingError } from "../errors.js";
import type { SqlValue } from "../types.js";

/**
 * Something that names a column: its name, its position, or a column object of a query builder
 * (a Drizzle column, or anything with a string `name` property). A `"table.column"` string
 * falls back to its last part when no column has the whole name.
 */
export type ColumnRef =
  | string
  | number
  | {
      /** The column's name. */
      readonly name: string;
    };

/** Column layout shared by every row of one result: names and where each name is. */
export class RowLayout {
  /** Column names in result order. */
  readonly keys: readonly string[];
  private readonly index = new Map<string, number>();
  private readonly ambiguous = new Set<string>();

  constructor(keys: readonly string[]) {
    this.keys = keys;
    keys.forEach((k, i) => {
      if (this.index.has(k)) this.ambiguous.add(k);
      else this.index.set(k, i);
    });
  }

  /** Position of column `name`, or -1. @throws ProgrammingError when two columns share the name. */
  find(name: string): number {
    const i = this.index.get(name);
    if (i === undefined) return -1;
    if (this.ambiguous.has(name)) {
      throw new ProgrammingError(
        `Ambiguous column name ${JSON.stringify(name)} in the result: give the columns distinct aliases, or read them by position`,
      );
    }
    return i;
  }

  /** Position of the first column called `name`, or -1. */
  first(name: string): number {
    return this.index.get(name) ?? -1;
  }

  has(name: string): boolean {
    return this.index.has(name);
  }
}

const VALUES = Symbol("values");
const LAYOUT = Symbol("layout");
const INDEX_RE = /^-?(?:0|[1-9]\d*)$/;

function valueEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0;
  return typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b);
}

/**
 * A row of a result. Read a column by position (`row[0]`, `row[-1]` for the last), by name
 * (`row.id`, `row["id"]`) or by a column object (`row.get(table.id)`). `"id" in row` tests for
 * a column; `Object.keys(row)`, `JSON.stringify(row)` and `console.log(row)` show the columns.
 * Rows are read-only.
 *
 * Iterating a row yields its column names, as iterating the seed's RowProxy (a Mapping) does;
 * use `asTuple()` or `values()` for the values (`const [id, val] = row.asTuple()`).
 *
 * The methods below take precedence over columns of the same name (`row.keys` is the method);
 * read such columns with `row.get("keys")`.
 */
export class RowProxy<T extends object = Record<string, SqlValue>> implements Iterable<string> {
  private readonly [VALUES]: readonly unknown[];
  private readonly [LAYOUT]: RowLayout;

  /** @internal Rows are made by ResultProxy. */
  constructor(values: readonly unknown[], layout: RowLayout) {
    this[VALUES] = values;
    this[LAYOUT] = layout;
  }

  /** @internal Wraps a row so columns can be read as properties. */
  static wrap<T extends object>(values: readonly unknown[], layout: RowLayout): RowOf<T> {
    return new Proxy(new RowProxy<T>(values, layout), HANDLER) as unknown as RowOf<T>;
  }

  /** Number of columns. */
  get length(): number {
    return this[VALUES].length;
  }

  /**
   * The value of a column given by name, position or column object. When there is no such
   * column, returns `dflt` if one was passed.
   * @throws ProgrammingError when there is no such column and no default, or the name is ambiguous.
   */
  get<K extends keyof T & string>(column: K | { readonly name: K }): T[K];
  get(column: ColumnRef, dflt?: unknown): unknown;
  get(column: ColumnRef, ...dflt: unknown[]): unknown {
    const i = this.position(column);
    if (i >= 0) return this[VALUES][i];
    if (dflt.length > 0) return dflt[0];
    throw new ProgrammingError(`No such column in the row: ${describeRef(column)}; the columns are ${JSON.stringify(this[LAYOUT].keys)}`);
  }

  /** True when the row has the column (by name, position or column object). */
  has(column: ColumnRef): boolean {
    return this.position(column) >= 0;
  }

  private position(column: ColumnRef): number {
    const values = this[VALUES];
    if (typeof column === "number") {
      if (!Number.isInteger(column)) return -1;
      const i = column < 0 ? values.length + column : column;
      return i >= 0 && i < values.length ? i : -1;
    }
    let name: unknown = column;
    if (column !== null && typeof column === "object") name = (column as { name?: unknown }).name;
    if (typeof name !== "string") {
      throw new ProgrammingError(`A column must be a name, a position or a column object with a name, got ${describeRef(column)}`);
    }
    const layout = this[LAYOUT];
    const i = layout.find(name);
    if (i >= 0) return i;
    const dot = name.lastIndexOf(".");
    return dot > 0 ? layout.find(name.slice(dot + 1)) : -1;
  }

  /** Column names, in result order. */
  keys(): string[] {
    return [...this[LAYOUT].keys];
  }

  /** Values, in column order. */
  values(): unknown[] {
    return [...this[VALUES]];
  }

  /** `[name, value]` pairs, in column order. */
  entries(): [string, unknown][] {
    const values = this[VALUES];
    return this[LAYOUT].keys.map((k, i) => [k, values[i]]);
  }

  /** The values as an array (the seed's `as_tuple()`): `const [id, val] = row.asTuple()`. */
  asTuple(): unknown[] {
    return [...this[VALUES]];
  }

  /** A plain object of the columns (the first of duplicate names wins). */
  toJSON(): T {
    const out: Record<string, unknown> = {};
    const values = this[VALUES];
    this[LAYOUT].keys.forEach((k, i) => {
      if (!Object.hasOwn(out, k)) out[k] = values[i];
    });
    return out as T;
  }

  /**
   * True when `other` (a RowProxy, or an array of values) has the same values in the same
   * order; Dates and Buffers compare by content.
   */
  equals(other: unknown): boolean {
    let values: readonly unknown[];
    if (other instanceof RowProxy) values = (other as RowProxy<object>)[VALUES];
    else if (Array.isArray(other)) values = other;
    else return false;
    const mine = this[VALUES];
    return mine.length === values.length && mine.every((v, i) => valueEquals(v, values[i]));
  }

  /** Iterates the column names (a row is a Mapping, as in the seed). */
  [Symbol.iterator](): Iterator<string> {
    return this[LAYOUT].keys[Symbol.iterator]();
  }

  /** How `console.log` and `util.inspect` show the row: `RowProxy { id: 1, ... }`. */
  [inspect.custom](_depth: number, options: object): string {
    return `RowProxy ${inspect(this.toJSON(), options)}`;
  }
}

/** A RowProxy whose columns of `T` are also readable as properties and by position. */
export type RowOf<T extends object = Record<string, SqlValue>> = RowProxy<T> &
  Readonly<Omit<T, keyof RowProxy<T>>> & { readonly [index: number]: unknown };

function describeRef(column: unknown): string {
  if (typeof column === "string") return JSON.stringify(column);
  if (typeof column === "number") return String(column);
  if (column !== null && typeof column === "object" && typeof (column as { name?: unknown }).name === "string") {
    return `column ${JSON.stringify((column as { name: string }).name)}`;
  }
  return column === null ? "null" : typeof column;
}

const METHODS = new Set<string | symbol>(
  [...Object.getOwnPropertyNames(RowProxy.prototype), ...Object.getOwnPropertySymbols(RowProxy.prototype)].filter(
    (k) => k !== "constructor",
  ),
);

function columnIndex(target: RowProxy<object>, prop: string): number {
  if (INDEX_RE.test(prop)) {
    const n = Number(prop);
    const len = target[VALUES].length;
    const i = n < 0 ? len + n : n;
    return i >= 0 && i < len ? i : -1;
  }
  return target[LAYOUT].find(prop);
}

const HANDLER: ProxyHandler<RowProxy<object>> = {
  get(target, prop, receiver) {
    if (typeof prop === "symbol" || METHODS.has(prop)) return Reflect.get(target, prop, receiver);
    const i = columnIndex(target, prop);
    return i >= 0 ? target[VALUES][i] : undefined;
  },
  has(target, prop) {
    if (typeof prop === "symbol" || METHODS.has(prop)) return Reflect.has(target, prop);
    return target[LAYOUT].has(prop) || (INDEX_RE.test(prop) && columnIndex(target, prop) >= 0);
  },
  ownKeys(target) {
    return [...new Set(target[LAYOUT].keys)];
  },
  getOwnPropertyDescriptor(target, prop) {
    if (typeof prop === "symbol" || !target[LAYOUT].has(prop)) return undefined;
    return { value: target[VALUES][target[LAYOUT].first(prop)], enumerable: true, configurable: true, writable: false };
  },
  set() {
    throw new ProgrammingError("RowProxy is read-only");
  },
  defineProperty() {
    throw new ProgrammingError("RowProxy is read-only");
  },
  deleteProperty() {
    throw new ProgrammingError("RowProxy is read-only");
  },
};
