// SQL text for spans: literals replaced by `?` (OpenTelemetry's "sanitized" db.query.text), and
// the statement's operation name. Both read the text through the project's one SQL lexer
// (src/sql/lexer.ts), so quotes, comments and executable comments (`/*! ... */`, whose content
// the server runs as code) are found exactly where the server finds them. Inside code, this file
// recognises numbers and hexadecimal and bit literals (X'..', 0x.., B'..', 0b..).
import { SqlLexer, Tok } from "../sql/lexer.js";

const NUMBER = /^(\d+\.?\d*(e[-+]?\d+)?|\.\d+|0x[0-9a-f]+|0b[01]+)$/i;

/** True for the character codes of `0`-`9`. */
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** True for the character codes that stand in an identifier: A-Z a-z 0-9 _ $ and any non-ASCII one. */
function isIdentChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || isDigit(c) || c === 0x5f || c === 0x24 || c >= 0x80;
}

/** True when the character at `i` is part of an identifier (false before the text starts). */
function isIdentAt(sql: string, i: number): boolean {
  return i >= 0 && isIdentChar(sql.charCodeAt(i));
}

/** The code `sql[start, end)` with its numbers replaced by `?`. */
function sanitizeCode(sql: string, start: number, end: number): string {
  let out = "";
  let last = start;
  let i = start;
  while (i < end) {
    const c = sql.charCodeAt(i);
    if (!isIdentChar(c) && c !== 0x2e) {
      i++;
      continue;
    }
    const prevIsIdent = isIdentAt(sql, i - 1);
    if (!prevIsIdent && isDigit(c)) {
      // A number (1, 1.5, 1e-3, 0x1F, 0b101), unless it starts an identifier such as 1abc.
      let j = i + 1;
      while (j < end) {
        const d = sql.charCodeAt(j);
        if (!isIdentChar(d) && d !== 0x2e) break;
        const sign = sql.charCodeAt(j + 1);
        if ((d === 0x65 || d === 0x45) && (sign === 0x2d || sign === 0x2b) && j + 1 < end) j++; // e- e+
        j++;
      }
      if (NUMBER.test(sql.slice(i, j))) {
        out += sql.slice(last, i) + "?";
        last = j;
      }
      i = j;
      continue;
    }
    if (c === 0x2e) {
      // .5
      if (!prevIsIdent && i + 1 < end && isDigit(sql.charCodeAt(i + 1))) {
        let j = i + 1;
        while (j < end && isDigit(sql.charCodeAt(j))) j++;
        out += sql.slice(last, i) + "?";
        last = i = j;
      } else {
        i++;
      }
      continue;
    }
    // An identifier or keyword: skipped whole, so a digit inside it is not a number.
    i++;
    while (i < end && isIdentChar(sql.charCodeAt(i))) i++;
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
  // Blanks, `(`, comments and the markers of executable comments are skipped; their code is read.
  const lexer = new SqlLexer(sql);
  lexer.skipSpace(0x28);
  const m = /^[A-Za-z]+/.exec(sql.slice(lexer.end, lexer.end + 32));
  return m ? m[0].toUpperCase() : null;
}
