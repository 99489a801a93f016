// Packet framing: turns a byte stream into packet payloads.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_packets.html
//
//   [3] payload length   [1] sequence id   [n] payload
//
// A payload of exactly 2^24-1 bytes means "continued in the next packet"; the logical
// payload ends with the first packet shorter than that (possibly empty).
import { MAX_PACKET_PAYLOAD } from "./constants.js";

export type PacketHandler = (buf: Buffer, start: number, end: number, sequenceId: number) => void;

/**
 * Splits incoming chunks into payloads and hands each to `onPacket` synchronously, as the
 * range `buf[start, end)` of the chunk it arrived in (no object per packet): the range is only
 * valid during the call. A packet split across chunks is joined from exactly its own bytes.
 * Bytes are never allocated ahead of their arrival: a header that announces 16 MiB costs
 * nothing until those bytes are actually received.
 */
export class PacketParser {
  /** Pieces of a packet that has not fully arrived yet (header included). */
  private pending: Buffer[] = [];
  private pendingLength = 0;
  /** Bytes needed (header included) to complete the packet in `pending`: 4 until its header is known. */
  private needed = 4;
  /** Parts of a payload split across 2^24-1 byte packets. */
  private parts: Buffer[] = [];
  private partsLength = 0;

  constructor(private readonly onPacket: PacketHandler) {}

  /** True while a packet is partly received (useful to detect a truncated stream). */
  get midPacket(): boolean {
    return this.pendingLength > 0 || this.parts.length > 0;
  }

  push(chunk: Buffer): void {
    const end = chunk.length;
    let pos = 0;
    while (this.pendingLength > 0) {
      const headerKnown = this.pendingLength >= 4;
      const want = this.needed - this.pendingLength;
      if (end - pos < want) {
        this.pending.push(pos === 0 ? chunk : chunk.subarray(pos));
        this.pendingLength += end - pos;
        return;
      }
      this.pending.push(chunk.subarray(pos, pos + want));
      pos += want;
      const joined = Buffer.concat(this.pending, this.needed);
      if (!headerKnown) {
        // The header is complete: now the payload it announces is needed.
        this.needed = 4 + (joined[0]! | (joined[1]! << 8) | (joined[2]! << 16));
        this.pending = [joined];
        this.pendingLength = 4;
        continue;
      }
      this.pending = [];
      this.pendingLength = 0;
      this.needed = 4;
      this.deliver(joined, 4, joined.length, joined[3]!);
    }
    while (end - pos >= 4) {
      const length = chunk[pos]! | (chunk[pos + 1]! << 8) | (chunk[pos + 2]! << 16);
      const next = pos + 4 + length;
      if (next > end) break;
      if (length === MAX_PACKET_PAYLOAD || this.parts.length > 0) this.deliver(chunk, pos + 4, next, chunk[pos + 3]!);
      else this.onPacket(chunk, pos + 4, next, chunk[pos + 3]!);
      pos = next;
    }
    if (pos < end) {
      const rest = pos === 0 ? chunk : chunk.subarray(pos);
      this.pending.push(rest);
      this.pendingLength = rest.length;
      this.needed = rest.length >= 4 ? 4 + (rest[0]! | (rest[1]! << 8) | (rest[2]! << 16)) : 4;
    }
  }

  /** Hands out one packet, joining the parts of a payload of 2^24-1 bytes or more. */
  private deliver(buf: Buffer, start: number, end: number, sequenceId: number): void {
    const length = end - start;
    if (length === MAX_PACKET_PAYLOAD) {
      // Copy: the chunk may be reused before the last part arrives.
      this.parts.push(Buffer.from(buf.subarray(start, end)));
      this.partsLength += length;
      return;
    }
    if (this.parts.length === 0) {
      this.onPacket(buf, start, end, sequenceId);
      return;
    }
    this.parts.push(buf.subarray(start, end));
    const joined = Buffer.concat(this.parts, this.partsLength + length);
    this.parts = [];
    this.partsLength = 0;
    this.onPacket(joined, 0, joined.length, sequenceId);
  }

  /** Forgets any partial packet (after the connection is reset). */
  clear(): void {
    this.pending = [];
    this.pendingLength = 0;
    this.needed = 4;
    this.parts = [];
    this.partsLength = 0;
  }
}
