// The query state machine, fed packets by hand: with and without CLIENT_DEPRECATE_EOF,
// multiple result sets, errors, and streaming back-pressure.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CommandHost } from "../../src/session/commands/command.js";
import { QueryCommand, ResultEnd, ResultStart } from "../../src/session/commands/query.js";
import { makeDecoders } from "../../src/converters.js";
import { ProgrammingError } from "../../src/errors.js";
import { charsetByName } from "../../src/protocol/charsets.js";
import { CLIENT, FIELD_TYPE, SERVER_STATUS } from "../../src/protocol/constants.js";
import { ARRAY_ROWS } from "../../src/protocol/rows.js";
import { PacketWriter } from "../../src/protocol/writer.js";

const P41 = CLIENT.PROTOCOL_41;

function host(capabilities: number): CommandHost & { statuses: number[]; paused: number; resumed: number } {
  return {
    capabilities,
    extendedTypeInfo: false,
    writer: new PacketWriter(),
    paramEncoding: { timeZone: "Z", encode: null },
    secure: false,
    encrypted: false,
    noBackslashEscapes: false,
    encodeSql: (sql: string) => sql,
    writePayload() {
      throw new Error("not expected");
    },
    decodeContext: { charset: charsetByName("utf8mb4"), timeZone: "Z", defaults: makeDecoders("Z"), conv: null, useUnicode: true },
    statuses: [],
    paused: 0,
    resumed: 0,
    noteStatus(flags: number) {
      this.statuses.push(flags);
    },
    noteServerError() {},
    sendLocalInfile() {
      throw new Error("not expected");
    },
    pauseReading() {
      this.paused++;
    },
    resumeReading() {
      this.resumed++;
    },
  };
}

const w = new PacketWriter();
const payload = (): Buffer => Buffer.from(w.finish(0)[0].subarray(4));

function column(name: string, type: number): Buffer {
  w.start();
  for (const s of ["def", "db", "t", "t", name, name]) w.lenencBytes(Buffer.from(s));
  const collation = type === FIELD_TYPE.VAR_STRING ? 45 : 63; // text columns carry utf8mb4
  w.lenencInt(0x0c).u16(collation).u32(11).u8(type).u16(0).u8(0).u16(0);
  return payload();
}
const count = (n: number): Buffer => (w.start().lenencInt(n), payload());
const row = (...values: (string | null)[]): Buffer => {
  w.start();
  for (const v of values)
    if (v === null) w.u8(0xfb);
    else w.lenencBytes(Buffer.from(v));
  return payload();
};
const eof = (status: number): Buffer => (w.start().u8(0xfe).u16(0).u16(status), payload());
const okEnd = (status: number): Buffer => (w.start().u8(0xfe).u8(0).u8(0).u16(status).u16(0), payload());
const ok = (affected: number, insertId: number, status: number): Buffer => (
  w.start().u8(0).lenencInt(affected).lenencInt(insertId).u16(status).u16(0),
  payload()
);
const err = (errno: number, message: string): Buffer => (w.start().u8(0xff).u16(errno).u8(0x23).utf8("42S02").utf8(message), payload());

function feed(cmd: QueryCommand, packets: Buffer[]): boolean[] {
  return packets.map((p) => cmd.onPacket(p));
}

describe("QueryCommand", () => {
  it("reads a result set terminated by EOF packets (no DEPRECATE_EOF)", async () => {
    const h = host(P41);
    const cmd = new QueryCommand("SELECT", ARRAY_ROWS, false);
    cmd.attach(h);
    const done = feed(cmd, [
      count(2),
      column("a", FIELD_TYPE.LONG),
      column("b", FIELD_TYPE.VAR_STRING),
      eof(2),
      row("1", "x"),
      row(null, "y"),
      eof(2),
    ]);
    assert.deepEqual(done, [false, false, false, false, false, false, true]);
    const [r] = (await cmd.promise).results;
    assert.deepEqual(r!.rows, [
      [1, "x"],
      [null, "y"],
    ]);
    assert.deepEqual(
      r!.columns!.map((c) => c.name),
      ["a", "b"],
    );
    assert.deepEqual(h.statuses, [2]);
  });

  it("reads a result set ended by an OK packet (DEPRECATE_EOF)", async () => {
    const cmd = new QueryCommand("SELECT", ARRAY_ROWS, false);
    cmd.attach(host(P41 | CLIENT.DEPRECATE_EOF));
    const done = feed(cmd, [count(1), column("a", FIELD_TYPE.LONGLONG), row("18446744073709551615"), okEnd(2)]);
    assert.deepEqual(done, [false, false, false, true]);
    const [r] = (await cmd.promise).results;
    assert.deepEqual(r!.rows, [[18446744073709551615n]]);
  });

  it("collects every result of a multi-statement, keeping an error after the first as the last item", async () => {
    const more = SERVER_STATUS.MORE_RESULTS_EXISTS | 2;
    const cmd = new QueryCommand("multi", ARRAY_ROWS, false);
    cmd.attach(host(P41 | CLIENT.DEPRECATE_EOF));
    const done = feed(cmd, [
      ok(3, 7, more),
      count(1),
      column("a", FIELD_TYPE.LONG),
      row("5"),
      okEnd(more),
      err(1146, "Table 'x' doesn't exist"),
    ]);
    assert.deepEqual(done, [false, false, false, false, false, true]);
    const { results, error } = await cmd.promise;
    assert.equal(results.length, 2);
    assert.equal(results[0]!.affectedRows, 3);
    assert.equal(results[0]!.insertId, 7);
    assert.deepEqual(results[1]!.rows, [[5]]);
    assert.ok(error instanceof ProgrammingError);
    assert.equal(error.errno, 1146);
  });

  it("rejects when the first result is an error", async () => {
    const cmd = new QueryCommand("SELECT * FROM x", ARRAY_ROWS, false);
    cmd.attach(host(P41));
    assert.deepEqual(feed(cmd, [err(1146, "no table")]), [true]);
    await assert.rejects(cmd.promise, (e: unknown) => e instanceof ProgrammingError && (e as ProgrammingError).sql === "SELECT * FROM x");
  });

  it("streams rows, pausing the socket past the high-water mark and resuming as they are read", async () => {
    const h = host(P41 | CLIENT.DEPRECATE_EOF);
    const cmd = new QueryCommand("SELECT", ARRAY_ROWS, true);
    cmd.attach(h);
    feed(cmd, [count(1), column("n", FIELD_TYPE.LONG)]);
    await cmd.promise;
    for (let i = 0; i < 5000; i++) cmd.onPacket(row(String(i)));
    assert.equal(h.paused, 1, "paused once when the reader fell behind");
    assert.ok((await cmd.read()) instanceof ResultStart);
    let n = 0;
    for (; n < 5000; n++) assert.deepEqual(await cmd.read(), [n]);
    assert.equal(h.resumed, 1, "resumed once the reader caught up");
    assert.equal(cmd.onPacket(okEnd(2)), true);
    const end = await cmd.read();
    assert.ok(end instanceof ResultEnd);
    assert.equal((end as ResultEnd).result.affectedRows, 5000);
    assert.equal(await cmd.read(), undefined);
  });
});
