// SQL text for spans: literals replaced by `?` (OpenTelemetry's "sanitized" db.query.text), and
// the statement's operation name. One pass over the text that knows MySQL's quoting: string
// literals ('...', "...", with backslash escapes and doubled quotes), backtick identifiers,
// comments (#, -- , /* */), hexadecimal and bit literals (X'..', 0x.., B'..', 0b..) and numbers.

const IDENT_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const DIGIT = /[0-9]/;

/** Index just past the quoted run that starts at `i` with `quote` (unterminated: the end). */
function skipQuoted(sql: string, i: number, quote: string, backslashes: boolean): number {
  let j = i + 1;
  while (j < sql.length) {
    const c = sql[j];
    if (backslashes && c === "\\") {
      j += 2;
      continue;
    }
    if (c === quote) {
      if (sql[j + 1] === quote) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return sql.length;
}

/** Index just past the comment starting at `i`, or -1 when none starts there. */
function skipComment(sql: string, i: number): number {
  const c = sql[i];
  const next = sql[i + 1];
  if (c === "#" || (c === "-" && next === "-" && (sql[i + 2] === undefined || /\s/.test(sql[i + 2]!)))) {
    const nl = sql.indexOf("\n", i);
    return nl === -1 ? sql.length : nl;
  }
  if (c === "/" && next === "*") {
    const close = sql.indexOf("*/", i + 2);
    return close === -1 ? sql.length : close + 2;
  }
  return -1;
}

/**
 * The statement with every literal value replaced by `?`: `SELECT * FROM t WHERE a = ? AND b IN (?, ?)`.
 * Identifiers, keywords, comments and placeholders stay. `noBackslashEscapes` is the session's
 * NO_BACKSLASH_ESCAPES (backslashes then do not escape inside strings).
 */
export function sanitizeSql(sql: string, noBackslashEscapes = false): string {
  let out = "";
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const comment = skipComment(sql, i);
    if (comment !== -1) {
      out += sql.slice(i, comment);
      i = comment;
      continue;
    }
    if (c === "'" || c === '"') {
      i = skipQuoted(sql, i, c, !noBackslashEscapes);
      out += "?";
      continue;
    }
    if (c === "`") {
      const end = skipQuoted(sql, i, "`", false);
      out += sql.slice(i, end);
      i = end;
      continue;
    }
    const prevIsIdent = i > 0 && IDENT_CHAR.test(sql[i - 1]!);
    // X'1F' and B'101' literals (an optional charset introducer before a string stays as written).
    if (!prevIsIdent && (c === "x" || c === "X" || c === "b" || c === "B") && sql[i + 1] === "'") {
      i = skipQuoted(sql, i + 1, "'", false);
      out += "?";
      continue;
    }
    if (!prevIsIdent && DIGIT.test(c)) {
      // A number (1, 1.5, 1e-3, 0x1F, 0b101), unless it starts an identifier such as 1abc.
      let j = i + 1;
      while (j < n && (IDENT_CHAR.test(sql[j]!) || sql[j] === ".")) {
        if ((sql[j] === "e" || sql[j] === "E") && (sql[j + 1] === "-" || sql[j + 1] === "+")) j++;
        j++;
      }
      const word = sql.slice(i, j);
      if (/^(\d+\.?\d*(e[-+]?\d+)?|\.\d+|0x[0-9a-f]+|0b[01]+)$/i.test(word)) {
        out += "?";
      } else {
        out += word;
      }
      i = j;
      continue;
    }
    if (c === "." && !prevIsIdent && DIGIT.test(sql[i + 1] ?? "")) {
      let j = i + 1;
      while (j < n && DIGIT.test(sql[j]!)) j++;
      out += "?";
      i = j;
      continue;
    }
    if (IDENT_CHAR.test(c)) {
      let j = i + 1;
      while (j < n && IDENT_CHAR.test(sql[j]!)) j++;
      out += sql.slice(i, j);
      i = j;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** The statement's first keyword, upper-cased (`SELECT`, `INSERT`, `BEGIN`, ...), or null. */
export function operationName(sql: string): string | null {
  let i = 0;
  while (i < sql.length) {
    if (/\s|\(/.test(sql[i]!)) {
      i++;
      continue;
    }
    const comment = skipComment(sql, i);
    if (comment === -1) break;
    i = comment;
  }
  const m = /^[A-Za-z]+/.exec(sql.slice(i, i + 32));
  return m ? m[0].toUpperCase() : null;
}
