// ColumnCache: a column definition packet seen before is not parsed again, and any change of
// its bytes is.
import assert from "node:assert/strict";
import { it } from "node:test";
import { ColumnCache } from "../../src/protocol/column-cache.js";
import { FIELD_TYPE } from "../../src/protocol/constants.js";
import { PacketWriter } from "../../src/protocol/writer.js";

function columnPacket(name: string, type: number, charset = 45): Buffer {
  const w = new PacketWriter();
  w.start();
  for (const s of ["def", "test_pymysql", "t", "t", name, name]) w.lenencBytes(Buffer.from(s));
  w.lenencInt(0x0c).u16(charset).u32(11).u8(type).u16(0).u8(0).u16(0);
  return w.finish(0)[0].subarray(4);
}

it("returns the same definition for the same bytes at the same position", () => {
  const cache = new ColumnCache();
  const a = cache.column(0, columnPacket("id", FIELD_TYPE.LONG), false);
  const b = cache.column(1, columnPacket("name", FIELD_TYPE.VAR_STRING), false);
  assert.equal(cache.column(0, columnPacket("id", FIELD_TYPE.LONG), false), a);
  assert.equal(cache.column(1, columnPacket("name", FIELD_TYPE.VAR_STRING), false), b);
  assert.equal(a.name, "id");
  assert.equal(b.type, FIELD_TYPE.VAR_STRING);
});

it("parses again when a byte differs, the length differs, or the column moved", () => {
  const cache = new ColumnCache();
  const first = cache.column(0, columnPacket("id", FIELD_TYPE.LONG), false);
  const retyped = cache.column(0, columnPacket("id", FIELD_TYPE.LONGLONG), false);
  assert.notEqual(retyped, first);
  assert.equal(retyped.type, FIELD_TYPE.LONGLONG);
  const renamed = cache.column(0, columnPacket("idx", FIELD_TYPE.LONGLONG), false);
  assert.equal(renamed.name, "idx");
  const recharset = cache.column(0, columnPacket("idx", FIELD_TYPE.LONGLONG, 63), false);
  assert.equal(recharset.characterSet, 63);
  // Position 1 has never been seen: the same bytes as position 0 are parsed for it.
  const other = cache.column(1, columnPacket("idx", FIELD_TYPE.LONGLONG, 63), false);
  assert.notEqual(other, recharset);
  assert.deepEqual(other, recharset);
});

it("keeps its own copy of the bytes: a payload overwritten later (a reused chunk) does not fool it", () => {
  const cache = new ColumnCache();
  const payload = columnPacket("id", FIELD_TYPE.LONG);
  const def = cache.column(0, payload, false);
  payload.fill(0x41, 5, 20); // clobber the packet after it was read
  const again = cache.column(0, columnPacket("id", FIELD_TYPE.LONG), false);
  assert.equal(again, def);
  assert.equal(again.name, "id");
});
