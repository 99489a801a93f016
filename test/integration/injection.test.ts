// Injection: a corpus of hostile strings round-trips exactly through a real table, in both
// escaping modes and every connection charset, and never breaks out of its literal. Characters a
// charset cannot represent are a DataError, never a silent '?'.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect, Connection, DataError, escapeId, ProgrammingError } from "../../src/index.js";
import { charsetByName } from "../../src/protocol/charsets.js";
import { testOptions } from "../support/config.js";

/** Characters whose two-byte encoding ends in 0x5C (a backslash) in `label`, found by decoding. */
function backslashTrailers(label: string, leads: number[]): string {
  const decoder = new TextDecoder(label);
  let out = "";
  for (const lead of leads) {
    const ch = decoder.decode(Uint8Array.from([lead, 0x5c]));
    if (ch.length === 1 && ch !== "\ufffd" && ch.charCodeAt(0) > 0x7f) out += ch;
  }
  return out;
}

const LEADS = [0x81, 0x83, 0x89, 0x94, 0x95, 0xa4, 0xa5, 0xb3, 0xbf, 0xe0, 0xfa];

const CORPUS: readonly string[] = [
  "",
  "plain",
  "'",
  "''",
  "\\",
  "\\'",
  "\\\\'",
  "'\\",
  '"',
  "' OR '1'='1",
  "'; DROP TABLE test_injection; -- ",
  "x'); DELETE FROM test_injection; #",
  "/* comment */ ' /*",
  "-- not a comment",
  "# hash",
  "\0",
  "a\0b'\0",
  "\x1a",
  "\x1a'\x1a",
  "\n\r\t\b",
  "%s",
  "%%s %(name)s %",
  "?",
  "?, ?, '?'",
  "`backtick`",
  "\\0\\n\\Z",
  "${1+1}",
  "e\u0301",
  "日本語",
  "ソ表能",
  "功許蓋",
  "縗'",
  "\u00bf'",
  "😀",
  "\ud800",
  "x\udc00y",
  "\udbff\udfff",
  "€‚ƒ„",
  "Ÿ ÿ ß",
  backslashTrailers("shift_jis", LEADS),
  backslashTrailers("big5", LEADS),
  backslashTrailers("gbk", LEADS),
  "ＡＢＣ＼",
  "\u00a5\u203e",
];

const CHARSETS = ["utf8mb4", "utf8mb3", "latin1", "gbk", "big5", "sjis", "cp932", "euckr", "ujis", "gb2312"] as const;
const MODES: Array<[string, string | null]> = [
  ["default sql_mode", null],
  ["NO_BACKSLASH_ESCAPES", "NO_BACKSLASH_ESCAPES"],
];

/** True when the charset can represent `s` (the library's own answer, checked against the server below). */
function representable(charset: string, s: string): boolean {
  try {
    charsetByName(charset).encode(s);
    return true;
  } catch (e) {
    assert.ok(e instanceof DataError, `encode() may only throw DataError, got ${String(e)}`);
    return false;
  }
}

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
