// `?` placeholders: binding them client-side for SQL builders (Kysely, Drizzle, Knex, aiomysql/sa),
// and turning a cursor's `%s` placeholders into them for server-side prepared statements. Both
// read the query through the one lexer, so a `?` or `%s` inside a string, an identifier or a
// comment is never taken for a placeholder; inside an executable comment (`/*! ... *\/`) it is
// code, as the server reads it.
import { ProgrammingError } from "../errors.js";
import type { SqlArgs, SqlParam, TimeZone } from "../types.js";
import { dependsOnMode, escapeValue, type EscapeOptions, type SqlText } from "./escape.js";
import { fitsRegion, misplacedValue, Region } from "./regions.js";
import { SqlLexer, Tok } from "./lexer.js";

const QMARK = 0x3f;
const PCT = 0x25;

/**
 * Binds `?` placeholders (the style of Kysely, Drizzle and Knex) to `params`, escaping each
 * with `escape()`. A `?` inside a '...', "..." or `...` quoted section, or inside a `-- `, `#`
 * or `/* *\/` comment, is left alone; inside quotes, a backslash escapes the next character
 * unless `noBackslashEscapes`. Inside an executable comment (`/*! ... *\/`) a `?` is bound, but a
 * value containing `*\/` is refused: a server that skips the comment would end it there.
 * @throws ProgrammingError when the number of placeholders differs from `params.length`, or
 * for such a value.
 */
export function formatQmark(query: string, params: readonly SqlParam[], options?: EscapeOptions): string {
  const noBackslashEscapes = options?.noBackslashEscapes === true;
  const timeZone = options?.timeZone ?? "local";
  const lexer = new SqlLexer(query, noBackslashEscapes);
  let out = "";
  let last = 0;
  let used = 0;
  for (let t = lexer.next(); t !== Tok.End; t = lexer.next()) {
    if (t !== Tok.Code) continue;
    const end = lexer.end;
    const region = lexer.inExecutable ? Region.Executable : Region.Code;
    for (let i = lexer.start; i < end; i++) {
      if (query.charCodeAt(i) !== QMARK) continue;
      if (used < params.length) {
        const escaped = escapeValue(params[used], noBackslashEscapes, timeZone);
        if (!fitsRegion(region, escaped)) throw misplacedValue("?", i, region);
        out += query.slice(last, i) + escaped;
      }
      used++;
      last = i + 1;
    }
  }
  if (used !== params.length) {
    throw new ProgrammingError(
      `The query has ${used} "?" placeholder${used === 1 ? "" : "s"} but ${params.length} parameter${params.length === 1 ? " was" : "s were"} given`,
    );
  }
  return last === 0 ? query : out + query.slice(last);
}

/**
 * @internal `formatQmark()` as statement text: the text itself when it reads the same in both
 * backslash modes, else a formatter that the session calls when it writes the statement.
 */
export function qmarkText(query: string, params: readonly SqlParam[], timeZone: TimeZone): SqlText {
  const text = formatQmark(query, params, { timeZone });
  if (!dependsOnMode(params)) return text;
  return (noBackslashEscapes) => (noBackslashEscapes ? formatQmark(query, params, { noBackslashEscapes, timeZone }) : text);
}

/**
 * Turns a cursor's `%s` / `%(name)s` statement (also `%d`, `%f`) into `?` placeholders and the
 * positional arguments for them; `%%` becomes `%` everywhere, as in the text path. Placeholders
 * inside quoted strings or comments cannot be bound and are refused, and so is a bare `?`
 * outside them, which the server would read as a placeholder of its own.
 * @throws ProgrammingError for a mismatch between placeholders and arguments.
 */
export function toQmark(query: string, args: SqlArgs | SqlParam | null | undefined): { sql: string; params: SqlParam[] } {
  if (args === null || args === undefined) return { sql: query, params: [] };
  const positional = Array.isArray(args) ? (args as readonly SqlParam[]) : null;
  const named =
    positional === null && typeof args === "object" && !(args instanceof Date) && !(args instanceof Uint8Array)
      ? (args as Record<string, SqlParam>)
      : null;
  const list = positional ?? (named === null ? [args as SqlParam] : null);
  const params: SqlParam[] = [];
  let out = "";
  const lexer = new SqlLexer(query);
  for (let t = lexer.next(); t !== Tok.End; t = lexer.next()) {
    const end = lexer.end;
    const code = t === Tok.Code;
    let last = lexer.start;
    for (let i = last; i < end; i++) {
      const c = query.charCodeAt(i);
      if (c === QMARK && code) {
        throw new ProgrammingError("a prepared cursor statement uses %s placeholders; a bare ? would be a placeholder too");
      }
      if (c !== PCT) continue;
      out += query.slice(last, i);
      const d = query[i + 1];
      if (d === "%") {
        out += "%";
        last = ++i + 1;
        continue;
      }
      if (!code) throw new ProgrammingError(`a placeholder inside a quoted string or comment (offset ${i}) cannot be prepared`);
      if ((d === "s" || d === "d" || d === "f") && list !== null) {
        if (params.length >= list.length) throw new ProgrammingError(`Not enough arguments for the placeholders: ${list.length} given`);
        params.push(list[params.length]);
        out += "?";
        last = ++i + 1;
        continue;
      }
      // A named placeholder lies within one Code token: none of `%(name)s` opens a quote or comment.
      const close = d === "(" ? query.indexOf(")", i + 2) : -1;
      if (close !== -1 && close < end && named !== null && "sdf".includes(query[close + 1] ?? "")) {
        const name = query.slice(i + 2, close);
        if (!Object.hasOwn(named, name)) throw new ProgrammingError(`Missing named argument ${JSON.stringify(name)}`);
        params.push(named[name]);
        out += "?";
        i = close + 1;
        last = i + 1;
        continue;
      }
      throw new ProgrammingError(
        `Unsupported or mismatched placeholder at index ${i}: use %s with an array, %(name)s with an object, %% for %`,
      );
    }
    out += query.slice(last, end);
  }
  if (list !== null && params.length !== list.length) {
    throw new ProgrammingError(`Not all arguments converted: ${list.length} given, the query uses ${params.length}`);
  }
  return { sql: out, params };
}
