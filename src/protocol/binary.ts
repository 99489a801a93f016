// The binary protocol of server-side prepared statements: COM_STMT_PREPARE and its response,
// COM_STMT_EXECUTE with typed parameters and COM_STMT_CLOSE (binary result set rows: binary-rows.ts).
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_command_phase_ps.html
// https://mariadb.com/kb/en/com_stmt_execute/
// https://mariadb.com/kb/en/resultset-row/#binary-resultset-row
import { bytesOf, writeBinaryDateTime } from "../converters.js";
import { ProgrammingError } from "../errors.js";
import type { SqlParam, TimeZone } from "../types.js";
import { charsetByName, loneSurrogateIndex } from "./charsets.js";
import { COM, FIELD_TYPE } from "./constants.js";
import { PacketReader } from "./reader.js";
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

/**
 * The parameter type (low byte) and unsigned flag (high byte) of one argument.
 * @throws ProgrammingError for a value that cannot be bound.
 */
export function paramType(v: SqlParam, index: number): number {
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
  for (let i = 0; i < n; i++) writeParamValue(w, types[i]!, params[i], enc);
}

/** Writes one non-NULL argument in the binary encoding of `type` (from `paramType`). */
export function writeParamValue(w: PacketWriter, type: number, v: SqlParam, enc: ParamEncoding): void {
  switch (type & 0xff) {
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

// Binary result set rows: binary-rows.ts.
export { BinaryRowDecoder } from "./binary-rows.js";
