// LOAD DATA LOCAL INFILE: which file a statement names, so that the client sends only that
// file, whatever a (possibly hostile) server asks for.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response_local_infile_request.html

const LOAD_LOCAL_RE = /\bLOAD\s+(?:DATA|XML)\s+(?:(?:LOW_PRIORITY|CONCURRENT)\s+)?LOCAL\s+INFILE\s*/giy;

/**
 * Reads the SQL string literal at `start` ('...' or "..."), undoing doubled quotes and,
 * unless `noBackslashEscapes`, backslash escapes. Returns null when there is none.
 */
function readStringLiteral(sql: string, start: number, noBackslashEscapes: boolean): string | null {
  const quote = sql[start];
  if (quote !== "'" && quote !== '"') return null;
  let out = "";
  for (let i = start + 1; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "\\" && !noBackslashEscapes && i + 1 < sql.length) {
      const n = sql[++i]!;
      out += ({ n: "\n", t: "\t", r: "\r", b: "\b", "0": "\0", Z: "\x1a" } as Record<string, string>)[n] ?? n;
    } else if (c === quote) {
      if (sql[i + 1] === quote) {
        out += quote;
        i++;
      } else {
        return out;
      }
    } else {
      out += c;
    }
  }
  return null;
}

/** Skips quoted strings, identifiers and comments so that their text is not taken for SQL. */
function nextCodeIndex(sql: string, i: number, noBackslashEscapes: boolean): number {
  const c = sql[i];
  if (c === "'" || c === '"' || c === "`") {
    for (let j = i + 1; j < sql.length; j++) {
      if (sql[j] === "\\" && c !== "`" && !noBackslashEscapes) {
        j++;
      } else if (sql[j] === c) {
        if (sql[j + 1] !== c) return j + 1;
        j++; // a doubled quote stands for itself
      }
    }
    return sql.length;
  }
  if (c === "#" || (c === "-" && sql.startsWith("-- ", i))) {
    const nl = sql.indexOf("\n", i);
    return nl === -1 ? sql.length : nl + 1;
  }
  if (c === "/" && sql[i + 1] === "*") {
    const end = sql.indexOf("*/", i + 2);
    return end === -1 ? sql.length : end + 2;
  }
  return i + 1;
}

/**
 * The file names that the LOAD DATA/XML LOCAL INFILE statements of `sql` name, in order
 * (several with multi-statements). Text inside strings and comments does not count.
 */
export function localInfileFileNames(sql: string, noBackslashEscapes = false): string[] {
  const names: string[] = [];
  let i = 0;
  while (i < sql.length) {
    LOAD_LOCAL_RE.lastIndex = i;
    const m = LOAD_LOCAL_RE.exec(sql);
    if (m && (i === 0 || !/\w/.test(sql[i - 1]!))) {
      const name = readStringLiteral(sql, i + m[0].length, noBackslashEscapes);
      if (name !== null) names.push(name);
      i += m[0].length;
      continue;
    }
    i = nextCodeIndex(sql, i, noBackslashEscapes);
  }
  return names;
}

/** True when `fileName` (what the server asked for) is a file that `sql` itself named. */
export function statementNamesFile(sql: string, fileName: string, noBackslashEscapes = false): boolean {
  return localInfileFileNames(sql, noBackslashEscapes).includes(fileName);
}
