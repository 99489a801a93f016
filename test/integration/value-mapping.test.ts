// valueMapping: "mysql2" gives the values mysql2 gives, through every layer: cursors (text and
// prepared), the pool, aiomysql/sa and the Kysely dialect (the Knex client: knex.test.ts).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Kysely, sql } from "kysely";
import mysql2 from "mysql2/promise";
import { connect, createPool, DictCursor, InterfaceError, mysql2Decoders, parseGeometry, FIELD_TYPE } from "../../src/index.js";
import { AiomysqlDialect } from "../../src/kysely/index.js";
import { createEngine } from "../../src/sa/index.js";
import { TEST_DB, testOptions } from "../support/config.js";

const SELECT = "SELECT d, dt, big, dec_, js, g, tm, yr, bits, txt FROM vm_values ORDER BY id";

let expected: unknown[];

describe("valueMapping: 'mysql2'", () => {
  before(async () => {
    const conn = await connect(testOptions({ autocommit: true }));
    const cur = conn.cursor();
    await cur.execute("DROP TABLE IF EXISTS vm_values");
    await cur.execute(
      "CREATE TABLE vm_values (id INT PRIMARY KEY AUTO_INCREMENT, d DATE, dt DATETIME(3), big BIGINT, dec_ DECIMAL(20,4), js JSON, g GEOMETRY, tm TIME, yr YEAR, bits BIT(8), txt VARCHAR(20))",
    );
    await cur.execute(
      "INSERT INTO vm_values (d, dt, big, dec_, js, g, tm, yr, bits, txt) VALUES " +
        "('2024-02-29', '2024-02-29 13:14:15.678', 9007199254740991, '12345678.1234', '{\"a\": [1, 2]}', ST_GeomFromText('POINT(1 2)'), '-01:02:03', 2024, b'101', 'x'), " +
        "('1999-12-31', NULL, -5, '0.0000', NULL, ST_GeomFromText('POLYGON((0 0, 1 0, 1 1, 0 0))'), '838:59:59', NULL, NULL, NULL), " +
        "(NULL, NULL, NULL, NULL, NULL, ST_GeomFromText('GEOMETRYCOLLECTION(POINT(3 4), LINESTRING(0 0, 5 5))'), NULL, NULL, NULL, NULL)",
    );
    conn.close();
    // The reference: mysql2 itself.
    const o = testOptions();
    const m = await mysql2.createConnection({ host: o.host, port: o.port, user: o.user, password: o.password, database: TEST_DB });
    try {
      [expected] = (await m.query(SELECT)) as [unknown[], unknown];
    } finally {
      await m.end();
    }
  });
  after(async () => {
    const conn = await connect(testOptions({ autocommit: true }));
    await conn.cursor().execute("DROP TABLE IF EXISTS vm_values");
    conn.close();
  });

  it("cursors give exactly what mysql2 gives, with text and prepared statements", async () => {
    const conn = await connect(testOptions({ valueMapping: "mysql2" }));
    try {
      const cur = conn.cursor(DictCursor);
      await cur.execute(SELECT);
      const text = await cur.fetchAll();
      assert.deepEqual(text, expected);
      await cur.execute(SELECT, [], { prepare: true });
      assert.deepEqual(await cur.fetchAll(), expected, "the binary protocol maps the same");
      const first = text[0] as Record<string, unknown>;
      assert.deepEqual(first.d, new Date(2024, 1, 29), "DATE as a Date at local midnight");
      assert.deepEqual(first.g, { x: 1, y: 2 });
      assert.equal(first.dec_, "12345678.1234", "DECIMAL stays an exact string");
    } finally {
      conn.close();
    }
  });

  it("the default mapping is aiomysql's own", async () => {
    const conn = await connect(testOptions());
    try {
      const cur = conn.cursor(DictCursor);
      await cur.execute(SELECT);
      const [first] = (await cur.fetchAll()) as Record<string, unknown>[];
      assert.equal(first!.d, "2024-02-29");
      assert.ok(Buffer.isBuffer(first!.g));
      assert.deepEqual(parseGeometry(first!.g as Buffer), { x: 1, y: 2 }, "parseGeometry reads the Buffer as the mapping does");
    } finally {
      conn.close();
    }
  });

  it("BIGINT beyond 2^53 is an exact string, never a rounded number", async () => {
    const conn = await connect(testOptions({ valueMapping: "mysql2" }));
    try {
      const cur = conn.cursor();
      await cur.execute("SELECT CAST(9007199254740993 AS SIGNED), CAST(18446744073709551615 AS UNSIGNED), CAST(42 AS SIGNED)");
      assert.deepEqual(await cur.fetchAll(), [["9007199254740993", "18446744073709551615", 42]]);
    } finally {
      conn.close();
    }
  });

  it("is a URL option too", async () => {
    const o = testOptions();
    const url = `mysql://${encodeURIComponent(o.user)}:${encodeURIComponent(o.password)}@${o.host}:${o.port}/${TEST_DB}?valueMapping=mysql2`;
    const conn = await connect(url);
    try {
      const cur = conn.cursor();
      await cur.execute("SELECT DATE '2024-02-29'");
      assert.deepEqual(await cur.fetchOne(), [new Date(2024, 1, 29)]);
    } finally {
      conn.close();
    }
  });

  it("applies through the pool, aiomysql/sa and the Kysely dialect", async () => {
    const pool = await createPool(testOptions({ valueMapping: "mysql2", autocommit: true, maxSize: 2 }));
    try {
      assert.deepEqual(await pool.query(SELECT, [], { cursorClass: DictCursor }), expected);
      const db = new Kysely<Record<string, never>>({ dialect: new AiomysqlDialect({ pool }) });
      const { rows } = await sql.raw(SELECT).execute(db);
      assert.deepEqual(rows, expected);
    } finally {
      pool.close();
      await pool.waitClosed();
    }
    const engine = await createEngine(testOptions({ valueMapping: "mysql2" }));
    try {
      await using conn = await engine.acquire();
      const res = await conn.execute(SELECT);
      const rows = (await res.fetchAll()).map((r) => Object.fromEntries(r.keys().map((k) => [k, r.get(k)])));
      assert.deepEqual(rows, expected);
    } finally {
      engine.close();
      await engine.waitClosed();
    }
  });

  it("conv decoders win over the mapping; unknown mappings are refused", async () => {
    const conn = await connect(
      testOptions({ valueMapping: "mysql2", conv: { [FIELD_TYPE.DATE]: (v: string | Buffer) => `date:${String(v)}` } }),
    );
    try {
      const cur = conn.cursor();
      await cur.execute("SELECT DATE '2024-01-02', DATE '0000-00-00' + INTERVAL 0 DAY");
      assert.deepEqual(await cur.fetchOne(), ["date:2024-01-02", null]);
    } finally {
      conn.close();
    }
    await assert.rejects(
      connect(testOptions({ valueMapping: "pg" as "mysql2" })),
      (e: unknown) => e instanceof InterfaceError && /valueMapping/.test(e.message),
    );
    assert.ok(Object.isFrozen(mysql2Decoders("Z")));
  });
});
