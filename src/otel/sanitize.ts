// SQL text for spans: literals replaced by `?` (OpenTelemetry's "sanitized" db.query.text), and
// the statement's operation name. Both read the text through the project's one SQL lexer
// (src/sql/lexer.ts), so quotes, comments and executable comments (`/*! ... */`, whose content
// the server runs as code) are found exactly where the server finds them. Inside code, this file
// recognises numbers and hexadecimal and bit literals (X'..', 0x.., B'..', 0b..).
import { SqlLexer, Tok } from "../sql/lexer.js";

const IDENT_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const DIGIT = /[0-9]/;
const NUMBER = /^(\d+\.?\d*(e[-+]?\d+)?|\.\d+|0x[0-9a-f]+|0b[01]+)$/i;

/** True when the character at `i` is part of an identifier (false before the text starts). */
function isIdentAt(sql: string, i: number): boolean {
  return i >= 0 && IDENT_CHAR.test(sql[i]!);
}

/** The code `sql[start, end)` with its numbers replaced by `?`. */
function sanitizeCode(sql: string, start: number, end: number): string {
  let out = "";
  let last = start;
  let i = start;
  while (i < end) {
    const c = sql[i]!;
    const prevIsIdent = isIdentAt(sql, i - 1);
    if (!prevIsIdent && DIGIT.test(c)) {
      // A number (1, 1.5, 1e-3, 0x1F, 0b101), unless it starts an identifier such as 1abc.
      let j = i + 1;
      while (j < end && (IDENT_CHAR.test(sql[j]!) || sql[j] === ".")) {
        if ((sql[j] === "e" || sql[j] === "E") && (sql[j + 1] === "-" || sql[j + 1] === "+") && j + 1 < end) j++;
        j++;
      }
      if (NUMBER.test(sql.slice(i, j))) {
        out += sql.slice(last, i) + "?";
        last = j;
      }
      i = j;
      continue;
    }
    if (c === "." && !prevIsIdent && i + 1 < end && DIGIT.test(sql[i + 1]!)) {
      let j = i + 1;
      while (j < end && DIGIT.test(sql[j]!)) j++;
      out += sql.slice(last, i) + "?";
      last = i = j;
      continue;
    }
    if (IDENT_CHAR.test(c)) {
      let j = i + 1;
      while (j < end && IDENT_CHAR.test(sql[j]!)) j++;
      i = j;
      continue;
    }
    i++;
  }
  return last === start ? sql.slice(start, end) : out + sql.slice(last, end);
}

/** True when the string literal at `start` is the quoted part of a X'..' or B'..' literal. */
function isHexOrBitPrefix(sql: string, start: number): boolean {
  const p = sql[start - 1];
  return (p === "x" || p === "X" || p === "b" || p === "B") && !isIdentAt(sql, start - 2) && sql[start] === "'";
}

/**
 * The statement with every literal value replaced by `?`: `SELECT * FROM t WHERE a = ? AND b IN (?, ?)`.
 * Identifiers, keywords, comments and placeholders stay; the code of an executable comment is
 * sanitized like any other code. `noBackslashEscapes` is the session's NO_BACKSLASH_ESCAPES
 * (backslashes then do not escape inside strings).
 */
export function sanitizeSql(sql: string, noBackslashEscapes = false): string {
  const lexer = new SqlLexer(sql, noBackslashEscapes);
  let out = "";
  for (let t = lexer.next(); t !== Tok.End; t = lexer.next()) {
    if (t === Tok.Code) {
      out += sanitizeCode(sql, lexer.start, lexer.end);
    } else if (t === Tok.SingleQuoted || t === Tok.DoubleQuoted) {
      // X'1F' and B'101' become one `?`; a charset introducer (_utf8mb4'..', N'..') stays as written.
      if (isHexOrBitPrefix(sql, lexer.start) && out.length > 0) out = out.slice(0, -1);
      out += "?";
    } else {
      out += sql.slice(lexer.start, lexer.end);
    }
  }
  return out;
}

/** The statement's first keyword, upper-cased (`SELECT`, `INSERT`, `BEGIN`, ...), or null. */
export function operationName(sql: string): string | null {
  const lexer = new SqlLexer(sql);
  for (let t = lexer.next(); t !== Tok.End; t = lexer.next()) {
    // Comments and the markers of executable comments are skipped; their code is read.
    if (t !== Tok.Code) {
      if (t === Tok.LineComment || t === Tok.BlockComment || t === Tok.ExecutableStart || t === Tok.ExecutableEnd) continue;
      return null;
    }
    let i = lexer.start;
    while (i < lexer.end && /\s|\(/.test(sql[i]!)) i++;
    if (i === lexer.end) continue;
    const m = /^[A-Za-z]+/.exec(sql.slice(i, Math.min(i + 32, lexer.end)));
    return m ? m[0].toUpperCase() : null;
  }
  return null;
}
