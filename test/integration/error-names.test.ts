// Error names and sqlMessage on the real server, for numbers that used to fall back to ER_<n>.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect, MySQLError, type Connection } from "../../src/index.js";
import { testOptions } from "../support/config.js";

let conn: Connection;

async function failure(sql: string): Promise<MySQLError> {
  const cur = conn.cursor();
  try {
    await cur.execute(sql);
  } catch (e) {
    assert.ok(e instanceof MySQLError);
    return e;
  }
  assert.fail(`${sql} should have failed`);
}

describe("server error names on MariaDB", () => {
  before(async () => {
    conn = await connect(testOptions({ autocommit: true }));
    await conn.cursor().execute("CREATE TABLE IF NOT EXISTS err_names (id INT PRIMARY KEY)");
  });
  after(async () => {
    await conn.cursor().execute("DROP TABLE IF EXISTS err_names");
    conn.close();
  });

  it("SIGNAL is ER_SIGNAL_EXCEPTION (1644) with the signalled text as sqlMessage", async () => {
    const e = await failure("SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'custom failure'");
    assert.equal(e.errno, 1644);
    assert.equal(e.code, "ER_SIGNAL_EXCEPTION");
    assert.equal(e.sqlState, "45000");
    assert.equal(e.sqlMessage, "custom failure");
  });

  it("a write in a read-only transaction is ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION (1792)", async () => {
    await conn.cursor().execute("START TRANSACTION READ ONLY");
    try {
      const e = await failure("INSERT INTO err_names VALUES (1)");
      assert.equal(e.errno, 1792);
      assert.equal(e.code, "ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION");
    } finally {
      await conn.rollback();
    }
  });
});
