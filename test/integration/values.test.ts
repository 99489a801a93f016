import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect, Connection, DataError, decoders, FIELD_TYPE, ProgrammingError, type TimeZone } from "../../src/index.js";
import { testOptions } from "../support/config.js";

/** Strings that try to break out of a literal, or get altered on the way. */
export const HOSTILE = [
  "plain",
  "",
  "'",
  "''",
  "\\",
  "\\'",
  "'\\",
  "\\\\'; DROP TABLE t; --",
  "'; DROP TABLE t; --",
  '"double" quotes',
  "NUL\0inside",
  "\0",
  "ctrl-z \x1a end",
  "line\nbreak\rreturn\ttab",
  "%s %(x)s %% %d ? ?? :1 $1",
  "/* comment */ -- dash # hash",
  "emoji 😀🎉 and 𝄞",
  "ünïcödé ÆØÅ 中文 日本語 한국어",
  "\u2028\u2029",
  "縗 許 ソ 表",
  "\\x00\\n\\r",
  "`backtick`",
  "a".repeat(70000),
];

describe("values round-trip through the server", () => {
  let conn: Connection;
  before(async () => {
    conn = await connect(testOptions({ autocommit: true }));
  });
  after(() => conn.close());

  for (const mode of ["default", "NO_BACKSLASH_ESCAPES"] as const) {
    it(`hostile strings round-trip exactly (${mode})`, async () => {
      const c = await connect(testOptions({ autocommit: true, ...(mode === "default" ? {} : { sqlMode: mode }) }));
      assert.equal(c.noBackslashEscapes, mode !== "default");
      await using cur = c.cursor();
      await cur.execute("CREATE TEMPORARY TABLE hostile (id INT PRIMARY KEY, s LONGTEXT CHARACTER SET utf8mb4, b LONGBLOB)");
      for (const [i, s] of HOSTILE.entries()) {
        await cur.execute("INSERT INTO hostile VALUES (%s, %s, %s)", [i, s, Buffer.from(s, "utf8")]);
      }
      await cur.execute("SELECT COUNT(*) FROM hostile");
      assert.deepEqual(await cur.fetchOne(), [HOSTILE.length], "no statement broke out of its literal");
      await cur.execute("SELECT id, s, b FROM hostile ORDER BY id");
      const rows = await cur.fetchAll();
      for (const [i, s] of HOSTILE.entries()) {
        assert.equal(rows[i]![1], s, `string ${i}`);
        assert.deepEqual(rows[i]![2], Buffer.from(s, "utf8"), `bytes ${i}`);
      }
      // Comparison in SQL agrees too: each value matches exactly its own row.
      for (const [i, s] of HOSTILE.entries()) {
        await cur.execute("SELECT id FROM hostile WHERE s = %(s)s AND BINARY s = BINARY %(s)s", { s });
        assert.deepEqual(await cur.fetchAll(), [[i]], `match ${i}`);
      }
      c.close();
    });
  }

  it("integers keep full precision, as number when safe and bigint otherwise", async () => {
    await using cur = conn.cursor();
    await cur.execute(
      "SELECT CAST(9007199254740991 AS SIGNED), CAST(9007199254740992 AS SIGNED), CAST(-9223372036854775808 AS SIGNED), CAST(18446744073709551615 AS UNSIGNED), 127, -32768, 8388607, -2147483648",
    );
    assert.deepEqual(await cur.fetchOne(), [
      9007199254740991,
      9007199254740992n,
      -9223372036854775808n,
      18446744073709551615n,
      127,
      -32768,
      8388607,
      -2147483648,
    ]);
    await cur.execute("SELECT %s, %s, %s", [2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n]);
    assert.deepEqual(await cur.fetchOne(), [2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n]);
  });

  it("every column type decodes to its documented value", async () => {
    await using cur = conn.cursor();
    await cur.execute(`CREATE TEMPORARY TABLE alltypes (
      ti TINYINT, si SMALLINT, mi MEDIUMINT, i INT, bi BIGINT UNSIGNED, yr YEAR,
      f FLOAT, d DOUBLE, dec1 DECIMAL(40,10),
      dt DATETIME(3), dt6 DATETIME(6), ts TIMESTAMP(3) NULL, da DATE, tm TIME(6),
      ch CHAR(3), vc VARCHAR(20), tx TEXT, en ENUM('a','b'), st SET('x','y','z'), js JSON,
      bn BINARY(3), vb VARBINARY(10), bl BLOB, bt BIT(10), geo POINT, nl INT)`);
    await cur.execute(
      `INSERT INTO alltypes VALUES (-128, 32767, -8388608, 2147483647, 18446744073709551615, 2024,
        1.5, 2.25, '123456789012345678901234567890.0123456789',
        '2024-02-29 13:14:15.678', '2024-02-29 13:14:15.123456', '2021-06-01 00:00:00.001', '2024-02-29', '-838:59:59.000001',
        'abc', 'varchar é', 'text 😀', 'b', 'x,z', '{"big": 12345678901234567890}',
        'a\\0b', X'00FF10', X'DEADBEEF', b'1000000001', POINT(1, 2), NULL)`,
    );
    await cur.execute("SELECT * FROM alltypes");
    const r = (await cur.fetchOne())!;
    const local = (y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number) => new Date(y, mo - 1, d, h, mi, s, ms);
    assert.deepEqual(r.slice(0, 6), [-128, 32767, -8388608, 2147483647, 18446744073709551615n, 2024]);
    assert.equal(r[6], 1.5);
    assert.equal(r[7], 2.25);
    assert.equal(r[8], "123456789012345678901234567890.0123456789");
    assert.deepEqual(r[9], local(2024, 2, 29, 13, 14, 15, 678));
    assert.deepEqual(r[10], local(2024, 2, 29, 13, 14, 15, 123));
    assert.deepEqual(r[11], local(2021, 6, 1, 0, 0, 0, 1));
    assert.equal(r[12], "2024-02-29");
    assert.equal(r[13], "-838:59:59.000001");
    assert.deepEqual(r.slice(14, 20), ["abc", "varchar é", "text 😀", "b", "x,z", '{"big": 12345678901234567890}']);
    assert.deepEqual(r[20], Buffer.from([0x61, 0x00, 0x62]));
    assert.deepEqual(r[21], Buffer.from([0x00, 0xff, 0x10]));
    assert.deepEqual(r[22], Buffer.from("deadbeef", "hex"));
    assert.deepEqual(r[23], Buffer.from([0x02, 0x01]));
    assert.ok(Buffer.isBuffer(r[24]) && (r[24] as Buffer).length === 25, "GEOMETRY is SRID + WKB bytes");
    assert.equal(r[25], null);
    const types = cur.description!.map((d) => d.typeCode);
    assert.equal(types[0], FIELD_TYPE.TINY);
    assert.equal(types[9], FIELD_TYPE.DATETIME);
  });

  it("dates round-trip to the millisecond in local time, UTC and a fixed offset", async () => {
    const when = new Date(Date.UTC(2023, 10, 5, 1, 30, 45, 987));
    for (const timezone of ["local", "Z", "+05:30", "-08:00"] as const) {
      const c = await connect(testOptions({ timezone: timezone as TimeZone }));
      await using cur = c.cursor();
      await cur.execute("SELECT CAST(%s AS DATETIME(3)), %s", [when, when]);
      const [fromServer, text] = (await cur.fetchOne())!;
      assert.equal((fromServer as Date).getTime(), when.getTime(), timezone);
      assert.equal(typeof text, "string");
      c.close();
    }
    const z = await connect(testOptions({ timezone: "+05:30" }));
    await using cur = z.cursor();
    await cur.execute("SELECT %s", [when]);
    assert.deepEqual(await cur.fetchOne(), ["2023-11-05 07:00:45.987"]);
    z.close();
  });

  it("zero and invalid dates do not throw", async () => {
    const c = await connect(testOptions({ sqlMode: "ALLOW_INVALID_DATES" }));
    await using cur = c.cursor();
    await cur.execute("CREATE TEMPORARY TABLE zd (a DATETIME, b DATE, c TIMESTAMP NULL)");
    await cur.execute("INSERT INTO zd VALUES ('0000-00-00 00:00:00', '0000-00-00', '0000-00-00 00:00:00')");
    await cur.execute("SELECT * FROM zd");
    assert.deepEqual(await cur.fetchOne(), ["0000-00-00 00:00:00", "0000-00-00", "0000-00-00 00:00:00"]);
    c.close();
  });

  it("conv overrides decoders per type", async () => {
    const c = await connect(
      testOptions({
        conv: {
          ...decoders,
          [FIELD_TYPE.DATETIME]: (s: string | Buffer) => `dt:${String(s)}`,
          [FIELD_TYPE.LONG]: (s: string | Buffer) => Number(s) * 2,
        },
      }),
    );
    await using cur = c.cursor();
    await cur.execute("SELECT CAST('2024-01-02 03:04:05.123456' AS DATETIME(6)), CAST(21 AS INT), 5");
    assert.deepEqual(await cur.fetchOne(), ["dt:2024-01-02 03:04:05.123456", 42, 10]);
    c.close();
  });

  it("useUnicode: false returns text columns as Buffers", async () => {
    const c = await connect(testOptions({ useUnicode: false }));
    await using cur = c.cursor();
    await cur.execute("SELECT 'héllo', 7");
    assert.deepEqual(await cur.fetchOne(), [Buffer.from("héllo"), 7]);
    c.close();
  });

  it("booleans, null/undefined, arrays and Uint8Array as parameters", async () => {
    await using cur = conn.cursor();
    await cur.execute("SELECT %s, %s, %s, %s, %s IN %s", [true, false, null, undefined, 2, [1, 2, 3]]);
    assert.deepEqual(await cur.fetchOne(), [1, 0, null, null, 1]);
    await cur.execute("SELECT HEX(%s)", [new Uint8Array([1, 2, 255])]);
    assert.deepEqual(await cur.fetchOne(), ["0102FF"]);
    await assert.rejects(cur.execute("SELECT %s", [NaN]), ProgrammingError);
    await assert.rejects(cur.execute("SELECT %s", [{ a: 1 } as never]), ProgrammingError);
    await assert.rejects(cur.execute("SELECT %s", [[]]), ProgrammingError);
  });

  it("payloads over 16 MiB go out and come back intact", async () => {
    await using cur = conn.cursor();
    const big = Buffer.alloc(20 * 1024 * 1024 + 7);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    await cur.execute("CREATE TEMPORARY TABLE huge (b LONGBLOB)");
    await cur.execute("INSERT INTO huge VALUES (%s)", [big]);
    await cur.execute("SELECT b, LENGTH(b) FROM huge");
    const [back, len] = (await cur.fetchOne())!;
    assert.equal(len, big.length);
    assert.ok(big.equals(back as Buffer), "the 20 MiB value is unchanged");
    // An exact multiple of the 2^24-1 payload size: the final empty packet must be handled.
    const exact = "y".repeat(0xffffff - 1 - "SELECT ''".length); // COM byte + SQL = 2^24-1
    await cur.execute(`SELECT '${exact}'`);
    assert.equal(((await cur.fetchOne())![0] as string).length, exact.length);
  });

  it("a character the connection charset cannot carry is a DataError, not a '?'", async () => {
    const c = await connect(testOptions({ charset: "latin1", autocommit: true }));
    await using cur = c.cursor();
    await cur.execute("SELECT %s", ["café €"]);
    assert.deepEqual(await cur.fetchOne(), ["café €"]);
    await assert.rejects(cur.execute("SELECT %s", ["中文"]), DataError);
    await cur.execute("SELECT 1");
    assert.deepEqual(await cur.fetchOne(), [1], "the connection is still usable");
    c.close();
  });
});
