// LOAD DATA LOCAL INFILE: which file a statement names, so that the client sends only that
// file, whatever a (possibly hostile) server asks for.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response_local_infile_request.html
//
// Only the statement's own code counts: a file name that stands inside a string, an identifier
// or any comment is not named, and neither is anything inside an executable comment
// (`/*! ... *\/`), whose text the server may or may not run depending on its version.
import { SqlLexer, Tok, stringValue } from "./lexer.js";

/** A word of code, a string literal's value, or a barrier (an executable comment) that no pattern crosses. */
type Item = { word: string } | { literal: string | null } | { barrier: true };

const WORD_RE = /[A-Za-z0-9_$]+|[^\sA-Za-z0-9_$]/g;

/** The statement's code as words and string literals; comments vanish as the server skips them. */
function items(sql: string, noBackslashEscapes: boolean): Item[] {
  const out: Item[] = [];
  const lexer = new SqlLexer(sql, noBackslashEscapes);
  let depth = 0;
  for (let t = lexer.next(); t !== Tok.End; t = lexer.next()) {
    if (t === Tok.ExecutableStart) {
      depth++;
      out.push({ barrier: true });
    } else if (t === Tok.ExecutableEnd) {
      depth--;
    } else if (depth > 0 || t === Tok.LineComment || t === Tok.BlockComment) {
      continue;
    } else if (t === Tok.Code) {
      for (const m of sql.slice(lexer.start, lexer.end).matchAll(WORD_RE)) out.push({ word: m[0].toUpperCase() });
    } else if (t === Tok.Backquoted) {
      out.push({ word: "`" });
    } else {
      out.push({ literal: stringValue(sql, lexer.start, lexer.end, noBackslashEscapes) });
    }
  }
  return out;
}

function isWord(item: Item | undefined, ...words: string[]): boolean {
  return item !== undefined && "word" in item && words.includes(item.word);
}

/**
 * The file names that the LOAD DATA/XML LOCAL INFILE statements of `sql` name, in order
 * (several with multi-statements). Text inside strings and comments does not count.
 */
export function localInfileFileNames(sql: string, noBackslashEscapes = false): string[] {
  const names: string[] = [];
  const list = items(sql, noBackslashEscapes);
  for (let i = 0; i < list.length; i++) {
    // LOAD {DATA | XML} [LOW_PRIORITY | CONCURRENT] LOCAL INFILE 'file_name'
    if (!isWord(list[i], "LOAD") || !isWord(list[i + 1], "DATA", "XML")) continue;
    let j = i + 2;
    if (isWord(list[j], "LOW_PRIORITY", "CONCURRENT")) j++;
    if (!isWord(list[j], "LOCAL") || !isWord(list[j + 1], "INFILE")) continue;
    const name = list[j + 2];
    if (name !== undefined && "literal" in name && name.literal !== null) names.push(name.literal);
    i = j + 2;
  }
  return names;
}

/** True when `fileName` (what the server asked for) is a file that `sql` itself named. */
export function statementNamesFile(sql: string, fileName: string, noBackslashEscapes = false): boolean {
  return localInfileFileNames(sql, noBackslashEscapes).includes(fileName);
}
