// Binary result set rows (COM_STMT_EXECUTE), decoded by a function generated for each result
// set shape, as text rows are (rows.ts): one straight-line block per column that reads the
// value's bytes in place, with no per-value type switch and no intermediate strings for
// numbers and DATETIMEs. Values are exact and decoded eagerly.
// https://mariadb.com/kb/en/resultset-row/#binary-resultset-row
//
//   [1] 0x00   NULL bitmap: (columns + 7 + 2) / 8 bytes, column i at bit i + 2
//   then each non-NULL value: fixed-size integers and floats (little-endian); DATE, DATETIME,
//   TIMESTAMP and TIME as [1] length + that many bytes; everything else as string<lenenc>.
import { parseTimeZone, readBinaryDate, readBinaryDateTime, readBinaryTime, type ParsedTimeZone } from "../converters.js";
import type { ColumnDefinition } from "../types.js";
import { FIELD_FLAG, FIELD_TYPE } from "./constants.js";
import { dateText } from "./date-text.js";
import { MalformedPacketError } from "./reader.js";
import {
  LONG_LENGTH,
  cachedRow,
  columnDecoder,
  rowKeys,
  type DecodeContext,
  rowReturnLines,
  type RowCache,
  type RowShape,
  type ValueDecoder,
} from "./rows.js";

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

/** A signed int<8> from its two halves: a number when safe, else a bigint. */
function int64(lo: number, hi: number): number | bigint {
  const v = hi * 0x100000000 + lo;
  if (hi >= -0x200000 && hi < 0x200000 && Number.isSafeInteger(v)) return v;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** An unsigned int<8> from its two halves: a number when safe, else a bigint. */
function uint64(lo: number, hi: number): number | bigint {
  if (hi < 0x200000) return hi * 0x100000000 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/** The text the text protocol would have sent for a DATETIME of `len` bytes at `pos` (for `conv`). */
function dateTimeText(buf: Buffer, pos: number, len: number): string {
  if (len === 0) return "0000-00-00 00:00:00";
  const date = `${pad(buf.readUInt16LE(pos), 4)}-${pad(buf[pos + 2]!, 2)}-${pad(buf[pos + 3]!, 2)}`;
  const time = len >= 7 ? `${pad(buf[pos + 4]!, 2)}:${pad(buf[pos + 5]!, 2)}:${pad(buf[pos + 6]!, 2)}` : "00:00:00";
  return len === 11 ? `${date} ${time}.${pad(buf.readUInt32LE(pos + 7), 6)}` : `${date} ${time}`;
}

/** A DATE value as `YYYY-MM-DD`; the text of a real date is shared between rows (date-text.ts). */
function binaryDate(buf: Buffer, off: number, len: number): string {
  if (len === 4 || len === 7 || len === 11) {
    const y = buf[off]! | (buf[off + 1]! << 8);
    const mo = buf[off + 2]!;
    const d = buf[off + 3]!;
    if (y <= 9999 && mo <= 12 && d <= 31) return dateText(y, mo, d);
  }
  return readBinaryDate(buf, off, len);
}

/** Reads a [1]-length-prefixed temporal value: `(buf, offset after the length byte, length)`. */
type TemporalDecoder = (buf: Buffer, off: number, len: number) => unknown;

/** Reads the value of one column; what each kind's generated block calls, if anything. */
interface ColumnPlan {
  kind: Kind;
  /** string<lenenc> columns: the text-protocol decoder. */
  lenenc: ValueDecoder | null;
  /** DATE/DATETIME/TIME columns. */
  temporal: TemporalDecoder | null;
  /** A user decoder (`conv`) of a fixed-size or temporal column: receives the value's text. */
  user: ((value: unknown) => unknown) | null;
}

function planColumn(c: ColumnDefinition, ctx: DecodeContext, tz: ParsedTimeZone): ColumnPlan {
  const kind = kindOf(c);
  if (kind === Kind.Lenenc) return { kind, lenenc: columnDecoder(c, ctx), temporal: null, user: null };
  const conv = ctx.conv?.[c.type];
  const custom = conv !== undefined && conv !== ctx.defaults[c.type] ? conv : null;
  let temporal: TemporalDecoder | null = null;
  if (kind === Kind.DateTime) {
    temporal = custom ? dateTimeText : (buf, off, len) => readBinaryDateTime(buf, off, len, tz);
  } else if (kind === Kind.Date) {
    temporal = binaryDate;
  } else if (kind === Kind.Time) {
    temporal = readBinaryTime;
  }
  const user = custom ? (v: unknown) => custom(String(v)) : null;
  return { kind, lenenc: null, temporal, user };
}

const u32 = (p: string): string => `(buf[${p}] | (buf[${p} + 1] << 8) | (buf[${p} + 2] << 16) | (buf[${p} + 3] << 24))`;

/** The generated statements that read column `i` of kind `k` into `v${i}` and advance `pos`. */
function readColumn(i: number, k: Kind): string[] {
  const need = (size: number | string): string =>
    `if (pos + ${size} > end) throw new M("binary row value ${i} runs past the end of the packet");`;
  switch (k) {
    case Kind.Int8:
      return [need(1), `v${i} = (buf[pos] << 24) >> 24; pos += 1;`];
    case Kind.Uint8:
      return [need(1), `v${i} = buf[pos]; pos += 1;`];
    case Kind.Int16:
      return [need(2), `v${i} = ((buf[pos] | (buf[pos + 1] << 8)) << 16) >> 16; pos += 2;`];
    case Kind.Uint16:
      return [need(2), `v${i} = buf[pos] | (buf[pos + 1] << 8); pos += 2;`];
    case Kind.Int32:
      return [need(4), `v${i} = ${u32("pos")}; pos += 4;`];
    case Kind.Uint32:
      return [need(4), `v${i} = ${u32("pos")} >>> 0; pos += 4;`];
    case Kind.Int64:
      return [need(8), `v${i} = I64(${u32("pos")} >>> 0, ${u32("pos + 4")}); pos += 8;`];
    case Kind.Uint64:
      return [need(8), `v${i} = U64(${u32("pos")} >>> 0, ${u32("pos + 4")} >>> 0); pos += 8;`];
    case Kind.Float:
      return [need(4), `v${i} = F(buf.readFloatLE(pos)); pos += 4;`];
    case Kind.Double:
      return [need(8), `v${i} = buf.readDoubleLE(pos); pos += 8;`];
    case Kind.DateTime:
    case Kind.Date:
    case Kind.Time:
      return [need(1), `len = buf[pos]; pos += 1;`, need("len"), `v${i} = T${i}(buf, pos, len); pos += len;`];
    case Kind.Lenenc:
      return [
        need(1),
        `len = buf[pos++];`,
        `if (len === 0xfb) throw new M("NULL length prefix in binary row value ${i}");`,
        LONG_LENGTH.replaceAll("COLUMN", String(i)),
        need("len"),
        `v${i} = L${i}(buf, pos, pos + len); pos += len;`,
      ];
    case Kind.Null:
      return [];
  }
}

type CompiledRow = (buf: Buffer, start: number, end: number) => unknown;
type RowFactory = (
  lenenc: readonly (ValueDecoder | null)[],
  temporal: readonly (TemporalDecoder | null)[],
  user: readonly (((value: unknown) => unknown) | null)[],
  helpers: Helpers,
  ctor: (new () => object) | null,
) => CompiledRow;

interface Helpers {
  M: typeof MalformedPacketError;
  I64: typeof int64;
  U64: typeof uint64;
  F: typeof floatValue;
}

const HELPERS: Helpers = { M: MalformedPacketError, I64: int64, U64: uint64, F: floatValue };

/** Result sets wider than this use the loop decoder below: generated code grows with the width. */
export const MAX_GENERATED_COLUMNS = 512;

/** Generated row functions by shape (kinds, user decoders, keys, constructor or not). */
const compiled = new Map<string, RowFactory>();

function compileRow(kinds: readonly Kind[], withUser: readonly boolean[], keys: readonly string[] | null, withCtor: boolean): RowFactory {
  const n = kinds.length;
  const cacheKey = `${kinds.join(",")}|${withUser.map((u) => (u ? 1 : 0)).join("")}|${withCtor ? 1 : 0}|${keys === null ? "" : JSON.stringify(keys)}`;
  const hit = compiled.get(cacheKey);
  if (hit !== undefined) return hit;
  const lines: string[] = ["const { M, I64, U64, F } = H;"];
  for (let i = 0; i < n; i++) {
    if (kinds[i] === Kind.Lenenc) lines.push(`const L${i} = L[${i}];`);
    if (kinds[i] === Kind.DateTime || kinds[i] === Kind.Date || kinds[i] === Kind.Time) lines.push(`const T${i} = T[${i}];`);
    if (withUser[i]) lines.push(`const U${i} = U[${i}];`);
  }
  const bitmapBytes = (n + 7 + 2) >> 3;
  lines.push(
    "return function decodeBinaryRow(buf, start, end) {",
    `  let pos = start + 1 + ${bitmapBytes};`,
    `  if (pos > end) throw new M("binary row shorter than its NULL bitmap");`,
    "  let len = 0;",
  );
  for (let i = 0; i < n; i++) {
    const bit = i + 2;
    lines.push(`  let v${i} = null;`);
    if (kinds[i] === Kind.Null) continue;
    lines.push(`  if ((buf[start + ${1 + (bit >> 3)}] & ${1 << (bit & 7)}) === 0) {`);
    for (const stmt of readColumn(i, kinds[i]!)) lines.push(`    ${stmt}`);
    if (withUser[i]) lines.push(`    v${i} = U${i}(v${i});`);
    lines.push("  }");
  }
  lines.push(...rowReturnLines(n, keys, withCtor));
  lines.push("};");
  const factory = new Function("L", "T", "U", "H", "C", lines.join("\n")) as RowFactory;
  if (compiled.size > 500) compiled.clear();
  compiled.set(cacheKey, factory);
  return factory;
}

/** Decodes the binary rows of one result set (COM_STMT_EXECUTE). */
export class BinaryRowDecoder {
  /** Decodes one row packet: `buf[start, end)`, or the whole of `buf`. */
  readonly decode: (buf: Buffer, start?: number, end?: number) => unknown;

  constructor(
    readonly columns: readonly ColumnDefinition[],
    ctx: DecodeContext,
    shape: RowShape,
  ) {
    // A prepared statement executed again has the same columns: reuse its row function.
    const row = cachedRow(rowCache, ctx, columns, shape, () => buildRow(columns, ctx, shape));
    const decodeRow = row;
    this.decode = (buf, start = 0, end = buf.length) => decodeRow(buf, start, end);
  }
}

/** The binary row functions of the latest result shapes of each connection. */
const rowCache: RowCache<CompiledRow> = new WeakMap();

/** The row function of one result shape: generated, or the loop decoder for very wide results. */
function buildRow(columns: readonly ColumnDefinition[], ctx: DecodeContext, shape: RowShape): CompiledRow {
  const tz = parseTimeZone(ctx.timeZone);
  const plans = columns.map((c) => planColumn(c, ctx, tz));
  const keys = shape.kind === "object" ? rowKeys(columns) : null;
  const ctor = shape.kind === "object" ? (shape.ctor ?? null) : null;
  if (columns.length > MAX_GENERATED_COLUMNS) return loopDecoder(plans, keys, ctor);
  return compileRow(
    plans.map((p) => p.kind),
    plans.map((p) => p.user !== null),
    keys,
    ctor !== null,
  )(
    plans.map((p) => p.lenenc),
    plans.map((p) => p.temporal),
    plans.map((p) => p.user),
    HELPERS,
    ctor,
  );
}

/** Reads a fixed-size value of `kind` at `pos` (the loop decoder of very wide results). */
function fixedValue(kind: Kind, buf: Buffer, pos: number): unknown {
  switch (kind) {
    case Kind.Int8:
      return buf.readInt8(pos);
    case Kind.Uint8:
      return buf[pos];
    case Kind.Int16:
      return buf.readInt16LE(pos);
    case Kind.Uint16:
      return buf.readUInt16LE(pos);
    case Kind.Int32:
      return buf.readInt32LE(pos);
    case Kind.Uint32:
      return buf.readUInt32LE(pos);
    case Kind.Int64:
      return int64(buf.readUInt32LE(pos), buf.readInt32LE(pos + 4));
    case Kind.Uint64:
      return uint64(buf.readUInt32LE(pos), buf.readUInt32LE(pos + 4));
    case Kind.Float:
      return floatValue(buf.readFloatLE(pos));
    default:
      return buf.readDoubleLE(pos);
  }
}

const FIXED_SIZE: Partial<Record<Kind, number>> = {
  [Kind.Int8]: 1,
  [Kind.Uint8]: 1,
  [Kind.Int16]: 2,
  [Kind.Uint16]: 2,
  [Kind.Int32]: 4,
  [Kind.Uint32]: 4,
  [Kind.Float]: 4,
  [Kind.Int64]: 8,
  [Kind.Uint64]: 8,
  [Kind.Double]: 8,
};

/** The same decoding as the generated code, as a loop over the columns: for very wide results. */
function loopDecoder(plans: readonly ColumnPlan[], keys: readonly string[] | null, ctor: (new () => object) | null): CompiledRow {
  const n = plans.length;
  const bitmapBytes = (n + 7 + 2) >> 3;
  return (buf, start, end) => {
    const values = new Array<unknown>(n);
    let pos = start + 1 + bitmapBytes;
    if (pos > end) throw new MalformedPacketError("binary row shorter than its NULL bitmap");
    for (let i = 0; i < n; i++) {
      const bit = i + 2;
      const plan = plans[i]!;
      let v: unknown = null;
      if (plan.kind !== Kind.Null && (buf[start + 1 + (bit >> 3)]! & (1 << (bit & 7))) === 0) {
        const size = FIXED_SIZE[plan.kind];
        if (size !== undefined) {
          if (pos + size > end) throw new MalformedPacketError(`binary row value ${i} runs past the end of the packet`);
          v = fixedValue(plan.kind, buf, pos);
          pos += size;
        } else {
          if (pos + 1 > end) throw new MalformedPacketError(`binary row value ${i} runs past the end of the packet`);
          let len = buf[pos++]!;
          if (plan.kind === Kind.Lenenc) {
            if (len === 0xfb) throw new MalformedPacketError(`NULL length prefix in binary row value ${i}`);
            if (len >= 0xfc) {
              const extra = len === 0xfc ? 2 : len === 0xfd ? 3 : len === 0xfe ? 8 : -1;
              if (extra < 0) throw new MalformedPacketError(`invalid length prefix 0xff in row value ${i}`);
              if (pos + extra > end) throw new MalformedPacketError(`row value ${i} runs past the end of the packet`);
              len = extra === 8 ? buf.readUInt32LE(pos) + buf.readUInt32LE(pos + 4) * 0x100000000 : buf.readUIntLE(pos, extra);
              pos += extra;
            }
          }
          if (pos + len > end) throw new MalformedPacketError(`binary row value ${i} runs past the end of the packet`);
          v = plan.kind === Kind.Lenenc ? plan.lenenc!(buf, pos, pos + len) : plan.temporal!(buf, pos, len);
          pos += len;
        }
        if (plan.user !== null) v = plan.user(v);
      }
      values[i] = v;
    }
    if (keys === null) return values;
    const row = (ctor ? new ctor() : {}) as Record<string, unknown>;
    for (let i = 0; i < n; i++) {
      if (keys[i] === "__proto__")
        Object.defineProperty(row, "__proto__", { value: values[i], writable: true, enumerable: true, configurable: true });
      else row[keys[i]!] = values[i];
    }
    return row;
  };
}
