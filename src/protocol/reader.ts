// PacketReader: reads the protocol's basic data types from one packet payload.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_data_types.html
import { CR } from "./constants.js";

/** Thrown when a packet is shorter than its own fields say: a malformed or truncated packet. */
export class MalformedPacketError extends Error {
  readonly errno = CR.MALFORMED_PACKET;
  constructor(message: string) {
    super(message);
    this.name = "MalformedPacketError";
  }
}

/** The 0xFB byte that stands for NULL where a length-encoded string is expected. */
export const NULL_LENGTH = -1;

export class PacketReader {
  buf: Buffer;
  pos: number;
  end: number;

  constructor(buf: Buffer, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  /** Points the reader at another payload, so one reader can serve a whole result set. */
  reset(buf: Buffer, start = 0, end = buf.length): this {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    return this;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) {
      throw new MalformedPacketError(`packet too short: needed ${n} more byte(s) at offset ${this.pos}, have ${this.end - this.pos}`);
    }
  }

  peek(): number {
    this.need(1);
    return this.buf[this.pos]!;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  /** int<1> */
  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  /** int<2> */
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }

  /** int<3> */
  u24(): number {
    this.need(3);
    const b = this.buf;
    const p = this.pos;
    this.pos += 3;
    return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16);
  }

  /** int<4> */
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  /** int<8>, as a number when it is a safe integer and a bigint otherwise. */
  u64(): number | bigint {
    this.need(8);
    const lo = this.buf.readUInt32LE(this.pos);
    const hi = this.buf.readUInt32LE(this.pos + 4);
    this.pos += 8;
    if (hi < 0x200000) return hi * 0x100000000 + lo;
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** Signed int<8>, as a number when safe and a bigint otherwise. */
  i64(): number | bigint {
    this.need(8);
    const lo = this.buf.readUInt32LE(this.pos);
    const hi = this.buf.readInt32LE(this.pos + 4);
    this.pos += 8;
    const v = hi * 0x100000000 + lo;
    if (Number.isSafeInteger(v) && hi >= -0x200000 && hi < 0x200000) return v;
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /**
   * int<lenenc>: 1 byte below 0xFB; 0xFC + int<2>; 0xFD + int<3>; 0xFE + int<8>.
   * 0xFB (NULL in a row) gives NULL_LENGTH. Values past 2^53 give a bigint.
   */
  lenencInt(): number | bigint {
    const first = this.u8();
    if (first < 0xfb) return first;
    switch (first) {
      case 0xfb:
        return NULL_LENGTH;
      case 0xfc:
        return this.u16();
      case 0xfd:
        return this.u24();
      case 0xfe:
        return this.u64();
      default:
        throw new MalformedPacketError(`invalid length-encoded integer prefix 0xff at offset ${this.pos - 1}`);
    }
  }

  /** A length-encoded integer that must fit a number (a length, a count). */
  lenencNumber(): number {
    const v = this.lenencInt();
    if (typeof v === "bigint") throw new MalformedPacketError(`length ${v} is too large`);
    return v;
  }

  /** Length of the next string<lenenc> (or NULL_LENGTH), leaving pos at its first byte. */
  lenencLength(): number {
    const n = this.lenencNumber();
    if (n > 0) this.need(n);
    return n;
  }

  /** string<lenenc> as raw bytes (a view, not a copy), or null for 0xFB. */
  lenencBytes(): Buffer | null {
    const n = this.lenencLength();
    if (n === NULL_LENGTH) return null;
    const start = this.pos;
    this.pos += n;
    return this.buf.subarray(start, start + n);
  }

  /** string<lenenc> decoded as UTF-8 (metadata such as column names), "" for NULL. */
  lenencString(): string {
    const n = this.lenencLength();
    if (n <= 0) return "";
    const start = this.pos;
    this.pos += n;
    return this.buf.toString("utf8", start, start + n);
  }

  /** string<NUL>: bytes up to a 0x00 byte (consumed). */
  nulBytes(): Buffer {
    const start = this.pos;
    const zero = this.buf.indexOf(0, start);
    if (zero === -1 || zero >= this.end) throw new MalformedPacketError(`unterminated string at offset ${start}`);
    this.pos = zero + 1;
    return this.buf.subarray(start, zero);
  }

  nulString(): string {
    return this.nulBytes().toString("utf8");
  }

  /** string<fix> of n bytes, as a view. */
  bytes(n: number): Buffer {
    this.need(n);
    const start = this.pos;
    this.pos += n;
    return this.buf.subarray(start, start + n);
  }

  /** string<EOF>: the rest of the packet, as a view. */
  restBytes(): Buffer {
    const start = this.pos;
    this.pos = this.end;
    return this.buf.subarray(start, this.end);
  }

  restString(): string {
    return this.restBytes().toString("utf8");
  }
}
