// Statement errors carry the caller's stack frames: the error is raised in a socket callback,
// and the library appends the frames of the code that awaited the statement.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { connect, createPool, SSCursor, MySQLError, type Connection, type Pool } from "../../src/index.js";
import { testOptions } from "../support/config.js";

const THIS_FILE = fileURLToPath(import.meta.url);
let conn: Connection;
let pool: Pool;

/** The library error `fn` rejects with; its stack must reach `callerName` in this file. */
async function assertCallerFrames(fn: () => Promise<unknown>, callerName: string): Promise<MySQLError> {
  try {
    await fn();
  } catch (e) {
    assert.ok(e instanceof MySQLError, `expected a library error, got ${String(e)}`);
    const stack = e.stack ?? "";
    const callerLine = stack.split("\n").find((l) => l.includes(callerName));
    assert.ok(callerLine?.includes(THIS_FILE), `no frame of ${callerName} in ${THIS_FILE}:\n${stack}`);
    assert.equal(stack.split("\n").filter((l) => l.includes(callerName)).length, 1, "the frames are appended once");
    return e;
  }
  assert.fail("the statement should have failed");
}

async function executeBadSql(): Promise<void> {
  await conn.cursor().execute("SELECT * FROM no_such_table_cf");
}

async function executePreparedBadSql(): Promise<void> {
  await conn.cursor().execute("SELECT no_such_column FROM DUAL WHERE 1 = %s", [1], { prepare: true });
}

async function streamBadSql(): Promise<void> {
  const cur = conn.cursor(SSCursor);
  try {
    await cur.execute("SELECT * FROM no_such_table_cf");
  } finally {
    await cur.close();
  }
}

async function streamFailsMidway(): Promise<void> {
  const cur = conn.cursor(SSCursor);
  try {
    // The error arrives after the result's head, while rows are fetched.
    await cur.execute("SELECT seq, IF(seq = 3, (SELECT seq FROM seq_1_to_2), seq) FROM seq_1_to_5");
    await cur.fetchAll();
  } finally {
    await cur.close();
  }
}

async function poolExecuteBadSql(): Promise<void> {
  await pool.execute("SELECT * FROM no_such_table_cf");
}

describe("caller stack frames on statement errors", () => {
  before(async () => {
    conn = await connect(testOptions());
    pool = await createPool(testOptions({ maxSize: 1 }));
  });
  after(async () => {
    conn.close();
    pool.close();
    await pool.waitClosed();
  });

  it("Cursor.execute()", async () => {
    const e = await assertCallerFrames(executeBadSql, "executeBadSql");
    assert.equal(e.errno, 1146);
  });

  it("a prepared execute()", async () => {
    const e = await assertCallerFrames(executePreparedBadSql, "executePreparedBadSql");
    assert.equal(e.errno, 1054);
  });

  it("SSCursor.execute()", async () => {
    await assertCallerFrames(streamBadSql, "streamBadSql");
  });

  it("an SSCursor error while fetching rows", async () => {
    const e = await assertCallerFrames(streamFailsMidway, "streamFailsMidway");
    assert.equal(e.errno, 1242);
  });

  it("Pool.execute()", async () => {
    await assertCallerFrames(poolExecuteBadSql, "poolExecuteBadSql");
  });

  it("the connection still works afterwards", async () => {
    const cur = conn.cursor();
    await cur.execute("SELECT 1");
    assert.deepEqual(await cur.fetchAll(), [[1]]);
  });
});
