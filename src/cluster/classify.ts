// Which statements a cluster pool may send to a replica. A small scan over the SQL text that
// skips string literals, quoted identifiers and comments; it answers "read" only for statements
// that are recognisably reads, and "write" for everything else (the safe side).
//
// Kept to one function so it can move onto the project's one SQL lexer unchanged in meaning.

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

/**
 * "read" when `sql` is one statement that is recognisably a read (SELECT, SHOW, WITH ... SELECT,
 * with no locking clause, INTO, user variable, lock function, LAST_INSERT_ID() or sequence
 * function); "write" otherwise.
 */
export function classifyStatement(sql: string): "read" | "write" {
  const n = sql.length;
  let i = 0;
  let first: string | null = null;
  let ended = false; // a ';' was seen: anything after it but blanks makes a second statement
  while (i < n) {
    const c = sql[i]!;
    if (c === "'" || c === '"' || c === "`") {
      // A quoted string or identifier: a doubled quote or (not in backticks) a backslash escapes.
      i++;
      while (i < n) {
        const d = sql[i]!;
        if (d === "\\" && c !== "`") i += 2;
        else if (d === c && sql[i + 1] === c) i += 2;
        else if (d === c) break;
        else i++;
      }
      if (i >= n) return "write"; // unterminated: not something to judge
      i++;
      if (ended) return "write";
      continue;
    }
    if (c === "-" && sql[i + 1] === "-" && (i + 2 >= n || /\s/.test(sql[i + 2]!))) {
      while (i < n && sql[i] !== "\n") i++;
      continue;
    }
    if (c === "#") {
      while (i < n && sql[i] !== "\n") i++;
      continue;
    }
    if (c === "/" && sql[i + 1] === "*") {
      // /*! ... */ and /*M! ... */ are executed by the server: treat them as code, not comments.
      if (sql[i + 2] === "!" || (sql[i + 2] === "M" && sql[i + 3] === "!")) return "write";
      const close = sql.indexOf("*/", i + 2);
      if (close === -1) return "write";
      i = close + 2;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (ended) return "write";
    if (c === ";") {
      ended = true;
      i++;
      continue;
    }
    if (c === "@") {
      // @@system_variable is fine; @user_variable is session state of the connection that set it.
      if (sql[i + 1] !== "@") return "write";
      i += 2;
      continue;
    }
    if (/[A-Za-z_$]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$]/.test(sql[j]!)) j++;
      const word = sql.slice(i, j).toUpperCase();
      i = j;
      if (first === null) {
        if (!READ_STARTS.has(word)) return "write";
        first = word;
      } else if (WRITER_WORDS.has(word)) {
        return "write";
      }
      continue;
    }
    if (c === "(" && first === null) {
      i++; // (SELECT ...) UNION (SELECT ...)
      continue;
    }
    if (first === null) return "write";
    i++;
  }
  return first === null ? "write" : "read";
}
