// The compressed protocol's framing, from byte fixtures.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { deflateSync } from "node:zlib";
import { CompressedParser, compressFrames, MIN_COMPRESS_LENGTH } from "../../src/protocol/compress.js";
import { MalformedPacketError } from "../../src/protocol/reader.js";

/** COM_PING framed as a packet: [01 00 00] [00] [0e]. */
const PING = Buffer.from("010000000e", "hex");

function collect(): { parser: CompressedParser; out: [string, number][] } {
  const out: [string, number][] = [];
  const parser = new CompressedParser((bytes, seq) => out.push([bytes.toString("hex"), seq]));
  return { parser, out };
}

describe("compressFrames", () => {
  it("sends a small payload raw with uncompressed length 0", () => {
    const [frames, next] = compressFrames(PING, 0);
    // [05 00 00] compressed length, [00] sequence, [00 00 00] uncompressed length = raw
    assert.equal(frames.toString("hex"), "05000000000000" + "010000000e");
    assert.equal(next, 1);
  });

  it("deflates a payload above the threshold and records its original length", () => {
    const packet = Buffer.concat([Buffer.from([100, 0, 0, 0]), Buffer.alloc(100, 0x61)]);
    const [frames, next] = compressFrames(packet, 3);
    const deflated = deflateSync(packet);
    assert.equal(frames.readUIntLE(0, 3), deflated.length);
    assert.equal(frames[3], 3);
    assert.equal(frames.readUIntLE(4, 3), 104);
    assert.deepEqual(frames.subarray(7), deflated);
    assert.equal(next, 4);
  });

  it("keeps incompressible data raw even above the threshold", () => {
    // Random bytes never shrink under deflate (it adds its own header and checksum).
    const noisy = randomBytes(200);
    const [frames] = compressFrames(noisy, 0, MIN_COMPRESS_LENGTH);
    assert.equal(frames.readUIntLE(0, 3), 200);
    assert.equal(frames.readUIntLE(4, 3), 0);
    assert.deepEqual(frames.subarray(7), noisy);
  });

  it("splits more than 16 MiB - 1 into several frames with consecutive sequence ids", () => {
    const big = Buffer.alloc(0xffffff + 10, 0x62);
    const [frames, next] = compressFrames(big, 255);
    const { parser, out } = collect();
    parser.push(frames);
    assert.equal(out.length, 2);
    assert.equal(out[0]![1], 255);
    assert.equal(out[1]![1], 0);
    assert.equal(next, 1);
    assert.equal(out[0]![0].length / 2 + out[1]![0].length / 2, big.length);
  });
});

describe("CompressedParser", () => {
  it("reads a raw frame and a deflated frame from one chunk", () => {
    const ok = Buffer.from("0700000100000002000000", "hex");
    const deflated = deflateSync(ok);
    const header = Buffer.alloc(7);
    header.writeUIntLE(deflated.length, 0, 3);
    header[3] = 2;
    header.writeUIntLE(ok.length, 4, 3);
    const { parser, out } = collect();
    parser.push(Buffer.concat([Buffer.from("05000001000000", "hex"), PING, header, deflated]));
    assert.deepEqual(out, [
      [PING.toString("hex"), 1],
      [ok.toString("hex"), 2],
    ]);
    assert.equal(parser.lastSequenceId, 2);
    assert.equal(parser.framesReceived, 2);
  });

  it("waits for frames split across chunks, byte by byte", () => {
    const [frames] = compressFrames(Buffer.concat([PING, Buffer.alloc(300, 0x63)]), 0);
    const { parser, out } = collect();
    for (const b of frames) parser.push(Buffer.from([b]));
    assert.equal(out.length, 1);
    assert.equal(parser.midFrame, false);
    assert.equal(out[0]![0], Buffer.concat([PING, Buffer.alloc(300, 0x63)]).toString("hex"));
  });

  it("rejects a frame that does not inflate", () => {
    const { parser } = collect();
    assert.throws(() => parser.push(Buffer.from("04000000100000deadbeef", "hex")), MalformedPacketError);
  });

  it("rejects a frame whose inflated size differs from its header", () => {
    const body = deflateSync(Buffer.alloc(100));
    const header = Buffer.alloc(7);
    header.writeUIntLE(body.length, 0, 3);
    header.writeUIntLE(50, 4, 3);
    const { parser } = collect();
    assert.throws(() => parser.push(Buffer.concat([header, body])), MalformedPacketError);
  });
});
