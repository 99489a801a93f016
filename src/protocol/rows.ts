// Text protocol rows: each value is a string<lenenc>, or 0xFB for NULL.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response_text_resultset_row.html
//
// A decoder is chosen once per column when the result set's metadata arrives; rows are then
// decoded without a per-value type switch.
import { parseDateTimeAscii, parseFloatAscii, parseIntAscii, type Decoder, type Decoders } from "../converters.js";
import type { ColumnDefinition, TimeZone } from "../types.js";
import type { Charset } from "./charsets.js";
import { FIELD_TYPE } from "./constants.js";
import { MalformedPacketError } from "./reader.js";

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
  const custom: Decoder | undefined = ctx.conv?.[c.type];
  const binary = isBinaryColumn(c);
  const { charset } = ctx;
  const text: (buf: Buffer, start: number, end: number) => string = charset.isUtf8
    ? (buf, start, end) => buf.toString("utf8", start, end)
    : (buf, start, end) => charset.decode(buf, start, end);
  if (custom !== undefined && custom !== ctx.defaults[c.type]) {
    // The user's decoder receives the column's text, or a Buffer for binary columns.
    return binary ? (buf, start, end) => custom(copyBytes(buf, start, end)) : (buf, start, end) => custom(text(buf, start, end));
  }
  if (binary) return copyBytes;
  const ascii: ValueDecoder = (buf, start, end) => buf.toString("latin1", start, end);
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
    case FIELD_TYPE.DECIMAL:
    case FIELD_TYPE.NEWDECIMAL:
    case FIELD_TYPE.DATE:
    case FIELD_TYPE.NEWDATE:
    case FIELD_TYPE.TIME:
      return ascii;
    case FIELD_TYPE.JSON:
      return (buf, start, end) => buf.toString("utf8", start, end);
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

/** Decodes the text rows of one result set. */
export class TextRowDecoder {
  private readonly decoders: ValueDecoder[];
  private readonly keys: string[] | null;
  private readonly ctor: (new () => object) | null;

  constructor(
    readonly columns: readonly ColumnDefinition[],
    ctx: DecodeContext,
    shape: RowShape,
  ) {
    this.decoders = columns.map((c) => columnDecoder(c, ctx));
    this.keys = shape.kind === "object" ? rowKeys(columns) : null;
    this.ctor = shape.kind === "object" ? (shape.ctor ?? null) : null;
  }

  decode(buf: Buffer): unknown {
    const decoders = this.decoders;
    const n = decoders.length;
    const keys = this.keys;
    const row: unknown[] | Record<string, unknown> = keys === null ? new Array<unknown>(n) : this.ctor ? (new this.ctor() as Record<string, unknown>) : {};
    let pos = 0;
    const end = buf.length;
    for (let i = 0; i < n; i++) {
      if (pos >= end) throw new MalformedPacketError(`row has ${i} of ${n} values`);
      let len = buf[pos++]!;
      let value: unknown;
      if (len === 0xfb) {
        value = null;
      } else {
        if (len >= 0xfc) {
          if (len === 0xfc) {
            len = buf[pos]! | (buf[pos + 1]! << 8);
            pos += 2;
          } else if (len === 0xfd) {
            len = buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16);
            pos += 3;
          } else if (len === 0xfe) {
            if (pos + 8 > end) throw new MalformedPacketError(`row value ${i} runs past the end of the packet`);
            len = buf.readUInt32LE(pos) + buf.readUInt32LE(pos + 4) * 0x100000000;
            pos += 8;
          } else {
            throw new MalformedPacketError(`invalid length prefix 0xff in row value ${i}`);
          }
        }
        if (pos + len > end) throw new MalformedPacketError(`row value ${i} runs past the end of the packet`);
        value = decoders[i]!(buf, pos, pos + len);
        pos += len;
      }
      if (keys === null) (row as unknown[])[i] = value;
      else (row as Record<string, unknown>)[keys[i]!] = value;
    }
    return row;
  }
}
