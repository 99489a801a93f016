// One table of SQL edge cases, run through every reader of SQL text: `?` binding for builders
// (formatQmark), `%s` -> `?` for prepared cursors (toQmark), the LOCAL INFILE file-name
// allowlist, redaction, the cluster pool's read/write classifier and OpenTelemetry's
// sanitized query text. Each row says, for a marker placed in the text, whether the server
// reads that spot as code; every reader must agree with that one answer.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SqlLexer, Tok } from "../../src/sql/lexer.js";
import { formatQmark, toQmark } from "../../src/sql/qmark.js";
import { localInfileFileNames } from "../../src/sql/local-infile.js";
import { redactSql } from "../../src/sql/redact.js";
import { classifyStatement } from "../../src/cluster/classify.js";
import { operationName, sanitizeSql } from "../../src/otel/sanitize.js";

interface Case {
  /** The SQL, with `@@` where the probe goes. */
  sql: string;
  /** The server reads the probe's spot as code. */
  code: boolean;
  /** Lex with NO_BACKSLASH_ESCAPES. */
  nbe?: boolean;
  /** The probe's spot is inside an executable comment (code, but not a place LOCAL INFILE names count). */
  executable?: boolean;
  /** The probe's spot is code in the other backslash mode (only the rows without `nbe`). */
  codeInOtherMode?: boolean;
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
  { sql: "SELECT 'a\\' @@ '", code: false, codeInOtherMode: true },
  { sql: "SELECT 'a\\' @@ '", code: true, nbe: true },
  { sql: 'SELECT "a\\" @@ "', code: false, codeInOtherMode: true },
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
  { sql: "SELECT 1 /*! 2 */ /*!50000 3 */ @@", code: true },
  { sql: "SELECT 1 /*!99999 '*/' @@ */", code: true, executable: true },
  { sql: "SELECT 1 /*!99999 -- */\n @@ */", code: true, executable: true },
  { sql: "SELECT 1 --\x0c@@", code: false },
  { sql: "SELECT 1 --\u00a0@@", code: true },
  { sql: "SELECT 1 -@@", code: true },
  { sql: "SELECT '\\' @@ -- '", code: false, codeInOtherMode: true },
  { sql: "SELECT '\\' @@ -- '", code: true, nbe: true },
  { sql: "SELECT 1 /* a */ /* @@ */ /* b */", code: false },
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
  {
    // The probe is a locking clause: where it is code the statement must go to the writer;
    // elsewhere it must change nothing. The classifier knows no sql_mode, so it reads a text
    // with a backslash in both modes, and a versioned executable comment whose `*/` the code
    // reading puts in a string or a `-- ` comment is judged in neither: "write" (the safe side).
    name: "classifyStatement (cluster read/write routing)",
    check: ({ sql, code, codeInOtherMode }) => {
      const probe = classifyStatement(sql.replace("@@", "FOR UPDATE"));
      const plain = classifyStatement(sql.replace("@@", ""));
      return code || codeInOtherMode === true ? probe === "write" : probe !== plain;
    },
  },
  {
    // The probe has a number and no quote: in code the number becomes `?`; in a comment it
    // stays as written; in a string or an identifier the word before it does not stand in code.
    name: "sanitizeSql (OpenTelemetry db.query.text)",
    check: ({ sql, nbe }) => sanitizeSql(sql.replace("@@", "zz 12345"), nbe === true).includes("zz ?"),
  },
];

describe("one SQL lexer under every reader", () => {
  for (const reader of READERS) {
    it(reader.name, () => {
      for (const c of CASES) {
        if (!c.sql.includes("@@")) continue;
        let expected = c.code;
        if (reader.name.startsWith("localInfile") && c.executable) expected = false;
        if (reader.name.startsWith("classify") && c.codeInOtherMode) expected = true;
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

  it("skipSpace() stops at the first code, quote or end, and next() goes on from there", () => {
    const sql = " \t/* a */ -- b\n# c\n/*!50000 (x */ 'y'";
    const lexer = new SqlLexer(sql);
    lexer.skipSpace();
    assert.equal(sql.slice(lexer.end), "(x */ 'y'");
    assert.ok(lexer.inExecutable);
    assert.equal(lexer.next(), Tok.Code);
    assert.equal(sql.slice(lexer.start, lexer.end), "(x ");
    lexer.skipSpace(0x28);
    assert.equal(lexer.next(), Tok.SingleQuoted);
    assert.equal(lexer.next(), Tok.End);
    const open = new SqlLexer("  /* never closed");
    open.skipSpace();
    assert.equal(open.end, open.sql.length);
    assert.equal(open.next(), Tok.End);
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

// Cases the classifier's and the sanitizer's own scanners got wrong before they moved onto the lexer.
describe("the classifier and the sanitizer read SQL as the server does", () => {
  it("a locking clause that is code only with NO_BACKSLASH_ESCAPES sends the statement to the writer", () => {
    // With backslash escapes this is one string; under NO_BACKSLASH_ESCAPES it is a locking read.
    assert.equal(classifyStatement("SELECT '\\' FROM t FOR UPDATE -- '"), "write");
    assert.equal(classifyStatement("SELECT 'a\\\\b' FROM t -- ' FOR UPDATE"), "read", "an escaped backslash reads the same in both modes");
  });

  it("the code of an executable comment is read as code", () => {
    assert.equal(classifyStatement("SELECT * FROM t /*! FOR UPDATE */"), "write");
    assert.equal(classifyStatement("SELECT * FROM t /*!50000 LOCK IN SHARE MODE */"), "write");
    assert.equal(classifyStatement("SELECT /*! STRAIGHT_JOIN */ a FROM t"), "read");
    assert.equal(classifyStatement("SELECT a FROM t /* FOR UPDATE */ WHERE b = 'FOR UPDATE'"), "read");
    assert.equal(classifyStatement("SELECT a FROM t /*! WHERE 1 */; /*! DELETE FROM t */"), "write");
    assert.equal(classifyStatement("SELECT a FROM t /*! FOR"), "write", "an executable comment left open");
    // A server older than 9.99.99 ends this comment at the `*/` inside the string, then runs FOR UPDATE.
    assert.equal(classifyStatement("SELECT 1 /*!99999 '*/ FOR UPDATE -- ' */"), "write");
    assert.equal(sanitizeSql("SELECT /*! 'secret', 42 */ 1"), "SELECT /*! ?, ? */ ?");
    assert.equal(operationName("/*!40101 SET NAMES utf8mb4 */"), "SET");
    assert.equal(operationName("/* x */ -- y\n/*!  */ (SELECT 1)"), "SELECT");
  });

  it("`--` followed by any control character is a comment", () => {
    assert.equal(classifyStatement("SELECT * FROM t --\x01FOR UPDATE"), "read");
    assert.equal(classifyStatement("SELECT * FROM t --\x7fFOR UPDATE"), "read");
    assert.equal(sanitizeSql("SELECT 1 --\x01 'note'"), "SELECT ? --\x01 'note'");
    assert.equal(sanitizeSql("SELECT 1 --\u00a0'v'"), "SELECT ? --\u00a0?", "a no-break space is not whitespace to the server");
  });
});
