// Column definitions are reused from the previous result only when the server sent the same
// bytes: a changed table or another statement is described afresh.
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { connect, type Connection } from "../../src/index.js";
import { testOptions } from "../support/config.js";

let conn: Connection;
before(async () => {
  conn = await connect(testOptions({ autocommit: true }));
  await conn.cursor().execute("CREATE OR REPLACE TABLE column_reuse (id INT PRIMARY KEY, v VARCHAR(10))");
  await conn.cursor().execute("INSERT INTO column_reuse VALUES (1, 'one')");
});
after(async () => {
  await conn.cursor().execute("DROP TABLE IF EXISTS column_reuse");
  conn.close();
});

it("a prepared statement sees the new columns after ALTER TABLE", async () => {
  await using stmt = await conn.prepare("SELECT * FROM column_reuse WHERE id = ?");
  const before = await stmt.execute([1]);
  assert.deepEqual(before.rows, [[1, "one"]]);
  const again = await stmt.execute([1]);
  assert.deepEqual(
    again.columns!.map((c) => c.name),
    ["id", "v"],
  );
  await conn.cursor().execute("UPDATE column_reuse SET v = '7'");
  await conn.cursor().execute("ALTER TABLE column_reuse MODIFY v BIGINT NULL, ADD w DATE NULL");
  const altered = await stmt.execute([1], { dict: true });
  assert.deepEqual(
    altered.columns!.map((c) => c.name),
    ["id", "v", "w"],
  );
  assert.deepEqual(altered.rows, [{ id: 1, v: 7, w: null }]);
  await conn.cursor().execute("ALTER TABLE column_reuse MODIFY v VARCHAR(10), DROP w");
  await conn.cursor().execute("UPDATE column_reuse SET v = 'one'");
});

it("text statements one after another are described by their own columns", async () => {
  const cur = conn.cursor();
  await cur.execute("SELECT 1 AS a, 'x' AS b");
  assert.deepEqual(await cur.fetchAll(), [[1, "x"]]);
  await cur.execute("SELECT 'x' AS a, 1 AS b");
  assert.deepEqual(await cur.fetchAll(), [["x", 1]]);
  assert.deepEqual(
    cur.description!.map((d) => [d.name, d.typeCode]),
    [
      ["a", 253],
      ["b", 3],
    ],
  );
  await cur.execute("SELECT 'x' AS a, 1 AS b");
  assert.deepEqual(await cur.fetchAll(), [["x", 1]]);
  await cur.execute("SELECT v, id FROM column_reuse");
  assert.deepEqual(await cur.fetchAll(), [["one", 1]]);
});
