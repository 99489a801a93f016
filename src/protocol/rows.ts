// Text protocol rows: each value is a string<lenenc>, or 0xFB for NULL.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response_text_resultset_row.html
//
// A decoder is chosen once per column when the result set's metadata arrives; rows are then
// decoded without a per-value type switch.
import { parseDateTimeAscii, parseIntAscii, type Decoder, type Decoders } from "../converters.js";
import { parseFloatAscii } from "./float-text.js";
import type { ColumnDefinition, TimeZone } from "../types.js";
import { charsetByCollation, type Charset } from "./charsets.js";
import { FIELD_FLAG, FIELD_TYPE } from "./constants.js";
import { dateTextAscii } from "./date-text.js";
import { MalformedPacketError } from "./reader.js";
import { MAX_GENERATED_COLUMNS, wideRowDecoder } from "./wide-rows.js";

/** Reads one non-NULL value from `buf[start, end)`. */
export type ValueDecoder = (buf: Buffer, start: number, end: number) => unknown;

export interface DecodeContext {
  /** Charset of text columns (the connection's character_set_results). */
  charset: Charset;
  timeZone: TimeZone;
  /** The built-in decoders for this time zone: a `conv` entry identical to one of them keeps the fast path. */
  defaults: Decoders;
  /** User decoders by FIELD_TYPE (the `conv` option). */
  conv: Decoders | null;
  /** false: text columns come back as Buffers. */
  useUnicode: boolean;
}

const BINARY_COLLATION = 63;

// Buffer#utf8Slice skips toString's argument checks; the typings do not declare it.
type Slice = (this: Buffer, start: number, end: number) => string;
const utf8SliceImpl: Slice =
  (Buffer.prototype as unknown as { utf8Slice?: Slice }).utf8Slice ??
  function (this: Buffer, start: number, end: number): string {
    return this.toString("utf8", start, end);
  };
const latin1SliceImpl: Slice =
  (Buffer.prototype as unknown as { latin1Slice?: Slice }).latin1Slice ??
  function (this: Buffer, start: number, end: number): string {
    return this.toString("latin1", start, end);
  };

function utf8Text(buf: Buffer, start: number, end: number): string {
  return utf8SliceImpl.call(buf, start, end);
}

function asciiText(buf: Buffer, start: number, end: number): string {
  return latin1SliceImpl.call(buf, start, end);
}

function copyBytes(buf: Buffer, start: number, end: number): Buffer {
  // A copy, so that the value does not keep the whole network chunk alive.
  return Buffer.from(buf.subarray(start, end));
}

function isBinaryColumn(c: ColumnDefinition): boolean {
  switch (c.type) {
    case FIELD_TYPE.BIT:
    case FIELD_TYPE.GEOMETRY:
      return true;
    case FIELD_TYPE.TINY_BLOB:
    case FIELD_TYPE.MEDIUM_BLOB:
    case FIELD_TYPE.LONG_BLOB:
    case FIELD_TYPE.BLOB:
    case FIELD_TYPE.VAR_STRING:
    case FIELD_TYPE.VARCHAR:
    case FIELD_TYPE.STRING:
      return c.characterSet === BINARY_COLLATION;
    default:
      return false;
  }
}

/** Picks the decoder of one column. */
export function columnDecoder(c: ColumnDefinition, ctx: DecodeContext): ValueDecoder {
  // MariaDB sends JSON columns as LONGTEXT, naming them "json" in its extended type info only:
  // the JSON decoder of `conv` decodes them, as it decodes MySQL's JSON type.
  const key = c.extendedType === "json" ? FIELD_TYPE.JSON : c.type;
  const custom: Decoder | undefined = ctx.conv?.[key];
  const binary = isBinaryColumn(c);
  // Text arrives in the charset its column definition names (character_set_results, or the
  // column's own when that is NULL); a charset this client lacks falls back to the session's.
  const charset = (binary ? undefined : charsetByCollation(c.characterSet)) ?? ctx.charset;
  const text: (buf: Buffer, start: number, end: number) => string = charset.isUtf8
    ? utf8Text
    : (buf, start, end) => charset.decode(buf, start, end);
  if (custom !== undefined && custom !== ctx.defaults[key]) {
    // The user's decoder receives the column's text, or a Buffer for binary columns.
    return binary ? (buf, start, end) => custom(copyBytes(buf, start, end)) : (buf, start, end) => custom(text(buf, start, end));
  }
  if (binary) return copyBytes;
  const ascii: ValueDecoder = asciiText;
  switch (c.type) {
    case FIELD_TYPE.TINY:
    case FIELD_TYPE.SHORT:
    case FIELD_TYPE.INT24:
    case FIELD_TYPE.LONG:
    case FIELD_TYPE.LONGLONG:
    case FIELD_TYPE.YEAR:
      return parseIntAscii;
    case FIELD_TYPE.FLOAT:
    case FIELD_TYPE.DOUBLE:
      return parseFloatAscii;
    case FIELD_TYPE.DATETIME:
    case FIELD_TYPE.TIMESTAMP: {
      const tz = ctx.timeZone;
      return (buf, start, end) => parseDateTimeAscii(buf, start, end, tz);
    }
    case FIELD_TYPE.DATE:
    case FIELD_TYPE.NEWDATE:
      // The text of each date is shared between the rows that hold it (date-text.ts).
      return (buf, start, end) => dateTextAscii(buf, start, end) ?? asciiText(buf, start, end);
    case FIELD_TYPE.DECIMAL:
    case FIELD_TYPE.NEWDECIMAL:
    case FIELD_TYPE.TIME:
      return ascii;
    case FIELD_TYPE.JSON:
      return utf8Text;
    case FIELD_TYPE.NULL:
      return () => null;
    default:
      return ctx.useUnicode ? text : copyBytes;
  }
}

/** The shape of rows a cursor wants: arrays, or objects keyed by column name. */
export type RowShape = { readonly kind: "array" } | { readonly kind: "object"; readonly ctor?: (new () => object) | undefined };

export const ARRAY_ROWS: RowShape = { kind: "array" };

/**
 * Keys of object rows. A name that repeats an earlier column's is qualified with its table
 * (`t2.id`), as PyMySQL's DictCursor does.
 */
export function rowKeys(columns: readonly ColumnDefinition[]): string[] {
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const c of columns) {
    let key = c.name;
    if (seen.has(key)) key = `${c.table}.${c.name}`;
    seen.add(key);
    keys.push(key);
  }
  return keys;
}

/**
 * Reads the length of a value whose first byte is 0xFC/0xFD/0xFE, as generated code inlines it
 * (`COLUMN` stands for the column's index in the error messages).
 */
export const LONG_LENGTH = `if (len >= 0xfc) {
      if (len === 0xfc) { len = buf[pos] | (buf[pos + 1] << 8); pos += 2; }
      else if (len === 0xfd) { len = buf[pos] | (buf[pos + 1] << 8) | (buf[pos + 2] << 16); pos += 3; }
      else if (len === 0xfe) { if (pos + 8 > end) throw new M("row value COLUMN runs past the end of the packet"); len = buf.readUInt32LE(pos) + buf.readUInt32LE(pos + 4) * 0x100000000; pos += 8; }
      else throw new M("invalid length prefix 0xff in row value COLUMN");
    }`;

type CompiledRow = (buf: Buffer, start?: number, end?: number) => unknown;
type RowFactory = (
  decoders: readonly ValueDecoder[],
  malformed: typeof MalformedPacketError,
  ctor: (new () => object) | null,
) => CompiledRow;

/** Compiled row functions by shape (column count, keys, constructor or not): decoders are arguments. */
const compiled = new Map<string, RowFactory>();

/**
 * The generated statements that build and return the row from `v0`..`v{n-1}`: an array
 * literal, an object literal keyed by `keys`, or an instance of `C` (`withCtor`). Keys only
 * ever enter the code as JSON string literals.
 */
export function rowReturnLines(n: number, keys: readonly string[] | null, withCtor: boolean): string[] {
  const lines: string[] = [];
  if (keys === null) {
    lines.push(`  return [${Array.from({ length: n }, (_, i) => `v${i}`).join(", ")}];`);
  } else if (withCtor) {
    lines.push("  const row = new C();");
    // Assigning "__proto__" would call the prototype setter: define it as an own property.
    keys.forEach((k, i) =>
      lines.push(
        k === "__proto__"
          ? `  Object.defineProperty(row, "__proto__", { value: v${i}, writable: true, enumerable: true, configurable: true });`
          : `  row[${JSON.stringify(k)}] = v${i};`,
      ),
    );
    lines.push("  return row;");
  } else {
    // "__proto__" as a plain literal key would set the prototype: make it a computed key.
    const props = keys.map((k, i) => `${k === "__proto__" ? `[${JSON.stringify(k)}]` : JSON.stringify(k)}: v${i}`);
    lines.push(`  return { ${props.join(", ")} };`);
  }
  return lines;
}

/**
 * Generates the row function of one result set shape: one straight-line block per column, each
 * calling its own decoder (a monomorphic call site), and the row built as one array or object
 * literal. Column names only ever enter the code as JSON string literals.
 */
function compileRow(n: number, keys: readonly string[] | null, withCtor: boolean): RowFactory {
  const cacheKey = `${n}|${withCtor ? 1 : 0}|${keys === null ? "" : JSON.stringify(keys)}`;
  const hit = compiled.get(cacheKey);
  if (hit !== undefined) return hit;
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(`const D${i} = D[${i}];`);
  lines.push("return function decodeRow(buf, pos, end) {", "  if (end === undefined) { pos = 0; end = buf.length; }", "  let len = 0;");
  for (let i = 0; i < n; i++) {
    lines.push(
      `  let v${i} = null;`,
      `  if (pos >= end) throw new M("row has ${i} of ${n} values");`,
      `  len = buf[pos++];`,
      `  if (len !== 0xfb) {`,
      `    ${LONG_LENGTH.replaceAll("COLUMN", String(i))}`,
      `    if (pos + len > end) throw new M("row value ${i} runs past the end of the packet");`,
      `    v${i} = D${i}(buf, pos, pos + len);`,
      `    pos += len;`,
      `  }`,
    );
  }
  lines.push(...rowReturnLines(n, keys, withCtor));
  lines.push("};");
  const factory = new Function("D", "M", "C", lines.join("\n")) as RowFactory;
  if (compiled.size > 500) compiled.clear();
  compiled.set(cacheKey, factory);
  return factory;
}

/** The row functions of the latest result shapes of each decode context (one per connection). */
export type RowCache<F> = WeakMap<DecodeContext, { columns: readonly ColumnDefinition[]; object: boolean; row: F }[]>;

/** How many result shapes each connection remembers. */
const RECENT_SHAPES = 16;

/**
 * Whether a row function built for `a` decodes rows of `b`: the same type, unsigned flag and
 * collation in every column (and, for object rows, the same names and tables). Compared
 * field by field, so that a cache hit allocates nothing.
 */
function sameShape(a: readonly ColumnDefinition[], b: readonly ColumnDefinition[], object: boolean): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.type !== y.type || x.characterSet !== y.characterSet || (x.flags & FIELD_FLAG.UNSIGNED) !== (y.flags & FIELD_FLAG.UNSIGNED))
      return false;
    if (object && (x.name !== y.name || x.table !== y.table)) return false;
  }
  return true;
}

/**
 * The row function for `columns` in `shape` from `cache`, or `build()`'s, remembered: the same
 * statement run again (the usual case) builds no decoders. Rows of a user class are not cached.
 */
export function cachedRow<F>(
  cache: RowCache<F>,
  ctx: DecodeContext,
  columns: readonly ColumnDefinition[],
  shape: RowShape,
  build: () => F,
): F {
  if (shape.kind === "object" && shape.ctor !== undefined) return build();
  let recent = cache.get(ctx);
  if (recent === undefined) cache.set(ctx, (recent = []));
  const object = shape.kind === "object";
  for (const e of recent) if (e.object === object && sameShape(e.columns, columns, object)) return e.row;
  const row = build();
  if (recent.length >= RECENT_SHAPES) recent.shift();
  recent.push({ columns, object, row });
  return row;
}

/** The text row functions of the latest result shapes of each connection. */
const textRowCache: RowCache<CompiledRow> = new WeakMap();

/** Decodes the text rows of one result set with a function generated for its shape. */
export class TextRowDecoder {
  /** Decodes one row packet: `buf[start, end)`, or the whole of `buf`. */
  readonly decode: CompiledRow;

  constructor(
    readonly columns: readonly ColumnDefinition[],
    ctx: DecodeContext,
    shape: RowShape,
  ) {
    this.decode = cachedRow(textRowCache, ctx, columns, shape, () => {
      const decoders = columns.map((c) => columnDecoder(c, ctx));
      const keys = shape.kind === "object" ? rowKeys(columns) : null;
      const ctor = shape.kind === "object" ? (shape.ctor ?? null) : null;
      return columns.length > MAX_GENERATED_COLUMNS
        ? wideRowDecoder(decoders, MalformedPacketError, keys, ctor)
        : compileRow(columns.length, keys, ctor !== null)(decoders, MalformedPacketError, ctor);
    });
  }
}
