import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  connect,
  Connection,
  DictCursor,
  IntegrityError,
  InterfaceError,
  ProgrammingError,
  SSCursor,
  type SqlParam,
} from "../../src/index.js";
import { toQmark } from "../../src/sql/qmark.js";
import { testOptions } from "../support/config.js";

/** Statements this connection holds open on the server, from performance_schema. */
async function openStatements(observer: Connection, conn: Connection): Promise<number> {
  const cur = observer.cursor();
  await cur.execute(
    "SELECT COUNT(*) FROM performance_schema.prepared_statements_instances p JOIN performance_schema.threads t " +
      "ON p.OWNER_THREAD_ID = t.THREAD_ID WHERE t.PROCESSLIST_ID = %s",
    [conn.threadId],
  );
  return Number(((await cur.fetchOne()) as unknown[])[0]);
}

const TYPES_TABLE = `CREATE TABLE test_prepared_types (
  id INT PRIMARY KEY, ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, mi MEDIUMINT, i INT, iu INT UNSIGNED,
  bi BIGINT, bu BIGINT UNSIGNED, f FLOAT, d DOUBLE, dec_ DECIMAL(30,10), vc VARCHAR(50), tx TEXT, bl BLOB,
  bn BINARY(3), dt DATE, dtm DATETIME(6), ts TIMESTAMP(3) NULL, tm TIME(6), yr YEAR, bt BIT(8), js JSON,
  en ENUM('a','b'), st SET('x','y'), nul INT NULL)`;

describe("prepared statements", () => {
  let conn: Connection;
  let observer: Connection;
  before(async () => {
    conn = await connect(testOptions({ autocommit: true }));
    observer = await connect(testOptions({ autocommit: true }));
    const cur = conn.cursor();
    await cur.execute("DROP TABLE IF EXISTS test_prepared_types");
    await cur.execute(TYPES_TABLE);
  });
  after(async () => {
    await conn.cursor().execute("DROP TABLE IF EXISTS test_prepared_types");
    conn.close();
    observer.close();
  });

  it("round-trips every type exactly: binary rows equal text rows", async () => {
    const values: SqlParam[] = [
      1,
      -128,
      255,
      -32768,
      -8388608,
      -2147483648,
      4294967295,
      -(2n ** 63n),
      2n ** 64n - 1n,
      1.5,
      1e300 / 3,
      "12345678901234567890.0123456789",
      "héllo 😀",
      "t".repeat(1000),
      Buffer.from([0, 1, 255]),
      Buffer.from("abc"),
      "2024-02-29",
      new Date(2024, 1, 29, 23, 59, 58, 123),
      new Date(2020, 0, 1, 0, 0, 0, 5),
      "-838:59:59.000001",
      2155,
      Buffer.from([0xa5]),
      '{"a": [1, 2]}',
      "b",
      "x,y",
      null,
    ];
    const stmt = await conn.prepare(`INSERT INTO test_prepared_types VALUES (${values.map(() => "?").join(",")})`);
    assert.equal(stmt.paramCount, values.length);
    const ins = await stmt.execute(values);
    assert.equal(ins.affectedRows, 1);
    await stmt.close();
    const text = conn.cursor();
    await text.execute("SELECT * FROM test_prepared_types WHERE id = 1");
    const textRow = (await text.fetchOne()) as unknown[];
    const sel = await conn.prepare("SELECT * FROM test_prepared_types WHERE id = ?");
    const binRow = (await sel.execute([1])).rows[0]!;
    assert.deepEqual(binRow, textRow);
    assert.deepEqual(binRow.slice(0, 9), [1, -128, 255, -32768, -8388608, -2147483648, 4294967295, -(2n ** 63n), 2n ** 64n - 1n]);
    assert.equal(binRow[11], "12345678901234567890.0123456789");
    assert.equal(binRow[12], "héllo 😀");
    assert.deepEqual(binRow[14], Buffer.from([0, 1, 255]));
    assert.equal(binRow[16], "2024-02-29");
    assert.deepEqual(binRow[17], new Date(2024, 1, 29, 23, 59, 58, 123));
    assert.equal(binRow[19], "-838:59:59.000001");
    assert.equal(binRow[25], null);
    await sel.close();
  });

  it("binds integers as integers, so LIMIT ? works", async () => {
    const stmt = await conn.prepare("SELECT seq FROM seq_1_to_100 ORDER BY seq LIMIT ? OFFSET ?");
    const r = await stmt.execute([3, 10]);
    assert.deepEqual(r.rows, [[11], [12], [13]]);
    assert.equal(r.columns?.[0]?.name, "seq");
    await stmt.close();
  });

  it("binds null and undefined as NULL, and booleans as 1/0", async () => {
    const stmt = await conn.prepare("SELECT ? IS NULL, ? IS NULL, ?, ?, COALESCE(?, 'd')");
    const r = await stmt.execute([null, undefined, true, false, null]);
    assert.deepEqual(r.rows, [[1, 1, 1, 0, "d"]]);
    await stmt.close();
  });

  it("returns object rows with { dict: true }", async () => {
    const stmt = await conn.prepare("SELECT ? AS a, ? AS b");
    const r = await stmt.execute<Record<string, unknown>>(["x", 2], { dict: true });
    assert.deepEqual(r.rows, [{ a: "x", b: 2 }]);
    await stmt.close();
  });

  it("close() deallocates the statement on the server", async () => {
    const before = await openStatements(observer, conn);
    const stmt = await conn.prepare("SELECT 1");
    assert.equal(await openStatements(observer, conn), before + 1);
    await stmt.close();
    assert.equal(stmt.closed, true);
    await conn.cursor().execute("SELECT 1"); // COM_STMT_CLOSE has no reply: let it be processed
    assert.equal(await openStatements(observer, conn), before);
    await assert.rejects(stmt.execute([]), InterfaceError);
  });

  it("errors leave the connection usable", async () => {
    await assert.rejects(conn.prepare("SELEC 1"), (e: Error) => e instanceof ProgrammingError && /syntax/.test(e.message));
    const stmt = await conn.prepare("INSERT INTO test_prepared_types (id) VALUES (?)");
    await assert.rejects(stmt.execute([]), ProgrammingError);
    await assert.rejects(stmt.execute([{ not: "bindable" } as unknown as SqlParam]), ProgrammingError);
    await assert.rejects(stmt.execute([Number.NaN]), ProgrammingError);
    await assert.rejects(stmt.execute([2n ** 64n]), ProgrammingError);
    await assert.rejects(stmt.execute([1]), IntegrityError); // duplicate key
    assert.equal((await stmt.execute([2])).affectedRows, 1);
    await stmt.close();
    const cur = conn.cursor();
    await cur.execute("SELECT COUNT(*) FROM test_prepared_types");
    assert.deepEqual(await cur.fetchOne(), [2]);
  });

  it("runs cursor statements through the statement cache with { prepare: true }", async () => {
    const cur = conn.cursor(DictCursor);
    assert.equal(
      await cur
        .execute("SELECT %s AS a, %(x)s AS b, '100%%' AS c", { x: 5 } as never, { prepare: true })
        .catch((e: Error) => e.constructor),
      ProgrammingError,
    );
    await cur.execute("SELECT %(x)s AS a, %(y)s AS b, '100%%' AS c", { x: 5, y: "z" }, { prepare: true });
    assert.deepEqual(await cur.fetchAll(), [{ a: 5, b: "z", c: "100%" }]);
    assert.deepEqual(
      cur.description?.map((d) => d.name),
      ["a", "b", "c"],
    );
    const ss = conn.cursor(SSCursor);
    await ss.execute("SELECT seq FROM seq_1_to_5000 WHERE seq > %s", [10], { prepare: true });
    let n = 0;
    for await (const row of ss) {
      assert.equal((row as unknown[])[0], n + 11);
      n++;
    }
    assert.equal(n, 4990);
    await assert.rejects(conn.cursor().execute("SELECT ? + %s", [1], { prepare: true }), ProgrammingError);
    const c2 = conn.cursor();
    assert.equal(await c2.execute("UPDATE test_prepared_types SET i = %s WHERE id IN (1, 2)", [7], { prepare: true }), 2);
  });

  it("keeps at most statementCacheSize statements, closing the ones it evicts", async () => {
    const c = await connect(testOptions());
    try {
      c.statementCacheSize = 2;
      const cur = c.cursor();
      for (let i = 0; i < 5; i++) {
        await cur.execute(`SELECT %s + ${i}`, [1], { prepare: true });
        assert.deepEqual(await cur.fetchAll(), [[1 + i]]);
      }
      await cur.execute("SELECT 1");
      assert.equal(await openStatements(observer, c), 2);
      // Reusing a cached statement does not prepare again.
      await cur.execute("SELECT %s + 4", [2], { prepare: true });
      assert.deepEqual(await cur.fetchAll(), [[6]]);
      assert.equal(await openStatements(observer, c), 2);
    } finally {
      c.close();
    }
  });

  it("never keeps more than the server's max_prepared_stmt_count", async () => {
    const admin = observer.cursor();
    await admin.execute("SELECT @@GLOBAL.max_prepared_stmt_count");
    const saved = ((await admin.fetchOne()) as unknown[])[0];
    // The limit is server-wide: leave room for exactly 3 more statements than are open now.
    await admin.execute("SHOW GLOBAL STATUS LIKE 'Prepared_stmt_count'");
    const inUse = Number(((await admin.fetchOne()) as unknown[])[1]);
    await admin.execute("SET GLOBAL max_prepared_stmt_count = %s", [inUse + 3]);
    const c = await connect(testOptions());
    try {
      const cur = c.cursor();
      for (let i = 0; i < 6; i++) {
        await cur.execute(`SELECT %s * ${i}`, [2], { prepare: true });
        assert.deepEqual(await cur.fetchAll(), [[2 * i]]);
      }
      await cur.execute("SELECT 1");
      assert.ok((await openStatements(observer, c)) <= 3);
    } finally {
      c.close();
      await admin.execute("SET GLOBAL max_prepared_stmt_count = %s", [saved as number]);
    }
  });

  it("pipelines executions issued together", async () => {
    const stmt = await conn.prepare("SELECT ? * 2");
    const all = await Promise.all(Array.from({ length: 50 }, (_, i) => stmt.execute([i])));
    assert.deepEqual(
      all.map((r) => r.rows[0]![0]),
      Array.from({ length: 50 }, (_, i) => i * 2),
    );
    await stmt.close();
  });
});

describe("toQmark", () => {
  it("turns %s and %(name)s into ? outside quotes and keeps %%", () => {
    assert.deepEqual(toQmark("SELECT %s, '%%', `a%%b` -- c\n, %s", [1, "x"]), { sql: "SELECT ?, '%', `a%b` -- c\n, ?", params: [1, "x"] });
    assert.deepEqual(toQmark("SELECT %(a)s, %(b)s, %(a)s", { a: 1, b: 2 }), { sql: "SELECT ?, ?, ?", params: [1, 2, 1] });
    assert.deepEqual(toQmark("SELECT '?'", []), { sql: "SELECT '?'", params: [] });
    assert.deepEqual(toQmark("SELECT 'it\\'s ?'", []), { sql: "SELECT 'it\\'s ?'", params: [] });
  });
  it("refuses mismatches, bare ? and placeholders inside quotes", () => {
    assert.throws(() => toQmark("SELECT %s", []), ProgrammingError);
    assert.throws(() => toQmark("SELECT %s", [1, 2]), ProgrammingError);
    assert.throws(() => toQmark("SELECT ?", []), ProgrammingError);
    assert.throws(() => toQmark("SELECT '%s'", [1]), ProgrammingError);
    assert.throws(() => toQmark("SELECT %(a)s", { b: 1 }), ProgrammingError);
  });
});
