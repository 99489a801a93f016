// Client-side SQL literals and `%s` interpolation, as PyMySQL does it: values are turned into
// SQL literals once and spliced into the query text, never rescanned.
//
// Escaping works on the JavaScript string (UTF-16 characters), before the query is encoded in
// the connection's charset. Every charset in ./protocol/charsets.ts encodes a character as a byte
// sequence that the server lexes as that one character, so multibyte characters whose trailing
// byte is 0x5C (`\`), such as GBK 縗 or Shift_JIS ソ, cannot eat or forge an escape.
import { formatDateTime, hexOf } from "../converters.js";
import { ProgrammingError } from "../errors.js";
import type { SqlArgs, SqlParam, TimeZone } from "../types.js";
import { SqlRegions } from "./regions.js";

/** How values are turned into SQL literals. */
export interface EscapeOptions {
  /**
   * The server's `NO_BACKSLASH_ESCAPES` SQL mode is on: backslashes are ordinary characters, and
   * only `'` is escaped (as `''`). The connection tracks this from the server status flags.
   */
  noBackslashEscapes?: boolean;
  /** Zone in which Date values are written (default `"local"`). */
  timeZone?: TimeZone;
}

/**
 * Quotes `s` as an SQL string literal `'...'`.
 *
 * A quote is always doubled (`''`), which the server reads the same way whatever its sql_mode;
 * every other character but the backslash stands for itself (NUL, newlines and Ctrl-Z included).
 * So a string without a backslash reads the same in both modes. A backslash is written `\\`
 * (MySQL's default), or as itself under `noBackslashEscapes` (NO_BACKSLASH_ESCAPES). The first
 * form is safe in both modes (under NO_BACKSLASH_ESCAPES its backslashes merely read doubled);
 * the second is right only when the server does apply NO_BACKSLASH_ESCAPES, so the library
 * formats such statements when it writes them, once every earlier reply has told it the mode.
 */
export function escapeString(s: string, noBackslashEscapes = false): string {
  const quoted = s.indexOf("'") === -1 ? s : s.replaceAll("'", "''");
  if (noBackslashEscapes || s.indexOf("\\") === -1) return "'" + quoted + "'";
  return "'" + quoted.replaceAll("\\", "\\\\") + "'";
}

/**
 * @internal True when `value` (or anything inside an array or a named-argument object) is a
 * string whose literal depends on the sql_mode: one with a backslash. Such a statement is
 * formatted only when it is written, for the mode the server will then apply.
 */
export function dependsOnMode(value: unknown): boolean {
  if (typeof value === "string") return value.indexOf("\\") !== -1;
  if (value === null || typeof value !== "object" || value instanceof Date || value instanceof Uint8Array) return false;
  const items: unknown[] = Array.isArray(value) ? value : Object.values(value);
  for (const v of items) if (dependsOnMode(v)) return true;
  return false;
}

function quoteIdentifier(name: string): string {
  if (typeof name !== "string") throw new ProgrammingError(`An identifier must be a string, got ${describe(name)}`);
  if (name.length === 0) throw new ProgrammingError("An identifier cannot be empty");
  if (name.indexOf("\0") !== -1) throw new ProgrammingError(`An identifier cannot contain NUL: ${JSON.stringify(name)}`);
  return name.indexOf("`") === -1 ? "`" + name + "`" : "`" + name.replaceAll("`", "``") + "`";
}

/**
 * Quotes an identifier with backticks, doubling any backtick inside it.
 *
 * A dotted name is NOT split: `escapeId("a.b")` is `` `a.b` ``, one identifier containing a
 * dot. Pass an array to qualify a name: `escapeId(["db", "tbl"])` is `` `db`.`tbl` ``.
 * @throws ProgrammingError for an empty identifier (or array), or one containing NUL.
 */
export function escapeId(name: string | readonly string[]): string {
  if (typeof name === "string") return quoteIdentifier(name);
  if (!Array.isArray(name) || name.length === 0) {
    throw new ProgrammingError(`escapeId() needs a string or a non-empty array of strings, got ${describe(name)}`);
  }
  let out = quoteIdentifier(name[0]!);
  for (let i = 1; i < name.length; i++) out += "." + quoteIdentifier(name[i]!);
  return out;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return `an object (${(v as object).constructor?.name ?? "null prototype"})`;
  return typeof v;
}

function hexLiteral(bytes: Uint8Array): string {
  return "X'" + hexOf(bytes) + "'";
}

function escapeNumber(n: number): string {
  if (!Number.isFinite(n)) {
    throw new ProgrammingError(`Cannot use ${n} as an SQL value: MySQL has no NaN or infinite numbers`);
  }
  if (n === 0) return "0"; // -0 too
  // MySQL reads a plain digit string as an exact integer, so an integer beyond 2^53 is written
  // with all its digits (2 ** 60 is 1152921504606846976, not String()'s 1152921504606847000).
  if (Number.isInteger(n) && !Number.isSafeInteger(n) && Math.abs(n) < 1e21) return BigInt(n).toString();
  // Otherwise String() is the shortest text that reads back as the same double; its exponent
  // forms (1e+21, 5e-324) are MySQL float literals, which are read as doubles.
  return String(n);
}

function escapeArray(values: readonly SqlParam[], noBackslashEscapes: boolean, timeZone: TimeZone): string {
  if (values.length === 0) {
    throw new ProgrammingError("Cannot use an empty array as an SQL value: `IN ()` is a syntax error");
  }
  let out = "(" + escapeValue(values[0], noBackslashEscapes, timeZone);
  for (let i = 1; i < values.length; i++) out += ", " + escapeValue(values[i], noBackslashEscapes, timeZone);
  return out + ")";
}

/** @internal `escape()` with its options spread out (placeholder binding calls it per value). */
export function escapeValue(value: SqlParam, noBackslashEscapes: boolean, timeZone: TimeZone): string {
  switch (typeof value) {
    case "string":
      return escapeString(value, noBackslashEscapes);
    case "number":
      return escapeNumber(value);
    case "bigint":
      return value.toString();
    case "boolean":
      return value ? "1" : "0";
    case "undefined":
      return "NULL";
    case "object":
      if (value === null) return "NULL";
      if (value instanceof Date) return "'" + formatDateTime(value, timeZone) + "'";
      if (value instanceof Uint8Array) return hexLiteral(value);
      if (Array.isArray(value)) return escapeArray(value, noBackslashEscapes, timeZone);
      break;
    default:
      break;
  }
  throw new ProgrammingError(`Cannot use ${describe(value)} as an SQL value: serialise it first (for example with JSON.stringify)`);
}

/**
 * Turns a value into an SQL literal:
 *
 * - `null` / `undefined` → `NULL`; `true` / `false` → `1` / `0`
 * - a finite number → its shortest round-trip decimal text (`-0` → `0`; integers beyond 2^53
 *   with all their digits, since MySQL reads digit strings exactly); a bigint → its digits
 * - a string → `escapeString()`
 * - a Date → `'YYYY-MM-DD HH:MM:SS.mmm'` in `options.timeZone` (default `"local"`)
 * - a Buffer / Uint8Array → `X'hex'`
 * - an array → `(a, b, c)`, for `IN %s`; nested arrays give `((1, 2), (3, 4))`
 *
 * @throws ProgrammingError for NaN and infinities, invalid Dates, empty arrays and any other
 * object (serialise it first, e.g. with JSON.stringify).
 */
export function escape(value: SqlParam, options?: EscapeOptions): string {
  return escapeValue(value, options?.noBackslashEscapes === true, options?.timeZone ?? "local");
}

function isPlainObject(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

const PCT = 0x25; // %
const LPAREN = 0x28; // (
const CONV_S = 0x73; // s
const CONV_D = 0x64; // d
const CONV_F = 0x66; // f

function escapeConverted(
  value: SqlParam,
  conv: number,
  placeholder: string,
  index: number,
  noBackslashEscapes: boolean,
  timeZone: TimeZone,
): string {
  if (conv === CONV_D) {
    if (!(typeof value === "bigint" || (typeof value === "number" && Number.isInteger(value)))) {
      throw new ProgrammingError(
        `${placeholder} at index ${index} needs an integer (number or bigint), got ${typeof value === "number" ? value : describe(value)}; use %s for other values`,
      );
    }
  } else if (conv === CONV_F) {
    if (typeof value !== "number" && typeof value !== "bigint") {
      throw new ProgrammingError(
        `${placeholder} at index ${index} needs a number or bigint, got ${describe(value)}; use %s for other values`,
      );
    }
  }
  return escapeValue(value, noBackslashEscapes, timeZone);
}

/**
 * Binds arguments to a query the way PyMySQL's `query % args` does.
 *
 * - `args` null or undefined: the query is returned unchanged, with no `%` processing at all.
 * - `%%` is a literal `%`.
 * - `%s` takes the next argument of an array; `%(name)s` takes a property of a plain object.
 *   `%d` and `%f` (and `%(name)d`, `%(name)f`) are accepted for numbers and bigints only;
 *   `%d` needs an integer. They are written exactly like `%s` (no rounding).
 * - A single value that is not an array or plain object (`5`, `"x"`, a Date, a Buffer) is one
 *   positional argument. Extra properties of a named-argument object are ignored, as in Python.
 *
 * Each value is escaped once (see `escape()`), and the result is never rescanned: `%s` or `?`
 * inside a value stays literal. A placeholder inside a quoted string or a comment of the query
 * is refused (its value would be spliced into that text, see docs/sql-text.md), and so is a
 * value containing `*\/` inside an executable comment.
 * @throws ProgrammingError for too few or too many positional arguments, a missing named
 * argument, positional placeholders with an object (or named ones with an array), and a `%`
 * not followed by `%`, `s`, `d`, `f` or `(name)`.
 */
export function interpolate(query: string, args: SqlArgs | SqlParam, options?: EscapeOptions): string {
  if (args === null || args === undefined) return query;
  const noBackslashEscapes = options?.noBackslashEscapes === true;
  const timeZone = options?.timeZone ?? "local";
  let positional: readonly SqlParam[] | null = null;
  let named: { readonly [name: string]: SqlParam } | null = null;
  if (Array.isArray(args)) {
    positional = args as readonly SqlParam[];
  } else if (typeof args === "object" && !(args instanceof Date) && !(args instanceof Uint8Array)) {
    if (!isPlainObject(args)) {
      throw new ProgrammingError(`Query arguments must be an array, a plain object or a single value, got ${describe(args)}`);
    }
    named = args as { readonly [name: string]: SqlParam };
  } else {
    positional = [args as SqlParam];
  }

  let out = "";
  let last = 0;
  let next = 0;
  // Each value is refused where it would not stay a value (see sql/regions.ts).
  const regions = new SqlRegions(query, noBackslashEscapes);
  let i = query.indexOf("%");
  while (i !== -1) {
    const c = query.charCodeAt(i + 1);
    if (c === PCT) {
      out += query.slice(last, i + 1);
      last = i + 2;
    } else if (c === CONV_S || c === CONV_D || c === CONV_F) {
      const placeholder = "%" + query[i + 1];
      if (positional === null) {
        throw new ProgrammingError(
          `Positional placeholder ${placeholder} at index ${i} cannot be mixed with named arguments: use %(name)s placeholders, or pass an array`,
        );
      }
      if (next >= positional.length) {
        throw new ProgrammingError(
          `Not enough arguments for the format string: ${placeholder} at index ${i} needs argument ${next + 1}, but ${positional.length} given`,
        );
      }
      out +=
        query.slice(last, i) +
        regions.place(escapeConverted(positional[next++], c, placeholder, i, noBackslashEscapes, timeZone), placeholder, i);
      last = i + 2;
    } else if (c === LPAREN) {
      const close = query.indexOf(")", i + 2);
      if (close === -1) throw new ProgrammingError(`Incomplete named placeholder at index ${i}: missing ")"`);
      const conv = query.charCodeAt(close + 1);
      const name = query.slice(i + 2, close);
      if (conv !== CONV_S && conv !== CONV_D && conv !== CONV_F) {
        throw new ProgrammingError(`Named placeholder %(${name}) at index ${i} must end with s, d or f`);
      }
      const placeholder = `%(${name})${query[close + 1]}`;
      if (named === null) {
        throw new ProgrammingError(
          `Named placeholder ${placeholder} at index ${i} cannot be mixed with positional arguments: pass a plain object`,
        );
      }
      if (!Object.hasOwn(named, name)) {
        throw new ProgrammingError(`Missing named argument ${JSON.stringify(name)} for ${placeholder} at index ${i}`);
      }
      out +=
        query.slice(last, i) +
        regions.place(escapeConverted(named[name], conv, placeholder, i, noBackslashEscapes, timeZone), placeholder, i);
      last = close + 2;
    } else if (Number.isNaN(c)) {
      throw new ProgrammingError(`Incomplete format: "%" at the end of the query (index ${i}); write %% for a literal %`);
    } else {
      throw new ProgrammingError(
        `Unsupported format character ${JSON.stringify(query[i + 1])} after "%" at index ${i}; write %% for a literal %`,
      );
    }
    i = query.indexOf("%", last);
  }
  if (positional !== null && next < positional.length) {
    throw new ProgrammingError(`Not all arguments converted during string formatting: ${positional.length} given, the query uses ${next}`);
  }
  return last === 0 ? query : out + query.slice(last);
}

/** Builds a statement's text for a sql_mode: with NO_BACKSLASH_ESCAPES or without. */
export type SqlFormatter = (noBackslashEscapes: boolean) => string;

/**
 * @internal A statement: its text, or a formatter when the text depends on the sql_mode (a
 * value with a backslash). The session writes a formatted statement only once every earlier
 * command has been answered, and formats it then, for the mode the server reported last.
 */
export type SqlText = string | SqlFormatter;

/**
 * @internal `interpolate()` as statement text: the text itself when it reads the same in both
 * backslash modes, else a formatter (see `SqlText`). Errors in the arguments throw here.
 */
export function interpolateText(query: string, args: SqlArgs | SqlParam, timeZone: TimeZone): SqlText {
  const text = interpolate(query, args, { timeZone });
  if (!dependsOnMode(args)) return text;
  return (noBackslashEscapes) => (noBackslashEscapes ? interpolate(query, args, { noBackslashEscapes, timeZone }) : text);
}
