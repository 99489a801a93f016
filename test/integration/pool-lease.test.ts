// Pool leases are one-shot: a previous borrower's stale release() or use can never reach the
// connection that another borrower holds now. And a transaction that a failed statement left
// open under autocommit off is rolled back before the connection is handed out again.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { connect, createPool, InterfaceError, type Connection, type Pool } from "../../src/index.js";
import { testOptions } from "../support/config.js";

async function closePool(pool: Pool): Promise<void> {
  pool.close();
  await pool.waitClosed();
}

async function scalar(conn: Connection, sql: string): Promise<unknown> {
  const cur = conn.cursor();
  await cur.execute(sql);
  const row = await cur.fetchOne<unknown[]>();
  await cur.close();
  return row?.[0];
}

describe("pool leases", () => {
  it("a stale second release() does not release the connection another borrower now holds", async () => {
    const pool = await createPool(testOptions({ minSize: 1, maxSize: 1 }));
    try {
      const a = await pool.acquire();
      pool.release(a);
      const b = await pool.acquire();
      assert.equal(b.threadId, a.threadId, "the same connection, lent again");
      pool.release(a); // the previous borrower releases again
      assert.equal(pool.stats().used, 1, "B still holds it");
      assert.equal(pool.freeSize, 0, "nothing went back to the free list");
      // A third borrower must wait instead of sharing B's session.
      await assert.rejects(pool.acquire({ timeout: 0.05 }), /Timed out/);
      assert.equal(await scalar(b, "SELECT 1"), 1);
      pool.release(b);
      const c = await pool.acquire();
      assert.equal(c.threadId, b.threadId);
      pool.release(c);
    } finally {
      await closePool(pool);
    }
  });

  it("a released lease refuses use, so a stale borrower cannot drive the next one's session", async () => {
    const pool = await createPool(testOptions({ minSize: 1, maxSize: 1 }));
    try {
      const a = await pool.acquire();
      const staleCursor = a.cursor();
      pool.release(a);
      const b = await pool.acquire();
      assert.throws(() => a.cursor(), InterfaceError);
      assert.throws(() => a.close(), /released back to its pool/);
      await assert.rejects(staleCursor.execute("SELECT 1"), InterfaceError);
      assert.equal(b.closed, false, "B's connection was not closed by A");
      assert.equal(await scalar(b, "SELECT 2"), 2);
      // Inspecting a stale lease is harmless and allowed.
      assert.equal(typeof a.threadId, "number");
      pool.release(b);
    } finally {
      await closePool(pool);
    }
  });

  it("await using releases exactly once, and a stale dispose is a no-op", async () => {
    const pool = await createPool(testOptions({ minSize: 1, maxSize: 1 }));
    try {
      let first: Connection | undefined;
      {
        await using conn = await pool.acquire();
        first = conn;
        assert.equal(await scalar(conn, "SELECT 3"), 3);
      }
      assert.equal(pool.freeSize, 1);
      const b = await pool.acquire();
      await first[Symbol.asyncDispose]();
      assert.equal(pool.stats().used, 1, "the stale dispose did not release B");
      pool.release(b);
    } finally {
      await closePool(pool);
    }
  });

  it("release() still refuses a connection from elsewhere", async () => {
    const pool = await createPool(testOptions({ minSize: 0, maxSize: 1 }));
    const other = await connect(testOptions());
    try {
      assert.throws(() => pool.release(other), /does not belong to this pool/);
    } finally {
      other.close();
      await closePool(pool);
    }
  });
});

describe("pool rollback after a failed statement (autocommit off)", () => {
  it("a failed statement's transaction and row locks do not stay on the pooled connection", async () => {
    const setup = await connect(testOptions({ autocommit: true }));
    await setup.cursor().execute("DROP TABLE IF EXISTS lease_locks");
    await setup.cursor().execute("CREATE TABLE lease_locks (id INT PRIMARY KEY, v INT) ENGINE=InnoDB");
    await setup.cursor().execute("INSERT INTO lease_locks VALUES (1, 0), (2, 0)");
    const pool = await createPool(testOptions({ minSize: 1, maxSize: 1 })); // autocommit false
    try {
      // Locks row 1, then fails on the duplicate key of row 2: the ERR carries no status flags.
      await assert.rejects(pool.query("UPDATE lease_locks SET id = 2 WHERE id = 1"), /Duplicate/);
      const conn = await pool.acquire();
      assert.equal(conn.inTransaction, false, "the next borrower inherits no transaction");
      pool.release(conn);
      // Another session can take the row lock at once: it was released by the rollback.
      await setup.cursor().execute("SET SESSION innodb_lock_wait_timeout = 1");
      assert.equal(await setup.cursor().execute("UPDATE lease_locks SET v = 1 WHERE id = 1"), 1);
      assert.ok(pool.stats().rolledBack >= 1);
    } finally {
      await closePool(pool);
      await setup.cursor().execute("DROP TABLE IF EXISTS lease_locks");
      setup.close();
    }
  });

  it("an acquired connection released after a failed statement is rolled back before it is lent again", async () => {
    const setup = await connect(testOptions({ autocommit: true }));
    await setup.cursor().execute("DROP TABLE IF EXISTS lease_locks2");
    await setup.cursor().execute("CREATE TABLE lease_locks2 (id INT PRIMARY KEY, v INT) ENGINE=InnoDB");
    await setup.cursor().execute("INSERT INTO lease_locks2 VALUES (1, 0), (2, 0)");
    const pool = await createPool(testOptions({ minSize: 1, maxSize: 1 }));
    try {
      const conn = await pool.acquire();
      assert.equal(conn.getAutocommit(), false);
      await assert.rejects(conn.cursor().execute("UPDATE lease_locks2 SET id = 2 WHERE id = 1"), /Duplicate/);
      pool.release(conn);
      const again = await pool.acquire();
      assert.equal(again.threadId, conn.threadId, "the same connection");
      const open = await scalar(setup, `SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id = ${again.threadId}`);
      assert.equal(open, 0, "no transaction of the previous borrower is left open");
      pool.release(again);
    } finally {
      await closePool(pool);
      await setup.cursor().execute("DROP TABLE IF EXISTS lease_locks2");
      setup.close();
    }
  });
});

describe("resetOnRelease", () => {
  it("the next borrower gets a fresh session: no variables, temporary tables or SET NAMES of the previous one", async () => {
    const pool = await createPool(testOptions({ minSize: 1, maxSize: 1, resetOnRelease: true }));
    try {
      const a = await pool.acquire();
      const cur = a.cursor();
      await cur.execute("SET @left_behind = 42");
      await cur.execute("CREATE TEMPORARY TABLE lease_reset_tmp (id INT)");
      await cur.execute("SET NAMES latin1");
      pool.release(a);
      const b = await pool.acquire();
      assert.equal(b.threadId, a.threadId, "the same connection");
      assert.equal(await scalar(b, "SELECT @left_behind"), null);
      await assert.rejects(scalar(b, "SELECT COUNT(*) FROM lease_reset_tmp"), /doesn't exist/);
      assert.equal(await scalar(b, "SELECT @@character_set_client"), "utf8mb4");
      assert.equal(b.getAutocommit(), false, "the connection's own settings are applied again");
      pool.release(b);
    } finally {
      await closePool(pool);
    }
  });

  it("off by default: session state is kept (aiomysql's behaviour)", async () => {
    const pool = await createPool(testOptions({ minSize: 1, maxSize: 1 }));
    try {
      const a = await pool.acquire();
      await a.cursor().execute("SET @kept = 7");
      pool.release(a);
      const b = await pool.acquire();
      assert.equal(await scalar(b, "SELECT @kept"), 7);
      pool.release(b);
    } finally {
      await closePool(pool);
    }
  });
});
