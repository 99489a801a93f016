import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  decoders,
  formatDateTime,
  makeDecoders,
  parseDateTimeAscii,
  parseFloatAscii,
  parseIntAscii,
  parseTimeZone,
  readBinaryDate,
  readBinaryDateTime,
  readBinaryTime,
  writeBinaryDateTime,
  type Decoder,
} from "../../src/converters.js";
import { InterfaceError, MySQLError, OperationalError, ProgrammingError } from "../../src/errors.js";
import { FIELD_TYPE } from "../../src/protocol/constants.js";
import { prng } from "../support/prng.js";

// A zone without daylight saving that differs from UTC, so that "local" really is tested.
// (Each test file runs in its own process; nothing above reads the zone at import time.)
process.env.TZ = "Asia/Kathmandu";
const LOCAL_OFFSET_MIN = 345;

const dec = (type: number): Decoder => {
  const d = decoders[type];
  assert.ok(d, `decoder for type ${type}`);
  return d;
};

/** The bytes of `text` framed by junk, to check that parsers honour start/end. */
function framed(text: string): [Buffer, number, number] {
  const body = Buffer.from(text, "latin1");
  return [Buffer.concat([Buffer.from("9-:"), body, Buffer.from("7.5")]), 3, 3 + body.length];
}

describe("parseTimeZone", () => {
  it("accepts local, Z and fixed offsets", () => {
    assert.deepEqual(parseTimeZone("local"), { kind: "local" });
    assert.deepEqual(parseTimeZone("Z"), { kind: "offset", minutes: 0 });
    assert.deepEqual(parseTimeZone("+05:30"), { kind: "offset", minutes: 330 });
    assert.deepEqual(parseTimeZone("-08:00"), { kind: "offset", minutes: -480 });
    assert.deepEqual(parseTimeZone("+00:00"), { kind: "offset", minutes: 0 });
    assert.deepEqual(parseTimeZone("+14:00"), { kind: "offset", minutes: 840 });
    assert.deepEqual(parseTimeZone("-13:59"), { kind: "offset", minutes: -839 });
    assert.equal(parseTimeZone("+05:30"), parseTimeZone("+05:30"), "cached");
  });

  it("throws InterfaceError for anything else", () => {
    for (const tz of ["", "UTC", "z", "+5:30", "+0530", "05:30", "+05:60", "+14:01", "+15:00", "Europe/Paris", "+05:30 "]) {
      assert.throws(
        () => parseTimeZone(tz),
        (e: unknown) => e instanceof InterfaceError && e.message.includes("time zone"),
        tz,
      );
    }
    assert.throws(() => makeDecoders("Mars" as never), InterfaceError);
  });
});

describe("default decoders", () => {
  it("is frozen and shared per time zone", () => {
    assert.ok(Object.isFrozen(decoders));
    assert.equal(makeDecoders(), decoders);
    assert.equal(makeDecoders("local"), decoders);
    assert.equal(makeDecoders("+05:30"), makeDecoders("+05:30"));
    assert.notEqual(makeDecoders("Z"), decoders);
  });

  it("decodes small integer types and YEAR to numbers", () => {
    for (const t of [FIELD_TYPE.TINY, FIELD_TYPE.SHORT, FIELD_TYPE.INT24, FIELD_TYPE.LONG, FIELD_TYPE.YEAR]) {
      assert.equal(dec(t)("-128"), -128);
      assert.equal(dec(t)("2147483647"), 2147483647);
      assert.equal(dec(t)(Buffer.from("42")), 42);
    }
    assert.equal(dec(FIELD_TYPE.YEAR)("2024"), 2024);
  });

  it("decodes LONGLONG to a number when safe, else to an exact bigint", () => {
    const ll = dec(FIELD_TYPE.LONGLONG);
    assert.equal(ll("0"), 0);
    assert.equal(ll("-1"), -1);
    assert.equal(ll("9007199254740991"), 9007199254740991);
    assert.equal(ll("-9007199254740991"), -9007199254740991);
    assert.equal(ll("9007199254740992"), 9007199254740992n);
    assert.equal(ll("9007199254740993"), 9007199254740993n);
    assert.equal(ll("-9007199254740992"), -9007199254740992n);
    assert.equal(ll("-9223372036854775808"), -9223372036854775808n);
    assert.equal(ll("9223372036854775807"), 9223372036854775807n);
    assert.equal(ll("18446744073709551615"), 18446744073709551615n);
    assert.equal(ll(Buffer.from("18446744073709551614")), 18446744073709551614n);
    assert.throws(
      () => ll("12x"),
      (e: unknown) => e instanceof OperationalError && e.errno === 2027,
    );
  });

  it("decodes FLOAT and DOUBLE to numbers", () => {
    assert.equal(dec(FIELD_TYPE.FLOAT)("3.14"), 3.14);
    assert.equal(dec(FIELD_TYPE.DOUBLE)("-1.7976931348623157e308"), -1.7976931348623157e308);
    assert.equal(dec(FIELD_TYPE.DOUBLE)("0.1"), 0.1);
    assert.equal(dec(FIELD_TYPE.DOUBLE)("1e-5"), 1e-5);
  });

  it("keeps DECIMAL text exactly", () => {
    for (const t of [FIELD_TYPE.DECIMAL, FIELD_TYPE.NEWDECIMAL]) {
      assert.equal(dec(t)("12345678901234567890.123456789012345678"), "12345678901234567890.123456789012345678");
      assert.equal(dec(t)("0.10"), "0.10");
      assert.equal(dec(t)("-0.000000000000000000000000000001"), "-0.000000000000000000000000000001");
      assert.equal(dec(t)(Buffer.from("99999999999999999999.99")), "99999999999999999999.99");
    }
  });

  it("keeps DATE and TIME text", () => {
    assert.equal(dec(FIELD_TYPE.DATE)("2024-02-29"), "2024-02-29");
    assert.equal(dec(FIELD_TYPE.DATE)("0000-00-00"), "0000-00-00");
    assert.equal(dec(FIELD_TYPE.NEWDATE)("1999-12-31"), "1999-12-31");
    assert.equal(dec(FIELD_TYPE.TIME)("-838:59:59.000000"), "-838:59:59.000000");
    assert.equal(dec(FIELD_TYPE.TIME)("100:00:00"), "100:00:00");
  });

  it("returns BIT as a Buffer", () => {
    const bit = dec(FIELD_TYPE.BIT);
    const b = Buffer.from([0x01, 0xff]);
    assert.equal(bit(b), b);
    assert.deepEqual(bit("\u0001\u00ff"), b);
  });

  it("keeps JSON as text, so big integers are not rounded", () => {
    const text = '{"id": 12345678901234567890, "x": [1.10]}';
    assert.equal(dec(FIELD_TYPE.JSON)(text), text);
    assert.equal(dec(FIELD_TYPE.JSON)(Buffer.from(text, "utf8")), text);
    assert.equal(dec(FIELD_TYPE.JSON)(Buffer.from('"é"', "utf8")), '"é"');
  });

  it("returns strings for ENUM, SET and text types, and Buffers for binary data", () => {
    assert.equal(dec(FIELD_TYPE.ENUM)("small"), "small");
    assert.equal(dec(FIELD_TYPE.SET)("a,b"), "a,b");
    for (const t of [
      FIELD_TYPE.VARCHAR,
      FIELD_TYPE.VAR_STRING,
      FIELD_TYPE.STRING,
      FIELD_TYPE.TINY_BLOB,
      FIELD_TYPE.MEDIUM_BLOB,
      FIELD_TYPE.LONG_BLOB,
      FIELD_TYPE.BLOB,
      FIELD_TYPE.GEOMETRY,
    ]) {
      assert.equal(dec(t)("héllo"), "héllo");
      const b = Buffer.from([0, 1, 2]);
      assert.equal(dec(t)(b), b);
    }
  });

  it("decodes NULL to null", () => {
    assert.equal(dec(FIELD_TYPE.NULL)("anything"), null);
  });
});

describe("DATETIME decoding", () => {
  const local = dec(FIELD_TYPE.DATETIME);
  const utc = makeDecoders("Z")[FIELD_TYPE.DATETIME]!;
  const ist = makeDecoders("+05:30")[FIELD_TYPE.TIMESTAMP]!;

  it("keeps milliseconds exactly in local time", () => {
    const d = local("2024-02-29 13:45:59.123456");
    assert.ok(d instanceof Date);
    assert.equal(d.getFullYear(), 2024);
    assert.equal(d.getMonth(), 1);
    assert.equal(d.getDate(), 29);
    assert.equal(d.getHours(), 13);
    assert.equal(d.getMinutes(), 45);
    assert.equal(d.getSeconds(), 59);
    assert.equal(d.getMilliseconds(), 123);
    assert.equal(d.getTime(), Date.UTC(2024, 1, 29, 13, 45, 59, 123) - LOCAL_OFFSET_MIN * 60000);
  });

  it("keeps milliseconds exactly in Z and +05:30", () => {
    assert.equal((utc("2024-02-29 13:45:59.999999") as Date).getTime(), Date.UTC(2024, 1, 29, 13, 45, 59, 999));
    assert.equal((ist("2024-02-29 13:45:59.001") as Date).getTime(), Date.UTC(2024, 1, 29, 13, 45, 59, 1) - 330 * 60000);
    assert.equal((makeDecoders("-08:00")[FIELD_TYPE.DATETIME]!("2024-01-01 00:00:00") as Date).toISOString(), "2024-01-01T08:00:00.000Z");
  });

  it("reads 1 to 6 fraction digits as a decimal fraction, dropping sub-millisecond digits", () => {
    const ms = (s: string): number => (utc(s) as Date).getUTCMilliseconds();
    assert.equal(ms("2020-01-01 00:00:00"), 0);
    assert.equal(ms("2020-01-01 00:00:00.5"), 500);
    assert.equal(ms("2020-01-01 00:00:00.05"), 50);
    assert.equal(ms("2020-01-01 00:00:00.123"), 123);
    assert.equal(ms("2020-01-01 00:00:00.1239"), 123);
    assert.equal(ms("2020-01-01 00:00:00.000999"), 0);
    assert.equal(ms("2020-01-01 00:00:00.999999"), 999);
  });

  it("reads years below 100 as such, not as 19xx", () => {
    assert.equal((utc("0001-01-01 00:00:00") as Date).getUTCFullYear(), 1);
    assert.equal((utc("0099-12-31 23:59:59") as Date).getUTCFullYear(), 99);
    assert.equal((utc("0000-02-29 00:00:00") as Date).toISOString(), "0000-02-29T00:00:00.000Z");
    assert.equal((local("0050-06-15 12:00:00") as Date).getFullYear(), 50);
    assert.equal((utc("9999-12-31 23:59:59.999999") as Date).toISOString(), "9999-12-31T23:59:59.999Z");
  });

  it("returns zero and invalid dates unchanged, never an Invalid Date", () => {
    const bad = [
      "0000-00-00 00:00:00",
      "0000-00-00 00:00:00.000000",
      "2020-00-10 10:00:00",
      "2020-13-01 00:00:00",
      "2020-01-00 00:00:00",
      "2020-02-30 00:00:00",
      "2021-02-29 00:00:00",
      "1900-02-29 00:00:00",
      "2020-04-31 00:00:00",
      "2020-01-01 24:00:00",
      "2020-01-01 00:60:00",
      "2020-01-01 00:00:60",
      "2020-01-01T00:00:00",
      "2020-01-01 00:00:00.",
      "2020-01-01 00:00:00.1234567",
      "2020-01-01 00:00:0a",
      "2020-01-01",
      "garbage",
      "",
    ];
    for (const s of bad) {
      for (const d of [local, utc, ist]) assert.equal(d(s), s, s);
      const [buf, start, end] = framed(s);
      assert.equal(parseDateTimeAscii(buf, start, end, "Z"), s, s);
    }
    assert.ok(utc("2000-02-29 00:00:00") instanceof Date, "2000 is a leap year");
  });
});

describe("parseDateTimeAscii", () => {
  it("matches the string decoder, reading only buf[start, end)", () => {
    for (const tz of ["local", "Z", "+05:30", "-03:00"] as const) {
      const d = makeDecoders(tz)[FIELD_TYPE.DATETIME]!;
      for (const s of ["2024-02-29 13:45:59.123456", "1970-01-01 00:00:00", "2038-01-19 03:14:07.5"]) {
        const [buf, start, end] = framed(s);
        const got = parseDateTimeAscii(buf, start, end, tz);
        assert.ok(got instanceof Date);
        assert.equal(got.getTime(), (d(s) as Date).getTime(), `${tz} ${s}`);
      }
    }
  });

  it("accepts a parsed time zone", () => {
    const [buf, start, end] = framed("2024-01-01 00:00:00.250");
    assert.equal((parseDateTimeAscii(buf, start, end, parseTimeZone("+01:00")) as Date).toISOString(), "2023-12-31T23:00:00.250Z");
  });
});

describe("parseIntAscii", () => {
  const p = (s: string): number | bigint => parseIntAscii(...framed(s));

  it("parses numbers with an optional sign", () => {
    assert.equal(p("0"), 0);
    assert.equal(p("7"), 7);
    assert.equal(p("-128"), -128);
    assert.equal(p("+42"), 42);
    assert.ok(Object.is(p("-0"), 0), "-0 becomes 0");
    assert.equal(p("123456789012345"), 123456789012345);
    assert.equal(p("-999999999999999"), -999999999999999);
  });

  it("returns numbers up to 2^53 - 1 and bigints beyond", () => {
    assert.equal(p("9007199254740991"), 9007199254740991);
    assert.equal(p("-9007199254740991"), -9007199254740991);
    assert.equal(p("1000000000000000"), 1000000000000000);
    assert.equal(p("9007199254740992"), 9007199254740992n);
    assert.equal(p("-9007199254740992"), -9007199254740992n);
    assert.equal(p("9999999999999999"), 9999999999999999n);
    assert.equal(p("-9223372036854775808"), -9223372036854775808n);
    assert.equal(p("9223372036854775807"), 9223372036854775807n);
    assert.equal(p("18446744073709551615"), 18446744073709551615n);
    assert.equal(typeof p("0000000000000000001"), "number");
    assert.equal(p("8999999999999999"), 8999999999999999);
    assert.equal(p("9100000000000000"), 9100000000000000n);
    assert.equal(p("00009007199254740991"), 9007199254740991);
    assert.equal(p("-00009007199254740992"), -9007199254740992n);
  });

  it("agrees with BigInt on random digit strings of every length", () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let k = 0; k < 5000; k++) {
      const len = 1 + rand(22);
      let s = ["", "-", "+"][rand(3)]!;
      for (let j = 0; j < len; j++) s += String(rand(10));
      const exact = BigInt(s);
      const expected = exact >= -9007199254740991n && exact <= 9007199254740991n ? Number(exact) : exact;
      const got = p(s);
      assert.ok(Object.is(got, expected) || got === expected, `${s}: ${String(got)}`);
    }
  });

  it("throws a malformed-packet OperationalError (2027) for bytes that are not an integer", () => {
    for (const s of ["", "-", "1.5", "12a", " 1", "1e3", "184467440737095516150x"]) {
      assert.throws(
        () => p(s),
        (e: unknown) => e instanceof OperationalError && e.errno === 2027,
        JSON.stringify(s),
      );
    }
  });
});

describe("parseFloatAscii", () => {
  it("parses floats correctly rounded", () => {
    assert.equal(parseFloatAscii(...framed("3.14")), 3.14);
    assert.equal(parseFloatAscii(...framed("-2.5e-3")), -0.0025);
    assert.equal(parseFloatAscii(...framed("0.30000000000000004")), 0.1 + 0.2);
    assert.equal(parseFloatAscii(...framed("1.7976931348623157e308")), Number.MAX_VALUE);
    assert.equal(parseFloatAscii(...framed("12")), 12);
  });

  it("gives exactly what Number() gives, on its fast path (up to 15 digits) and past it", () => {
    const fixed = ["0", "-0", "0.0", "-0.000", ".5", "1.", "-.5", "0.1", "0.3", "999999999999999", "1234567890123456"];
    fixed.push("9007199254740993", "0.000000000000001", "4.9e-324", "1.2.3", "12a", "+1", "-", "00012.50", "1E5");
    const random = prng(16);
    for (let i = 0; i < 20000; i++) {
      const n = 1 + Math.floor(random() * 18);
      let text = "";
      for (let k = 0; k < n; k++) text += String(Math.floor(random() * 10));
      const at = Math.floor(random() * (n + 1));
      if (random() < 0.8) text = `${text.slice(0, at)}.${text.slice(at)}`;
      fixed.push(random() < 0.5 ? `-${text}` : text);
    }
    for (const text of fixed) assert.ok(Object.is(parseFloatAscii(...framed(text)), Number(text)), text);
  });
});

describe("binary protocol dates and times", () => {
  const bytes = (...b: number[]): Buffer => Buffer.from([0xee, ...b]);

  it("reads DATETIME of length 0, 4, 7 and 11", () => {
    assert.equal(readBinaryDateTime(bytes(), 1, 0, "Z"), "0000-00-00 00:00:00");
    const d4 = readBinaryDateTime(bytes(0xe8, 0x07, 2, 29), 1, 4, "Z");
    assert.equal((d4 as Date).toISOString(), "2024-02-29T00:00:00.000Z");
    const d7 = readBinaryDateTime(bytes(0xe8, 0x07, 2, 29, 13, 45, 59), 1, 7, "Z");
    assert.equal((d7 as Date).toISOString(), "2024-02-29T13:45:59.000Z");
    // 123456 microseconds = 0x01E240
    const d11 = readBinaryDateTime(bytes(0xe8, 0x07, 2, 29, 13, 45, 59, 0x40, 0xe2, 0x01, 0x00), 1, 11, "Z");
    assert.equal((d11 as Date).toISOString(), "2024-02-29T13:45:59.123Z");
  });

  it("applies the time zone to binary DATETIME", () => {
    const raw = bytes(0xe8, 0x07, 1, 1, 0, 0, 0);
    assert.equal((readBinaryDateTime(raw, 1, 7, "+05:30") as Date).toISOString(), "2023-12-31T18:30:00.000Z");
    const local = readBinaryDateTime(raw, 1, 7) as Date;
    assert.equal(local.getTime(), Date.UTC(2024, 0, 1) - LOCAL_OFFSET_MIN * 60000);
  });

  it("returns zero and invalid binary DATETIME values as text", () => {
    assert.equal(readBinaryDateTime(bytes(0, 0, 0, 0), 1, 4, "Z"), "0000-00-00 00:00:00");
    assert.equal(readBinaryDateTime(bytes(0xe4, 0x07, 2, 30, 1, 2, 3), 1, 7, "Z"), "2020-02-30 01:02:03");
    assert.equal(readBinaryDateTime(bytes(0xe4, 0x07, 0, 10, 1, 2, 3, 1, 0, 0, 0), 1, 11, "Z"), "2020-00-10 01:02:03.000001");
  });

  it("refuses malformed DATETIME lengths", () => {
    assert.throws(
      () => readBinaryDateTime(bytes(1, 2, 3, 4, 5), 1, 5, "Z"),
      (e: unknown) => e instanceof OperationalError && (e as MySQLError).code === "CR_MALFORMED_PACKET",
    );
  });

  it("reads DATE", () => {
    assert.equal(readBinaryDate(bytes(), 1, 0), "0000-00-00");
    assert.equal(readBinaryDate(bytes(0xe8, 0x07, 12, 31), 1, 4), "2024-12-31");
    assert.equal(readBinaryDate(bytes(0x05, 0x00, 1, 2), 1, 4), "0005-01-02");
    assert.throws(() => readBinaryDate(bytes(1, 2), 1, 2), OperationalError);
  });

  it("reads TIME with days folded into hours, sign and microseconds", () => {
    assert.equal(readBinaryTime(bytes(), 1, 0), "00:00:00");
    assert.equal(readBinaryTime(bytes(0, 0, 0, 0, 0, 1, 2, 3), 1, 8), "01:02:03");
    assert.equal(readBinaryTime(bytes(1, 1, 0, 0, 0, 2, 30, 0), 1, 8), "-26:30:00");
    assert.equal(readBinaryTime(bytes(1, 34, 0, 0, 0, 22, 59, 59, 0, 0, 0, 0), 1, 12), "-838:59:59.000000");
    assert.equal(readBinaryTime(bytes(0, 0, 0, 0, 0, 0, 0, 1, 0x40, 0xe2, 0x01, 0), 1, 12), "00:00:01.123456");
    assert.throws(() => readBinaryTime(bytes(0, 0, 0, 0, 0, 0, 0), 1, 7), OperationalError);
  });

  it("writes DATETIME parameters as the length byte plus 11 bytes", () => {
    const d = new Date(Date.UTC(2024, 1, 29, 13, 45, 59, 123));
    const w = writeBinaryDateTime(d, "Z");
    assert.equal(w.toString("hex"), "0be807021d0d2d3b78e00100");
    assert.equal(w[0], 11);
    assert.equal(w.readUInt32LE(8), 123000);
    for (const tz of ["local", "Z", "+05:30", "-09:30"] as const) {
      const out = writeBinaryDateTime(d, tz);
      assert.equal((readBinaryDateTime(out, 1, out[0]!, tz) as Date).getTime(), d.getTime(), tz);
    }
    const ist = writeBinaryDateTime(d, "+05:30");
    assert.deepEqual([ist[4], ist[5], ist[6]], [29, 19, 15]);
    const local = writeBinaryDateTime(d);
    assert.deepEqual([local[5], local[6]], [19, 30]);
  });

  it("refuses invalid Dates when writing", () => {
    assert.throws(() => writeBinaryDateTime(new Date(NaN), "Z"), ProgrammingError);
    assert.throws(() => writeBinaryDateTime(new Date(Date.UTC(-1, 0, 1)), "Z"), ProgrammingError);
  });
});

describe("formatDateTime", () => {
  it("formats in each zone", () => {
    const d = new Date(Date.UTC(1999, 11, 31, 23, 59, 59, 7));
    assert.equal(formatDateTime(d, "Z"), "1999-12-31 23:59:59.007");
    assert.equal(formatDateTime(d, "+01:00"), "2000-01-01 00:59:59.007");
    assert.equal(formatDateTime(d), "2000-01-01 05:44:59.007");
  });
});
