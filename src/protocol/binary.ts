// The binary protocol of server-side prepared statements: COM_STMT_PREPARE and its response,
// COM_STMT_EXECUTE with typed parameters, COM_STMT_CLOSE, and binary result set rows.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_command_phase_ps.html
// https://mariadb.com/kb/en/com_stmt_execute/
// https://mariadb.com/kb/en/resultset-row/#binary-resultset-row
import {
  readBinaryDate,
  readBinaryDateTime,
  readBinaryTime,
  parseTimeZone,
  writeBinaryDateTime,
  bytesOf,
  type ParsedTimeZone,
} from "../converters.js";
import { ProgrammingError } from "../errors.js";
import { charsetByName, loneSurrogateIndex } from "./charsets.js";
import type { ColumnDefinition, SqlParam, TimeZone } from "../types.js";
import { COM, FIELD_FLAG, FIELD_TYPE } from "./constants.js";
import { MalformedPacketError, PacketReader } from "./reader.js";
import { columnDecoder, rowKeys, type DecodeContext, type RowShape, type ValueDecoder } from "./rows.js";
import type { PacketWriter } from "./writer.js";

/** COM_STMT_PREPARE: [1] 0x16, string<EOF> the statement. */
export function writeComStmtPrepare(w: PacketWriter, sql: string | Uint8Array): void {
  w.start().u8(COM.STMT_PREPARE);
  if (typeof sql === "string") w.utf8(sql);
  else w.bytes(sql);
}

/** COM_STMT_CLOSE: [1] 0x19, int<4> statement id. The server sends no response. */
export function writeComStmtClose(w: PacketWriter, statementId: number): void {
  w.start().u8(COM.STMT_CLOSE).u32(statementId);
}

/** COM_STMT_PREPARE_OK, the first packet of a successful prepare. */
export interface StmtPrepareOk {
  statementId: number;
  numColumns: number;
  numParams: number;
  warnings: number;
}

export function parseStmtPrepareOk(payload: Buffer): StmtPrepareOk {
  const r = new PacketReader(payload);
  r.skip(1); // [1] 0x00 OK
  const statementId = r.u32(); // [4] statement id
  const numColumns = r.u16(); // [2] number of columns
  const numParams = r.u16(); // [2] number of parameters
  r.skip(1); // [1] reserved
  const warnings = r.remaining >= 2 ? r.u16() : 0; // [2] warning count
  return { statementId, numColumns, numParams, warnings };
}

/** How parameters are encoded: the session's time zone and the text encoding. */
export interface ParamEncoding {
  timeZone: TimeZone;
  /** Encodes a string in the connection charset, or null for UTF-8 (written directly). */
  encode: ((s: string) => Buffer) | null;
}

const UNSIGNED_TYPE = 0x80;
const UTF8MB4 = charsetByName("utf8mb4");
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;
const scratch = Buffer.allocUnsafe(8);

function describe(v: unknown): string {
  if (v === null || typeof v !== "object") return typeof v;
  return Array.isArray(v) ? "an array" : `an object (${(v as object).constructor?.name ?? "null prototype"})`;
}

/** The parameter type (low byte) and unsigned flag (high byte) of one argument. */
function paramType(v: SqlParam, index: number): number {
  switch (typeof v) {
    case "number":
      if (!Number.isFinite(v)) throw new ProgrammingError(`parameter ${index} is ${v}, which MySQL cannot store`);
      if (Number.isInteger(v) && !Object.is(v, -0)) {
        return v >= -0x80000000 && v <= 0x7fffffff ? FIELD_TYPE.LONG : Number.isSafeInteger(v) ? FIELD_TYPE.LONGLONG : FIELD_TYPE.DOUBLE;
      }
      return FIELD_TYPE.DOUBLE;
    case "bigint":
      if (v < INT64_MIN || v > UINT64_MAX) throw new ProgrammingError(`parameter ${index} (${v}) does not fit in 64 bits`);
      return v >= 2n ** 63n ? FIELD_TYPE.LONGLONG | (UNSIGNED_TYPE << 8) : FIELD_TYPE.LONGLONG;
    case "string":
      return FIELD_TYPE.VAR_STRING;
    case "boolean":
      return FIELD_TYPE.TINY;
    case "undefined":
      return FIELD_TYPE.NULL;
    case "object":
      if (v === null) return FIELD_TYPE.NULL;
      if (v instanceof Date) return FIELD_TYPE.DATETIME;
      if (v instanceof Uint8Array) return FIELD_TYPE.BLOB;
      break;
  }
  throw new ProgrammingError(`parameter ${index} is ${describe(v)}, which cannot be bound to a prepared statement`);
}

/**
 * COM_STMT_EXECUTE:
 *
 *   [1] 0x17   [4] statement id   [1] flags (0: no cursor)   [4] iteration count (1)
 *   if params > 0:
 *     [(n+7)/8] NULL bitmap   [1] new-params-bound flag (1)   n x [2] type, unsigned flag
 *     the non-NULL values in the binary encoding of their types
 *
 * Each argument is bound with its real type: integers as LONG/LONGLONG (so `LIMIT ?` works),
 * other numbers as DOUBLE, bigint as (UNSIGNED) LONGLONG, booleans as TINY, strings (DECIMAL
 * text included) as VAR_STRING, Dates as DATETIME in `enc.timeZone`, bytes as BLOB.
 * @throws ProgrammingError for a value that cannot be bound.
 */
export function writeComStmtExecute(w: PacketWriter, statementId: number, params: readonly SqlParam[], enc: ParamEncoding): void {
  const n = params.length;
  const types = new Array<number>(n);
  for (let i = 0; i < n; i++) types[i] = paramType(params[i], i);
  w.start().u8(COM.STMT_EXECUTE).u32(statementId).u8(0).u32(1);
  if (n === 0) return;
  for (let byte = 0; byte < (n + 7) >> 3; byte++) {
    let bits = 0;
    for (let bit = 0; bit < 8; bit++) {
      const i = byte * 8 + bit;
      if (i < n && types[i] === FIELD_TYPE.NULL) bits |= 1 << bit;
    }
    w.u8(bits);
  }
  w.u8(1);
  for (let i = 0; i < n; i++) w.u16(types[i]!);
  for (let i = 0; i < n; i++) {
    const v = params[i];
    switch (types[i]! & 0xff) {
      case FIELD_TYPE.NULL:
        break;
      case FIELD_TYPE.LONG:
        w.u32((v as number) >>> 0);
        break;
      case FIELD_TYPE.LONGLONG:
        w.u64(v as number | bigint);
        break;
      case FIELD_TYPE.DOUBLE:
        scratch.writeDoubleLE(v as number, 0);
        w.bytes(scratch);
        break;
      case FIELD_TYPE.TINY:
        w.u8(v ? 1 : 0);
        break;
      case FIELD_TYPE.VAR_STRING: {
        const s = v as string;
        // An unpaired surrogate would become U+FFFD on the direct path: utf8mb4's encode() refuses it.
        if (enc.encode === null && loneSurrogateIndex(s) === -1) w.lenencInt(Buffer.byteLength(s, "utf8")).utf8(s);
        else w.lenencBytes((enc.encode ?? UTF8MB4.encode)(s));
        break;
      }
      case FIELD_TYPE.DATETIME:
        w.bytes(writeBinaryDateTime(v as Date, enc.timeZone));
        break;
      case FIELD_TYPE.BLOB:
        w.lenencBytes(bytesOf(v as Uint8Array)); // its real length and bytes, whatever the object claims
        break;
    }
  }
}

// ---- binary result set rows ----

/** How one column is read from a binary row. */
const enum Kind {
  Int8,
  Uint8,
  Int16,
  Uint16,
  Int32,
  Uint32,
  Int64,
  Uint64,
  Float,
  Double,
  DateTime,
  Date,
  Time,
  /** string<lenenc>, decoded as the text protocol decodes it. */
  Lenenc,
  Null,
}

function kindOf(c: ColumnDefinition): Kind {
  const unsigned = (c.flags & FIELD_FLAG.UNSIGNED) !== 0;
  switch (c.type) {
    case FIELD_TYPE.TINY:
      return unsigned ? Kind.Uint8 : Kind.Int8;
    case FIELD_TYPE.SHORT:
      return unsigned ? Kind.Uint16 : Kind.Int16;
    case FIELD_TYPE.YEAR:
      return Kind.Uint16;
    case FIELD_TYPE.INT24:
    case FIELD_TYPE.LONG:
      return unsigned ? Kind.Uint32 : Kind.Int32;
    case FIELD_TYPE.LONGLONG:
      return unsigned ? Kind.Uint64 : Kind.Int64;
    case FIELD_TYPE.FLOAT:
      return Kind.Float;
    case FIELD_TYPE.DOUBLE:
      return Kind.Double;
    case FIELD_TYPE.DATETIME:
    case FIELD_TYPE.TIMESTAMP:
      return Kind.DateTime;
    case FIELD_TYPE.DATE:
    case FIELD_TYPE.NEWDATE:
      return Kind.Date;
    case FIELD_TYPE.TIME:
      return Kind.Time;
    case FIELD_TYPE.NULL:
      return Kind.Null;
    default:
      return Kind.Lenenc;
  }
}

/** The shortest text that reads back as the same 32-bit float, as the text protocol shows it. */
function floatValue(f: number): number {
  if (!Number.isFinite(f)) return f;
  for (let p = 1; p < 9; p++) {
    const v = Number(f.toPrecision(p));
    if (Math.fround(v) === f) return v;
  }
  return f;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/** The text the text protocol would have sent for a DATETIME of `len` bytes at `pos`. */
function dateTimeText(buf: Buffer, pos: number, len: number, withTime: boolean): string {
  if (len === 0) return withTime ? "0000-00-00 00:00:00" : "0000-00-00";
  const date = `${pad(buf.readUInt16LE(pos), 4)}-${pad(buf[pos + 2]!, 2)}-${pad(buf[pos + 3]!, 2)}`;
  if (!withTime) return date;
  const time = len >= 7 ? `${pad(buf[pos + 4]!, 2)}:${pad(buf[pos + 5]!, 2)}:${pad(buf[pos + 6]!, 2)}` : "00:00:00";
  return len === 11 ? `${date} ${time}.${pad(buf.readUInt32LE(pos + 7), 6)}` : `${date} ${time}`;
}

/** Decodes the binary rows of one result set (COM_STMT_EXECUTE). */
export class BinaryRowDecoder {
  private readonly kinds: Kind[];
  /** Text-protocol decoders of string<lenenc> columns; user decoders of the others. */
  private readonly decoders: (ValueDecoder | null)[];
  private readonly custom: (((text: string) => unknown) | null)[];
  private readonly keys: string[] | null;
  private readonly ctor: (new () => object) | null;
  private readonly tz: ParsedTimeZone;
  private readonly bitmapBytes: number;

  constructor(
    readonly columns: readonly ColumnDefinition[],
    ctx: DecodeContext,
    shape: RowShape,
  ) {
    this.kinds = columns.map(kindOf);
    this.decoders = columns.map((c, i) => (this.kinds[i] === Kind.Lenenc ? columnDecoder(c, ctx) : null));
    this.custom = columns.map((c, i) => {
      const user = ctx.conv?.[c.type];
      if (this.kinds[i] === Kind.Lenenc || user === undefined || user === ctx.defaults[c.type]) return null;
      return (text: string) => user(text);
    });
    this.keys = shape.kind === "object" ? rowKeys(columns) : null;
    this.ctor = shape.kind === "object" ? (shape.ctor ?? null) : null;
    this.tz = parseTimeZone(ctx.timeZone);
    this.bitmapBytes = (columns.length + 7 + 2) >> 3;
  }

  /** [1] 0x00, NULL bitmap (offset 2), then each non-NULL value in its binary encoding. */
  decode(buf: Buffer, start = 0, end = buf.length): unknown {
    const kinds = this.kinds;
    const n = kinds.length;
    const keys = this.keys;
    const row: unknown[] | Record<string, unknown> =
      keys === null ? new Array<unknown>(n) : this.ctor ? (new this.ctor() as Record<string, unknown>) : {};
    const bitmap = start + 1;
    let pos = bitmap + this.bitmapBytes;
    if (pos > end) throw new MalformedPacketError("binary row shorter than its NULL bitmap");
    for (let i = 0; i < n; i++) {
      const bit = i + 2;
      let value: unknown = null;
      if ((buf[bitmap + (bit >> 3)]! & (1 << (bit & 7))) === 0) {
        const kind = kinds[i]!;
        let size = 0;
        switch (kind) {
          case Kind.Int8:
          case Kind.Uint8:
            size = 1;
            break;
          case Kind.Int16:
          case Kind.Uint16:
            size = 2;
            break;
          case Kind.Int32:
          case Kind.Uint32:
          case Kind.Float:
            size = 4;
            break;
          case Kind.Int64:
          case Kind.Uint64:
          case Kind.Double:
            size = 8;
            break;
          case Kind.Null:
            size = 0;
            break;
          default:
            // DATETIME, DATE, TIME: [1] length; string<lenenc>: int<lenenc> length.
            if (kind !== Kind.Lenenc) {
              if (pos >= end) throw new MalformedPacketError(`binary row value ${i} is missing`);
              size = buf[pos]! + 1;
            }
        }
        if (kind === Kind.Lenenc) {
          const r = new PacketReader(buf, pos, end);
          const len = r.lenencLength();
          const from = r.pos;
          value = this.decoders[i]!(buf, from, from + len);
          pos = from + len;
        } else {
          if (pos + size > end) throw new MalformedPacketError(`binary row value ${i} runs past the end of the packet`);
          value = this.fixed(kind, buf, pos, size, i);
          pos += size;
        }
      }
      if (keys === null) (row as unknown[])[i] = value;
      else (row as Record<string, unknown>)[keys[i]!] = value;
    }
    return row;
  }

  private fixed(kind: Kind, buf: Buffer, pos: number, size: number, i: number): unknown {
    let v: unknown;
    let text: string | null = null;
    switch (kind) {
      case Kind.Int8:
        v = buf.readInt8(pos);
        break;
      case Kind.Uint8:
        v = buf[pos];
        break;
      case Kind.Int16:
        v = buf.readInt16LE(pos);
        break;
      case Kind.Uint16:
        v = buf.readUInt16LE(pos);
        break;
      case Kind.Int32:
        v = buf.readInt32LE(pos);
        break;
      case Kind.Uint32:
        v = buf.readUInt32LE(pos);
        break;
      case Kind.Int64:
        v = new PacketReader(buf, pos, pos + 8).i64();
        break;
      case Kind.Uint64:
        v = new PacketReader(buf, pos, pos + 8).u64();
        break;
      case Kind.Float:
        v = floatValue(buf.readFloatLE(pos));
        break;
      case Kind.Double:
        v = buf.readDoubleLE(pos);
        break;
      case Kind.DateTime:
        if (this.custom[i]) text = dateTimeText(buf, pos + 1, size - 1, true);
        else v = readBinaryDateTime(buf, pos + 1, size - 1, this.tz);
        break;
      case Kind.Date:
        v = readBinaryDate(buf, pos + 1, size - 1);
        break;
      case Kind.Time:
        v = readBinaryTime(buf, pos + 1, size - 1);
        break;
      case Kind.Null:
        return null;
    }
    const custom = this.custom[i];
    if (custom) return custom(text ?? String(v));
    return v;
  }
}
