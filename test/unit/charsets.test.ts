import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { DataError, InterfaceError } from "../../src/errors.js";
import { escapeString } from "../../src/sql/escape.js";
import { charsetByCollation, charsetByName, SUPPORTED_CHARSETS, type Charset } from "../../src/protocol/charsets.js";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const dec = (cs: Charset, bytes: number[] | Buffer): string => {
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  return cs.decode(b, 0, b.length);
};

// The server's own lexer rules (MySQL strings/ctype-*.c), written out independently of the
// implementation: how many bytes the character starting at `b[i]` takes.
type Lexer = (b: Uint8Array, i: number) => number;
const r = (x: number | undefined, lo: number, hi: number): boolean => x !== undefined && x >= lo && x <= hi;
const LEXERS: Record<string, Lexer> = {
  gbk: (b, i) => (r(b[i], 0x81, 0xfe) && (r(b[i + 1], 0x40, 0x7e) || r(b[i + 1], 0x80, 0xfe)) ? 2 : 1),
  big5: (b, i) => (r(b[i], 0xa1, 0xf9) && (r(b[i + 1], 0x40, 0x7e) || r(b[i + 1], 0xa1, 0xfe)) ? 2 : 1),
  sjis: (b, i) => ((r(b[i], 0x81, 0x9f) || r(b[i], 0xe0, 0xfc)) && (r(b[i + 1], 0x40, 0x7e) || r(b[i + 1], 0x80, 0xfc)) ? 2 : 1),
  euckr: (b, i) => (r(b[i], 0x81, 0xfe) && (r(b[i + 1], 0x41, 0x5a) || r(b[i + 1], 0x61, 0x7a) || r(b[i + 1], 0x81, 0xfe)) ? 2 : 1),
  gb2312: (b, i) => (r(b[i], 0xa1, 0xf7) && r(b[i + 1], 0xa1, 0xfe) ? 2 : 1),
  ujis: (b, i) => {
    if (r(b[i], 0xa1, 0xfe) && r(b[i + 1], 0xa1, 0xfe)) return 2;
    if (b[i] === 0x8e && r(b[i + 1], 0xa1, 0xdf)) return 2;
    if (b[i] === 0x8f && r(b[i + 1], 0xa1, 0xfe) && r(b[i + 2], 0xa1, 0xfe)) return 3;
    return 1;
  },
};
LEXERS["cp932"] = LEXERS["sjis"]!;
const MULTIBYTE = ["gbk", "big5", "sjis", "cp932", "euckr", "ujis", "gb2312"] as const;

/**
 * Lexes a quoted string literal the way the server does (starting at the opening quote), and
 * returns its end (just past the closing quote) and the bytes of its value.
 */
function lexLiteral(b: Uint8Array, lex: Lexer, noBackslashEscapes: boolean): { end: number; value: number[] } {
  assert.equal(b[0], 0x27);
  const value: number[] = [];
  let i = 1;
  while (i < b.length) {
    const len = lex(b, i);
    if (len > 1) {
      for (let k = 0; k < len; k++) value.push(b[i + k]!);
      i += len;
      continue;
    }
    const c = b[i]!;
    if (c === 0x5c && !noBackslashEscapes) {
      const e = b[i + 1]!;
      const map: Record<number, number> = { 0x30: 0, 0x6e: 0x0a, 0x72: 0x0d, 0x5a: 0x1a };
      value.push(map[e] ?? e);
      i += 2;
    } else if (c === 0x27) {
      if (b[i + 1] === 0x27) {
        value.push(0x27);
        i += 2;
      } else {
        return { end: i + 1, value };
      }
    } else {
      value.push(c);
      i++;
    }
  }
  return { end: -1, value };
}

describe("charsetByName", () => {
  it("finds every supported charset, case-insensitively", () => {
    for (const name of ["utf8mb4", "utf8mb3", "latin1", "ascii", "binary", ...MULTIBYTE]) {
      assert.equal(charsetByName(name).name, name);
      assert.equal(charsetByName(name.toUpperCase()), charsetByName(name));
    }
  });

  it("treats utf8 as utf8mb3", () => {
    assert.equal(charsetByName("utf8"), charsetByName("utf8mb3"));
    assert.equal(charsetByName("UTF8").name, "utf8mb3");
    assert.equal(charsetByName("utf8").maxBytesPerChar, 3);
  });

  it("throws InterfaceError naming the charset and listing the supported ones", () => {
    assert.throws(
      () => charsetByName("klingon"),
      (e: unknown) =>
        e instanceof InterfaceError &&
        e.message.includes('"klingon"') &&
        e.message.includes("utf8mb4") &&
        e.message.includes("gbk") &&
        e.message.includes("cp932"),
    );
    assert.throws(() => charsetByName("utf-8"), InterfaceError);
    assert.throws(() => charsetByName("utf16"), InterfaceError);
    assert.ok(SUPPORTED_CHARSETS.includes("utf8"));
  });

  it("has the default collation ids and mbmaxlen of the server tables", () => {
    const expected: Record<string, [number, number]> = {
      utf8mb4: [45, 4],
      utf8mb3: [33, 3],
      latin1: [8, 1],
      ascii: [11, 1],
      binary: [63, 1],
      gbk: [28, 2],
      big5: [1, 2],
      sjis: [13, 2],
      cp932: [95, 2],
      euckr: [19, 2],
      ujis: [12, 3],
      gb2312: [24, 2],
    };
    for (const [name, [id, max]] of Object.entries(expected)) {
      const cs = charsetByName(name);
      assert.equal(cs.collationId, id, name);
      assert.equal(cs.maxBytesPerChar, max, name);
      assert.equal(cs.isUtf8, name === "utf8mb4" || name === "utf8mb3", name);
      assert.equal(charsetByCollation(id), cs, `default collation of ${name}`);
    }
  });
});

describe("charsetByCollation", () => {
  const table: Record<string, number[]> = {
    utf8mb4: [45, 46, 224, 235, 247, 255, 256, 271, 273, 277, 294, 300, 303, 305, 308, 309, 323, 608, 1069, 1070, 1248, 1270],
    utf8mb3: [33, 76, 83, 192, 200, 215, 223, 576, 1057, 1107, 1216],
    latin1: [5, 8, 15, 31, 47, 48, 49, 94, 1032, 1071],
    ascii: [11, 65, 1035, 1089],
    binary: [63],
    gbk: [28, 87, 1052, 1111],
    big5: [1, 84, 1025, 1108],
    sjis: [13, 88, 1037, 1112],
    cp932: [95, 96, 1119, 1120],
    euckr: [19, 85, 1043, 1109],
    ujis: [12, 91, 1036, 1115],
    gb2312: [24, 86, 1048, 1110],
  };
  for (const [name, ids] of Object.entries(table)) {
    it(`maps ${name} collations`, () => {
      for (const id of ids) assert.equal(charsetByCollation(id)?.name, name, `collation ${id}`);
    });
  }

  it("returns undefined for unsupported or unassigned collations", () => {
    // 35 ucs2, 54 utf16, 60 utf32, 51 cp1251, 248 gb18030, 272/276/301 unassigned, 0 none.
    for (const id of [0, 35, 54, 60, 51, 248, 272, 276, 301, 324, 4000]) {
      assert.equal(charsetByCollation(id), undefined, `collation ${id}`);
    }
  });
});

describe("utf8 charsets", () => {
  const utf8mb4 = charsetByName("utf8mb4");
  const utf8mb3 = charsetByName("utf8mb3");

  it("utf8mb4 round-trips any text, including emoji, and decodes a slice", () => {
    const s = "héllo 世界 😀 \u0000 '\\";
    const b = utf8mb4.encode(s);
    assert.deepEqual(b, Buffer.from(s, "utf8"));
    assert.equal(utf8mb4.decode(b, 0, b.length), s);
    const framed = Buffer.concat([Buffer.from("xx"), b, Buffer.from("yy")]);
    assert.equal(utf8mb4.decode(framed, 2, 2 + b.length), s);
  });

  it("utf8mb3 encodes the BMP and refuses characters above U+FFFF", () => {
    assert.deepEqual(utf8mb3.encode("€ 中"), Buffer.from("€ 中", "utf8"));
    assert.throws(
      () => utf8mb3.encode("ok 😀"),
      (e: unknown) => e instanceof DataError && e.message.includes("😀") && e.message.includes("U+1F600") && e.message.includes("utf8mb3"),
    );
    assert.throws(
      () => utf8mb3.encode("a\ud800b"),
      (e: unknown) => e instanceof DataError && e.message.includes("U+D800"),
    );
  });
});

describe("latin1 (cp1252)", () => {
  const latin1 = charsetByName("latin1");
  const all = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) all[i] = i;

  it("decodes 0x80-0x9F as Windows-1252, with MySQL's C1 mappings for the undefined bytes", () => {
    const s = latin1.decode(all, 0, 256);
    assert.equal(s.length, 256);
    assert.equal(s[0x80], "€");
    assert.equal(s.charCodeAt(0x81), 0x81);
    assert.equal(s[0x82], "‚");
    assert.equal(s[0x8a], "Š");
    assert.equal(s.charCodeAt(0x8d), 0x8d);
    assert.equal(s.charCodeAt(0x8f), 0x8f);
    assert.equal(s.charCodeAt(0x90), 0x90);
    assert.equal(s[0x93], "\u201c");
    assert.equal(s[0x99], "™");
    assert.equal(s.charCodeAt(0x9d), 0x9d);
    assert.equal(s[0x9f], "Ÿ");
    for (let i = 0; i < 0x80; i++) assert.equal(s.charCodeAt(i), i);
    for (let i = 0xa0; i < 0x100; i++) assert.equal(s.charCodeAt(i), i);
  });

  it("round-trips all 256 bytes", () => {
    const s = latin1.decode(all, 0, 256);
    assert.deepEqual(latin1.encode(s), all);
  });

  it("encodes € as 0x80 and decodes slices", () => {
    assert.equal(hex(latin1.encode("5€ café")), "358020636166e9");
    const b = Buffer.from([0x41, 0x80, 0x42, 0x9f]);
    assert.equal(latin1.decode(b, 1, 3), "€B");
  });

  it("throws DataError instead of writing ? for characters outside cp1252", () => {
    assert.throws(
      () => latin1.encode("abc 中"),
      (e: unknown) => e instanceof DataError && e.message.includes("中") && e.message.includes("latin1") && e.message.includes("index 4"),
    );
    assert.throws(() => latin1.encode("😀"), DataError);
  });
});

describe("ascii and binary", () => {
  it("ascii refuses non-ASCII characters", () => {
    const ascii = charsetByName("ascii");
    assert.deepEqual(ascii.encode("plain\n"), Buffer.from("plain\n"));
    assert.throws(
      () => ascii.encode("café"),
      (e: unknown) => e instanceof DataError && e.message.includes("é") && e.message.includes("ascii"),
    );
    assert.equal(dec(ascii, [0x61, 0x62]), "ab");
  });

  it("binary encodes strings as UTF-8 and decodes one character per byte", () => {
    const binary = charsetByName("binary");
    assert.deepEqual(binary.encode("é"), Buffer.from([0xc3, 0xa9]));
    assert.equal(dec(binary, [0x00, 0xff, 0x80]), "\u0000\u00ff\u0080");
  });
});

describe("multibyte charsets", () => {
  const known: [string, string, string][] = [
    ["gbk", "縗", "bf5c"],
    ["gbk", "中文", "d6d0cec4"],
    ["gb2312", "中文", "d6d0cec4"],
    ["big5", "許", "b35c"],
    ["big5", "中", "a4a4"],
    ["sjis", "ソ", "835c"],
    ["sjis", "表", "955c"],
    ["sjis", "ｱ", "b1"],
    ["cp932", "ソ", "835c"],
    ["euckr", "가", "b0a1"],
    ["euckr", "갂", "8141"],
    ["ujis", "あ", "a4a2"],
    ["ujis", "ｱ", "8eb1"],
    ["ujis", "\u02d8", "8fa2af"],
  ];
  for (const [name, s, bytes] of known) {
    it(`${name} encodes ${s} as ${bytes} and decodes it back`, () => {
      const cs = charsetByName(name);
      assert.equal(hex(cs.encode(s)), bytes);
      assert.equal(dec(cs, Buffer.from(bytes, "hex")), s);
    });
  }

  for (const name of MULTIBYTE) {
    it(`${name}: ASCII, including control characters, is byte for byte`, () => {
      const cs = charsetByName(name);
      let s = "";
      for (let c = 0; c < 0x80; c++) s += String.fromCharCode(c);
      const b = cs.encode(s);
      assert.equal(b.length, 128);
      for (let c = 0; c < 0x80; c++) assert.equal(b[c], c);
      assert.equal(cs.decode(b, 0, 128), s);
    });

    it(`${name}: every encodable BMP character is one server character and decodes back`, () => {
      const cs = charsetByName(name);
      const lex = LEXERS[name]!;
      let count = 0;
      for (let cp = 0x80; cp <= 0xffff; cp++) {
        if (cp >= 0xd800 && cp <= 0xdfff) continue;
        const ch = String.fromCharCode(cp);
        let b: Buffer;
        try {
          b = cs.encode(ch);
        } catch (e) {
          assert.ok(e instanceof DataError);
          continue;
        }
        count++;
        assert.ok(b.length >= 1 && b.length <= cs.maxBytesPerChar, `U+${cp.toString(16)}`);
        // The server must lex exactly these bytes as one character...
        assert.equal(lex(b, 0), b.length, `${name} U+${cp.toString(16)} -> ${hex(b)}`);
        // ...and a lone byte is never a lead byte that would swallow a following quote.
        if (b.length === 1) assert.equal(lex(Buffer.from([b[0]!, 0x27]), 0), 1);
        assert.equal(cs.decode(b, 0, b.length), ch);
      }
      assert.ok(count > 5000, `${name} encodes ${count} characters`);
    });

    it(`${name}: characters with no encoding throw DataError naming them`, () => {
      const cs = charsetByName(name);
      assert.throws(
        () => cs.encode("ok 😀"),
        (e: unknown) => e instanceof DataError && e.message.includes("😀") && e.message.includes(name) && e.message.includes("index 3"),
      );
      assert.throws(() => cs.encode("a\udc00"), DataError);
    });

    it(`${name}: invalid bytes decode to U+FFFD without losing the rest`, () => {
      const cs = charsetByName(name);
      // A lone lead byte at the end, and one followed by a quote.
      assert.equal(dec(cs, [0x41, 0xfe]), "A\ufffd");
      assert.equal(dec(cs, [0xfe, 0x27, 0x42]), "\ufffd'B");
    });
  }

  it("big5 never emits lead bytes the server does not read as multibyte (HKSCS/PUA 0x81-0xA0)", () => {
    const big5 = charsetByName("big5");
    // Node's decoder maps 0x81 0x5C to a private-use character; MySQL's big5 would read
    // 0x81 as one byte and 0x5C as a backslash, so that character must not be encodable.
    const td = new TextDecoder("big5").decode(Buffer.from([0x81, 0x5c]));
    if (td.length === 1 && td !== "\ufffd") assert.throws(() => big5.encode(td), DataError);
    assert.equal(dec(big5, [0x81, 0x5c]), "\ufffd\\");
  });

  it("euckr encodes all 11,172 Hangul syllables (the CP949 extension ends at 0xC652)", () => {
    const euckr = charsetByName("euckr");
    for (let cp = 0xac00; cp <= 0xd7a3; cp++) {
      const ch = String.fromCharCode(cp);
      const b = euckr.encode(ch);
      assert.equal(b.length, 2);
      assert.equal(euckr.decode(b, 0, 2), ch);
    }
    assert.equal(hex(euckr.encode(dec(euckr, [0xc6, 0x52]))), "c652");
    assert.equal(hex(euckr.encode("똠")).length, 4);
    assert.ok(euckr.encode("똠")[0]! < 0xa1, "똠 is outside KS X 1001");
  });

  it("sjis half-width katakana are single bytes that are not lead bytes", () => {
    const sjis = charsetByName("sjis");
    assert.equal(dec(sjis, [0xa1, 0xdf, 0x27]), "｡ﾟ'");
  });

  it("decodes mixed text from a slice of a larger buffer", () => {
    const gbk = charsetByName("gbk");
    const body = gbk.encode("a縗b中'");
    const framed = Buffer.concat([Buffer.from([0xd6, 0xd0]), body, Buffer.from([0xd6])]);
    assert.equal(gbk.decode(framed, 2, 2 + body.length), "a縗b中'");
  });
});

describe("escaping then encoding in multibyte charsets", () => {
  // Characters whose encoding ends in 0x5C, the classic injection vector.
  const fives: Record<string, string> = { gbk: "縗", big5: "許", sjis: "ソ", cp932: "表", euckr: "가", ujis: "あ", gb2312: "中" };
  const corpus = (ch: string): string[] => [
    `${ch}'`,
    `${ch}\\`,
    `${ch}\\'; DROP TABLE x; --`,
    `'${ch}'${ch}"${ch}\\${ch}`,
    `${ch}${ch}${ch}'`,
    `\u0000${ch}\n${ch}\r\u001a`,
    `${ch}`,
  ];

  for (const name of MULTIBYTE) {
    const cs = charsetByName(name);
    const lex = LEXERS[name]!;
    const ch = fives[name]!;

    it(`${name}: a trailing 0x5C byte stays inside its character`, () => {
      const b = cs.encode(ch);
      if (name === "gbk" || name === "big5" || name === "sjis" || name === "cp932") assert.equal(b[b.length - 1], 0x5c);
      assert.equal(cs.decode(b, 0, b.length), ch);
    });

    for (const noBackslashEscapes of [false, true]) {
      it(`${name}: the server lexes escaped literals exactly (noBackslashEscapes=${noBackslashEscapes})`, () => {
        for (const s of corpus(ch)) {
          const literal = escapeString(s, noBackslashEscapes);
          const bytes = cs.encode(literal);
          const { end, value } = lexLiteral(bytes, lex, noBackslashEscapes);
          assert.equal(end, bytes.length, `literal of ${JSON.stringify(s)} must end at its last byte`);
          assert.equal(cs.decode(Buffer.from(value), 0, value.length), s);
          // Escaping worked on characters: every backslash in the literal is part of an escape.
          if (!noBackslashEscapes) assert.equal(literal.replace(/\\./gs, "").includes("\\"), false);
        }
      });
    }
  }
});
