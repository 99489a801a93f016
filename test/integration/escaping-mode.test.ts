// Escaping under a sql_mode that changes while statements are in flight (issue 13, item 1).
// A `SET sql_mode` is still on its way when the next statement, with a hostile value, is
// issued on the same connection: pipelined, every statement of an executeMany run, aiomysql/sa
// and a pool. The value must arrive exactly (no injection, no doubled backslashes) in both
// directions: into NO_BACKSLASH_ESCAPES and out of it.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect, createPool, type Connection } from "../../src/index.js";
import { createEngine } from "../../src/sa/index.js";
import { testOptions } from "../support/config.js";

const HOSTILE = ["\\' OR 1=1 -- ", "\\", "a\\", "\\\\'", "x\\'y' OR '1'='1", "'\\", "\\'; DROP TABLE esc_mode; -- "];
const TABLE = "esc_mode";
const MODES: [from: string, to: string][] = [
  ["", "NO_BACKSLASH_ESCAPES"],
  ["NO_BACKSLASH_ESCAPES", ""],
];

let setup: Connection;
before(async () => {
  setup = await connect(testOptions({ autocommit: true }));
  const cur = setup.cursor();
  await cur.execute(`DROP TABLE IF EXISTS ${TABLE}`);
  await cur.execute(`CREATE TABLE ${TABLE} (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(100)) CHARACTER SET utf8mb4`);
  await cur.execute(`INSERT INTO ${TABLE} (v) VALUES ('row one'), ('row two'), ('row three')`);
});
after(async () => {
  await setup.cursor().execute(`DROP TABLE IF EXISTS ${TABLE}`);
  setup.close();
});

for (const [from, to] of MODES) {
  describe(`sql_mode '${from}' -> '${to}' while statements are in flight`, () => {
    it("a pipelined SELECT reads the value exactly and matches no row", async () => {
      const conn = await connect(testOptions({ sqlMode: from, autocommit: true }));
      try {
        for (const value of HOSTILE) {
          const set = conn.cursor();
          const echo = conn.cursor();
          const count = conn.cursor();
          // Not awaited: the SELECTs are issued while the SET is in flight.
          const p1 = set.execute(`SET sql_mode='${to}'`);
          const p2 = echo.execute("SELECT %s", [value]);
          const p3 = count.execute(`SELECT COUNT(*) FROM ${TABLE} WHERE v = %s`, [value]);
          await Promise.all([p1, p2, p3]);
          assert.deepEqual(await echo.fetchAll(), [[value]], JSON.stringify(value));
          assert.deepEqual(await count.fetchAll(), [[0]], `no injection for ${JSON.stringify(value)}`);
          assert.equal(conn.noBackslashEscapes, to !== "");
          await conn.cursor().execute(`SET sql_mode='${from}'`);
        }
      } finally {
        conn.close();
      }
    });

    it("every statement of an executeMany run stores the value exactly", async () => {
      const conn = await connect(testOptions({ sqlMode: from, autocommit: true }));
      try {
        const cur = conn.cursor();
        await cur.execute(`DELETE FROM ${TABLE} WHERE id > 3`);
        const set = conn.cursor().execute(`SET sql_mode='${to}'`);
        const many = conn.cursor().executeMany(
          `INSERT INTO ${TABLE} (v) VALUES (%s)`,
          HOSTILE.map((v) => [v]),
        );
        // Not batched (no VALUES pattern): one statement per row, each may meet a mode change.
        const single = conn.cursor().executeMany(
          `UPDATE ${TABLE} SET v = v WHERE v = %s`,
          HOSTILE.map((v) => [v]),
        );
        await Promise.all([set, many.catch((e: unknown) => e), single.catch((e: unknown) => e)]);
        assert.equal(await many, HOSTILE.length);
        assert.equal(await single, 0);
        await cur.execute(`SELECT v FROM ${TABLE} WHERE id > 3 ORDER BY id`);
        assert.deepEqual(
          await cur.fetchAll(),
          HOSTILE.map((v) => [v]),
        );
        await cur.execute(`SELECT COUNT(*) FROM ${TABLE}`);
        assert.deepEqual(await cur.fetchAll(), [[3 + HOSTILE.length]], "the table is intact");
      } finally {
        await setup.cursor().execute(`DELETE FROM ${TABLE} WHERE id > 3`);
        conn.close();
      }
    });

    it("aiomysql/sa binds builder (?) and %s parameters for the mode the server applies", async () => {
      const engine = await createEngine(testOptions({ sqlMode: from, autocommit: true, minSize: 1, maxSize: 1 }));
      try {
        const conn = await engine.acquire();
        for (const value of HOSTILE) {
          const set = conn.execute(`SET sql_mode='${to}'`);
          const qmark = conn.scalar({ sql: `SELECT COUNT(*) FROM ${TABLE} WHERE v = ?`, parameters: [value] });
          const format = conn.scalar("SELECT %s", value);
          await set;
          assert.equal(await qmark, 0, `no injection for ${JSON.stringify(value)}`);
          assert.equal(await format, value);
          await conn.execute(`SET sql_mode='${from}'`);
        }
        await conn.close();
      } finally {
        engine.close();
        await engine.waitClosed();
      }
    });
  });
}

it("a pool borrower's SET sql_mode does not decide how the next borrower's values are read", async () => {
  const pool = await createPool(testOptions({ minSize: 1, maxSize: 1, autocommit: true }));
  try {
    for (const [from, to] of MODES) {
      await pool.query(`SET sql_mode='${from}'`);
      const conn = await pool.acquire();
      const set = conn.cursor().execute(`SET sql_mode='${to}'`);
      const cur = conn.cursor();
      const sel = cur.execute("SELECT %s", ["\\' OR 1=1 -- "]);
      await Promise.all([set, sel]);
      assert.deepEqual(await cur.fetchAll(), [["\\' OR 1=1 -- "]]);
      pool.release(conn);
      assert.deepEqual(await pool.query("SELECT %s", ["\\'x"]), [["\\'x"]]);
    }
  } finally {
    pool.close();
    await pool.waitClosed();
  }
});
