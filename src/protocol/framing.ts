// Packet framing: turns a byte stream into packet payloads.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_packets.html
//
//   [3] payload length   [1] sequence id   [n] payload
//
// A payload of exactly 2^24-1 bytes means "continued in the next packet"; the logical
// payload ends with the first packet shorter than that (possibly empty).
import { MAX_PACKET_PAYLOAD } from "./constants.js";

export type PacketHandler = (payload: Buffer, sequenceId: number) => void;

/**
 * Splits incoming chunks into payloads and hands each to `onPacket` synchronously.
 *
 * A payload may be a view into the chunk it arrived in: it is only valid during the call.
 * Bytes are never allocated ahead of their arrival: a header that announces 16 MiB costs
 * nothing until those bytes are actually received.
 */
export class PacketParser {
  /** Chunks of a packet that has not fully arrived yet. */
  private pending: Buffer[] = [];
  private pendingLength = 0;
  /** Bytes needed (header included) to complete the packet at the head of `pending`. */
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
    if (this.pendingLength > 0) {
      this.pending.push(chunk);
      this.pendingLength += chunk.length;
      if (this.pendingLength < this.needed) return;
      chunk = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingLength);
      this.pending = [];
      this.pendingLength = 0;
    }
    let pos = 0;
    const end = chunk.length;
    while (end - pos >= 4) {
      const length = chunk[pos]! | (chunk[pos + 1]! << 8) | (chunk[pos + 2]! << 16);
      const total = 4 + length;
      if (end - pos < total) break;
      const sequenceId = chunk[pos + 3]!;
      const payload = chunk.subarray(pos + 4, pos + total);
      pos += total;
      if (length === MAX_PACKET_PAYLOAD) {
        // Copy: the chunk may be reused before the last part arrives.
        this.parts.push(Buffer.from(payload));
        this.partsLength += length;
        continue;
      }
      if (this.parts.length > 0) {
        this.parts.push(payload);
        const joined = Buffer.concat(this.parts, this.partsLength + length);
        this.parts = [];
        this.partsLength = 0;
        this.onPacket(joined, sequenceId);
      } else {
        this.onPacket(payload, sequenceId);
      }
    }
    if (pos < end) {
      const rest = chunk.subarray(pos);
      this.pending.push(rest);
      this.pendingLength = rest.length;
      this.needed = rest.length >= 4 ? 4 + (rest[0]! | (rest[1]! << 8) | (rest[2]! << 16)) : 4;
    }
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
