// GEOMETRY values (SRID + WKB) as the "mysql2" value mapping reads them.
import assert from "node:assert/strict";
import { it } from "node:test";
import { DataError, parseGeometry } from "../../src/index.js";

function header(type: number, little = true): Buffer {
  const b = Buffer.alloc(5);
  b[0] = little ? 1 : 0;
  if (little) b.writeUInt32LE(type, 1);
  else b.writeUInt32BE(type, 1);
  return b;
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}
function point(x: number, y: number, little = true): Buffer {
  const b = Buffer.alloc(16);
  if (little) {
    b.writeDoubleLE(x, 0);
    b.writeDoubleLE(y, 8);
  } else {
    b.writeDoubleBE(x, 0);
    b.writeDoubleBE(y, 8);
  }
  return Buffer.concat([header(1, little), b]);
}
const SRID = Buffer.from([0xe6, 0x10, 0, 0]); // 4326

it("reads points in either byte order, line strings, polygons and collections", () => {
  assert.deepEqual(parseGeometry(Buffer.concat([SRID, point(1.5, -2)])), { x: 1.5, y: -2 });
  assert.deepEqual(parseGeometry(Buffer.concat([SRID, point(3, 4, false)])), { x: 3, y: 4 });
  const xy = (x: number, y: number) => point(x, y).subarray(5);
  const line = Buffer.concat([header(2), u32(2), xy(0, 0), xy(5, 5)]);
  assert.deepEqual(parseGeometry(Buffer.concat([SRID, line])), [
    { x: 0, y: 0 },
    { x: 5, y: 5 },
  ]);
  const polygon = Buffer.concat([header(3), u32(1), u32(3), xy(0, 0), xy(1, 0), xy(0, 0)]);
  assert.deepEqual(parseGeometry(Buffer.concat([SRID, polygon])), [
    [
      { x: 0, y: 0 },
      { x: 1, y: 0 },
      { x: 0, y: 0 },
    ],
  ]);
  const collection = Buffer.concat([header(7), u32(2), point(3, 4, false), line]);
  assert.deepEqual(parseGeometry(Buffer.concat([SRID, collection])), [
    { x: 3, y: 4 },
    [
      { x: 0, y: 0 },
      { x: 5, y: 5 },
    ],
  ]);
  assert.equal(parseGeometry(Buffer.alloc(0)), null);
});

it("refuses malformed values with a DataError, never a crash or a huge allocation", () => {
  const bad = (b: Buffer, why: RegExp) =>
    assert.throws(
      () => parseGeometry(b),
      (e: unknown) => e instanceof DataError && why.test(e.message),
    );
  bad(Buffer.from([1, 2]), /shorter than its SRID/);
  bad(Buffer.concat([SRID, point(1, 2).subarray(0, 12)]), /end before the geometry does/);
  bad(Buffer.concat([SRID, header(2), u32(0xffffffff)]), /end before the geometry does/);
  bad(Buffer.concat([SRID, header(42)]), /unknown WKB geometry type 42/);
  bad(Buffer.concat([SRID, Buffer.from([7]), u32(1)]), /byte order 7/);
  bad(Buffer.concat([SRID, point(1, 2), Buffer.from([0])]), /1 bytes left after the geometry/);
  // Collections nested 100 deep: refused before the recursion can exhaust the stack.
  const deep = Buffer.concat([SRID, ...Array.from({ length: 100 }, () => Buffer.concat([header(7), u32(1)])), point(0, 0)]);
  bad(deep, /nested deeper than 64/);
});
