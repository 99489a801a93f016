/**
 * Converting MySQL values to JavaScript values and back: the default decoders per column type,
 * the fast byte-level parsers the row decoder uses, the binary-protocol date/time codecs, and the
 * time zone rules shared with `escape()`.
 *
 * ## Default decoders (`decoders`, `makeDecoders(timeZone)`)
 *
 * A decoder receives the column's text (or a Buffer for binary data) and never sees SQL NULL:
 * NULL is always `null` and is handled before any decoder runs.
 *
 * | MySQL type (`FIELD_TYPE`)                                  | JavaScript value                                                                              |
 * | ---------------------------------------------------------- | --------------------------------------------------------------------------------------------- |
 * | TINYINT, SMALLINT, MEDIUMINT, INT (`TINY`, `SHORT`, `INT24`, `LONG`), YEAR | `number`                                                                        |
 * | BIGINT (`LONGLONG`)                                        | `number` when `Number.isSafeInteger`, else `bigint` (parsed from the digits, never via a float) |
 * | FLOAT, DOUBLE                                              | `number`                                                                                      |
 * | DECIMAL, NUMERIC (`DECIMAL`, `NEWDECIMAL`)                 | `string`, exactly as the server sent it                                                       |
 * | DATETIME, TIMESTAMP                                        | `Date` in the connection's time zone, to the millisecond (sub-millisecond digits are dropped); a zero or invalid value such as `0000-00-00 00:00:00` stays the server's `string` |
 * | DATE                                                       | `string` `YYYY-MM-DD` (no time zone shifts)                                                    |
 * | TIME                                                       | `string` `[-]HH:MM:SS[.ffffff]` (may be negative or above 24 hours)                           |
 * | BIT                                                        | `Buffer`                                                                                      |
 * | JSON                                                       | `string` with the JSON text (parsing would round big integers)                                |
 * | ENUM, SET                                                  | `string`                                                                                      |
 * | CHAR, VARCHAR, TEXT (`STRING`, `VAR_STRING`, `VARCHAR`, `*_BLOB` with a text charset) | `string`                                                           |
 * | BINARY, VARBINARY, BLOB (binary charset), GEOMETRY, VECTOR | `Buffer`                                                                                      |
 * | NULL                                                       | `null`                                                                                        |
 *
 * ## Time zones
 *
 * `"local"` reads and writes wall-clock times in the process's zone (`new Date(y, m - 1, d, ...)`),
 * `"Z"` in UTC (`Date.UTC`), and `"+HH:MM"` / `"-HH:MM"` at that fixed offset from UTC.
 * In `"local"`, a wall-clock time that falls in a daylight-saving gap is moved by the gap, as
 * `new Date(...)` does.
 */
import { CR } from "./protocol/constants.js";
import { FIELD_TYPE } from "./protocol/constants.js";
import { clientError, InterfaceError, ProgrammingError } from "./errors.js";
import type { TimeZone } from "./types.js";

/** DOUBLE text (protocol/float-text.ts), here with the other value readers. */
export { parseFloatAscii } from "./protocol/float-text.js";

/** Converts one non-NULL column value (its text, or a Buffer for binary data) to a JavaScript value. */
export type Decoder = (value: string | Buffer) => unknown;

/** Decoders keyed by `FIELD_TYPE` code. */
export type Decoders = Partial<Record<number, Decoder>>;

/** A validated time zone: the process's local zone, or a fixed offset east of UTC in minutes. */
export type ParsedTimeZone = { readonly kind: "local" } | { readonly kind: "offset"; readonly minutes: number };

// ---------------------------------------------------------------------------------------------
// Fast byte slices. Node has Buffer#latin1Slice / #utf8Slice (no argument checks); the typings
// do not declare them, so they are reached through a local type and fall back to toString.

type Slice = (this: Buffer, start: number, end: number) => string;
const bufferProto = Buffer.prototype as unknown as { latin1Slice?: Slice };
const latin1SliceImpl: Slice =
  typeof bufferProto.latin1Slice === "function"
    ? bufferProto.latin1Slice
    : function (this: Buffer, start: number, end: number): string {
        return this.toString("latin1", start, end);
      };

function latin1(buf: Buffer, start: number, end: number): string {
  return latin1SliceImpl.call(buf, start, end);
}

// ---------------------------------------------------------------------------------------------
// Time zones

const LOCAL: ParsedTimeZone = Object.freeze({ kind: "local" as const });
const UTC: ParsedTimeZone = Object.freeze({ kind: "offset" as const, minutes: 0 });
const zoneCache = new Map<string, ParsedTimeZone>([
  ["local", LOCAL],
  ["Z", UTC],
]);
const OFFSET_RE = /^([+-])(\d\d):(\d\d)$/;

/**
 * Validates a time zone option: `"local"`, `"Z"`, or a fixed offset `"+HH:MM"` / `"-HH:MM"`
 * (hours 00-14, minutes 00-59, at most 14:00 either way, as MySQL allows).
 * @throws InterfaceError for anything else.
 */
export function parseTimeZone(tz: string): ParsedTimeZone {
  const cached = zoneCache.get(tz);
  if (cached !== undefined) return cached;
  const m = typeof tz === "string" ? OFFSET_RE.exec(tz) : null;
  if (m !== null) {
    const hours = Number(m[2]);
    const mins = Number(m[3]);
    const total = hours * 60 + mins;
    if (mins < 60 && total <= 14 * 60) {
      const parsed: ParsedTimeZone = Object.freeze({ kind: "offset" as const, minutes: m[1] === "-" ? -total : total });
      zoneCache.set(tz, parsed);
      return parsed;
    }
  }
  throw new InterfaceError(`Invalid time zone ${JSON.stringify(tz)}: use "local", "Z" or a fixed offset such as "+05:30" or "-08:00"`);
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Builds the Date of a wall-clock time in `tz`, or returns null when the fields are not a real date-time. */
function makeDate(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, tz: ParsedTimeZone): Date | null {
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return null;
  if (tz.kind === "local") {
    const dt = new Date(y, mo - 1, d, h, mi, s, ms);
    // Years 0-99 are read as 1900-1999 by the Date constructor.
    if (y < 100) dt.setFullYear(y, mo - 1, d);
    return dt;
  }
  let t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  if (y < 100) {
    const dt = new Date(t);
    dt.setUTCFullYear(y, mo - 1, d);
    t = dt.getTime();
  }
  return new Date(t - tz.minutes * 60000);
}

// ---------------------------------------------------------------------------------------------
// Reading values through the intrinsics. A Date subclass, a tampered object or a Buffer
// subclass can override getFullYear(), toString() or length to return anything, SQL included:
// dates and bytes are read through the built-in accessors captured here, never the value's own.

const dateGetTime = Date.prototype.getTime;
const typedArrayProto = Object.getPrototypeOf(Uint8Array.prototype) as object;
function intrinsicGetter(name: string): (this: unknown) => unknown {
  return Object.getOwnPropertyDescriptor(typedArrayProto, name)!.get!;
}
const typedArrayBuffer = intrinsicGetter("buffer");
const typedArrayByteOffset = intrinsicGetter("byteOffset");
const typedArrayByteLength = intrinsicGetter("byteLength");
const bufferToString = Buffer.prototype.toString;

/**
 * The time value of `date` (milliseconds since the epoch, NaN when invalid) as the built-in
 * Date stores it, whatever its own methods say.
 * @throws ProgrammingError for an object that is not a real Date (such as `Object.create(Date.prototype)`).
 */
export function timeOf(date: Date): number {
  try {
    return dateGetTime.call(date);
  } catch {
    throw new ProgrammingError("Cannot use an object that only looks like a Date as an SQL value: it is not a real Date");
  }
}

/**
 * The bytes of `value` as a fresh Buffer over the same memory, read through the built-in
 * typed-array accessors (a subclass's own `length`, `buffer` or `toString` are never used).
 * @throws ProgrammingError for an object that is not a real Uint8Array.
 */
export function bytesOf(value: Uint8Array): Buffer {
  let buffer: ArrayBufferLike, offset: number, length: number;
  try {
    buffer = typedArrayBuffer.call(value) as ArrayBufferLike;
    offset = typedArrayByteOffset.call(value) as number;
    length = typedArrayByteLength.call(value) as number;
  } catch {
    throw new ProgrammingError("Cannot use an object that only looks like a Buffer as an SQL value: it is not a real Uint8Array");
  }
  return Buffer.from(buffer, offset, length);
}

/** The bytes of `value` as hex digits, read through the intrinsics (see `bytesOf()`). */
export function hexOf(value: Uint8Array): string {
  return bufferToString.call(bytesOf(value), "hex");
}

/** The wall-clock fields of `date` in `tz`. */
interface Fields {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  ms: number;
}

function fieldsOf(value: Date, tz: ParsedTimeZone, what: string): Fields {
  const t = timeOf(value);
  if (Number.isNaN(t)) throw new ProgrammingError(`Cannot use an invalid Date as ${what}`);
  // A fresh Date of the same instant: the value's own getters are never called.
  const date = new Date(t);
  let f: Fields;
  if (tz.kind === "local") {
    f = {
      y: date.getFullYear(),
      mo: date.getMonth() + 1,
      d: date.getDate(),
      h: date.getHours(),
      mi: date.getMinutes(),
      s: date.getSeconds(),
      ms: date.getMilliseconds(),
    };
  } else {
    const u = tz.minutes === 0 ? date : new Date(t + tz.minutes * 60000);
    f = {
      y: u.getUTCFullYear(),
      mo: u.getUTCMonth() + 1,
      d: u.getUTCDate(),
      h: u.getUTCHours(),
      mi: u.getUTCMinutes(),
      s: u.getUTCSeconds(),
      ms: u.getUTCMilliseconds(),
    };
  }
  if (f.y < 0 || f.y > 9999) {
    throw new ProgrammingError(`Cannot use ${date.toISOString()} as ${what}: MySQL years are 0000-9999`);
  }
  return f;
}

function pad2(n: number): string {
  return n < 10 ? "0" + n : String(n);
}

function pad3(n: number): string {
  return n < 10 ? "00" + n : n < 100 ? "0" + n : String(n);
}

function pad4(n: number): string {
  return n < 10 ? "000" + n : n < 100 ? "00" + n : n < 1000 ? "0" + n : String(n);
}

function pad6(n: number): string {
  const s = String(n);
  return s.length >= 6 ? s : "000000".slice(s.length) + s;
}

/**
 * Formats `date` as the DATETIME text `YYYY-MM-DD HH:MM:SS.mmm` (no quotes) in `timeZone`.
 * @throws ProgrammingError for an invalid Date or a year outside 0000-9999.
 * @throws InterfaceError for an invalid time zone.
 */
export function formatDateTime(date: Date, timeZone: TimeZone = "local"): string {
  const f = fieldsOf(date, parseTimeZone(timeZone), "a DATETIME value");
  return `${pad4(f.y)}-${pad2(f.mo)}-${pad2(f.d)} ${pad2(f.h)}:${pad2(f.mi)}:${pad2(f.s)}.${pad3(f.ms)}`;
}

// ---------------------------------------------------------------------------------------------
// Text values

/** Milliseconds of a fraction given as 1-6 digits (".5" is 500 ms); digits past the third are dropped. */
function fractionMs(digits: number[], n: number): number {
  let ms = 0;
  for (let k = 0; k < 3; k++) ms = ms * 10 + (k < n ? digits[k] : 0);
  return ms;
}

const fracDigits: number[] = [0, 0, 0, 0, 0, 0];

/** DATETIME text `YYYY-MM-DD HH:MM:SS[.f{1,6}]` to a Date; anything else is returned unchanged. */
function parseDateTimeString(s: string, tz: ParsedTimeZone): Date | string {
  // Only user `conv` chains come through here; the row decoder reads bytes directly.
  if (s.length > 26) return s;
  const parsed = parseDateTimeAscii(Buffer.from(s, "latin1"), 0, s.length, tz);
  return typeof parsed === "string" ? s : parsed;
}

/**
 * Parses DATETIME/TIMESTAMP text straight from `buf[start, end)` (no intermediate string for
 * valid values): `YYYY-MM-DD HH:MM:SS[.f{1,6}]` becomes a Date in `timeZone`, keeping
 * milliseconds exactly and dropping sub-millisecond digits. A zero date (`0000-00-00 00:00:00`),
 * an invalid one (`2020-00-10 ...`, `2021-02-30 ...`) or any other text is returned as the
 * original string; this never throws for bad data and never returns an Invalid Date.
 * `timeZone` may also be the result of `parseTimeZone()`, which saves a lookup per value.
 * @throws InterfaceError for an invalid time zone.
 */
export function parseDateTimeAscii(buf: Buffer, start: number, end: number, timeZone: TimeZone | ParsedTimeZone = "local"): Date | string {
  const tz = typeof timeZone === "string" ? parseTimeZone(timeZone) : timeZone;
  const n = end - start;
  const p = start;
  if (
    n < 19 ||
    n > 26 ||
    n === 20 ||
    buf[p + 4] !== 45 ||
    buf[p + 7] !== 45 ||
    buf[p + 10] !== 32 ||
    buf[p + 13] !== 58 ||
    buf[p + 16] !== 58 ||
    (n > 19 && buf[p + 19] !== 46)
  ) {
    return latin1(buf, start, end);
  }
  const y0 = buf[p] - 48,
    y1 = buf[p + 1] - 48,
    y2 = buf[p + 2] - 48,
    y3 = buf[p + 3] - 48;
  const mo0 = buf[p + 5] - 48,
    mo1 = buf[p + 6] - 48,
    d0 = buf[p + 8] - 48,
    d1 = buf[p + 9] - 48;
  const h0 = buf[p + 11] - 48,
    h1 = buf[p + 12] - 48,
    mi0 = buf[p + 14] - 48,
    mi1 = buf[p + 15] - 48;
  const s0 = buf[p + 17] - 48,
    s1 = buf[p + 18] - 48;
  if (
    y0 >>> 0 > 9 ||
    y1 >>> 0 > 9 ||
    y2 >>> 0 > 9 ||
    y3 >>> 0 > 9 ||
    mo0 >>> 0 > 9 ||
    mo1 >>> 0 > 9 ||
    d0 >>> 0 > 9 ||
    d1 >>> 0 > 9 ||
    h0 >>> 0 > 9 ||
    h1 >>> 0 > 9 ||
    mi0 >>> 0 > 9 ||
    mi1 >>> 0 > 9 ||
    s0 >>> 0 > 9 ||
    s1 >>> 0 > 9
  ) {
    return latin1(buf, start, end);
  }
  let fn = 0;
  for (let i = p + 20; i < end; i++) {
    const c = buf[i] - 48;
    if (c >>> 0 > 9) return latin1(buf, start, end);
    fracDigits[fn++] = c;
  }
  const date = makeDate(
    y0 * 1000 + y1 * 100 + y2 * 10 + y3,
    mo0 * 10 + mo1,
    d0 * 10 + d1,
    h0 * 10 + h1,
    mi0 * 10 + mi1,
    s0 * 10 + s1,
    fractionMs(fracDigits, fn),
    tz,
  );
  return date ?? latin1(buf, start, end);
}

const INTEGER_RE = /^[+-]?\d+$/;

/** BIGINT text to a number when it is a safe integer, else to a bigint parsed from the digits. */
function integerFromText(s: string): number | bigint {
  const n = Number(s);
  if (Number.isSafeInteger(n)) return n === 0 ? 0 : n;
  // Number() rounds monotonically, so any value beyond ±(2^53 - 1) lands here.
  return BigInt(s);
}

function badInteger(text: string): never {
  throw clientError(CR.MALFORMED_PACKET, `Malformed packet: invalid integer text from the server: ${JSON.stringify(text)}`);
}

/** parseIntAscii for more than 15 digits (or none): `i` is the first digit. */
function parseLongIntAscii(buf: Buffer, start: number, i: number, end: number, neg: boolean): number | bigint {
  const digits = end - i;
  if (digits > 15 && digits <= 20) {
    // BIGINT range: the digits before the last 15 (high) and the last 15 (low) are each exact
    // as numbers; the value is high * 10^15 + low.
    const split = end - 15;
    let high = 0;
    let low = 0;
    for (; i < split; i++) {
      const d = buf[i] - 48;
      if (d >>> 0 > 9) return badInteger(latin1(buf, start, end));
      high = high * 10 + d;
    }
    for (; i < end; i++) {
      const d = buf[i] - 48;
      if (d >>> 0 > 9) return badInteger(latin1(buf, start, end));
      low = low * 10 + d;
    }
    // Safe when high * 10^15 + low <= 2^53 - 1 = 9 * 10^15 + 7199254740991.
    if (high < 9 || (high === 9 && low <= 7199254740991)) {
      const n = high * 1e15 + low;
      return neg && n !== 0 ? -n : n;
    }
    const big = BigInt(high) * 1_000_000_000_000_000n + BigInt(low);
    return neg ? -big : big;
  }
  const text = latin1(buf, start, end);
  if (!INTEGER_RE.test(text)) return badInteger(text);
  return integerFromText(text);
}

/**
 * Parses integer text (optional sign, decimal digits) straight from `buf[start, end)`: a
 * `number` when the value is a safe integer, else a `bigint`. Values of up to 20 digits (the
 * whole BIGINT range) are read without any intermediate string; longer ones go through their
 * text.
 * @throws OperationalError (errno 2027, malformed packet) when the bytes are not an integer.
 */
export function parseIntAscii(buf: Buffer, start: number, end: number): number | bigint {
  let i = start;
  let neg = false;
  const first = buf[i];
  if (first === 45) {
    neg = true;
    i++;
  } else if (first === 43) {
    i++;
  }
  const digits = end - i;
  if (digits > 0 && digits <= 15) {
    let n = 0;
    for (; i < end; i++) {
      const d = buf[i] - 48;
      if (d >>> 0 > 9) return badInteger(latin1(buf, start, end));
      n = n * 10 + d;
    }
    return neg && n !== 0 ? -n : n;
  }
  return parseLongIntAscii(buf, start, i, end, neg);
}

// ---------------------------------------------------------------------------------------------
// Default decoders

function asText(v: string | Buffer): string {
  return typeof v === "string" ? v : latin1(v, 0, v.length);
}

const decodeNumber: Decoder = (v) => Number(asText(v));
const decodeLongLong: Decoder = (v) => {
  const s = asText(v);
  if (!INTEGER_RE.test(s)) return badInteger(s);
  return integerFromText(s);
};
const decodeAsIs: Decoder = (v) => v;
const decodeAsText: Decoder = (v) => asText(v);
const decodeJson: Decoder = (v) => (typeof v === "string" ? v : v.toString("utf8"));
const decodeBytes: Decoder = (v) => (typeof v === "string" ? Buffer.from(v, "latin1") : v);
const decodeNull: Decoder = () => null;

const decoderCache = new Map<ParsedTimeZone, Decoders>();

/**
 * The default string-based decoders for `timeZone` (see the table at the top of this module).
 * The result is frozen and shared per time zone: copy it to customise
 * (`{ ...makeDecoders("Z"), [FIELD_TYPE.NEWDECIMAL]: Number }`).
 * @throws InterfaceError for an invalid time zone.
 */
export function makeDecoders(timeZone: TimeZone = "local"): Decoders {
  const tz = parseTimeZone(timeZone);
  const cached = decoderCache.get(tz);
  if (cached !== undefined) return cached;
  const decodeDateTime: Decoder = (v) => parseDateTimeString(asText(v), tz);
  const d: Decoders = {
    [FIELD_TYPE.DECIMAL]: decodeAsText,
    [FIELD_TYPE.TINY]: decodeNumber,
    [FIELD_TYPE.SHORT]: decodeNumber,
    [FIELD_TYPE.LONG]: decodeNumber,
    [FIELD_TYPE.FLOAT]: decodeNumber,
    [FIELD_TYPE.DOUBLE]: decodeNumber,
    [FIELD_TYPE.NULL]: decodeNull,
    [FIELD_TYPE.TIMESTAMP]: decodeDateTime,
    [FIELD_TYPE.LONGLONG]: decodeLongLong,
    [FIELD_TYPE.INT24]: decodeNumber,
    [FIELD_TYPE.DATE]: decodeAsText,
    [FIELD_TYPE.TIME]: decodeAsText,
    [FIELD_TYPE.DATETIME]: decodeDateTime,
    [FIELD_TYPE.YEAR]: decodeNumber,
    [FIELD_TYPE.NEWDATE]: decodeAsText,
    [FIELD_TYPE.VARCHAR]: decodeAsIs,
    [FIELD_TYPE.BIT]: decodeBytes,
    [FIELD_TYPE.TIMESTAMP2]: decodeDateTime,
    [FIELD_TYPE.DATETIME2]: decodeDateTime,
    [FIELD_TYPE.TIME2]: decodeAsText,
    [FIELD_TYPE.VECTOR]: decodeAsIs,
    [FIELD_TYPE.JSON]: decodeJson,
    [FIELD_TYPE.NEWDECIMAL]: decodeAsText,
    [FIELD_TYPE.ENUM]: decodeAsText,
    [FIELD_TYPE.SET]: decodeAsText,
    [FIELD_TYPE.TINY_BLOB]: decodeAsIs,
    [FIELD_TYPE.MEDIUM_BLOB]: decodeAsIs,
    [FIELD_TYPE.LONG_BLOB]: decodeAsIs,
    [FIELD_TYPE.BLOB]: decodeAsIs,
    [FIELD_TYPE.VAR_STRING]: decodeAsIs,
    [FIELD_TYPE.STRING]: decodeAsIs,
    [FIELD_TYPE.GEOMETRY]: decodeAsIs,
  };
  Object.freeze(d);
  decoderCache.set(tz, d);
  return d;
}

/** The default decoders for the `"local"` time zone (frozen; copy it to customise). */
export const decoders: Decoders = makeDecoders("local");

// ---------------------------------------------------------------------------------------------
// Binary protocol (server-side prepared statements)

function malformed(what: string, length: number): never {
  throw clientError(CR.MALFORMED_PACKET, `Malformed packet: ${what} value of length ${length}`);
}

function dateText(y: number, mo: number, d: number): string {
  return `${pad4(y)}-${pad2(mo)}-${pad2(d)}`;
}

/**
 * Reads a binary-protocol DATETIME/TIMESTAMP value. `offset` is the first byte after the length
 * byte, `length` that byte's value: 0 (zero date), 4 (date only), 7 (with time) or 11 (with
 * microseconds). A real date-time becomes a Date in `timeZone` (milliseconds kept, microseconds
 * past them dropped); a zero or invalid one is returned as text `YYYY-MM-DD HH:MM:SS[.ffffff]`
 * (`"0000-00-00 00:00:00"` for length 0).
 * @throws OperationalError (CR_MALFORMED_PACKET) for any other length.
 */
export function readBinaryDateTime(
  buf: Buffer,
  offset: number,
  length: number,
  timeZone: TimeZone | ParsedTimeZone = "local",
): Date | string {
  const tz = typeof timeZone === "string" ? parseTimeZone(timeZone) : timeZone;
  if (length === 0) return "0000-00-00 00:00:00";
  if (length !== 4 && length !== 7 && length !== 11) return malformed("DATETIME", length);
  const y = buf.readUInt16LE(offset);
  const mo = buf[offset + 2];
  const d = buf[offset + 3];
  let h = 0;
  let mi = 0;
  let s = 0;
  let us = 0;
  if (length >= 7) {
    h = buf[offset + 4];
    mi = buf[offset + 5];
    s = buf[offset + 6];
  }
  if (length === 11) us = buf.readUInt32LE(offset + 7);
  const date = y <= 9999 && us < 1000000 ? makeDate(y, mo, d, h, mi, s, Math.floor(us / 1000), tz) : null;
  if (date !== null) return date;
  const text = `${dateText(y, mo, d)} ${pad2(h)}:${pad2(mi)}:${pad2(s)}`;
  return length === 11 ? `${text}.${pad6(us)}` : text;
}

/**
 * Reads a binary-protocol DATE value as `YYYY-MM-DD` text (`"0000-00-00"` for length 0).
 * `offset` is the first byte after the length byte; lengths 4, 7 and 11 are accepted (only the
 * date part is read).
 * @throws OperationalError (CR_MALFORMED_PACKET) for any other length.
 */
export function readBinaryDate(buf: Buffer, offset: number, length: number): string {
  if (length === 0) return "0000-00-00";
  if (length !== 4 && length !== 7 && length !== 11) return malformed("DATE", length);
  return dateText(buf.readUInt16LE(offset), buf[offset + 2], buf[offset + 3]);
}

/**
 * Reads a binary-protocol TIME value as `[-]HH:MM:SS[.ffffff]` text, hours being
 * `days * 24 + hours` (so they may exceed 24). `offset` is the first byte after the length
 * byte; `length` is 0 (`"00:00:00"`), 8 (sign, days, h, m, s) or 12 (plus microseconds).
 * @throws OperationalError (CR_MALFORMED_PACKET) for any other length.
 */
export function readBinaryTime(buf: Buffer, offset: number, length: number): string {
  if (length === 0) return "00:00:00";
  if (length !== 8 && length !== 12) return malformed("TIME", length);
  const neg = buf[offset] === 1;
  const days = buf.readUInt32LE(offset + 1);
  const hours = days * 24 + buf[offset + 5];
  const text = `${neg ? "-" : ""}${pad2(hours)}:${pad2(buf[offset + 6])}:${pad2(buf[offset + 7])}`;
  return length === 12 ? `${text}.${pad6(buf.readUInt32LE(offset + 8))}` : text;
}

/**
 * Encodes `date` for binding as a binary-protocol DATETIME parameter, in `timeZone`.
 * Returns 12 bytes: the length byte (11) followed by year (2 bytes LE), month, day, hour,
 * minute, second and microseconds (4 bytes LE, a multiple of 1000).
 * @throws ProgrammingError for an invalid Date or a year outside 0000-9999.
 * @throws InterfaceError for an invalid time zone.
 */
export function writeBinaryDateTime(date: Date, timeZone: TimeZone = "local"): Buffer {
  const f = fieldsOf(date, parseTimeZone(timeZone), "a DATETIME parameter");
  const out = Buffer.allocUnsafe(12);
  out[0] = 11;
  out.writeUInt16LE(f.y, 1);
  out[3] = f.mo;
  out[4] = f.d;
  out[5] = f.h;
  out[6] = f.mi;
  out[7] = f.s;
  out.writeUInt32LE(f.ms * 1000, 8);
  return out;
}
