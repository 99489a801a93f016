// A user's SET NAMES (issue 13, item 2): after `SET NAMES x` the session's character_set_client
// is x, and the client must escape and encode for x (the server reports it through session state
// tracking), or refuse with a DataError. The hostile corpus of the injection test runs after SET
// NAMES for every charset and both backslash modes: awaited, pipelined right behind the SET, and
// through a pool where one borrower runs SET NAMES and the next borrower is attacked. Every value
// round-trips exactly or is refused; no statement ever matches more rows than it should.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect, createPool, DataError, type Connection, type Pool } from "../../src/index.js";
import { testOptions } from "../support/config.js";
import { CORPUS as BASE_CORPUS, CHARSETS, representable } from "../support/hostile-strings.js";

/** The corpus of the injection test, plus the break-outs of a backslash-trail charset. */
const CORPUS: readonly string[] = [
  ...BASE_CORPUS,
  "丁' OR 1=1 -- ",
  "縗' OR 1=1 -- ",
  "ソ' OR 1=1 -- ",
  "功' OR 1=1 -- ",
  "\u00bf' OR 1=1 -- ",
];
const MODES: Array<[string, string]> = [
  ["default sql_mode", ""],
  ["NO_BACKSLASH_ESCAPES", "NO_BACKSLASH_ESCAPES"],
];
const TABLE = "set_names_escaping";
/** Rows in TABLE besides the probe rows: a break-out that matches everything counts them. */
const DECOYS = 3;

interface Outcome {
  echoed: unknown;
  matches: unknown;
}

/** Issues the echo and the count for `s` without awaiting (so they may be pipelined). */
function probe(conn: Connection, s: string): Promise<Outcome> {
  const echo = conn.cursor();
  const count = conn.cursor();
  const e = echo.execute("SELECT %s", [s]).then(async () => (await echo.fetchAll())[0]![0]);
  const c = count
    .execute(`SELECT COUNT(*) FROM ${TABLE} WHERE v = CONVERT(%s USING utf8mb4)`, [s])
    .then(async () => (await count.fetchAll())[0]![0]);
  return Promise.all([e, c]).then(([echoed, matches]) => ({ echoed, matches }));
}

/** The value came back exactly and matched no row, or was refused with a DataError. */
async function check(charset: string, s: string, outcome: Promise<Outcome>): Promise<void> {
  let got: Outcome;
  try {
    got = await outcome;
  } catch (e) {
    assert.ok(e instanceof DataError, `${JSON.stringify(s)} under ${charset}: only a DataError may refuse it, got ${String(e)}`);
    assert.ok(!representable(charset, s), `${JSON.stringify(s)} fits ${charset} and must not be refused`);
    return;
  }
  assert.equal(got.matches, 0, `no injection for ${JSON.stringify(s)} under SET NAMES ${charset}`);
  assert.equal(got.echoed, s, `${JSON.stringify(s)} round-trips under SET NAMES ${charset}`);
}

let setup: Connection;
before(async () => {
  setup = await connect(testOptions({ autocommit: true }));
  const cur = setup.cursor();
  await cur.execute(`DROP TABLE IF EXISTS ${TABLE}`);
  await cur.execute(`CREATE TABLE ${TABLE} (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(100)) CHARACTER SET utf8mb4`);
  await cur.execute(`INSERT INTO ${TABLE} (v) VALUES ('decoy one'), ('decoy two'), ('decoy three')`);
});
after(async () => {
  await setup.cursor().execute(`DROP TABLE IF EXISTS ${TABLE}`);
  setup.close();
});

for (const [modeName, sqlMode] of MODES) {
  describe(`SET NAMES by the user, ${modeName}`, () => {
    for (const charset of CHARSETS) {
      it(`escapes for ${charset}: after the SET, and pipelined right behind it`, async () => {
        const conn = await connect(testOptions({ autocommit: true, sqlMode }));
        try {
          await conn.cursor().execute(`SET NAMES ${charset}`);
          assert.equal(conn.charset, "utf8mb4", "charset stays what was asked");
          assert.equal(conn.encoding, charset.startsWith("utf8") ? "utf8" : charset, "encoding follows the session");
          for (const s of CORPUS) await check(charset, s, probe(conn, s));
          for (const s of CORPUS) {
            await conn.cursor().execute("SET NAMES utf8mb4");
            // Not awaited: the probe is issued while the SET NAMES is in flight.
            const set = conn.cursor().execute(`SET NAMES ${charset}`);
            const outcome = probe(conn, s);
            await set;
            await check(charset, s, outcome);
          }
          const cur = conn.cursor();
          await cur.execute(`SELECT COUNT(*) FROM ${TABLE}`);
          assert.deepEqual(await cur.fetchAll(), [[DECOYS]], "the table is intact");
        } finally {
          conn.close();
        }
      });
    }

    it("a pool borrower's SET NAMES does not make the next borrower injectable", async () => {
      const pool: Pool = await createPool(testOptions({ minSize: 1, maxSize: 1, autocommit: true, sqlMode }));
      try {
        for (const charset of CHARSETS) {
          const first = await pool.acquire();
          await first.cursor().execute(`SET NAMES ${charset}`);
          pool.release(first);
          const next = await pool.acquire();
          try {
            for (const s of CORPUS) await check(charset, s, probe(next, s));
          } finally {
            pool.release(next);
          }
          // The next borrower pipelines behind a SET NAMES it did not wait for.
          const third = await pool.acquire();
          try {
            const set = third.cursor().execute(`SET NAMES ${charset}`);
            const outcomes = CORPUS.map((s) => [s, probe(third, s)] as const);
            await set;
            for (const [s, outcome] of outcomes) await check(charset, s, outcome);
          } finally {
            await third.cursor().execute("SET NAMES utf8mb4");
            pool.release(third);
          }
        }
      } finally {
        pool.close();
        await pool.waitClosed();
      }
    });
  });
}

it("a charset this client cannot encode: ASCII still works, anything else is a DataError", async () => {
  const conn = await connect(testOptions({ autocommit: true }));
  try {
    await conn.cursor().execute("SET NAMES koi8r");
    assert.equal(conn.encoding, "ascii");
    const cur = conn.cursor();
    await cur.execute("SELECT %s", ["plain ' \\ text"]);
    assert.deepEqual(await cur.fetchAll(), [["plain ' \\ text"]]);
    await assert.rejects(conn.cursor().execute("SELECT %s", ["丁' OR 1=1 -- "]), DataError);
    await conn.cursor().execute("SET NAMES utf8mb4");
    await cur.execute("SELECT %s", ["丁"]);
    assert.deepEqual(await cur.fetchAll(), [["丁"]]);
  } finally {
    conn.close();
  }
});

it("tracking is requested even when the server does not track character_set_client", async () => {
  const conn = await connect(testOptions({ autocommit: true, initCommand: "SET session_track_system_variables = 'autocommit'" }));
  try {
    const cur = conn.cursor();
    await cur.execute("SELECT @@session.session_track_system_variables");
    const tracked = String((await cur.fetchAll())[0]![0]).split(",");
    assert.ok(tracked.includes("character_set_client") && tracked.includes("character_set_results"), tracked.join(","));
    await cur.execute("SET NAMES gbk");
    await cur.execute(`SELECT COUNT(*) FROM ${TABLE} WHERE v = %s`, ["丁' OR 1=1 -- "]);
    assert.deepEqual(await cur.fetchAll(), [[0]]);
  } finally {
    conn.close();
  }
});
