// Injection: a corpus of hostile strings round-trips exactly through a real table, in both
// escaping modes and every connection charset, and never breaks out of its literal. Characters a
// charset cannot represent are a DataError, never a silent '?'.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect, Connection, DataError, escapeId, ProgrammingError } from "../../src/index.js";
import { formatQmark } from "../../src/sql/qmark.js";
import { testOptions } from "../support/config.js";
import { CHARSETS, CORPUS, representable } from "../support/hostile-strings.js";

const MODES: Array<[string, string | null]> = [
  ["default sql_mode", null],
  ["NO_BACKSLASH_ESCAPES", "NO_BACKSLASH_ESCAPES"],
];

async function all(conn: Connection, sql: string, args?: unknown[]): Promise<unknown[][]> {
  await using cur = conn.cursor();
  await cur.execute(sql, args as never);
  return (await cur.fetchAll()) as unknown[][];
}

describe("injection corpus", () => {
  let admin: Connection;
  before(async () => {
    admin = await connect(testOptions({ autocommit: true }));
  });
  after(() => admin.close());

  for (const charset of CHARSETS) {
    for (const [modeName, sqlMode] of MODES) {
      it(`round-trips every string exactly: charset ${charset}, ${modeName}`, async () => {
        const conn = await connect(testOptions({ autocommit: true, charset, ...(sqlMode === null ? {} : { sqlMode }) }));
        try {
          assert.equal(conn.noBackslashEscapes, sqlMode !== null);
          const table = `test_injection`;
          await all(conn, `DROP TABLE IF EXISTS ${table}`);
          await all(conn, `CREATE TABLE ${table} (id INT PRIMARY KEY, v TEXT CHARACTER SET ${charset} COLLATE ${charset}_bin)`);
          let inserted = 0;
          for (const [id, s] of CORPUS.entries()) {
            if (!representable(charset, s)) {
              await assert.rejects(
                all(conn, `INSERT INTO ${table} VALUES (%s, %s)`, [id, s]),
                DataError,
                `${JSON.stringify(s)} must be refused`,
              );
              continue;
            }
            await all(conn, `INSERT INTO ${table} VALUES (%s, %s)`, [id, s]);
            inserted++;
            const back = await all(conn, `SELECT v, v = %s, %s FROM ${table} WHERE id = %s`, [s, s, id]);
            assert.equal(back.length, 1);
            assert.equal(back[0]![0], s, `stored value of ${JSON.stringify(s)}`);
            assert.equal(back[0]![1], 1, `comparison with ${JSON.stringify(s)}`);
            assert.equal(back[0]![2], s, `literal ${JSON.stringify(s)} in the select list`);
            const matches = await all(conn, `SELECT COUNT(*) FROM ${table} WHERE v = %s`, [s]);
            assert.equal(matches[0]![0], 1, `exactly one row equals ${JSON.stringify(s)}`);
          }
          const count = await all(conn, `SELECT COUNT(*) FROM ${table}`);
          assert.equal(count[0]![0], inserted, "nothing deleted or added by a string that broke out");
          assert.ok(inserted >= 20, `most of the corpus fits ${charset} (${inserted})`);
          await all(conn, `DROP TABLE ${table}`);
        } finally {
          conn.close();
        }
      });
    }
  }

  for (const [modeName, sqlMode] of MODES) {
    it(`identifiers quoted with escapeId stay one identifier: ${modeName}`, async () => {
      const conn = await connect(testOptions({ autocommit: true, ...(sqlMode === null ? {} : { sqlMode }) }));
      try {
        const names = CORPUS.filter(
          // The server drops control characters from aliases: those are not identifiers anyone can use.
          (s) => s !== "" && !/[\x00-\x1f]/.test(s) && representable("utf8mb3", s) && s.trim() === s && s.length <= 64,
        );
        assert.ok(names.length > 20);
        for (const name of names) {
          await using cur = conn.cursor();
          await cur.execute(`SELECT 1 AS ${escapeId(name)}, 2 AS marker`);
          assert.equal(cur.description?.length, 2, `one column for ${JSON.stringify(name)}`);
          assert.equal(cur.description?.[0]?.name, name);
          assert.deepEqual(await cur.fetchAll(), [[1, 2]]);
        }
        await all(conn, "DROP TABLE IF EXISTS `test_inj``id`");
        await all(conn, `CREATE TABLE ${escapeId("test_inj`id")} (${escapeId("c'ol`\\")} INT)`);
        await all(conn, `INSERT INTO ${escapeId(["test_pymysql", "test_inj`id"])} VALUES (%s)`, [7]);
        assert.deepEqual(await all(conn, `SELECT ${escapeId("c'ol`\\")} FROM ${escapeId("test_inj`id")}`), [[7]]);
        await all(conn, "DROP TABLE `test_inj``id`");
        assert.throws(() => escapeId("a\0b"), ProgrammingError);
        assert.throws(() => escapeId(""), ProgrammingError);
      } finally {
        conn.close();
      }
    });
  }
});

describe("a placeholder where its value would not stay a value", () => {
  // Each statement would return the 'leak' row if the value were spliced in: the placeholder
  // sits in a quoted string or comment the caller wrote, or in an executable comment that a
  // server skips up to the first */ (MariaDB skips /*M!999999 ... */); the -- case leaks under
  // NO_BACKSLASH_ESCAPES, where the newline is written as it is.
  const cases: Array<[string, string, string]> = [
    ["quotes written around %s", "SELECT 'leak' FROM DUAL WHERE ('x' = '%s')", ") OR 1=1 -- "],
    ["%s in a -- comment, newline in the value", "SELECT 'leak' FROM DUAL WHERE 1 = 0 -- %s", "\nOR 1 = 1 -- "],
    ["%s in a /* */ comment", "SELECT 'leak' FROM DUAL WHERE 1 = 0 /* %s */", "*/ OR 1 = 1 /*"],
    ["%s in a skipped executable comment", "SELECT 'leak' FROM DUAL WHERE 1 = 0 /*M!999999 AND %s */", "x*/ OR 1 = 1 -- "],
  ];
  for (const [modeName, sqlMode] of MODES) {
    it(`is refused before anything is sent, and the connection stays usable: ${modeName}`, async () => {
      const conn = await connect(testOptions({ autocommit: true, ...(sqlMode === null ? {} : { sqlMode }) }));
      try {
        for (const [what, sql, value] of cases) {
          await assert.rejects(all(conn, sql, [value]), ProgrammingError, what);
          await assert.rejects(all(conn, sql.replace("%s", "%(v)s"), { v: value } as never), ProgrammingError, `${what}, named`);
          const bound = sql.replace("%s", "?");
          assert.throws(() => formatQmark(bound, [value], { noBackslashEscapes: sqlMode !== null }), ProgrammingError, `${what}, ?`);
        }
        // A value without */ inside an executable comment the server runs is code, as written.
        assert.deepEqual(await all(conn, "SELECT 1 /*!50000 + %s */", [2]), [[3]]);
        assert.deepEqual(await all(conn, "SELECT 'kept' /* a comment with no placeholder */ , %s", ["x"]), [["kept", "x"]]);
      } finally {
        conn.close();
      }
    });
  }
});
