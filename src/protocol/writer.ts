// PacketWriter: builds outgoing packets in one reusable, growing buffer.
// A packet is written as [3] payload length, [1] sequence id, then the payload; `finish()`
// fills in the header and splits payloads of 2^24-1 bytes or more into several packets.
import { MAX_PACKET_PAYLOAD } from "./constants.js";

const HEADER = 4;

export class PacketWriter {
  private buf: Buffer;
  private pos = HEADER;

  constructor(initialSize = 16 * 1024) {
    this.buf = Buffer.allocUnsafe(Math.max(initialSize, 64));
  }

  /** Starts a new packet, discarding anything written before. */
  start(): this {
    this.pos = HEADER;
    return this;
  }

  get length(): number {
    return this.pos - HEADER;
  }

  private ensure(n: number): void {
    const needed = this.pos + n;
    if (needed <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < needed) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16LE(v, this.pos);
    this.pos += 2;
    return this;
  }

  u24(v: number): this {
    this.ensure(3);
    this.buf[this.pos] = v & 0xff;
    this.buf[this.pos + 1] = (v >>> 8) & 0xff;
    this.buf[this.pos + 2] = (v >>> 16) & 0xff;
    this.pos += 3;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }

  /** int<8> from a number or bigint (two's complement for negatives). */
  u64(v: number | bigint): this {
    this.ensure(8);
    this.buf.writeBigUInt64LE(BigInt.asUintN(64, BigInt(v)), this.pos);
    this.pos += 8;
    return this;
  }

  /** int<lenenc>. */
  lenencInt(v: number): this {
    if (v < 0xfb) return this.u8(v);
    if (v <= 0xffff) return this.u8(0xfc).u16(v);
    if (v <= 0xffffff) return this.u8(0xfd).u24(v);
    return this.u8(0xfe).u64(v);
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** A string encoded as UTF-8 (no terminator). */
  utf8(s: string): this {
    // Worst case is 3 bytes per UTF-16 unit; measure exactly only for long strings.
    const max = s.length * 3;
    this.ensure(max > 65536 ? Buffer.byteLength(s, "utf8") : max);
    this.pos += this.buf.write(s, this.pos, "utf8");
    return this;
  }

  /** string<NUL>. */
  nulString(s: string): this {
    return this.utf8(s).u8(0);
  }

  /** string<lenenc> of raw bytes. */
  lenencBytes(b: Uint8Array): this {
    return this.lenencInt(b.length).bytes(b);
  }

  zeros(n: number): this {
    this.ensure(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
    return this;
  }

  /**
   * Frames what was written as one logical packet starting at `sequenceId` and returns
   * `[bytes, nextSequenceId]`. Payloads of 2^24-1 bytes or more are split into packets of
   * exactly 2^24-1 bytes followed by a shorter one (possibly empty), as the protocol requires.
   * The returned buffer is a copy the caller may keep.
   */
  finish(sequenceId: number): [Buffer, number] {
    const payload = this.pos - HEADER;
    if (payload < MAX_PACKET_PAYLOAD) {
      const out = Buffer.allocUnsafe(this.pos);
      this.buf.copy(out, 0, 0, this.pos);
      out[0] = payload & 0xff;
      out[1] = (payload >>> 8) & 0xff;
      out[2] = (payload >>> 16) & 0xff;
      out[3] = sequenceId & 0xff;
      return [out, (sequenceId + 1) & 0xff];
    }
    return frameLargePayload(this.buf.subarray(HEADER, this.pos), sequenceId);
  }
}

/** Splits a payload of any size into framed packets. */
export function frameLargePayload(payload: Buffer, sequenceId: number): [Buffer, number] {
  const chunks = Math.floor(payload.length / MAX_PACKET_PAYLOAD) + 1;
  const out = Buffer.allocUnsafe(payload.length + chunks * HEADER);
  let seq = sequenceId;
  let src = 0;
  let dst = 0;
  for (let i = 0; i < chunks; i++) {
    const len = Math.min(MAX_PACKET_PAYLOAD, payload.length - src);
    out[dst] = len & 0xff;
    out[dst + 1] = (len >>> 8) & 0xff;
    out[dst + 2] = (len >>> 16) & 0xff;
    out[dst + 3] = seq;
    payload.copy(out, dst + HEADER, src, src + len);
    dst += HEADER + len;
    src += len;
    seq = (seq + 1) & 0xff;
  }
  return [out, seq];
}
