// The one SQL scanner of the library. It splits SQL text into the pieces MySQL's own lexer
// tells apart before it reads any keyword: code, quoted sections and comments. Everything that
// reads SQL text (placeholder binding, `%s` -> `?`, the LOCAL INFILE file-name allowlist,
// redaction) walks these tokens, so they can never disagree about where a comment starts.
//
// The rules, as in sql/sql_lex.cc:
// - '...' and "..." are strings: a doubled quote stands for itself and, unless the session's
//   sql_mode has NO_BACKSLASH_ESCAPES, a backslash escapes the next character;
//   `...` is an identifier: only a doubled backtick stands for itself.
// - `#` starts a comment to the end of the line.
// - `--` starts a comment to the end of the line only when the next character is whitespace or
//   a control character (tab, newline, ...) or the text ends there: `1--1` is arithmetic.
// - `/* ... */` is a comment (not nested). `/*!` and MariaDB's `/*M!`, with an optional version
//   number, open an executable comment: the server runs what is inside as code, up to `*/`.

/** The kinds of token `SqlLexer.next()` returns. */
export const enum Tok {
  /** Code: a run of text outside quotes and comments. */
  Code,
  /** '...' */
  SingleQuoted,
  /** "..." */
  DoubleQuoted,
  /** `...` */
  Backquoted,
  /** `# ...` or `-- ...` up to and including the newline. */
  LineComment,
  /** `/* ... *\/` */
  BlockComment,
  /** The opening `/*!12345` or `/*M!12345` of an executable comment; its content is Code. */
  ExecutableStart,
  /** The `*\/` that ends an executable comment. */
  ExecutableEnd,
  /** No more text. */
  End,
}

const SQ = 0x27; // '
const DQ = 0x22; // "
const BQ = 0x60; // `
const BACKSLASH = 0x5c;
const HASH = 0x23;
const DASH = 0x2d;
const SLASH = 0x2f;
const STAR = 0x2a;
const BANG = 0x21;

/** True when `--` followed by the character code `c` (NaN at the end of the text) opens a comment. */
function endsDoubleDash(c: number): boolean {
  // Whitespace or any control character, as my_isspace/my_iscntrl in the server's lexer.
  return !(c > 0x20) || c === 0x7f;
}

/**
 * A tokenizer over one SQL text. Call `next()` until it returns `Tok.End`; after each call
 * `start` and `end` delimit the token in `sql`, and `unterminated` says whether a quote or
 * comment ran to the end of the text without being closed.
 */
export class SqlLexer {
  /** Start of the current token. */
  start = 0;
  /** End (exclusive) of the current token. */
  end = 0;
  /** The current quoted section or comment was not closed before the end of the text. */
  unterminated = false;
  /** Inside an executable comment, where `*\/` closes it. */
  private executable = false;

  constructor(
    readonly sql: string,
    readonly noBackslashEscapes = false,
  ) {}

  /** True while the lexer is inside an executable comment. */
  get inExecutable(): boolean {
    return this.executable;
  }

  /** Reads the next token. */
  next(): Tok {
    const s = this.sql;
    const n = s.length;
    let i = this.end;
    this.start = i;
    this.unterminated = false;
    if (i >= n) return Tok.End;
    const c = s.charCodeAt(i);
    switch (c) {
      case SQ:
      case DQ:
      case BQ:
        return this.quoted(c);
      case HASH:
        return this.lineComment();
      case DASH:
        if (s.charCodeAt(i + 1) === DASH && endsDoubleDash(s.charCodeAt(i + 2))) return this.lineComment();
        break;
      case SLASH:
        if (s.charCodeAt(i + 1) === STAR) return this.blockComment();
        break;
      case STAR:
        if (this.executable && s.charCodeAt(i + 1) === SLASH) {
          this.executable = false;
          this.end = i + 2;
          return Tok.ExecutableEnd;
        }
        break;
      default:
        break;
    }
    // Code runs up to the next quote or comment (or the end of an executable comment).
    for (i++; i < n; i++) {
      const d = s.charCodeAt(i);
      if (d === SQ || d === DQ || d === BQ || d === HASH) break;
      if (d === DASH && s.charCodeAt(i + 1) === DASH && endsDoubleDash(s.charCodeAt(i + 2))) break;
      if (d === SLASH && s.charCodeAt(i + 1) === STAR) break;
      if (d === STAR && this.executable && s.charCodeAt(i + 1) === SLASH) break;
    }
    this.end = i;
    return Tok.Code;
  }

  /**
   * Moves past whitespace, comments and the markers of executable comments (and the character
   * `alsoSkip`, when given, as if it were whitespace), without reading code: afterwards `end` is
   * the first code character or quote, or the end of the text, and `next()` goes on from there.
   */
  skipSpace(alsoSkip = -1): void {
    const s = this.sql;
    const n = s.length;
    for (;;) {
      let i = this.end;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (!(c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === alsoSkip)) break;
      }
      this.end = i;
      const c = s.charCodeAt(i);
      const d = s.charCodeAt(i + 1);
      if (
        c === HASH ||
        (c === DASH && d === DASH && endsDoubleDash(s.charCodeAt(i + 2))) ||
        (c === SLASH && d === STAR) ||
        (c === STAR && d === SLASH && this.executable)
      ) {
        this.next(); // a comment or an executable comment's marker
        continue;
      }
      return;
    }
  }

  private quoted(quote: number): Tok {
    const s = this.sql;
    const n = s.length;
    const escapes = quote !== BQ && !this.noBackslashEscapes;
    let i = this.start + 1;
    for (;;) {
      if (i >= n) {
        this.unterminated = true;
        this.end = n;
        break;
      }
      const d = s.charCodeAt(i);
      if (d === quote) {
        // A doubled quote stands for itself and the section goes on.
        if (s.charCodeAt(i + 1) === quote) {
          i += 2;
          continue;
        }
        this.end = i + 1;
        break;
      }
      i += escapes && d === BACKSLASH ? 2 : 1;
    }
    return quote === SQ ? Tok.SingleQuoted : quote === DQ ? Tok.DoubleQuoted : Tok.Backquoted;
  }

  private lineComment(): Tok {
    const eol = this.sql.indexOf("\n", this.start);
    if (eol === -1) {
      this.end = this.sql.length;
    } else {
      this.end = eol + 1;
    }
    return Tok.LineComment;
  }

  private blockComment(): Tok {
    const s = this.sql;
    const i = this.start + 2;
    let exec = -1;
    if (!this.executable) {
      if (s.charCodeAt(i) === BANG) exec = i + 1;
      else if ((s.charCodeAt(i) === 0x4d || s.charCodeAt(i) === 0x6d) && s.charCodeAt(i + 1) === BANG) exec = i + 2; // M!
    }
    if (exec !== -1) {
      // An optional version number (5 or 6 digits) follows the `!`.
      let j = exec;
      while (j < s.length && j - exec < 6 && s.charCodeAt(j) >= 0x30 && s.charCodeAt(j) <= 0x39) j++;
      this.executable = true;
      this.end = j;
      return Tok.ExecutableStart;
    }
    const close = s.indexOf("*/", i);
    if (close === -1) {
      this.unterminated = true;
      this.end = s.length;
    } else {
      this.end = close + 2;
    }
    return Tok.BlockComment;
  }
}

/** True for the tokens that are quoted sections: strings and backquoted identifiers. */
export function isQuoted(t: Tok): boolean {
  return t === Tok.SingleQuoted || t === Tok.DoubleQuoted || t === Tok.Backquoted;
}

/** True for the tokens the server skips: comments (not the markers of executable ones). */
export function isComment(t: Tok): boolean {
  return t === Tok.LineComment || t === Tok.BlockComment;
}

const BACKSLASH_ESCAPES: Readonly<Record<string, string>> = { n: "\n", t: "\t", r: "\r", b: "\b", "0": "\0", Z: "\x1a" };

/**
 * The value of the string literal `sql[start, end)` (a SingleQuoted or DoubleQuoted token):
 * doubled quotes and, unless `noBackslashEscapes`, backslash escapes undone. Null when the
 * literal is not closed.
 */
export function stringValue(sql: string, start: number, end: number, noBackslashEscapes: boolean): string | null {
  const quote = sql[start];
  if (end - start < 2 || sql[end - 1] !== quote) return null;
  let out = "";
  for (let i = start + 1; i < end - 1; i++) {
    const c = sql[i]!;
    if (c === "\\" && !noBackslashEscapes) {
      const e = sql[++i]!;
      // `\%` and `\_` keep their backslash (they are LIKE patterns); others stand for a character.
      out += e === "%" || e === "_" ? "\\" + e : (BACKSLASH_ESCAPES[e] ?? e);
    } else if (c === quote) {
      out += quote;
      i++;
    } else {
      out += c;
    }
  }
  return out;
}
