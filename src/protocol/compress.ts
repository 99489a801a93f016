// The compressed protocol (CLIENT_COMPRESS): after the handshake every packet travels inside
// compressed frames.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_compression.html
//
//   [3] length of the compressed payload
//   [1] compressed sequence id
//   [3] length of the payload before compression, or 0 when it is sent as is
//   [n] payload: zlib (deflate) data, or raw bytes
//
// The payload is a run of ordinary packets (header included); a frame may hold several
// packets or part of one. Small payloads are not worth deflating and go raw.
import { deflateSync, inflateSync } from "node:zlib";
import { MalformedPacketError } from "./reader.js";

/** Size of a compressed frame's header. */
export const COMPRESSED_HEADER_SIZE = 7;
/** Largest payload one frame carries (its length field has 3 bytes). */
export const MAX_COMPRESSED_PAYLOAD = 0xffffff;
/** Payloads shorter than this are sent uncompressed (MySQL's MIN_COMPRESS_LENGTH). */
export const MIN_COMPRESS_LENGTH = 50;

function header(out: Buffer, at: number, length: number, sequenceId: number, uncompressedLength: number): void {
  out.writeUIntLE(length, at, 3);
  out[at + 3] = sequenceId & 0xff;
  out.writeUIntLE(uncompressedLength, at + 4, 3);
}

/**
 * Wraps `bytes` (whole packets, headers included) in compressed frames starting at
 * `sequenceId`. Returns the frames and the next compressed sequence id.
 */
export function compressFrames(bytes: Buffer, sequenceId: number, threshold = MIN_COMPRESS_LENGTH): [Buffer, number] {
  const frames: Buffer[] = [];
  let seq = sequenceId & 0xff;
  let pos = 0;
  do {
    const chunk = bytes.subarray(pos, pos + MAX_COMPRESSED_PAYLOAD);
    pos += chunk.length;
    let body = chunk;
    let uncompressedLength = 0;
    if (chunk.length >= threshold) {
      const deflated = deflateSync(chunk);
      // Keep the deflated form only when it is smaller (it also has to fit the length field).
      if (deflated.length < chunk.length) {
        body = deflated;
        uncompressedLength = chunk.length;
      }
    }
    const frame = Buffer.allocUnsafe(COMPRESSED_HEADER_SIZE + body.length);
    header(frame, 0, body.length, seq, uncompressedLength);
    body.copy(frame, COMPRESSED_HEADER_SIZE);
    frames.push(frame);
    seq = (seq + 1) & 0xff;
  } while (pos < bytes.length);
  return [frames.length === 1 ? frames[0]! : Buffer.concat(frames), seq];
}

/** Receives the bytes inside compressed frames, with the frame's sequence id. */
export type DecompressedHandler = (bytes: Buffer, sequenceId: number) => void;

/**
 * Splits an incoming byte stream into compressed frames and hands each frame's
 * (inflated) payload to `onData` in order.
 */
export class CompressedParser {
  private pending: Buffer = Buffer.alloc(0);
  /** Sequence id of the last frame received, or -1 before the first. */
  lastSequenceId = -1;
  /** Number of frames received so far. */
  framesReceived = 0;

  constructor(private readonly onData: DecompressedHandler) {}

  push(chunk: Buffer): void {
    const buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    let pos = 0;
    while (buf.length - pos >= COMPRESSED_HEADER_SIZE) {
      const length = buf.readUIntLE(pos, 3);
      const sequenceId = buf[pos + 3]!;
      const uncompressedLength = buf.readUIntLE(pos + 4, 3);
      const end = pos + COMPRESSED_HEADER_SIZE + length;
      if (buf.length < end) break;
      const body = buf.subarray(pos + COMPRESSED_HEADER_SIZE, end);
      pos = end;
      let data: Buffer;
      if (uncompressedLength === 0) {
        data = body;
      } else {
        try {
          data = inflateSync(body, { maxOutputLength: uncompressedLength });
        } catch (e) {
          throw new MalformedPacketError(`compressed frame ${sequenceId} does not inflate: ${(e as Error).message}`);
        }
        if (data.length !== uncompressedLength) {
          throw new MalformedPacketError(
            `compressed frame ${sequenceId} inflates to ${data.length} bytes, its header says ${uncompressedLength}`,
          );
        }
      }
      this.lastSequenceId = sequenceId;
      this.framesReceived++;
      this.onData(data, sequenceId);
    }
    // Keep the unread tail as its own copy: the caller may reuse `chunk`.
    this.pending = pos < buf.length ? Buffer.from(buf.subarray(pos)) : Buffer.alloc(0);
  }

  /** True while a frame is partly received. */
  get midFrame(): boolean {
    return this.pending.length > 0;
  }
}
