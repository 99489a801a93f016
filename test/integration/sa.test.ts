// aiomysql/sa on the real server: the seed's section 7.6, with SQL strings.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Cursor, DictCursor, InterfaceError, ProgrammingError, SSCursor, SSDictCursor } from "../../src/index.js";
import {
  createEngine,
  dialect,
  Engine,
  NestedTransaction,
  ResultProxy,
  RowProxy,
  SAConnection,
  Transaction,
  TwoPhaseTransaction,
} from "../../src/sa/index.js";
import { testOptions } from "../support/config.js";

let engine: Engine;

async function count(table: string): Promise<number> {
  // A separate connection sees only committed rows.
  const conn = await engine.acquire();
  try {
    return Number(await conn.scalar(`SELECT COUNT(*) FROM ${table}`));
  } finally {
    await conn.close();
  }
}

async function freshTable(name: string): Promise<void> {
  const conn = await engine.acquire();
  try {
    await conn.execute(`DROP TABLE IF EXISTS ${name}`);
    await conn.execute(`CREATE TABLE ${name} (id INT AUTO_INCREMENT PRIMARY KEY, val VARCHAR(255)) ENGINE=InnoDB`);
  } finally {
    await conn.close();
  }
}

describe("aiomysql/sa", () => {
  before(async () => {
    engine = await createEngine(testOptions({ maxSize: 4 }));
    // A prepared XA transaction outlives its connection and keeps its locks: roll back any that
    // an interrupted earlier run on the same server left behind.
    const conn = await engine.acquire();
    try {
      for (const xid of await conn.recoverTwophase()) if (xid.startsWith("_sa_")) await conn.rollbackPrepared(xid);
    } finally {
      await conn.close();
    }
  });
  after(async () => {
    engine.close();
    await engine.waitClosed();
  });

  it("runs the seed's intro example with SQL strings", async () => {
    await freshTable("sa_tbl");
    const printed: unknown[][] = [];
    {
      const conn = await engine.acquire();
      try {
        const transaction = await conn.begin();
        await conn.execute("INSERT INTO sa_tbl (val) VALUES (%s)", "abc");
        await transaction.commit();
        const res = await conn.execute<{ id: number; val: string }>("SELECT * FROM sa_tbl");
        for await (const row of res) printed.push([row.id, row.val]);
      } finally {
        await conn.close();
      }
    }
    assert.deepEqual(printed, [[1, "abc"]]);
  });

  it("has the Engine members of the seed", async () => {
    const e = await createEngine(testOptions({ minSize: 2, maxSize: 5 }));
    assert.equal(e.dialect, dialect);
    assert.equal(e.name, "mysql");
    assert.equal(e.driver, "aiomysql");
    assert.equal(e.minSize, 2);
    assert.equal(e.maxSize, 5);
    assert.equal(e.size, 2);
    assert.equal(e.freeSize, 2);
    const conn = await e.acquire();
    assert.ok(conn instanceof SAConnection);
    assert.equal(e.freeSize, 1);
    e.release(conn);
    assert.equal(conn.closed, true);
    assert.equal(e.freeSize, 2);
    e.close();
    await e.waitClosed();
    assert.equal(e.size, 0);
    await assert.rejects(e.acquire(), InterfaceError);
  });

  it("terminate() closes connections in use", async () => {
    const e = await createEngine(testOptions({ minSize: 1, maxSize: 2 }));
    const conn = await e.acquire();
    e.terminate();
    await e.waitClosed();
    await assert.rejects(conn.execute("SELECT 1"), InterfaceError);
  });

  it("refuses dict and streaming cursor classes", async () => {
    for (const cursorClass of [DictCursor, SSCursor, SSDictCursor]) {
      await assert.rejects(createEngine(testOptions({ cursorClass })), InterfaceError);
    }
    const e = await createEngine(testOptions({ cursorClass: Cursor }));
    e.close();
    await e.waitClosed();
  });

  it("rowCount counts the rows an UPDATE matched (CLIENT.FOUND_ROWS)", async () => {
    await freshTable("sa_found");
    const conn = await engine.acquire();
    try {
      await conn.execute("INSERT INTO sa_found (val) VALUES (%s), (%s)", "x", "y");
      const res = await conn.execute("UPDATE sa_found SET val = %s WHERE val = %s", "x", "x");
      assert.equal(res.rowCount, 1, "one row matched though none changed");
      assert.equal(res.returnsRows, false);
      assert.equal(res.closed, true, "a result without rows closes itself");
    } finally {
      await conn.close();
    }
  });

  it("binds parameters as the seed shows: %d and %s tuples, separate values, named, executemany", async () => {
    await freshTable("sa_params");
    const conn = await engine.acquire();
    try {
      await conn.execute("INSERT INTO sa_params (id, val) VALUES (%d, %s)", [1, "v1"]);
      await conn.execute("INSERT INTO sa_params (id, val) VALUES (%s, %s)", 2, "v2");
      await conn.execute("INSERT INTO sa_params (id, val) VALUES (%(id)s, %(val)s)", { id: 3, val: "v3" });
      const many = await conn.execute("INSERT INTO sa_params (id, val) VALUES (%s, %s)", [
        [4, "v4"],
        [5, "v5"],
      ]);
      assert.equal(many.rowCount, 2);
      const named = await conn.execute("UPDATE sa_params SET val = %(val)s WHERE id = %(id)s", [
        { id: 4, val: "w4" },
        { id: 5, val: "w5" },
      ]);
      assert.equal(named.rowCount, 2);
      assert.equal(await conn.scalar("SELECT val FROM sa_params WHERE id IN %(ids)s ORDER BY id DESC", { ids: [4, 5] }), "w5");
      assert.equal(await conn.scalar("SELECT COUNT(*) FROM sa_params WHERE id IN %s AND val <> %s", [1, 2], "x"), 2);
      const rows = await (await conn.execute("SELECT id, val FROM sa_params ORDER BY id")).fetchAll();
      assert.deepEqual(
        rows.map((r) => r.asTuple()),
        [
          [1, "v1"],
          [2, "v2"],
          [3, "v3"],
          [4, "w4"],
          [5, "w5"],
        ],
      );
      assert.equal(await conn.scalar("SELECT '100%%'", []), "100%");
      assert.equal(await conn.scalar("SELECT '100%'"), "100%", "no arguments: no % processing");
      // A compiled query with ? placeholders, once and once per item.
      assert.equal(await conn.scalar({ sql: "SELECT ? + ?", params: [40, 2] }), 42);
      const q = await conn.execute({ sql: "INSERT INTO sa_params (id, val) VALUES (?, ?)", params: [] }, [
        [6, "it's"],
        [7, "?"],
      ]);
      assert.equal(q.rowCount, 2);
      assert.equal(await conn.scalar("SELECT val FROM sa_params WHERE id = 6"), "it's");
      assert.equal(await conn.scalar("SELECT val FROM sa_params WHERE id = 7"), "?");
      await assert.rejects(conn.execute("SELECT %s, %s", 1), ProgrammingError);
      await assert.rejects(conn.execute("SELECT %d", "x"), ProgrammingError);
      await assert.rejects(conn.execute("SELECT %(a)s", { b: 1 }), ProgrammingError);
      await assert.rejects(conn.execute({ sql: "SELECT ?", params: [1, 2] }), ProgrammingError);
      await assert.rejects(conn.execute({ sql: "SELECT ?", params: [1] }, 2), ProgrammingError);
      await assert.rejects(conn.execute(42 as unknown as string), ProgrammingError);
      assert.equal(await conn.scalar("SELECT 1"), 1, "the connection is still usable");
    } finally {
      await conn.close();
    }
  });

  it("ResultProxy: keys, rowCount, lastRowId, fetch methods and closing as the seed documents", async () => {
    await freshTable("sa_result");
    const conn = await engine.acquire();
    try {
      const ins = await conn.execute("INSERT INTO sa_result (val) VALUES ('a'), ('b'), ('c'), ('d')");
      assert.ok(ins instanceof ResultProxy);
      assert.equal(ins.dialect, dialect);
      assert.equal(ins.rowCount, 4);
      assert.equal(ins.lastRowId, 1, "the first id of a multi-row INSERT");
      assert.deepEqual(ins.keys(), []);
      await assert.rejects(ins.fetchAll(), /does not return rows/);

      const res = await conn.execute("SELECT id, val FROM sa_result ORDER BY id");
      assert.deepEqual(res.keys(), ["id", "val"]);
      assert.equal(res.returnsRows, true);
      assert.equal(res.closed, false);
      const one = await res.fetchOne();
      assert.equal(one?.val, "a");
      const two = await res.fetchMany(2);
      assert.deepEqual(
        two.map((r) => r.val),
        ["b", "c"],
      );
      assert.equal((await res.fetchMany()).length, 1, "fetchMany() defaults to one row");
      assert.equal(res.closed, false);
      assert.deepEqual(await res.fetchMany(5), []);
      assert.equal(res.closed, true, "closed once exhausted");
      await assert.rejects(res.fetchOne(), InterfaceError);

      const all = await conn.execute("SELECT val FROM sa_result ORDER BY id");
      assert.equal((await all.fetchAll()).length, 4);
      assert.equal(all.closed, true);

      const none = await conn.execute("SELECT val FROM sa_result WHERE id > 100");
      assert.equal(await none.fetchOne(), null);
      assert.equal(none.closed, true);

      const first = await conn.execute("SELECT val FROM sa_result ORDER BY id");
      assert.equal((await first.first())?.val, "a");
      assert.equal(first.closed, true, "first() closes the result");
      assert.equal(await (await conn.execute("SELECT val FROM sa_result WHERE id = 0")).first(), null);
      assert.equal(await (await conn.execute("SELECT val FROM sa_result WHERE id = 0")).scalar(), null);
      assert.equal(await conn.scalar("SELECT COUNT(*) FROM sa_result"), 4);

      const early = await conn.execute("SELECT val FROM sa_result");
      early.close();
      assert.equal(early.closed, true);
      await assert.rejects(early.fetchAll(), /is closed/);

      let seen = 0;
      {
        const r = await conn.execute("SELECT val FROM sa_result");
        try {
          for await (const row of r) {
            assert.ok(row instanceof RowProxy);
            seen++;
          }
        } finally {
          await r[Symbol.asyncDispose]();
        }
        assert.equal(r.closed, true);
      }
      assert.equal(seen, 4);
    } finally {
      await conn.close();
    }
  });

  it("RowProxy: by position, name and column object; asTuple, equality, mapping behaviour", async () => {
    const conn = await engine.acquire();
    try {
      const res = await conn.execute<{ id: number; val: string; b: Buffer }>("SELECT 1 AS id, 'x' AS val, X'00ff' AS b");
      const row = (await res.first())!;
      assert.equal(row[0], 1);
      assert.equal(row[-1] instanceof Buffer, true);
      assert.equal(row.id, 1);
      assert.equal(row["val"], "x");
      assert.equal(row.get("val"), "x");
      assert.equal(row.get({ name: "id" }), 1, "a column object: anything with a name");
      assert.equal(row.get("tbl.val"), "x", "a qualified name falls back to its column");
      assert.equal(row.get(1), "x");
      assert.throws(() => row.get("nope"), ProgrammingError);
      assert.equal(row.get("nope", "dflt"), "dflt");
      assert.equal("id" in row, true);
      assert.equal("nope" in row, false);
      assert.equal(row.length, 3);
      assert.deepEqual(row.keys(), ["id", "val", "b"]);
      assert.deepEqual([...row], ["id", "val", "b"], "iteration yields the keys, as a Mapping");
      assert.deepEqual(row.asTuple(), [1, "x", Buffer.from([0, 255])]);
      assert.deepEqual(row.values(), row.asTuple());
      assert.deepEqual(Object.keys(row), ["id", "val", "b"]);
      assert.equal(JSON.stringify(row), JSON.stringify({ id: 1, val: "x", b: Buffer.from([0, 255]) }));
      const again = (await (await conn.execute("SELECT 1 AS id, 'x' AS val, X'00ff' AS b")).first())!;
      assert.ok(row.equals(again));
      assert.ok(row.equals([1, "x", Buffer.from([0, 255])]));
      assert.ok(!row.equals([1, "y", Buffer.from([0, 255])]));
      assert.ok(!row.equals({ id: 1 }));
      assert.throws(() => {
        (row as unknown as Record<string, unknown>).id = 2;
      }, ProgrammingError);
      const dup = (await (await conn.execute("SELECT 1 AS a, 2 AS a")).first())!;
      assert.throws(() => dup.get("a"), /Ambiguous/);
      assert.equal(dup[1], 2);
    } finally {
      await conn.close();
    }
  });

  it("begin(): nested calls are emulated; only the outermost commit commits", async () => {
    await freshTable("sa_tx");
    const conn = await engine.acquire();
    try {
      const trans = await conn.begin();
      const trans2 = await conn.begin();
      assert.ok(trans instanceof Transaction && trans2 instanceof Transaction);
      assert.equal(trans2.connection, conn);
      await conn.execute("INSERT INTO sa_tx (val) VALUES ('a')");
      await trans2.commit();
      assert.equal(trans2.isActive, false);
      assert.equal(conn.inTransaction, true);
      assert.equal(await count("sa_tx"), 0, "the inner commit does nothing");
      await trans.commit();
      assert.equal(conn.inTransaction, false);
      assert.equal(await count("sa_tx"), 1);
      await assert.rejects(trans.commit(), InterfaceError);

      const outer = await conn.begin();
      const inner = await conn.begin();
      await conn.execute("INSERT INTO sa_tx (val) VALUES ('b')");
      await inner.rollback();
      assert.equal(outer.isActive, false, "an inner rollback rolls back the whole");
      assert.equal(conn.inTransaction, false);
      await assert.rejects(outer.commit(), InterfaceError);
      assert.equal(await count("sa_tx"), 1);

      // The seed's try/except pattern.
      const t = await conn.begin();
      try {
        await conn.execute("INSERT INTO sa_tx (id, val) VALUES (1, 'duplicate')");
        await t.commit();
      } catch {
        await t.rollback();
      }
      assert.equal(t.isActive, false);
      assert.equal(await count("sa_tx"), 1);

      // close() of the outermost rolls back; of an inner one only ends it.
      const root = await conn.begin();
      const sub = await conn.begin();
      await conn.execute("INSERT INTO sa_tx (val) VALUES ('c')");
      await sub.close();
      assert.equal(sub.isActive, false);
      assert.equal(root.isActive, true);
      await root.close();
      assert.equal(root.isActive, false);
      assert.equal(await count("sa_tx"), 1);
    } finally {
      await conn.close();
    }
  });

  it("beginNested() uses SAVEPOINTs", async () => {
    await freshTable("sa_nested");
    const conn = await engine.acquire();
    try {
      const outer = await conn.begin();
      await conn.execute("INSERT INTO sa_nested (val) VALUES ('kept')");
      const nested = await conn.beginNested();
      assert.ok(nested instanceof NestedTransaction);
      await conn.execute("INSERT INTO sa_nested (val) VALUES ('dropped')");
      await nested.rollback();
      assert.equal(outer.isActive, true, "rolling back a savepoint keeps the enclosing transaction");
      const nested2 = await conn.beginNested();
      await conn.execute("INSERT INTO sa_nested (val) VALUES ('released')");
      await nested2.commit();
      await outer.commit();
      const vals = (await (await conn.execute("SELECT val FROM sa_nested ORDER BY id")).fetchAll()).map((r) => r.val);
      assert.deepEqual(vals, ["kept", "released"]);
      // Without a transaction, beginNested() begins one.
      const t = await conn.beginNested();
      assert.equal(conn.inTransaction, true);
      await t.rollback();
      assert.equal(conn.inTransaction, false);
    } finally {
      await conn.close();
    }
  });

  it("beginTwophase(): XA START/END/PREPARE, recoverTwophase(), commitPrepared() and rollbackPrepared()", async () => {
    await freshTable("sa_xa");
    const conn = await engine.acquire();
    const other = await engine.acquire();
    try {
      await conn.execute("SELECT 1"); // leaves an implicit transaction open (autocommit off)
      const xa = await conn.beginTwophase("it's an xid");
      assert.ok(xa instanceof TwoPhaseTransaction);
      assert.equal(xa.xid, "it's an xid");
      await assert.rejects(conn.beginTwophase(), InterfaceError);
      await conn.execute("INSERT INTO sa_xa (val) VALUES ('xa')");
      await xa.prepare();
      assert.ok((await other.recoverTwophase()).includes("it's an xid"));
      await conn.commitPrepared(xa.xid);
      assert.equal(xa.isActive, false);
      assert.equal(conn.inTransaction, false);
      assert.equal(await count("sa_xa"), 1);

      // A new one may follow, and be rolled back once prepared.
      const xa2 = await conn.beginTwophase();
      assert.match(xa2.xid, /^_sa_[0-9a-f]{32}$/);
      await conn.execute("INSERT INTO sa_xa (val) VALUES ('gone')");
      await xa2.prepare();
      await conn.rollbackPrepared(xa2.xid);
      assert.equal(conn.inTransaction, false);
      assert.ok(!(await other.recoverTwophase()).includes(xa2.xid));
      assert.equal(await count("sa_xa"), 1);

      // commit() and rollback() without prepare().
      const xa3 = await conn.beginTwophase();
      await conn.execute("INSERT INTO sa_xa (val) VALUES ('one phase')");
      await xa3.commit();
      assert.equal(await count("sa_xa"), 2);
      const xa4 = await conn.beginTwophase();
      await conn.execute("INSERT INTO sa_xa (val) VALUES ('rolled back')");
      await xa4.rollback();
      assert.equal(conn.inTransaction, false);
      assert.equal(await count("sa_xa"), 2);
      // A client that dies with a prepared transaction: another connection recovers and commits it.
      const xa5 = await conn.beginTwophase();
      await conn.execute("INSERT INTO sa_xa (val) VALUES ('recovered')");
      await xa5.prepare();
      conn.connection.close();
      await conn.close(); // nothing to roll back on a closed connection
      assert.ok((await other.recoverTwophase()).includes(xa5.xid));
      await other.commitPrepared(xa5.xid);
      assert.equal(await count("sa_xa"), 3);
    } finally {
      await other.close();
      await conn.close();
    }
  });

  it("close() rolls back an open transaction and gives the connection back; release() refuses one", async () => {
    await freshTable("sa_close");
    const e = await createEngine(testOptions({ minSize: 1, maxSize: 1 }));
    try {
      const conn = await e.acquire();
      await conn.begin();
      await conn.execute("INSERT INTO sa_close (val) VALUES ('x')");
      assert.throws(() => e.release(conn), InterfaceError);
      await conn.close();
      assert.equal(conn.closed, true);
      await assert.rejects(conn.execute("SELECT 1"), InterfaceError);
      await conn.close(); // twice is fine
      assert.equal(e.freeSize, 1);
      assert.equal(await count("sa_close"), 0);

      // await using: the transaction and the connection are disposed of in reverse order.
      const conn2 = await e.acquire();
      const t = await conn2.begin();
      await conn2.execute("INSERT INTO sa_close (val) VALUES ('y')");
      await t[Symbol.asyncDispose]();
      assert.equal(t.isActive, false, "disposing an active transaction rolls it back");
      await conn2[Symbol.asyncDispose]();
      assert.equal(conn2.closed, true);
      assert.equal(await count("sa_close"), 0);
    } finally {
      await e[Symbol.asyncDispose]();
    }
    assert.equal(e.closed, true);
  });
});
