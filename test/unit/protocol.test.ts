import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nativePasswordScramble, cachingSha2Scramble } from "../../src/protocol/auth.js";
import { charsetByName } from "../../src/protocol/charsets.js";
import { CLIENT, FIELD_TYPE, MAX_PACKET_PAYLOAD, SERVER_STATUS } from "../../src/protocol/constants.js";
import { makeDecoders } from "../../src/converters.js";
import { PacketParser } from "../../src/protocol/framing.js";
import { parseAuthSwitchRequest, parseHandshakeV10, writeHandshakeResponse41, writeSSLRequest } from "../../src/protocol/handshake.js";
import { MalformedPacketError, NULL_LENGTH, PacketReader } from "../../src/protocol/reader.js";
import { isEndOfRows, parseColumnDefinition, parseEndOfRows, parseErr, parseOk } from "../../src/protocol/results.js";
import { TextRowDecoder, rowKeys, type DecodeContext } from "../../src/protocol/rows.js";
import { PacketWriter, frameLargePayload } from "../../src/protocol/writer.js";
import type { ColumnDefinition } from "../../src/types.js";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");

function collect(chunks: Buffer[]): Array<[Buffer, number]> {
  const out: Array<[Buffer, number]> = [];
  const p = new PacketParser((buf, start, end, seq) => out.push([Buffer.from(buf.subarray(start, end)), seq]));
  for (const c of chunks) p.push(c);
  return out;
}

describe("framing", () => {
  it("splits a stream into payloads with their sequence ids", () => {
    const stream = hex("01000000 0e 03000001 616263");
    const packets = collect([stream]);
    assert.deepEqual(
      packets.map(([b, s]) => [b.toString("hex"), s]),
      [
        ["0e", 0],
        ["616263", 1],
      ],
    );
  });

  it("joins packets that arrive one byte at a time", () => {
    const stream = hex("05000007 68656c6c6f 00000008");
    const chunks = [...stream].map((b) => Buffer.from([b]));
    const packets = collect(chunks);
    assert.equal(packets.length, 2);
    assert.equal(packets[0]![0].toString(), "hello");
    assert.equal(packets[0]![1], 7);
    assert.equal(packets[1]![0].length, 0);
  });

  it("joins a payload of 2^24-1 bytes with its continuation, and an exact multiple with an empty packet", () => {
    for (const size of [MAX_PACKET_PAYLOAD + 10, MAX_PACKET_PAYLOAD, 2 * MAX_PACKET_PAYLOAD]) {
      const payload = Buffer.alloc(size, 0x61);
      payload[size - 1] = 0x62;
      const [framed, next] = frameLargePayload(payload, 3);
      const parts = Math.floor(size / MAX_PACKET_PAYLOAD) + 1;
      assert.equal(framed.length, size + 4 * parts);
      assert.equal(next, (3 + parts) & 0xff);
      // Deliver in 64 KiB chunks, as a socket would.
      const chunks: Buffer[] = [];
      for (let i = 0; i < framed.length; i += 65536) chunks.push(framed.subarray(i, i + 65536));
      const packets = collect(chunks);
      assert.equal(packets.length, 1);
      assert.equal(packets[0]![0].length, size);
      assert.equal(packets[0]![0][size - 1], 0x62);
      assert.equal(packets[0]![1], (3 + parts - 1) & 0xff);
    }
  });

  it("hands out the same packets whatever the chunk boundaries, empty packets included", () => {
    const stream = hex("05000007 68656c6c6f 00000008 03000009 616263 0000000a 0100000b 7a");
    const expected = collect([stream]).map(([b, s]) => `${b.toString("hex")}/${s}`);
    assert.deepEqual(expected, ["68656c6c6f/7", "/8", "616263/9", "/10", "7a/11"]);
    for (let i = 0; i <= stream.length; i++) {
      for (let j = i; j <= stream.length; j++) {
        const chunks = [stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j)];
        const got = collect(chunks).map(([b, s]) => `${b.toString("hex")}/${s}`);
        assert.deepEqual(got, expected, `split at ${i} and ${j}`);
      }
    }
  });

  it("passes whole packets as ranges of the chunk they arrived in", () => {
    const stream = hex("0200000061620100000163");
    const seen: Array<[Buffer, number, number]> = [];
    new PacketParser((buf, start, end) => seen.push([buf, start, end])).push(stream);
    assert.deepEqual(
      seen.map(([b, s, e]) => [b === stream, s, e]),
      [
        [true, 4, 6],
        [true, 10, 11],
      ],
    );
  });

  it("decodes a text row whose value spans 2^24-1 byte packets, delivered in socket-sized chunks", () => {
    const col = parseColumnDefinition(columnPacket("v", FIELD_TYPE.LONG_BLOB, 33), false);
    const ctx: DecodeContext = {
      charset: charsetByName("utf8mb4"),
      timeZone: "Z",
      defaults: makeDecoders("Z"),
      conv: null,
      useUnicode: true,
    };
    const value = Buffer.alloc(MAX_PACKET_PAYLOAD + 100, 0x61);
    value[value.length - 1] = 0x7a;
    // "42", then the value with its 0xFE 8-byte length.
    const lenenc = Buffer.alloc(9);
    lenenc[0] = 0xfe;
    lenenc.writeUInt32LE(value.length, 1);
    const payload = Buffer.concat([hex("023432"), lenenc, value]);
    const [framed] = frameLargePayload(payload, 1);
    const decoder = new TextRowDecoder([parseColumnDefinition(columnPacket("n", FIELD_TYPE.LONG, 63), false), col], ctx, { kind: "array" });
    const rows: unknown[][] = [];
    const p = new PacketParser((buf, start, end) => rows.push(decoder.decode(buf, start, end) as unknown[]));
    for (let i = 0; i < framed.length; i += 65533) p.push(framed.subarray(i, i + 65533));
    assert.equal(rows.length, 1);
    assert.equal(rows[0]![0], 42);
    const text = rows[0]![1] as string;
    assert.equal(text.length, value.length);
    assert.equal(text.at(-1), "z");
    assert.equal(p.midPacket, false);
  });

  it("does not allocate for a header that announces more than has arrived", () => {
    const p = new PacketParser(() => assert.fail("no packet expected"));
    p.push(hex("ffffff00")); // claims 16 MiB
    p.push(Buffer.alloc(10));
    assert.equal(p.midPacket, true);
  });

  it("writer frames small and large payloads", () => {
    const w = new PacketWriter(64);
    w.start().u8(3).utf8("SELECT 1");
    const [bytes, next] = w.finish(0);
    assert.equal(bytes.toString("hex"), "0900000003" + Buffer.from("SELECT 1").toString("hex"));
    assert.equal(next, 1);
    w.start().bytes(Buffer.alloc(MAX_PACKET_PAYLOAD + 1));
    const [big] = w.finish(0);
    assert.equal(big.readUIntLE(0, 3), MAX_PACKET_PAYLOAD);
    assert.equal(big[MAX_PACKET_PAYLOAD + 4 + 3], 1);
    assert.equal(big.readUIntLE(MAX_PACKET_PAYLOAD + 4, 3), 1);
  });
});

describe("reader", () => {
  it("reads length-encoded integers of every width", () => {
    const r = new PacketReader(hex("fa fc3412 fd563412 fe0100000000000000 fb feffffffffffffffff"));
    assert.equal(r.lenencInt(), 0xfa);
    assert.equal(r.lenencInt(), 0x1234);
    assert.equal(r.lenencInt(), 0x123456);
    assert.equal(r.lenencInt(), 1);
    assert.equal(r.lenencInt(), NULL_LENGTH);
    assert.equal(r.lenencInt(), 0xffffffffffffffffn);
  });

  it("throws a typed error on truncated input", () => {
    assert.throws(() => new PacketReader(hex("fc01")).lenencInt(), MalformedPacketError);
    assert.throws(() => new PacketReader(hex("05616263")).lenencBytes(), MalformedPacketError);
    assert.throws(() => new PacketReader(hex("616263")).nulString(), MalformedPacketError);
  });

  it("reads signed and unsigned 64-bit integers without rounding", () => {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(-(2n ** 63n));
    assert.equal(new PacketReader(b).i64(), -(2n ** 63n));
    b.writeBigInt64LE(-5n);
    assert.equal(new PacketReader(b).i64(), -5);
    b.writeBigUInt64LE(2n ** 53n);
    assert.equal(new PacketReader(b).u64(), 2n ** 53n);
    b.writeBigUInt64LE(2n ** 53n - 1n);
    assert.equal(new PacketReader(b).u64(), Number.MAX_SAFE_INTEGER);
  });
});

// A MariaDB 10.11 greeting (captured), with its 20-byte scramble.
function mariadbGreeting(): Buffer {
  const w = new PacketWriter();
  w.start()
    .u8(10)
    .nulString("5.5.5-10.11.6-MariaDB-0+deb12u1")
    .u32(42)
    .bytes(Buffer.from("abcdefgh"))
    .u8(0)
    .u16(0xf7fe) // lower capabilities, CLIENT_LONG_PASSWORD clear: MariaDB
    .u8(45)
    .u16(SERVER_STATUS.AUTOCOMMIT)
    .u16(0x81bf) // upper capabilities (PLUGIN_AUTH, SECURE_CONNECTION via lower, DEPRECATE_EOF...)
    .u8(21)
    .zeros(6)
    .u32(0x1d) // MariaDB extended capabilities
    .bytes(Buffer.from("ijklmnopqrst"))
    .u8(0)
    .nulString("mysql_native_password");
  return w.finish(0)[0].subarray(4);
}

describe("handshake", () => {
  it("parses a MariaDB HandshakeV10", () => {
    const h = parseHandshakeV10(mariadbGreeting());
    assert.equal(h.serverVersion, "10.11.6-MariaDB-0+deb12u1");
    assert.equal(h.isMariaDB, true);
    assert.equal(h.connectionId, 42);
    assert.equal(h.authPluginData.toString(), "abcdefghijklmnopqrst");
    assert.equal(h.authPluginName, "mysql_native_password");
    assert.equal(h.characterSet, 45);
    assert.equal(h.mariadbCapabilities, 0x1d);
    assert.ok(h.capabilities & CLIENT.PLUGIN_AUTH);
  });

  it("rejects protocol versions other than 10", () => {
    assert.throws(() => parseHandshakeV10(hex("09 00")), MalformedPacketError);
  });

  it("writes HandshakeResponse41 and SSLRequest", () => {
    const w = new PacketWriter();
    const fields = {
      capabilities: CLIENT.PROTOCOL_41 | CLIENT.PLUGIN_AUTH | CLIENT.SECURE_CONNECTION | CLIENT.CONNECT_WITH_DB,
      mariadbCapabilities: 0,
      maxPacketSize: 1 << 24,
      collationId: 45,
      user: "root",
      authResponse: Buffer.from([1, 2, 3]),
      database: "db1",
      authPluginName: "mysql_native_password",
    };
    writeHandshakeResponse41(w, fields);
    const payload = w.finish(0)[0].subarray(4);
    const r = new PacketReader(payload);
    assert.equal(r.u32(), fields.capabilities);
    assert.equal(r.u32(), 1 << 24);
    assert.equal(r.u8(), 45);
    r.skip(23);
    assert.equal(r.nulString(), "root");
    assert.equal(r.u8(), 3);
    assert.deepEqual([...r.bytes(3)], [1, 2, 3]);
    assert.equal(r.nulString(), "db1");
    assert.equal(r.nulString(), "mysql_native_password");
    assert.equal(r.remaining, 0);
    writeSSLRequest(w, fields);
    const ssl = w.finish(1)[0];
    assert.equal(ssl.length, 4 + 32);
    assert.ok(ssl.readUInt32LE(4) & CLIENT.SSL);
  });

  it("parses an auth switch request", () => {
    const req = parseAuthSwitchRequest(Buffer.concat([hex("fe"), Buffer.from("client_ed25519\0"), Buffer.alloc(32, 7)]));
    assert.equal(req.pluginName, "client_ed25519");
    assert.equal(req.pluginData.length, 32);
  });
});

describe("auth scrambles", () => {
  it("mysql_native_password matches the documented algorithm", () => {
    // SHA1("pass") XOR SHA1(scramble + SHA1(SHA1("pass"))), computed independently.
    const scramble = Buffer.from("0123456789abcdefghij");
    const got = nativePasswordScramble("pass", scramble);
    assert.equal(got.length, 20);
    assert.equal(got.toString("hex"), "3f20abc816ac7cb57e2e50c7304405da27c708ec");
    assert.equal(nativePasswordScramble("", scramble).length, 0);
    assert.notDeepEqual(nativePasswordScramble("pass", Buffer.from("0123456789abcdefghik")), got);
  });

  it("caching_sha2_password fast path is 32 bytes and empty for an empty password", () => {
    assert.equal(
      cachingSha2Scramble("secret", Buffer.alloc(20, 1)).toString("hex"),
      "d82f585531c25fc7cc275ff3747c45924d86f6144aa6135d8dd6eb9fdeab76d2",
    );
    assert.equal(cachingSha2Scramble("", Buffer.alloc(20, 1)).length, 0);
  });
});

describe("response packets", () => {
  it("parses OK with affected rows, insert id, status and info", () => {
    const ok = parseOk(hex("00 03 fc0001 2200 0100 "), CLIENT.PROTOCOL_41);
    assert.equal(ok.affectedRows, 3);
    assert.equal(ok.lastInsertId, 256);
    assert.equal(ok.statusFlags, SERVER_STATUS.AUTOCOMMIT | SERVER_STATUS.QUERY_NO_INDEX_USED);
    assert.equal(ok.warnings, 1);
  });

  it("parses ERR with SQL state", () => {
    const err = parseErr(Buffer.concat([hex("ff 2604 23"), Buffer.from("23000Duplicate entry '1' for key 'PRIMARY'")]));
    assert.equal(err.errno, 1062);
    assert.equal(err.sqlState, "23000");
    assert.equal(err.message, "Duplicate entry '1' for key 'PRIMARY'");
  });

  it("tells EOF from a row that starts with 0xFE", () => {
    assert.equal(isEndOfRows(hex("fe 0000 0200"), false), true);
    assert.equal(isEndOfRows(Buffer.concat([hex("fe"), Buffer.alloc(12)]), false), false);
    assert.equal(isEndOfRows(hex("fe 00 00 0200 0000"), true), true);
    const end = parseEndOfRows(hex("fe 0100 0a00"), CLIENT.PROTOCOL_41);
    assert.equal(end.warnings, 1);
    assert.equal(end.statusFlags, 0x0a);
  });
});

function columnPacket(name: string, type: number, charset: number, flags = 0, length = 11, decimals = 0): Buffer {
  const w = new PacketWriter();
  w.start();
  for (const s of ["def", "test_pymysql", "t", "t", name, name]) w.lenencBytes(Buffer.from(s));
  w.lenencInt(0x0c).u16(charset).u32(length).u8(type).u16(flags).u8(decimals).u16(0);
  return w.finish(0)[0].subarray(4);
}

describe("column definitions and text rows", () => {
  const ctx: DecodeContext = {
    charset: charsetByName("utf8mb4"),
    timeZone: "Z",
    defaults: makeDecoders("Z"),
    conv: null,
    useUnicode: true,
  };

  it("parses ColumnDefinition41", () => {
    const c = parseColumnDefinition(columnPacket("id", FIELD_TYPE.LONG, 63, 3), false);
    assert.equal(c.name, "id");
    assert.equal(c.schema, "test_pymysql");
    assert.equal(c.type, FIELD_TYPE.LONG);
    assert.equal(c.flags, 3);
    assert.equal(c.characterSet, 63);
  });

  it("decodes every value of a row by its column type", () => {
    const cols: ColumnDefinition[] = [
      parseColumnDefinition(columnPacket("i", FIELD_TYPE.LONGLONG, 63), false),
      parseColumnDefinition(columnPacket("s", FIELD_TYPE.VAR_STRING, 45), false),
      parseColumnDefinition(columnPacket("n", FIELD_TYPE.LONG, 63), false),
      parseColumnDefinition(columnPacket("d", FIELD_TYPE.NEWDECIMAL, 63), false),
      parseColumnDefinition(columnPacket("t", FIELD_TYPE.DATETIME, 63), false),
      parseColumnDefinition(columnPacket("b", FIELD_TYPE.BLOB, 63), false),
    ];
    const w = new PacketWriter();
    w.start();
    for (const v of ["18446744073709551615", "héllo 😀", null, "12345678901234567890.123", "2024-02-29 13:14:15.678", "\x00\xff"]) {
      if (v === null) w.u8(0xfb);
      else w.lenencBytes(Buffer.from(v, v.startsWith("\x00") ? "latin1" : "utf8"));
    }
    const payload = w.finish(0)[0].subarray(4);
    const row = new TextRowDecoder(cols, ctx, { kind: "array" }).decode(payload) as unknown[];
    assert.equal(row[0], 18446744073709551615n);
    assert.equal(row[1], "héllo 😀");
    assert.equal(row[2], null);
    assert.equal(row[3], "12345678901234567890.123");
    assert.equal((row[4] as Date).toISOString(), "2024-02-29T13:14:15.678Z");
    assert.deepEqual(row[5], Buffer.from([0, 0xff]));
    const obj = new TextRowDecoder(cols, ctx, { kind: "object" }).decode(payload) as Record<string, unknown>;
    assert.deepEqual(Object.keys(obj), ["i", "s", "n", "d", "t", "b"]);
    assert.throws(() => new TextRowDecoder(cols, ctx, { kind: "array" }).decode(payload.subarray(0, 10)), MalformedPacketError);
  });

  it("qualifies repeated column names with their table", () => {
    const a = parseColumnDefinition(columnPacket("id", FIELD_TYPE.LONG, 63), false);
    const b = { ...a, table: "u" };
    assert.deepEqual(rowKeys([a, b]), ["id", "u.id"]);
  });

  it("uses a conv override for its type only", () => {
    const cols = [
      parseColumnDefinition(columnPacket("t", FIELD_TYPE.DATETIME, 63), false),
      parseColumnDefinition(columnPacket("n", FIELD_TYPE.LONG, 63), false),
    ];
    const w = new PacketWriter();
    w.start().lenencBytes(Buffer.from("2024-01-02 03:04:05.123456")).lenencBytes(Buffer.from("7"));
    const row = new TextRowDecoder(cols, { ...ctx, conv: { ...ctx.defaults, [FIELD_TYPE.DATETIME]: (s) => s } }, { kind: "array" }).decode(
      w.finish(0)[0].subarray(4),
    ) as unknown[];
    assert.deepEqual(row, ["2024-01-02 03:04:05.123456", 7]);
  });
});
