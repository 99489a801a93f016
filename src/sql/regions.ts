// Where a position of a statement lies, for the binders that splice escaped values into SQL
// text. A value is safe in plain code. Inside a quoted section or a comment it would be spliced
// into that literal: `'%s'` with `) OR 1=1 -- ` closes the quote the caller wrote. Inside an
// executable comment (`/*!50700 ... *\/`) it is code on a server that runs the comment, but a
// server whose version is below the comment's skips to the first `*\/`, even one inside a
// quoted value, and runs what follows it.
import { ProgrammingError } from "../errors.js";
import { SqlLexer, Tok } from "./lexer.js";

/** The region of one position: see the file comment. */
export const enum Region {
  Code,
  Executable,
  Literal,
}

/** Text with none of these has no quote or comment, so all of it is code. */
const MAYBE_NOT_CODE = /['"`#]|\/\*|--/;

/**
 * The regions of one statement, asked for at increasing positions (as a binder walks its
 * placeholders). Lexes only when the text has a quote or a comment opener.
 */
export class SqlRegions {
  private readonly lexer: SqlLexer | null;
  private tok: Tok = Tok.Code;
  private executable = false;

  constructor(sql: string, noBackslashEscapes: boolean) {
    this.lexer = MAYBE_NOT_CODE.test(sql) ? new SqlLexer(sql, noBackslashEscapes) : null;
  }

  /** The region of position `i`; each call's `i` must not be below the previous one's. */
  at(i: number): Region {
    const lexer = this.lexer;
    if (lexer === null) return Region.Code;
    while (lexer.end <= i && this.tok !== Tok.End) {
      this.tok = lexer.next();
      this.executable = lexer.inExecutable;
    }
    if (this.tok === Tok.Code) return this.executable ? Region.Executable : Region.Code;
    return this.tok === Tok.End ? Region.Code : Region.Literal;
  }

  /** `escaped`, the value of `placeholder` at `at`; refused where it would not stay a value. */
  place(escaped: string, placeholder: string, at: number): string {
    const region = this.at(at);
    if (!fitsRegion(region, escaped)) throw misplacedValue(placeholder, at, region);
    return escaped;
  }
}

/** @internal Whether an escaped value may stand at a position of this region (see the file comment). */
export function fitsRegion(region: Region, escaped: string): boolean {
  return region === Region.Code || (region === Region.Executable && !escaped.includes("*/"));
}

/** @internal The error for a placeholder whose value would not stay a value where it stands. */
export function misplacedValue(placeholder: string, at: number, region: Region): ProgrammingError {
  return new ProgrammingError(
    region === Region.Literal
      ? `Placeholder ${placeholder} at index ${at} is inside a quoted string or a comment, where its value would be spliced into that text; put it outside the quotes (the value is quoted for you)`
      : `The value of placeholder ${placeholder} at index ${at} contains "*/", which ends the executable comment it stands in on a server that skips that comment`,
  );
}
