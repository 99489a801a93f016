import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { ProgrammingError } from "../../src/errors.js";
import { escape, escapeId, escapeString, interpolate } from "../../src/sql/escape.js";
import { formatQmark } from "../../src/sql/qmark.js";
import type { SqlArgs, SqlParam } from "../../src/types.js";

const isProgrammingError =
  (...parts: string[]) =>
  (e: unknown): boolean =>
    e instanceof ProgrammingError && parts.every((p) => e.message.includes(p));

// [input, literal with backslash escapes, literal with NO_BACKSLASH_ESCAPES]: quotes are doubled in
// both, so only a backslash reads differently.
const HOSTILE: [string, string, string][] = [
  ["", "''", "''"],
  ["plain text", "'plain text'", "'plain text'"],
  ["it's", "'it''s'", "'it''s'"],
  ["''", "''''''", "''''''"],
  ['say "hi"', "'say \"hi\"'", "'say \"hi\"'"],
  ["back\\slash", "'back\\\\slash'", "'back\\slash'"],
  ["\\'", "'\\\\'''", "'\\'''"],
  ["trailing\\", "'trailing\\\\'", "'trailing\\'"],
  ["nul\0byte", "'nul\0byte'", "'nul\0byte'"],
  ["ctrl\x1az", "'ctrl\x1az'", "'ctrl\x1az'"],
  ["cr\rlf\n", "'cr\rlf\n'", "'cr\rlf\n'"],
  ["tab\there", "'tab\there'", "'tab\there'"],
  ["emoji 😀 ünï", "'emoji 😀 ünï'", "'emoji 😀 ünï'"],
  ["%s and %(x)s and %%", "'%s and %(x)s and %%'", "'%s and %(x)s and %%'"],
  ["what? ?", "'what? ?'", "'what? ?'"],
  ["'; DROP TABLE x; --", "'''; DROP TABLE x; --'", "'''; DROP TABLE x; --'"],
  ["\\'; DROP TABLE x; -- ", "'\\\\''; DROP TABLE x; -- '", "'\\''; DROP TABLE x; -- '"],
  ["縗'ソ\\許\"", "'縗''ソ\\\\許\"'", "'縗''ソ\\許\"'"],
  ["\0\n\r\\'\"\x1a", "'\0\n\r\\\\''\"\x1a'", "'\0\n\r\\''\"\x1a'"],
];

describe("escapeString", () => {
  for (const [input, withEscapes, noEscapes] of HOSTILE) {
    it(`quotes ${JSON.stringify(input)}`, () => {
      assert.equal(escapeString(input), withEscapes);
      assert.equal(escapeString(input, false), withEscapes);
      assert.equal(escapeString(input, true), noEscapes);
    });
  }

  it("returns the input quoted unchanged when nothing needs escaping", () => {
    const s = "x".repeat(10000) + " 中文";
    assert.equal(escapeString(s), `'${s}'`);
  });
});

describe("escapeId", () => {
  it("backtick-quotes and doubles backticks", () => {
    assert.equal(escapeId("users"), "`users`");
    assert.equal(escapeId("we`ird"), "`we``ird`");
    assert.equal(escapeId("``"), "``````");
    assert.equal(escapeId("select"), "`select`");
    assert.equal(escapeId("with space'\"\\"), "`with space'\"\\`");
  });

  it("does not split dotted names; arrays qualify", () => {
    assert.equal(escapeId("a.b"), "`a.b`");
    assert.equal(escapeId(["db", "tbl"]), "`db`.`tbl`");
    assert.equal(escapeId(["db", "t`bl", "col"]), "`db`.`t``bl`.`col`");
    assert.equal(escapeId(["only"]), "`only`");
  });

  it("rejects NUL, empty names and empty arrays", () => {
    assert.throws(() => escapeId("a\0b"), isProgrammingError("NUL"));
    assert.throws(() => escapeId(["db", "x\0"]), isProgrammingError("NUL"));
    assert.throws(() => escapeId(""), isProgrammingError("empty"));
    assert.throws(() => escapeId([]), ProgrammingError);
  });
});

describe("escape", () => {
  it("writes NULL and booleans", () => {
    assert.equal(escape(null), "NULL");
    assert.equal(escape(undefined), "NULL");
    assert.equal(escape(true), "1");
    assert.equal(escape(false), "0");
  });

  it("writes numbers as round-trip decimal text", () => {
    const cases: [number, string][] = [
      [0, "0"],
      [-0, "0"],
      [42, "42"],
      [-7, "-7"],
      [1.5, "1.5"],
      [0.1, "0.1"],
      [0.1 + 0.2, "0.30000000000000004"],
      [Number.MAX_SAFE_INTEGER, "9007199254740991"],
      [2 ** 60, "1152921504606846976"],
      [2 ** 53 + 2, "9007199254740994"],
      [-(2 ** 63), "-9223372036854775808"],
      [1e20, "100000000000000000000"],
      [1e21, "1e+21"],
      [1.7976931348623157e308, "1.7976931348623157e+308"],
      [5e-324, "5e-324"],
      [-1.25e-7, "-1.25e-7"],
    ];
    for (const [n, text] of cases) {
      assert.equal(escape(n), text);
      assert.equal(Number(escape(n)), n === 0 ? 0 : n, "round-trips");
    }
  });

  it("refuses NaN and infinities", () => {
    assert.throws(() => escape(NaN), isProgrammingError("NaN"));
    assert.throws(() => escape(Infinity), isProgrammingError("Infinity"));
    assert.throws(() => escape(-Infinity), ProgrammingError);
  });

  it("writes bigints exactly", () => {
    assert.equal(escape(2n ** 64n - 1n), "18446744073709551615");
    assert.equal(escape(-(2n ** 63n)), "-9223372036854775808");
  });

  it("escapes strings in both modes", () => {
    assert.equal(escape("it's \\"), "'it''s \\\\'");
    assert.equal(escape("it's \\", { noBackslashEscapes: true }), "'it''s \\'");
  });

  it("writes Dates in the requested zone with milliseconds", () => {
    const d = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6));
    assert.equal(escape(d, { timeZone: "Z" }), "'2024-01-02 03:04:05.006'");
    assert.equal(escape(d, { timeZone: "+05:30" }), "'2024-01-02 08:34:05.006'");
    assert.equal(escape(d, { timeZone: "-08:00" }), "'2024-01-01 19:04:05.006'");
    const local = new Date(2024, 6, 8, 9, 10, 11, 120);
    assert.equal(escape(local), "'2024-07-08 09:10:11.120'");
    assert.equal(escape(local, { timeZone: "local" }), "'2024-07-08 09:10:11.120'");
    const early = new Date(Date.UTC(2000, 0, 1));
    early.setUTCFullYear(33);
    assert.equal(escape(early, { timeZone: "Z" }), "'0033-01-01 00:00:00.000'");
  });

  it("refuses invalid Dates, years MySQL cannot store and bad zones", () => {
    assert.throws(() => escape(new Date(NaN)), isProgrammingError("invalid Date"));
    assert.throws(() => escape(new Date(Date.UTC(10000, 0, 1)), { timeZone: "Z" }), isProgrammingError("0000-9999"));
    assert.throws(() => escape(new Date(), { timeZone: "Mars/Olympus" as never }), /time zone/);
  });

  it("writes bytes as hex literals", () => {
    assert.equal(escape(Buffer.from([0x00, 0xff, 0x27, 0x5c])), "X'00ff275c'");
    assert.equal(escape(Buffer.alloc(0)), "X''");
    assert.equal(escape(new Uint8Array([1, 2, 3])), "X'010203'");
    const view = new Uint8Array([9, 8, 7, 6]).subarray(1, 3);
    assert.equal(escape(view), "X'0807'");
  });

  it("writes arrays as parenthesised lists, nested for row values", () => {
    assert.equal(escape([1, "a'b", null, true]), "(1, 'a''b', NULL, 1)");
    assert.equal(
      escape([
        [1, 2],
        [3, 4],
      ]),
      "((1, 2), (3, 4))",
    );
    assert.equal(escape(["x"]), "('x')");
  });

  it("refuses empty arrays", () => {
    assert.throws(() => escape([]), isProgrammingError("IN ()"));
    assert.throws(() => escape([1, []]), ProgrammingError);
  });

  it("refuses other objects, asking for serialisation", () => {
    assert.throws(() => escape({ a: 1 } as unknown as SqlParam), isProgrammingError("JSON.stringify"));
    assert.throws(() => escape(new Map() as unknown as SqlParam), isProgrammingError("Map"));
    assert.throws(() => escape(Symbol("s") as unknown as SqlParam), ProgrammingError);
    assert.throws(() => escape((() => 1) as unknown as SqlParam), ProgrammingError);
    assert.throws(() => escape(new Int16Array(2) as unknown as SqlParam), ProgrammingError);
  });
});

describe("interpolate", () => {
  it("returns the query untouched when args are null or undefined", () => {
    const q = "SELECT '%', '%s', '%(x)s', 100% FROM t WHERE a LIKE 'x%'";
    assert.equal(interpolate(q, null), q);
    assert.equal(interpolate(q, undefined), q);
  });

  it("binds positional arguments", () => {
    assert.equal(interpolate("SELECT %s, %s, %s", [1, "two", null]), "SELECT 1, 'two', NULL");
    assert.equal(interpolate("INSERT INTO t VALUES (%s)", ["O'Reilly"]), "INSERT INTO t VALUES ('O''Reilly')");
    assert.equal(interpolate("%s", ["x"]), "'x'");
    assert.equal(interpolate("SELECT 1", []), "SELECT 1");
  });

  it("binds named arguments and ignores extra properties", () => {
    assert.equal(interpolate("SELECT %(a)s, %(b)s, %(a)s", { a: 1, b: "x", unused: 3 }), "SELECT 1, 'x', 1");
    assert.equal(interpolate("SELECT %()s", { "": 5 }), "SELECT 5");
    assert.equal(interpolate("SELECT %(undef)s", { undef: undefined }), "SELECT NULL");
    const nullProto = Object.assign(Object.create(null) as Record<string, SqlParam>, { k: "v" });
    assert.equal(interpolate("%(k)s", nullProto), "'v'");
  });

  it("turns %% into % when args are given", () => {
    assert.equal(interpolate("SELECT '100%%', %s", [1]), "SELECT '100%', 1");
    assert.equal(interpolate("LIKE 'a%%'", []), "LIKE 'a%'");
    assert.equal(interpolate("%%(a)s %(a)s", { a: 2 }), "%(a)s 2");
  });

  it("treats a single non-array, non-object value as one positional argument", () => {
    assert.equal(interpolate("SELECT %s", 5 as unknown as SqlArgs), "SELECT 5");
    assert.equal(interpolate("SELECT %s", "x" as unknown as SqlArgs), "SELECT 'x'");
    assert.equal(interpolate("SELECT %s", Buffer.from([1]) as unknown as SqlArgs), "SELECT X'01'");
    assert.equal(
      interpolate("SELECT %s", new Date(Date.UTC(2020, 0, 1)) as unknown as SqlArgs, { timeZone: "Z" }),
      "SELECT '2020-01-01 00:00:00.000'",
    );
    assert.throws(() => interpolate("SELECT 1", 5 as unknown as SqlArgs), isProgrammingError("Not all arguments converted"));
  });

  it("escapes values once and never rescans them", () => {
    assert.equal(interpolate("SELECT %s, %s", ["%s", "%(x)s"]), "SELECT '%s', '%(x)s'");
    assert.equal(interpolate("SELECT %(a)s, %(b)s", { a: "%(b)s", b: "?%%" }), "SELECT '%(b)s', '?%%'");
    assert.equal(interpolate("SELECT %s", ["'; DROP TABLE x; --"]), "SELECT '''; DROP TABLE x; --'");
  });

  it("respects the escape options", () => {
    assert.equal(interpolate("SELECT %s", ["a'\\"], { noBackslashEscapes: true }), "SELECT 'a''\\'");
    const d = new Date(Date.UTC(2020, 5, 15, 12, 0, 0, 1));
    assert.equal(interpolate("SELECT %s", [d], { timeZone: "+01:00" }), "SELECT '2020-06-15 13:00:00.001'");
  });

  it("binds arrays for IN", () => {
    assert.equal(interpolate("WHERE id IN %s", [[1, 2, 3]]), "WHERE id IN (1, 2, 3)");
    assert.equal(
      interpolate("WHERE (a, b) IN %(rows)s", {
        rows: [
          [1, "x"],
          [2, "y"],
        ],
      }),
      "WHERE (a, b) IN ((1, 'x'), (2, 'y'))",
    );
    assert.throws(() => interpolate("WHERE id IN %s", [[]]), isProgrammingError("IN ()"));
  });

  it("accepts %d and %f for numbers only", () => {
    assert.equal(interpolate("LIMIT %d OFFSET %d", [10, 20n]), "LIMIT 10 OFFSET 20");
    assert.equal(interpolate("SELECT %f, %f", [1.25, 3n]), "SELECT 1.25, 3");
    assert.equal(interpolate("SELECT %(n)d", { n: 7 }), "SELECT 7");
    assert.throws(() => interpolate("LIMIT %d", ["10"]), isProgrammingError("%d", "index 6"));
    assert.throws(() => interpolate("LIMIT %d", [1.5]), isProgrammingError("%d", "1.5"));
    assert.throws(() => interpolate("SELECT %f", [null]), isProgrammingError("%f"));
    assert.throws(() => interpolate("SELECT %(n)f", { n: "x" }), isProgrammingError("%(n)f"));
  });

  it("reports too few and too many arguments", () => {
    assert.throws(() => interpolate("SELECT %s, %s", [1]), isProgrammingError("Not enough arguments", "index 11"));
    assert.throws(() => interpolate("SELECT %s", []), isProgrammingError("Not enough arguments"));
    assert.throws(() => interpolate("SELECT %s", [1, 2]), isProgrammingError("Not all arguments converted", "2 given"));
  });

  it("names a missing named argument", () => {
    assert.throws(() => interpolate("SELECT %(id)s", { other: 1 }), isProgrammingError('"id"', "%(id)s"));
    // Inherited properties are not arguments.
    assert.throws(() => interpolate("SELECT %(constructor)s", {}), isProgrammingError('"constructor"'));
  });

  it("refuses mixing positional and named styles", () => {
    assert.throws(() => interpolate("SELECT %s", { a: 1 }), isProgrammingError("%s", "named", "index 7"));
    assert.throws(() => interpolate("SELECT %(a)s", [1]), isProgrammingError("%(a)s", "positional"));
    assert.throws(() => interpolate("SELECT %(a)s, %s", { a: 1 }), isProgrammingError("%s", "index 14"));
  });

  it("reports a lone % with its position", () => {
    assert.throws(() => interpolate("SELECT 100% FROM t", []), isProgrammingError('" "', "index 10"));
    assert.throws(() => interpolate("WHERE a LIKE 'x%y'", []), isProgrammingError('"y"', "index 15"));
    assert.throws(() => interpolate("SELECT 5 %", [5]), isProgrammingError("end of the query", "index 9"));
    assert.throws(() => interpolate("SELECT %(a", { a: 1 }), isProgrammingError(")", "index 7"));
    assert.throws(() => interpolate("SELECT %(a)x", { a: 1 }), isProgrammingError("%(a)", "s, d or f"));
    assert.throws(() => interpolate("SELECT %r", [1]), isProgrammingError('"r"', "index 7"));
  });

  it("refuses other kinds of argument containers", () => {
    assert.throws(() => interpolate("SELECT %s", new Map() as unknown as SqlArgs), isProgrammingError("plain object"));
  });
});

describe("formatQmark", () => {
  it("binds ? placeholders in order", () => {
    assert.equal(formatQmark("SELECT ?, ?, ?", [1, "a", null]), "SELECT 1, 'a', NULL");
    assert.equal(formatQmark("SELECT 1", []), "SELECT 1");
    assert.equal(formatQmark("?", [[1, 2]]), "(1, 2)");
  });

  it("skips ? inside quotes and identifiers", () => {
    assert.equal(formatQmark("SELECT '?', \"?\", `?`, ?", [7]), "SELECT '?', \"?\", `?`, 7");
    assert.equal(formatQmark("SELECT 'it''s ?', ?", [1]), "SELECT 'it''s ?', 1");
    assert.equal(formatQmark("SELECT `a``?`, ?", [1]), "SELECT `a``?`, 1");
  });

  it("honours backslash escapes inside quotes unless NO_BACKSLASH_ESCAPES", () => {
    assert.equal(formatQmark("SELECT '\\'?', ?", [1]), "SELECT '\\'?', 1");
    assert.equal(formatQmark('SELECT "\\"?", ?', [1]), 'SELECT "\\"?", 1');
    // With NO_BACKSLASH_ESCAPES the string ends at the second quote, so the first ? is a
    // placeholder and the rest (`', ?`) is an unterminated string.
    assert.equal(formatQmark("SELECT '\\'?', ?", [1], { noBackslashEscapes: true }), "SELECT '\\'1', ?");
    // Backticks never take backslash escapes.
    assert.equal(formatQmark("SELECT `\\`, ?", [1]), "SELECT `\\`, 1");
  });

  it("skips ? inside comments", () => {
    assert.equal(formatQmark("SELECT ? -- what?\n, ?", [1, 2]), "SELECT 1 -- what?\n, 2");
    assert.equal(formatQmark("SELECT ? # what?\n, ?", [1, 2]), "SELECT 1 # what?\n, 2");
    assert.equal(formatQmark("SELECT /* ? */ ?", [1]), "SELECT /* ? */ 1");
    assert.equal(formatQmark("SELECT ? --\t?", [1]), "SELECT 1 --\t?");
    assert.equal(formatQmark("SELECT ? /* ? unterminated", [1]), "SELECT 1 /* ? unterminated");
  });

  it("does not take -- without whitespace as a comment", () => {
    assert.equal(formatQmark("SELECT 1--?", [5]), "SELECT 1--5");
    assert.equal(formatQmark("SELECT 1--?", [-5]), "SELECT 1---5");
  });

  it("never rescans bound values", () => {
    assert.equal(formatQmark("SELECT ?, ?", ["?", "'?'"]), "SELECT '?', '''?'''");
    assert.equal(formatQmark("SELECT ?", ["a'b"], { noBackslashEscapes: true }), "SELECT 'a''b'");
  });

  it("reports placeholder count mismatches", () => {
    assert.throws(() => formatQmark("SELECT ?, ?", [1]), isProgrammingError("2", "1 parameter was"));
    assert.throws(() => formatQmark("SELECT ?", [1, 2]), isProgrammingError('1 "?" placeholder', "2 parameters"));
    assert.throws(() => formatQmark("SELECT '?'", [1]), isProgrammingError("0"));
  });
});
