// Names of server error numbers (`ER_*`), MariaDB's and MySQL's, from the generated tables in
// er-names.ts. The two servers agree below about 1700 and name later numbers differently, so a
// lookup says which server sent the error. The tables are unpacked at the first lookup.
import { MARIADB_ER_NAMES, MYSQL_ER_NAMES } from "./er-names.js";

let mariadbNames: Map<number, string> | null = null;
let mysqlNames: Map<number, string> | null = null;

/**
 * Unpacks a table: a number token sets the next code, a name takes it (prefixed ER_, unless it
 * starts with "!") and advances it.
 */
function unpack(lines: readonly string[]): Map<number, string> {
  const names = new Map<number, string>();
  let code = 0;
  for (const line of lines) {
    for (const token of line.split(" ")) {
      const c = token.charCodeAt(0);
      if (c >= 48 && c <= 57) code = Number(token);
      else names.set(code++, token.charCodeAt(0) === 33 /* ! */ ? token.slice(1) : `ER_${token}`);
    }
  }
  return names;
}

/**
 * The name (`ER_DUP_ENTRY`) of a server error number, from the tables of the server that sent
 * it (MariaDB's when `mariadb` is true, MySQL's when false, MariaDB's first when unknown),
 * falling back to the other server's; undefined when neither names it.
 */
export function serverErrorName(errno: number, mariadb: boolean | null): string | undefined {
  mariadbNames ??= unpack(MARIADB_ER_NAMES);
  mysqlNames ??= unpack(MYSQL_ER_NAMES);
  // MySQL's table lists only the names that differ from MariaDB's.
  if (mariadb === false) return mysqlNames.get(errno) ?? mariadbNames.get(errno);
  return mariadbNames.get(errno) ?? mysqlNames.get(errno);
}
