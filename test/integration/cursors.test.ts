import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  connect,
  Connection,
  Cursor,
  DictCursor,
  FIELD_TYPE,
  IntegrityError,
  InterfaceError,
  NotSupportedError,
  ProgrammingError,
  SSCursor,
  SSDictCursor,
  type SqlParam,
} from "../../src/index.js";
import { testOptions } from "../support/config.js";
import { retainedHeap } from "../support/gc.js";

describe("Cursor", () => {
  let conn: Connection;
  before(async () => {
    conn = await connect(testOptions({ autocommit: true }));
    await using cur = conn.cursor();
    await cur.execute("DROP TABLE IF EXISTS test_cur");
    await cur.execute("CREATE TABLE test_cur (id INT PRIMARY KEY AUTO_INCREMENT, value INT, name VARCHAR(255))");
    await cur.execute("INSERT INTO test_cur (value, name) VALUES (100, 'abc''def'), (NULL, 'dada'), (42, 'bar')");
  });
  after(async () => {
    await using cur = conn.cursor();
    await cur.execute("DROP TABLE IF EXISTS test_cur");
    conn.close();
  });

  it("starts with the DB-API defaults", () => {
    const cur = conn.cursor();
    assert.equal(cur.description, null);
    assert.equal(cur.rowCount, -1);
    assert.equal(cur.rowNumber, null);
    assert.equal(cur.arraySize, 1);
    assert.equal(cur.lastRowId, null);
    assert.equal(cur.closed, false);
    assert.equal(cur.connection, conn);
    assert.equal(cur.echo, false);
  });

  it("fetchMany follows the seed's example", async () => {
    await using cur = conn.cursor();
    assert.equal(await cur.execute("SELECT * FROM test_cur ORDER BY id"), 3);
    assert.deepEqual(await cur.fetchMany(2), [
      [1, 100, "abc'def"],
      [2, null, "dada"],
    ]);
    assert.deepEqual(await cur.fetchMany(2), [[3, 42, "bar"]]);
    assert.deepEqual(await cur.fetchMany(2), []);
    await cur.execute("SELECT * FROM test_cur ORDER BY id");
    assert.deepEqual(await cur.fetchMany(), [[1, 100, "abc'def"]], "arraySize 1 by default");
    cur.arraySize = 5;
    assert.equal((await cur.fetchMany()).length, 2);
  });

  it("fetchAll, fetchOne, rowNumber and async iteration", async () => {
    await using cur = conn.cursor();
    await cur.execute("SELECT * FROM test_cur ORDER BY id");
    assert.equal(cur.rowNumber, 0);
    assert.deepEqual(await cur.fetchOne(), [1, 100, "abc'def"]);
    assert.equal(cur.rowNumber, 1);
    assert.deepEqual(await cur.fetchAll(), [
      [2, null, "dada"],
      [3, 42, "bar"],
    ]);
    assert.equal(await cur.fetchOne(), null);
    await cur.execute("SELECT id FROM test_cur ORDER BY id");
    const ids: unknown[] = [];
    for await (const row of cur) ids.push(row[0]);
    assert.deepEqual(ids, [1, 2, 3]);
  });

  it("description has the seven named fields", async () => {
    await using cur = conn.cursor();
    await cur.execute("SELECT id, name, CAST(1.50 AS DECIMAL(10,2)) AS d FROM test_cur LIMIT 1");
    const [id, name, d] = cur.description!;
    assert.equal(id!.name, "id");
    assert.equal(id![0], "id");
    assert.equal(id!.typeCode, FIELD_TYPE.LONG);
    assert.equal(id!.nullOk, false);
    assert.equal(name!.typeCode, FIELD_TYPE.VAR_STRING);
    assert.equal(name!.displaySize, 255);
    assert.equal(name!.nullOk, true);
    assert.equal(d!.typeCode, FIELD_TYPE.NEWDECIMAL);
    assert.equal(d!.precision, 10);
    assert.equal(d!.scale, 2);
    assert.equal(id!.length, 7);
    await cur.execute("DO 1");
    assert.equal(cur.description, null);
  });

  it("rowCount and lastRowId for DML", async () => {
    await using cur = conn.cursor();
    assert.equal(await cur.execute("INSERT INTO test_cur (value, name) VALUES (%s, %s)", [7, "x"]), 1);
    const id = cur.lastRowId;
    assert.equal(typeof id, "number");
    assert.equal(await cur.execute("UPDATE test_cur SET value = value + 1 WHERE id >= %s", [id]), 1);
    assert.equal(await cur.execute("DELETE FROM test_cur WHERE id = %(id)s", { id }), 1);
    assert.equal(cur.rowCount, 1);
  });

  it("placeholders: %s, %(name)s, %%, IN lists, hostile values", async () => {
    await using cur = conn.cursor();
    await cur.execute("SELECT %s, %s, '100%%'", ["a'b", null]);
    assert.deepEqual(await cur.fetchOne(), ["a'b", null, "100%"]);
    await cur.execute("SELECT %(x)s + %(x)s", { x: 21 });
    assert.deepEqual(await cur.fetchOne(), [42]);
    await cur.execute("SELECT COUNT(*) FROM test_cur WHERE id IN %s", [[1, 2, 3]]);
    assert.deepEqual(await cur.fetchOne(), [3]);
    await cur.execute("SELECT '%s literal'");
    assert.deepEqual(await cur.fetchOne(), ["%s literal"], "without args the query is sent as is");
    await assert.rejects(cur.execute("SELECT %s, %s", [1]), ProgrammingError);
    await assert.rejects(cur.execute("SELECT %s", [1, 2]), ProgrammingError);
    await assert.rejects(cur.execute("SELECT %(missing)s", { other: 1 }), ProgrammingError);
  });

  it("scroll both ways on a buffered cursor", async () => {
    await using cur = conn.cursor();
    await cur.execute("SELECT id FROM test_cur ORDER BY id");
    await cur.scroll(2);
    assert.deepEqual(await cur.fetchOne(), [3]);
    await cur.scroll(-2);
    assert.deepEqual(await cur.fetchOne(), [2]);
    await cur.scroll(0, "absolute");
    assert.deepEqual(await cur.fetchOne(), [1]);
    await assert.rejects(cur.scroll(1000 * 1000), ProgrammingError);
    await assert.rejects(cur.scroll(-5), ProgrammingError);
    assert.equal(cur.rowNumber, 1, "position unchanged after a failed scroll");
  });

  it("nextSet walks multiple result sets", async () => {
    await using cur = conn.cursor();
    await cur.execute("SELECT 1; SELECT 2, 3; DO 0");
    assert.deepEqual(await cur.fetchAll(), [[1]]);
    assert.equal(await cur.nextSet(), true);
    assert.deepEqual(await cur.fetchAll(), [[2, 3]]);
    assert.equal(await cur.nextSet(), true);
    assert.equal(cur.description, null);
    assert.equal(await cur.nextSet(), null);
  });

  it("an error in a later statement surfaces from nextSet", async () => {
    await using cur = conn.cursor();
    await cur.execute("SELECT 1; SELECT * FROM no_such_table_y");
    assert.deepEqual(await cur.fetchAll(), [[1]]);
    await assert.rejects(cur.nextSet(), ProgrammingError);
    await cur.execute("SELECT 5");
    assert.deepEqual(await cur.fetchOne(), [5]);
  });

  it("executeMany batches INSERT and counts rows", async () => {
    await using cur = conn.cursor();
    await cur.execute("CREATE TEMPORARY TABLE em (a INT, b VARCHAR(20))");
    const n = await cur.executeMany(
      "INSERT INTO em (a, b) VALUES (%s, %s)",
      Array.from({ length: 1000 }, (_, i) => [i, `v${i}`]),
    );
    assert.equal(n, 1000);
    assert.equal(cur.rowCount, 1000);
    assert.match(cur.lastExecuted!, /^INSERT INTO em \(a, b\) VALUES \(0, 'v0'\),\(1, 'v1'\)/);
    const n2 = await cur.executeMany("INSERT INTO em (a, b) VALUES (%(a)s, %(b)s) ON DUPLICATE KEY UPDATE b = VALUES(b)", [
      { a: 1, b: "x" },
      { a: 2, b: "y" },
    ]);
    assert.equal(n2, 2);
    const n3 = await cur.executeMany("UPDATE em SET b = %s WHERE a = %s", [
      ["u1", 1],
      ["u2", 2],
      ["none", -1],
    ]);
    // a=1 and a=2 each appear twice (the table has no unique key); a=-1 matches nothing.
    assert.equal(n3, 4);
    assert.equal(await cur.executeMany("INSERT INTO em VALUES (%s, %s)", []), null, "nothing to run: no row count, as in aiomysql");
  });

  it("executeMany splits batches below max_allowed_packet", async () => {
    await using cur = conn.cursor();
    await cur.execute("CREATE TEMPORARY TABLE em_big (a INT, b LONGTEXT)");
    const big = "x".repeat(1024 * 1024);
    const n = await cur.executeMany(
      "INSERT INTO em_big VALUES (%s, %s)",
      Array.from({ length: 20 }, (_, i) => [i, big]),
    );
    assert.equal(n, 20);
    await cur.execute("SELECT COUNT(*), SUM(LENGTH(b)) FROM em_big");
    assert.deepEqual(await cur.fetchOne(), [20, "20971520"]);
  });

  it("executeMany stops at the first failing batch: later batches are never sent", async () => {
    await using cur = conn.cursor();
    await cur.execute("CREATE TEMPORARY TABLE em_fail (a INT PRIMARY KEY, b LONGTEXT) ENGINE=InnoDB");
    const text = "y".repeat(100 * 1024);
    // About ten rows per 1 MiB batch; row 3 repeats row 2's key, inside the first batch.
    const rows = Array.from({ length: 40 }, (_, i) => [i === 3 ? 2 : i, text]);
    await assert.rejects(cur.executeMany("INSERT INTO em_fail VALUES (%s, %s)", rows), IntegrityError);
    await cur.execute("SELECT COUNT(*) FROM em_fail");
    assert.deepEqual(await cur.fetchOne(), [0]);
  });

  it("executeMany reports a bad argument of a later batch once the batch in flight is done", async () => {
    await using cur = conn.cursor();
    await cur.execute("CREATE TEMPORARY TABLE em_bad (a INT PRIMARY KEY, b LONGTEXT) ENGINE=InnoDB");
    const text = "z".repeat(100 * 1024);
    const rows: SqlParam[][] = Array.from({ length: 40 }, (_, i) => [i, text]);
    rows[30] = [30, Number.NaN];
    await assert.rejects(cur.executeMany("INSERT INTO em_bad VALUES (%s, %s)", rows), ProgrammingError);
    // The cursor is free again, and every batch before the bad row went in whole.
    await cur.execute("SELECT COUNT(*), MAX(a) FROM em_bad");
    const [count, max] = (await cur.fetchOne()) as [number, number];
    assert.ok(count > 0 && count < 30, `rows inserted: ${count}`);
    assert.equal(max, count - 1);
  });

  it("callProc follows the seed", async () => {
    await using cur = conn.cursor();
    await cur.execute("DROP PROCEDURE IF EXISTS myinc");
    await cur.execute(`CREATE PROCEDURE myinc(p1 INT) BEGIN SELECT p1 + 1; END`);
    const args = await cur.callProc("myinc", [1]);
    assert.deepEqual(args, [1]);
    assert.deepEqual(await cur.fetchOne(), [2]);
    assert.equal(await cur.nextSet(), true, "the CALL's own empty result");
    assert.equal(await cur.nextSet(), null);
    await cur.execute("DROP PROCEDURE IF EXISTS swap_out");
    await cur.execute("CREATE PROCEDURE swap_out(IN a INT, OUT b INT) BEGIN SET b = a * 10; END");
    await cur.callProc("swap_out", [4, null]);
    await cur.execute("SELECT @_swap_out_0, @_swap_out_1");
    assert.deepEqual(await cur.fetchOne(), [4, 40]);
    await assert.rejects(cur.callProc("x; DROP TABLE test_cur", []), ProgrammingError);
  });

  it("a closed cursor refuses work", async () => {
    const cur = conn.cursor();
    await cur.close();
    assert.equal(cur.closed, true);
    await assert.rejects(cur.execute("SELECT 1"), InterfaceError);
    await assert.rejects(cur.fetchOne(), InterfaceError);
    await cur.close();
  });

  it("refuses two overlapping operations on one cursor", async () => {
    const cur = conn.cursor();
    const first = cur.execute("SELECT SLEEP(0.05)");
    await assert.rejects(cur.execute("SELECT 1"), ProgrammingError);
    await first;
    await cur.close();
  });
});

describe("DictCursor", () => {
  let conn: Connection;
  before(async () => {
    conn = await connect(testOptions({ autocommit: true }));
  });
  after(() => conn.close());

  it("returns objects keyed by column name, qualified when names repeat", async () => {
    await using cur = conn.cursor(DictCursor);
    await cur.execute("SELECT 1 AS a, 'x' AS b");
    assert.deepEqual(await cur.fetchOne(), { a: 1, b: "x" });
    await cur.execute("CREATE TEMPORARY TABLE d1 (id INT)");
    await cur.execute("CREATE TEMPORARY TABLE d2 (id INT)");
    await cur.execute("INSERT INTO d1 VALUES (1)");
    await cur.execute("INSERT INTO d2 VALUES (2)");
    await cur.execute("SELECT * FROM d1 JOIN d2");
    assert.deepEqual(await cur.fetchAll(), [{ id: 1, "d2.id": 2 }]);
  });

  it("dictType gives rows of the user's class", async () => {
    class Row {
      [k: string]: unknown;
      get doubled(): number {
        return (this.n as number) * 2;
      }
    }
    class RowCursor extends DictCursor<Row> {
      override dictType = Row;
    }
    await using cur = conn.cursor(RowCursor);
    await cur.execute("SELECT 21 AS n");
    const row = await cur.fetchOne();
    assert.ok(row instanceof Row);
    assert.equal(row.doubled, 42);
  });
});

describe("SSCursor and SSDictCursor", () => {
  let conn: Connection;
  before(async () => {
    conn = await connect(testOptions({ autocommit: true }));
  });
  after(() => conn.close());

  it("streams rows forward only", async () => {
    await using cur = conn.cursor(SSCursor);
    await cur.execute("SELECT seq FROM seq_1_to_10");
    assert.equal(cur.rowCount, -1);
    assert.equal(cur.description![0]!.name, "seq");
    assert.deepEqual(await cur.fetchOne(), [1]);
    assert.deepEqual(await cur.fetchMany(2), [[2], [3]]);
    await cur.scroll(2);
    assert.deepEqual(await cur.fetchOne(), [6]);
    await assert.rejects(cur.scroll(-1), NotSupportedError);
    assert.deepEqual(await cur.fetchAll(), [[7], [8], [9], [10]]);
    assert.equal(await cur.fetchOne(), null);
    assert.equal(cur.rowCount, 10);
  });

  it("closing mid-result leaves the connection usable", async () => {
    const cur = conn.cursor(SSCursor);
    await cur.execute("SELECT seq FROM seq_1_to_100000");
    assert.deepEqual(await cur.fetchOne(), [1]);
    await cur.close();
    await using other = conn.cursor();
    await other.execute("SELECT 'after'");
    assert.deepEqual(await other.fetchOne(), ["after"]);
  });

  it("a new execute on the same cursor discards the unread rest", async () => {
    await using cur = conn.cursor(SSDictCursor);
    await cur.execute("SELECT seq AS n FROM seq_1_to_50000");
    assert.deepEqual(await cur.fetchOne(), { n: 1 });
    await cur.execute("SELECT 2 AS n");
    assert.deepEqual(await cur.fetchAll(), [{ n: 2 }]);
  });

  it("async iteration hands out every row in order across batches, and stops at the result's end", async () => {
    await using cur = conn.cursor(SSCursor);
    await cur.execute("SELECT seq FROM seq_1_to_5000");
    let expected = 1;
    for await (const row of cur) {
      assert.equal(row[0], expected++);
      if (expected === 2500) await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(expected, 5001);
    assert.equal(cur.rowNumber, 5000);
    assert.equal(cur.rowCount, 5000);
    // Nothing left: a second loop sees no rows, and the cursor runs the next statement.
    for await (const row of cur) assert.fail(`unexpected row ${String(row)}`);
    await cur.execute("SELECT 7");
    assert.deepEqual(await cur.fetchAll(), [[7]]);
  });

  it("async iteration after a break continues with the next row, and fails once the cursor is closed", async () => {
    const cur = conn.cursor(SSCursor);
    await cur.execute("SELECT seq FROM seq_1_to_3000");
    let seen = 0;
    for await (const row of cur) {
      seen = row[0] as number;
      if (seen === 10) break;
    }
    assert.equal(seen, 10);
    // As with fetchOne(): nothing is read ahead and lost.
    assert.deepEqual(await cur.fetchOne(), [11]);
    assert.equal(cur.rowNumber, 11);
    const it = cur[Symbol.asyncIterator]();
    assert.deepEqual((await it.next()).value, [12]);
    await cur.close();
    await assert.rejects(it.next(), InterfaceError);
  });

  it("async iteration of a buffered cursor starts at the current row and fails once closed", async () => {
    const cur = conn.cursor();
    await cur.execute("SELECT seq FROM seq_1_to_5");
    await cur.fetchOne();
    const rows: unknown[] = [];
    for await (const row of cur) rows.push(row[0]);
    assert.deepEqual(rows, [2, 3, 4, 5]);
    assert.equal(cur.rowNumber, 5);
    await cur.close();
    await assert.rejects(cur[Symbol.asyncIterator]().next(), InterfaceError);
  });

  it("keeps memory bounded while the caller reads slowly", async () => {
    await using cur = conn.cursor(SSCursor);
    await cur.execute("SELECT seq, REPEAT('x', 200) FROM seq_1_to_300000");
    let count = 0;
    const base = retainedHeap();
    let peak = 0;
    for await (const row of cur) {
      count++;
      if (count % 20000 === 0) {
        // Let the server push as much as it can while we are not reading.
        await new Promise((r) => setTimeout(r, 20));
        peak = Math.max(peak, retainedHeap() - base);
      }
      assert.equal(row[0], count);
    }
    assert.equal(count, 300000);
    // 300k rows of ~200 bytes buffered would retain over 60 MB; streaming keeps a few thousand.
    assert.ok(peak < 16 * 1024 * 1024, `retained heap grew by ${peak} bytes`);
  });

  it("nextSet and callProc work when streaming", async () => {
    await using cur = conn.cursor(SSCursor);
    await cur.execute("SELECT 1; SELECT 2; SELECT 3");
    assert.deepEqual(await cur.fetchAll(), [[1]]);
    assert.equal(await cur.nextSet(), true);
    assert.equal(await cur.nextSet(), true, "skips unread rows");
    assert.deepEqual(await cur.fetchAll(), [[3]]);
    assert.equal(await cur.nextSet(), null);
  });

  it("a server error while streaming rejects and the connection survives", async () => {
    await using cur = conn.cursor(SSCursor);
    await assert.rejects(cur.execute("SELECT * FROM no_such_table_z"), ProgrammingError);
    await cur.execute("SELECT 1");
    assert.deepEqual(await cur.fetchAll(), [[1]]);
  });

  it("Cursor works as the base of both", () => {
    assert.ok(conn.cursor(SSDictCursor) instanceof Cursor);
  });
});

describe("hostile column names", () => {
  it("a column named __proto__ is an ordinary key, with and without dictType", async () => {
    const conn = await connect(testOptions());
    class Row {
      [k: string]: unknown;
      hello(): string {
        return "hi";
      }
    }
    class RowCursor extends DictCursor<Row> {
      override dictType = Row;
    }
    await using plain = conn.cursor(DictCursor);
    await plain.execute('SELECT NULL AS `__proto__`, 1 AS `constructor`, 2 AS `x"y`');
    const r = (await plain.fetchOne())!;
    assert.equal(Object.getPrototypeOf(r), Object.prototype);
    assert.deepEqual(Object.keys(r), ["__proto__", "constructor", 'x"y']);
    assert.equal(r['x"y'], 2);
    await using typed = conn.cursor(RowCursor);
    await typed.execute("SELECT NULL AS `__proto__`");
    const t = (await typed.fetchOne())!;
    assert.ok(t instanceof Row);
    assert.equal(t.hello(), "hi");
    assert.ok(Object.prototype.hasOwnProperty.call(t, "__proto__"));
    conn.close();
  });
});
