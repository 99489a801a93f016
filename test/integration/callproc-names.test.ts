// callProc() names are identifiers: a backquoted name's contents never become SQL of the SET
// statement that fills the @_<name>_<n> variables.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect, type Connection } from "../../src/index.js";
import { testOptions } from "../support/config.js";

// A legal procedure name whose contents are also SQL: unquoted, `SET @_p=(SELECT 42),@q_0=...`
// would run the subquery and set @_p.
const NAME = "p=(SELECT 42),@q";
const QUOTED = "`" + NAME + "`";

async function scalar(conn: Connection, sql: string): Promise<unknown> {
  await using cur = conn.cursor();
  await cur.execute(sql);
  return ((await cur.fetchOne()) as unknown[])[0];
}

describe("callProc names", () => {
  let conn: Connection;
  before(async () => {
    conn = await connect(testOptions({ autocommit: true }));
    await conn.cursor().execute(`DROP PROCEDURE IF EXISTS ${QUOTED}`);
    await conn.cursor().execute(`CREATE PROCEDURE ${QUOTED}(INOUT x INT) BEGIN SET x = x + 1; END`);
    await conn.cursor().execute("DROP PROCEDURE IF EXISTS `odd``name`");
    await conn.cursor().execute("CREATE PROCEDURE `odd``name`(INOUT x INT) BEGIN SET x = x * 2; END");
  });
  after(async () => {
    await conn.cursor().execute(`DROP PROCEDURE IF EXISTS ${QUOTED}`);
    await conn.cursor().execute("DROP PROCEDURE IF EXISTS `odd``name`");
    conn.close();
  });

  it("a backquoted name with SQL inside is only a name", async () => {
    const cur = conn.cursor();
    await cur.callProc(QUOTED, [5]);
    await cur.close();
    assert.equal(await scalar(conn, "SELECT @_p"), null, "no variable was set by the name's contents");
    assert.equal(await scalar(conn, "SELECT @`_" + NAME + "_0`"), 6, "the procedure ran and its variable holds the result");
  });

  it("a doubled backtick in the name stays one identifier", async () => {
    const cur = conn.cursor();
    await cur.callProc("`odd``name`", [21]);
    await cur.close();
    assert.equal(await scalar(conn, "SELECT @`_odd``name_0`"), 42);
  });

  it("plain names keep aiomysql's @_name_n variables", async () => {
    await conn.cursor().execute("DROP PROCEDURE IF EXISTS plain_inc");
    await conn.cursor().execute("CREATE PROCEDURE plain_inc(INOUT x INT) BEGIN SET x = x + 10; END");
    const cur = conn.cursor();
    await cur.callProc("plain_inc", [1]);
    await cur.close();
    assert.equal(await scalar(conn, "SELECT @_plain_inc_0"), 11);
    await conn.cursor().execute("DROP PROCEDURE plain_inc");
  });
});
