// Which statements a cluster pool may send to a replica. It reads the statement through the
// project's one SQL lexer (src/sql/lexer.ts), so string literals, quoted identifiers and comments
// are skipped exactly where the server skips them, and the code of an executable comment
// (`/*! ... */`, which the server runs) is read as code. It answers "read" only for statements
// that are recognisably reads, and "write" for everything else (the safe side).
import { isQuoted, SqlLexer, Tok } from "../sql/lexer.js";

/** Words that make a SELECT depend on, or change, the session or the data: such a statement goes to the writer. */
const WRITER_WORDS = new Set([
  "INTO", // SELECT ... INTO @var / OUTFILE / DUMPFILE
  "UPDATE", // FOR UPDATE, and WITH ... UPDATE
  "SHARE", // FOR SHARE, LOCK IN SHARE MODE
  "LOCK", // LOCK IN SHARE MODE
  "INSERT",
  "DELETE",
  "REPLACE",
  "GET_LOCK",
  "RELEASE_LOCK",
  "RELEASE_ALL_LOCKS",
  "IS_USED_LOCK",
  "IS_FREE_LOCK",
  "LAST_INSERT_ID",
  "FOUND_ROWS",
  "ROW_COUNT",
  "SQL_CALC_FOUND_ROWS",
  "NEXTVAL",
  "SETVAL",
  "LASTVAL",
  "NEXT", // NEXT VALUE FOR seq
  "PREVIOUS", // PREVIOUS VALUE FOR seq
  "MASTER_GTID_WAIT",
  "MASTER_POS_WAIT",
  "WAIT_FOR_EXECUTED_GTID_SET",
]);

/** Statements that start with one of these words may be reads. */
const READ_STARTS = new Set(["SELECT", "SHOW", "WITH", "VALUES", "TABLE", "DESCRIBE", "DESC", "EXPLAIN"]);

/** Plain data changes: they leave nothing on the session that a later statement elsewhere would miss. */
const DML_STARTS = new Set([...READ_STARTS, "INSERT", "UPDATE", "DELETE", "REPLACE"]);

/** Functions whose effect (a named lock) belongs to the session that called them. */
const SESSION_WORDS = new Set(["GET_LOCK", "RELEASE_LOCK", "RELEASE_ALL_LOCKS"]);

/** What a judgement accepts: reads a replica may serve, or statements that leave no session state. */
interface Rules {
  starts: ReadonlySet<string>;
  refused: ReadonlySet<string>;
}
const READ_RULES: Rules = { starts: READ_STARTS, refused: WRITER_WORDS };
const STATELESS_RULES: Rules = { starts: DML_STARTS, refused: SESSION_WORDS };

/** True for the characters that start a keyword or a function name. */
function isWordStart(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x24; // A-Z a-z _ $
}

/** True for the characters that continue a keyword or a function name. */
function isWordChar(c: number): boolean {
  return isWordStart(c) || (c >= 0x30 && c <= 0x39);
}

/** True for the blanks between tokens (space, tab, newline, ... as the server's my_isspace). */
function isBlank(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/**
 * "read" when `sql` is one statement that is recognisably a read (SELECT, SHOW, WITH ... SELECT,
 * with no locking clause, INTO, user variable, lock function, LAST_INSERT_ID() or sequence
 * function); "write" otherwise.
 *
 * The session's sql_mode is not known here, so a statement with a backslash is read in both
 * backslash modes and is a read only when it is one in both: `'a\' FOR UPDATE '` hides the
 * FOR UPDATE only while backslashes escape.
 */
export function classifyStatement(sql: string): "read" | "write" {
  return judge(sql, READ_RULES) ? "read" : "write";
}

/**
 * True unless `sql` is one plain statement (a read, or an INSERT / UPDATE / DELETE / REPLACE)
 * with no user variable and no named-lock function: anything else (SET, CREATE TEMPORARY TABLE,
 * LOCK TABLES, PREPARE, several statements, ...) may leave state on its session.
 */
export function leavesSessionState(sql: string): boolean {
  return !judge(sql, STATELESS_RULES);
}

/** Whether `sql` passes `rules` in both backslash modes (see classifyStatement). */
function judge(sql: string, rules: Rules): boolean {
  if (classify(sql, false, rules) === "write") return false;
  return !sql.includes("\\") || classify(sql, true, rules) === "read";
}

/** One judgement in one backslash mode: "read" when `sql` passes `rules`. */
function classify(sql: string, noBackslashEscapes: boolean, rules: Rules): "read" | "write" {
  const lexer = new SqlLexer(sql, noBackslashEscapes);
  let first: string | null = null;
  let ended = false; // a ';' was seen: anything after it but blanks and comments makes a second statement
  for (let t = lexer.next(); t !== Tok.End; t = lexer.next()) {
    // A versioned executable comment that the server does not run ends at its first `*/`, even
    // one that the code reading puts inside a string or a `-- ` comment: where the two readings
    // disagree about where the comment ends, judge neither.
    if (lexer.inExecutable && (t === Tok.LineComment || isQuoted(t)) && sql.slice(lexer.start, lexer.end).includes("*/")) {
      return "write";
    }
    if (t === Tok.LineComment) continue;
    if (t === Tok.BlockComment) {
      if (lexer.unterminated) return "write"; // not something to judge
      continue;
    }
    if (t === Tok.ExecutableEnd) continue;
    if (ended) return "write";
    if (t === Tok.ExecutableStart) continue;
    if (t !== Tok.Code) {
      if (lexer.unterminated) return "write";
      if (first === null) return "write"; // a statement does not start with a literal
      continue;
    }
    const end = lexer.end;
    let i = lexer.start;
    while (i < end) {
      const c = sql.charCodeAt(i);
      if (isBlank(c)) {
        i++;
        continue;
      }
      if (ended) return "write";
      if (c === 0x3b) {
        // ;
        ended = true;
        i++;
        continue;
      }
      if (c === 0x40) {
        // @@system_variable is fine; @user_variable is session state of the connection that set it.
        if (sql.charCodeAt(i + 1) !== 0x40) return "write";
        i += 2;
        continue;
      }
      if (isWordStart(c)) {
        let j = i + 1;
        while (j < end && isWordChar(sql.charCodeAt(j))) j++;
        const word = sql.slice(i, j).toUpperCase();
        i = j;
        if (first === null) {
          if (!rules.starts.has(word)) return "write";
          first = word;
        } else if (rules.refused.has(word)) {
          return "write";
        }
        continue;
      }
      if (first === null && c !== 0x28) return "write"; // only `(` may come first: (SELECT ...) UNION (SELECT ...)
      i++;
    }
  }
  // An executable comment left open runs to the end of the text: the server refuses it.
  if (lexer.inExecutable) return "write";
  return first === null ? "write" : "read";
}
