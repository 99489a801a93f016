// Password literals masked for logs and traces, found by the one lexer: a string literal is a
// secret when the code before it (comments skipped, as the server skips them) is one of the
// forms that take a password. Text inside other strings and comments is never rewritten.
import { SqlLexer, Tok } from "./lexer.js";

const WORD_RE = /[A-Za-z0-9_$]+|[^\sA-Za-z0-9_$]/g;

/** Words after which a string literal is a password, in any statement. */
const PASSWORD_WORDS = new Set(["PASSWORD", "MASTER_PASSWORD", "OLD_PASSWORD"]);
/** Words after which a string literal is a password in a statement that says IDENTIFIED. */
const IDENTIFIED_WORDS = new Set(["BY", "AS", "USING"]);

/** True for an introducer written straight before a literal: `_utf8mb4'...'`, `N'...'`. */
function isIntroducer(word: string): boolean {
  return word.startsWith("_") || word === "N";
}

/**
 * The SQL with password literals masked, for logs and traces: the literals of
 * `IDENTIFIED BY '...'`, `IDENTIFIED WITH plugin BY|AS '...'`, `IDENTIFIED VIA plugin USING '...'`,
 * `IDENTIFIED BY PASSWORD '...'`, `PASSWORD('...')`, `PASSWORD = '...'`, `PASSWORD '...'`,
 * `MASTER_PASSWORD = '...'` and `SET PASSWORD FOR user = '...'` become `'***'`, with or without
 * a charset introducer (`_utf8mb4'...'`).
 */
export function redactSql(sql: string): string {
  return redactSecrets(sql).sql;
}

/** A statement with its password literals masked, and the literals' contents that were masked. */
export interface RedactedSql {
  /** The statement, password literals replaced by '***'. */
  sql: string;
  /** The text inside each masked literal, longest first (to scrub from server messages). */
  secrets: string[];
}

/**
 * `message` (a server's error text, which may quote the statement) with every secret of
 * `redacted` replaced by ***.
 */
export function scrubMessage(message: string, redacted: RedactedSql): string {
  let out = message;
  for (const secret of redacted.secrets) out = out.split(secret).join("***");
  return out;
}

/** Masks the password literals of `sql` (as `redactSql()`) and says what they held. */
export function redactSecrets(sql: string): RedactedSql {
  const secrets: string[] = [];
  const masked = maskSecrets(sql, secrets);
  secrets.sort((a, b) => b.length - a.length);
  return { sql: masked, secrets };
}

function maskSecrets(sql: string, secrets: string[]): string {
  if (!/IDENTIFIED|PASSWORD/i.test(sql)) return sql;
  const lexer = new SqlLexer(sql);
  /** Words and punctuation of the current statement's code, upper-cased. */
  let words: string[] = [];
  let identified = false;
  let sawPassword = false;
  let out = "";
  let last = 0;
  for (let t = lexer.next(); t !== Tok.End; t = lexer.next()) {
    if (t === Tok.Code) {
      for (const m of sql.slice(lexer.start, lexer.end).matchAll(WORD_RE)) {
        const w = m[0].toUpperCase();
        if (w === ";") {
          words = [];
          identified = sawPassword = false;
          continue;
        }
        words.push(w);
        if (w === "IDENTIFIED") identified = true;
        if (PASSWORD_WORDS.has(w)) sawPassword = true;
      }
    } else if (t === Tok.SingleQuoted || t === Tok.DoubleQuoted) {
      if (isSecret(words, identified, sawPassword)) {
        const quote = sql[lexer.start]!;
        const body = sql.slice(lexer.start + 1, lexer.unterminated ? lexer.end : lexer.end - 1);
        if (body !== "") secrets.push(body);
        out += sql.slice(last, lexer.start) + quote + "***" + (lexer.unterminated ? "" : quote);
        last = lexer.end;
      }
      words.push("'");
    } else if (t === Tok.Backquoted) {
      words.push("`");
    }
  }
  return last === 0 ? sql : out + sql.slice(last);
}

/** Whether the literal that follows `words` is a password. */
function isSecret(words: readonly string[], identified: boolean, sawPassword: boolean): boolean {
  let i = words.length - 1;
  if (i >= 0 && isIntroducer(words[i]!)) i--;
  let equals = false;
  while (i >= 0 && (words[i] === "(" || words[i] === "=")) {
    if (words[i] === "=") equals = true;
    i--;
  }
  const w = words[i];
  if (w === undefined) return false;
  // Any *_PASSWORD option too: SOURCE_PASSWORD (CHANGE REPLICATION SOURCE), and the like.
  if (PASSWORD_WORDS.has(w) || w.endsWith("_PASSWORD")) return true;
  if (identified && IDENTIFIED_WORDS.has(w)) return true;
  // SET PASSWORD [FOR user] = '...'
  return equals && sawPassword;
}
