// Binary (prepared-statement) rows: the generated decoder and the loop decoder of very wide
// results read the same values as an independent encoder wrote them, and a cut row is always
// a MalformedPacketError.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { makeDecoders } from "../../src/converters.js";
import { BinaryRowDecoder, MAX_GENERATED_COLUMNS } from "../../src/protocol/binary-rows.js";
import { charsetByName } from "../../src/protocol/charsets.js";
import { FIELD_FLAG, FIELD_TYPE } from "../../src/protocol/constants.js";
import { dateText } from "../../src/protocol/date-text.js";
import { MalformedPacketError } from "../../src/protocol/reader.js";
import type { DecodeContext } from "../../src/protocol/rows.js";
import type { ColumnDefinition } from "../../src/types.js";
import { prng } from "../support/prng.js";

const ctx: DecodeContext = { charset: charsetByName("utf8mb4"), timeZone: "Z", defaults: makeDecoders("Z"), conv: null, useUnicode: true };

function column(name: string, type: number, unsigned = false, characterSet = 45): ColumnDefinition {
  return {
    catalog: "def",
    schema: "s",
    table: "t",
    orgTable: "t",
    name,
    orgName: name,
    characterSet,
    columnLength: 0,
    type,
    flags: unsigned ? FIELD_FLAG.UNSIGNED : 0,
    decimals: 0,
  };
}

/** A value generator per column kind: the column, a value and its binary encoding. */
interface Sample {
  col: ColumnDefinition;
  value: unknown;
  bytes: Buffer | null;
}

function le(n: bigint, size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return b;
}

function lenenc(payload: Buffer): Buffer {
  const n = payload.length;
  const head =
    n < 0xfb
      ? Buffer.from([n])
      : n < 0x10000
        ? Buffer.from([0xfc, n & 0xff, n >> 8])
        : Buffer.from([0xfd, n & 0xff, (n >> 8) & 0xff, n >> 16]);
  return Buffer.concat([head, payload]);
}

const INT_KINDS: [number, number, boolean][] = [
  [FIELD_TYPE.TINY, 1, false],
  [FIELD_TYPE.TINY, 1, true],
  [FIELD_TYPE.SHORT, 2, false],
  [FIELD_TYPE.SHORT, 2, true],
  [FIELD_TYPE.LONG, 4, false],
  [FIELD_TYPE.LONG, 4, true],
  [FIELD_TYPE.LONGLONG, 8, false],
  [FIELD_TYPE.LONGLONG, 8, true],
];

/** Edge values of a signed or unsigned integer of `size` bytes, and one random value. */
function intValue(rand: () => number, size: number, unsigned: boolean): bigint {
  const bits = BigInt(size * 8);
  const min = unsigned ? 0n : -(1n << (bits - 1n));
  const max = unsigned ? (1n << bits) - 1n : (1n << (bits - 1n)) - 1n;
  const edges = [min, max, 0n, -1n, 1n, 2n ** 53n - 1n, 2n ** 53n, -(2n ** 53n) + 1n, -(2n ** 53n), 2n ** 31n, -(2n ** 31n) - 1n];
  const inRange = edges.filter((e) => e >= min && e <= max);
  if (rand() < 0.5) return inRange[Math.floor(rand() * inRange.length)]!;
  const span = max - min + 1n;
  return min + ((BigInt(Math.floor(rand() * 2 ** 52)) * 4099n) % span);
}

function sample(rand: () => number, i: number): Sample {
  const name = `c${i}`;
  const pick = Math.floor(rand() * 13);
  if (rand() < 0.15) return { col: column(name, FIELD_TYPE.LONG), value: null, bytes: null };
  if (pick < INT_KINDS.length) {
    const [type, size, unsigned] = INT_KINDS[pick]!;
    const v = intValue(rand, size, unsigned);
    const asNumber = v >= -(2n ** 53n) + 1n && v <= 2n ** 53n - 1n;
    return {
      col: column(name, type, unsigned),
      value: asNumber ? Number(v) : v,
      bytes: le(v < 0n ? (1n << BigInt(size * 8)) + v : v, size),
    };
  }
  switch (pick) {
    case 8: {
      const v = (rand() - 0.5) * 1e6;
      const b = Buffer.alloc(8);
      b.writeDoubleLE(v);
      return { col: column(name, FIELD_TYPE.DOUBLE), value: v, bytes: b };
    }
    case 9: {
      const s = "é".repeat(Math.floor(rand() * 300));
      return { col: column(name, FIELD_TYPE.VAR_STRING), value: s, bytes: lenenc(Buffer.from(s)) };
    }
    case 10: {
      const y = 1900 + Math.floor(rand() * 200);
      const mo = 1 + Math.floor(rand() * 12);
      const d = 1 + Math.floor(rand() * 28);
      const text = `${y}-${String(mo).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
      return { col: column(name, FIELD_TYPE.DATE), value: text, bytes: Buffer.from([4, y & 0xff, y >> 8, mo, d]) };
    }
    case 11: {
      const ms = Math.floor(rand() * 4e12);
      const t = new Date(ms);
      const b = Buffer.alloc(12);
      b[0] = 11;
      b.writeUInt16LE(t.getUTCFullYear(), 1);
      b.set([t.getUTCMonth() + 1, t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds()], 3);
      b.writeUInt32LE(t.getUTCMilliseconds() * 1000 + 7, 8);
      return { col: column(name, FIELD_TYPE.DATETIME), value: t, bytes: b };
    }
    default:
      return { col: column(name, FIELD_TYPE.TIME), value: "-49:02:03", bytes: Buffer.from([8, 1, 2, 0, 0, 0, 1, 2, 3]) };
  }
}

/** [1] 0x00, the NULL bitmap (offset 2), the non-NULL values. */
function encodeRow(samples: Sample[]): Buffer {
  const bitmap = Buffer.alloc((samples.length + 7 + 2) >> 3);
  samples.forEach((s, i) => {
    if (s.bytes === null) bitmap[(i + 2) >> 3]! |= 1 << ((i + 2) & 7);
  });
  return Buffer.concat([Buffer.from([0]), bitmap, ...samples.flatMap((s) => (s.bytes === null ? [] : [s.bytes]))]);
}

describe("binary rows", () => {
  for (const width of [1, 7, 40, MAX_GENERATED_COLUMNS + 9]) {
    it(`decode random rows of ${width} columns exactly (${width > MAX_GENERATED_COLUMNS ? "loop" : "generated"} decoder)`, () => {
      const rand = prng(width);
      for (let round = 0; round < 30; round++) {
        const samples = Array.from({ length: width }, (_, i) => sample(rand, i));
        const cols = samples.map((s) => s.col);
        const payload = encodeRow(samples);
        const expected = samples.map((s) => s.value);
        assert.deepEqual(new BinaryRowDecoder(cols, ctx, { kind: "array" }).decode(payload), expected);
        const obj = new BinaryRowDecoder(cols, ctx, { kind: "object" }).decode(payload) as Record<string, unknown>;
        assert.deepEqual(Object.values(obj), expected);
        // Inside a larger chunk, between other bytes.
        const chunk = Buffer.concat([Buffer.from([9, 9, 9]), payload, Buffer.from([0xfe, 0xff])]);
        assert.deepEqual(new BinaryRowDecoder(cols, ctx, { kind: "array" }).decode(chunk, 3, 3 + payload.length), expected);
      }
    });

    it(`a row cut anywhere inside a value is a MalformedPacketError (${width} columns)`, () => {
      const rand = prng(1000 + width);
      for (let round = 0; round < 5; round++) {
        const samples = Array.from({ length: width }, (_, i) => sample(rand, i));
        // The last value is not NULL, so every strict prefix is cut inside a value or the bitmap.
        samples[width - 1] = { col: column("last", FIELD_TYPE.LONG), value: 5, bytes: le(5n, 4) };
        const cols = samples.map((s) => s.col);
        const payload = encodeRow(samples);
        const decoder = new BinaryRowDecoder(cols, ctx, { kind: "array" });
        for (let cut = 0; cut < payload.length; cut += width > 40 ? 97 : 1) {
          // The bytes after the cut still follow in the chunk: the decoder must stop at `end`.
          assert.throws(() => decoder.decode(payload, 0, cut), MalformedPacketError, `cut at ${cut}`);
        }
      }
    });
  }

  it("hands conv decoders the text of fixed-size and temporal values", () => {
    const cols = [column("n", FIELD_TYPE.LONGLONG), column("t", FIELD_TYPE.DATETIME), column("d", FIELD_TYPE.DATE)];
    const conv = {
      ...ctx.defaults,
      [FIELD_TYPE.LONGLONG]: (s: string | Buffer) => `n:${String(s)}`,
      [FIELD_TYPE.DATETIME]: (s: string | Buffer) => `t:${String(s)}`,
    };
    const payload = encodeRow([
      { col: cols[0]!, value: 0, bytes: le(2n ** 63n - 1n, 8) },
      { col: cols[1]!, value: 0, bytes: Buffer.from([7, 0xe8, 0x07, 2, 29, 1, 2, 3]) },
      { col: cols[2]!, value: 0, bytes: Buffer.from([0]) },
    ]);
    assert.deepEqual(new BinaryRowDecoder(cols, { ...ctx, conv }, { kind: "array" }).decode(payload), [
      "n:9223372036854775807",
      "t:2024-02-29 01:02:03",
      "0000-00-00",
    ]);
  });

  it("shares the text of a date between rows, identical to the server's text", () => {
    assert.equal(dateText(2024, 2, 29), "2024-02-29");
    assert.equal(dateText(0, 0, 0), "0000-00-00");
    assert.equal(dateText(7, 1, 31), "0007-01-31");
    const a = new BinaryRowDecoder([column("d", FIELD_TYPE.DATE)], ctx, { kind: "array" });
    const row = (y: number, mo: number, d: number): unknown => (a.decode(Buffer.from([0, 0, 4, y & 0xff, y >> 8, mo, d])) as unknown[])[0];
    assert.equal(row(2024, 1, 2), "2024-01-02");
    assert.equal(row(9999, 12, 31), "9999-12-31");
    // Out of the range of real dates: still exact text, built without the cache.
    assert.equal(row(65535, 200, 99), "65535-200-99");
  });
});
