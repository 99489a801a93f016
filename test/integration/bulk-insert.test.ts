// executeMany through COM_STMT_BULK_EXECUTE (MariaDB): the same rows land as with multi-row
// INSERTs, whatever the mix of value types; a failing row fails the call with the server's
// error and leaves the connection usable.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect, Connection, IntegrityError, type SqlParam } from "../../src/index.js";
import { MARIADB_CLIENT } from "../../src/protocol/constants.js";
import { testOptions } from "../support/config.js";

const COLUMNS = "id INT PRIMARY KEY, i BIGINT NULL, d DOUBLE NULL, s VARCHAR(300) NULL, t DATETIME(3) NULL, b BLOB NULL, f TINYINT NULL";
const INSERT = "INSERT INTO test_bulk (id, i, d, s, t, b, f) VALUES (%s, %s, %s, %s, %s, %s, %s)";

async function rows(conn: Connection): Promise<unknown[]> {
  const cur = conn.cursor();
  await cur.execute("SELECT * FROM test_bulk ORDER BY id");
  return cur.fetchAll();
}

async function statementsPrepared(conn: Connection): Promise<number> {
  const cur = conn.cursor();
  await cur.execute("SHOW SESSION STATUS LIKE 'Com_stmt_prepare'");
  return Number(((await cur.fetchOne()) as unknown[])[1]);
}

describe("executeMany with COM_STMT_BULK_EXECUTE", () => {
  let conn: Connection;
  before(async () => {
    conn = await connect(testOptions({ autocommit: true }));
    await conn.cursor().execute("DROP TABLE IF EXISTS test_bulk");
    await conn.cursor().execute(`CREATE TABLE test_bulk (${COLUMNS})`);
  });
  after(async () => {
    await conn.cursor().execute("DROP TABLE IF EXISTS test_bulk");
    await conn.ensureClosed();
  });

  it("is offered by the server and negotiated", () => {
    assert.notEqual(conn.session.mariadbCapabilities & MARIADB_CLIENT.STMT_BULK_OPERATIONS, 0);
  });

  it("stores the same rows as multi-row INSERTs, across changing value types", async () => {
    const data: SqlParam[][] = [];
    for (let k = 1; k <= 3000; k++) {
      data.push([
        k,
        // NULL first, then numbers, then a value past 2^53 (bigint), then small numbers again.
        k < 5 ? null : k === 700 ? 2n ** 62n + 1n : k * 1_000_003,
        // Integers and fractions alternate in one DOUBLE column.
        k % 3 === 0 ? k : k / 7,
        // NULL for a while, then strings; one run of numbers in a string column.
        k < 100 ? null : k >= 1500 && k < 1510 ? k : `s${k}-${"é".repeat(k % 40)}`,
        k % 11 === 0 ? null : new Date(Date.UTC(2024, 1, 29, 12, 0, 0, k % 1000)),
        k % 13 === 0 ? null : Buffer.from([k & 0xff, 0, 0xff]),
        k % 2 === 0,
      ]);
    }
    const cur = conn.cursor();
    const before = await statementsPrepared(conn);
    assert.equal(await cur.executeMany(INSERT, data, { bulk: true }), data.length);
    assert.equal(cur.rowCount, data.length);
    assert.ok((await statementsPrepared(conn)) > before, "the bulk path prepares the statement");
    const viaBulk = await rows(conn);
    await cur.execute("TRUNCATE TABLE test_bulk");
    assert.equal(await cur.executeMany(INSERT, data, { bulk: false }), data.length);
    const viaText = await rows(conn);
    assert.equal(viaBulk.length, data.length);
    assert.deepEqual(viaBulk, viaText);
    assert.deepEqual(viaBulk[699], [
      700,
      2n ** 62n + 1n,
      100,
      "s700-" + "é".repeat(20),
      new Date(Date.UTC(2024, 1, 29, 12, 0, 0, 700)),
      Buffer.from([700 & 0xff, 0, 0xff]),
      1,
    ]);
    await cur.execute("TRUNCATE TABLE test_bulk");
  });

  it("splits runs larger than one command", async () => {
    const big = "x".repeat(300);
    const data: SqlParam[][] = Array.from({ length: 20_000 }, (_, k) => [k, k, k, big, null, null, 1]);
    const cur = conn.cursor();
    assert.equal(await cur.executeMany(INSERT, data, { bulk: true }), data.length);
    await cur.execute("SELECT COUNT(*), SUM(id), MIN(s) = MAX(s) FROM test_bulk");
    assert.deepEqual(await cur.fetchOne(), [20_000, "199990000", 1]);
    await cur.execute("TRUNCATE TABLE test_bulk");
  });

  it("fails with the server's error on a bad row and leaves the connection usable", async () => {
    const data: SqlParam[][] = Array.from({ length: 500 }, (_, k) => [k === 300 ? 5 : k, null, null, null, null, null, null]);
    const cur = conn.cursor();
    await assert.rejects(cur.executeMany(INSERT, data, { bulk: true }), IntegrityError);
    await cur.execute("SELECT COUNT(*) FROM test_bulk");
    // One command is one statement, as one multi-row INSERT is: InnoDB rolls all of its rows back.
    assert.deepEqual(await cur.fetchOne(), [0]);
    await cur.execute("SELECT 1");
    assert.deepEqual(await cur.fetchOne(), [1]);
    await cur.execute("TRUNCATE TABLE test_bulk");
  });

  it("refuses a row of the wrong length before sending anything", async () => {
    const cur = conn.cursor();
    await assert.rejects(
      cur.executeMany(
        INSERT,
        [
          [1, 2, 3, 4, 5, 6, 7],
          [1, 2],
        ],
        { bulk: true },
      ),
      /row 1 has 2 values, the statement takes 7/,
    );
    await cur.execute("SELECT COUNT(*) FROM test_bulk");
    assert.deepEqual(await cur.fetchOne(), [0]);
  });
});
