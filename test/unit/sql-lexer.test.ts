// One table of SQL edge cases, run through every reader of SQL text: `?` binding for builders
// (formatQmark), `%s` -> `?` for prepared cursors (toQmark), the LOCAL INFILE file-name
// allowlist and redaction. Each row says, for a marker placed in the text, whether the server
// reads that spot as code; every reader must agree with that one answer.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SqlLexer, Tok } from "../../src/sql/lexer.js";
import { formatQmark, toQmark } from "../../src/sql/qmark.js";
import { localInfileFileNames } from "../../src/sql/local-infile.js";
import { redactSql } from "../../src/sql/redact.js";

interface Case {
  /** The SQL, with `@@` where the probe goes. */
  sql: string;
  /** The server reads the probe's spot as code. */
  code: boolean;
  /** Lex with NO_BACKSLASH_ESCAPES. */
  nbe?: boolean;
  /** The probe's spot is inside an executable comment (code, but not a place LOCAL INFILE names count). */
  executable?: boolean;
}

const CASES: Case[] = [
  { sql: "SELECT 1 @@", code: true },
  { sql: "SELECT 1 -- @@", code: false },
  { sql: "SELECT 1 --\t@@", code: false },
  { sql: "SELECT 1 --\r\n@@", code: true },
  { sql: "SELECT 1 --\x0b@@", code: false },
  { sql: "SELECT 1 --\x01@@", code: false },
  { sql: "SELECT 1 --\x7f@@", code: false },
  { sql: "SELECT 1 --\n@@", code: true },
  { sql: "SELECT 1--1 @@", code: true },
  { sql: "SELECT 1 # @@", code: false },
  { sql: "SELECT 1 # x\n@@", code: true },
  { sql: "SELECT 1 /* @@ */", code: false },
  { sql: "SELECT 1 /* x */ @@", code: true },
  { sql: "SELECT 1 /* -- */ @@", code: true },
  { sql: "SELECT 1 /*/ @@ */", code: false },
  { sql: "SELECT 1 /* unterminated @@", code: false },
  { sql: "SELECT 1 /*! @@ */", code: true, executable: true },
  { sql: "SELECT 1 /*!50000 @@ */", code: true, executable: true },
  { sql: "SELECT 1 /*M!100100 @@ */", code: true, executable: true },
  { sql: "SELECT 1 /*! 2 */ @@", code: true },
  { sql: "SELECT 1 /*! '*/' @@ */", code: true, executable: true },
  { sql: "SELECT 1 /*! 2 -- x\n */ @@", code: true },
  { sql: "SELECT '@@'", code: false },
  { sql: "SELECT 'a''@@'", code: false },
  { sql: "SELECT 'a\\'@@'", code: false },
  { sql: "SELECT 'a\\\\' @@", code: true },
  { sql: "SELECT 'a\\' @@ '", code: false },
  { sql: "SELECT 'a\\' @@ '", code: true, nbe: true },
  { sql: 'SELECT "a\\" @@ "', code: false },
  { sql: 'SELECT "a\\" @@ "', code: true, nbe: true },
  { sql: 'SELECT "@@"', code: false },
  { sql: 'SELECT "a""@@"', code: false },
  { sql: "SELECT `@@`", code: false },
  { sql: "SELECT `a\\` @@", code: true },
  { sql: "SELECT `a``@@`", code: false },
  { sql: "SELECT '-- ' @@", code: true },
  { sql: "SELECT '#' @@", code: true },
  { sql: "SELECT '/*' @@", code: true },
  { sql: 'SELECT "\'" @@', code: true },
  { sql: "SELECT '\"' @@", code: true },
  { sql: "SELECT `'` @@", code: true },
  { sql: "SELECT '", code: false },
  { sql: "SELECT 'unterminated @@", code: false },
];

/** The probe each reader uses, and how it tells whether the probe was read as code. */
const READERS: { name: string; check: (c: Case) => boolean }[] = [
  {
    name: "formatQmark (builder ? binding)",
    check: ({ sql, nbe }) => {
      const q = sql.replace("@@", "?");
      const n = (q.match(/\?/g) ?? []).length;
      // Bind every ? the lexer counts; the probe is code when it was replaced.
      for (let used = 0; used <= n; used++) {
        try {
          const out = formatQmark(q, Array<number>(used).fill(7), { noBackslashEscapes: nbe === true });
          return out !== q;
        } catch {
          continue;
        }
      }
      throw new Error("no placeholder count fits");
    },
  },
  {
    name: "toQmark (%s -> ? for prepared cursors)",
    check: ({ sql, nbe }) => {
      if (nbe) return true; // prepared statements lex with the server's default; skip the mode rows
      try {
        return toQmark(sql.replace("@@", "%s"), [1]).params.length === 1;
      } catch {
        return false;
      }
    },
  },
  {
    name: "localInfileFileNames (the LOCAL INFILE allowlist)",
    check: ({ sql, nbe, executable }) => {
      const names = localInfileFileNames(sql.replace("@@", "LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE t"), nbe === true);
      // Inside an executable comment a name never counts (see src/sql/local-infile.ts).
      if (executable) assert.deepEqual(names, []);
      return names.includes("/etc/passwd");
    },
  },
  {
    name: "redactSql",
    check: ({ sql, nbe }) => {
      if (nbe) return true; // redaction lexes with backslash escapes on
      return !redactSql(sql.replace("@@", "IDENTIFIED BY 'pw0'")).includes("pw0");
    },
  },
];

describe("one SQL lexer under every reader", () => {
  for (const reader of READERS) {
    it(reader.name, () => {
      for (const c of CASES) {
        if (!c.sql.includes("@@")) continue;
        const expected = reader.name.startsWith("localInfile") && c.executable ? false : c.code;
        const skip = c.nbe && (reader.name.startsWith("toQmark") || reader.name.startsWith("redact"));
        assert.equal(
          reader.check(c),
          skip ? true : expected,
          `${reader.name}: ${JSON.stringify(c.sql)}${c.nbe ? " (NO_BACKSLASH_ESCAPES)" : ""}`,
        );
      }
    });
  }

  it("tokens cover the text exactly, in order, for every case", () => {
    for (const c of CASES) {
      const lexer = new SqlLexer(c.sql, c.nbe === true);
      let at = 0;
      let rounds = 0;
      for (let t = lexer.next(); t !== Tok.End; t = lexer.next()) {
        assert.equal(lexer.start, at, JSON.stringify(c.sql));
        assert.ok(lexer.end > lexer.start, JSON.stringify(c.sql));
        at = lexer.end;
        assert.ok(++rounds <= c.sql.length, "the lexer always moves on");
      }
      assert.equal(at, c.sql.length);
    }
  });

  it("redaction keeps its forms", () => {
    const masked: [string, string][] = [
      ["CREATE USER 'u'@'%' IDENTIFIED BY 's3cret'", "CREATE USER 'u'@'%' IDENTIFIED BY '***'"],
      ["SET PASSWORD FOR u = PASSWORD('it''s')", "SET PASSWORD FOR u = PASSWORD('***')"],
      ["ALTER USER x IDENTIFIED VIA ed25519 USING PASSWORD('pw')", "ALTER USER x IDENTIFIED VIA ed25519 USING PASSWORD('***')"],
      ["ALTER USER x IDENTIFIED WITH caching_sha2_password BY 'pw'", "ALTER USER x IDENTIFIED WITH caching_sha2_password BY '***'"],
      ["ALTER USER x IDENTIFIED BY PASSWORD '*ABC'", "ALTER USER x IDENTIFIED BY PASSWORD '***'"],
      ["ALTER USER x IDENTIFIED BY _utf8mb4'pw'", "ALTER USER x IDENTIFIED BY _utf8mb4'***'"],
      ["CHANGE MASTER TO MASTER_PASSWORD='pw'", "CHANGE MASTER TO MASTER_PASSWORD='***'"],
      [
        "CREATE SERVER s FOREIGN DATA WRAPPER mysql OPTIONS (USER 'u', PASSWORD 'pw')",
        "CREATE SERVER s FOREIGN DATA WRAPPER mysql OPTIONS (USER 'u', PASSWORD '***')",
      ],
      ["SET PASSWORD FOR 'u'@'h' = 'pw'", "SET PASSWORD FOR 'u'@'h' = '***'"],
      ["CREATE USER u IDENTIFIED BY /* c */ 'pw'", "CREATE USER u IDENTIFIED BY /* c */ '***'"],
    ];
    for (const [sql, out] of masked) assert.equal(redactSql(sql), out, sql);
    for (const sql of [
      "SELECT 'IDENTIFIED'",
      "SELECT 1 -- IDENTIFIED BY 'x'",
      "SELECT 'PASSWORD', 'x'",
      "SELECT a FROM t ORDER BY 'x' -- PASSWORD",
    ]) {
      assert.equal(redactSql(sql), sql, sql);
    }
  });
});
