// Pipelining of Pool.query()/execute(): when every connection is busy, qualifying statements
// share the least-loaded connection. Results never cross between callers, a failing statement
// fails only its own caller, the depth bound holds, and statements that could leave session
// state (or pools not in autocommit mode) never share a connection.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createPool, IntegrityError, ProgrammingError, type Pool } from "../../src/index.js";
import { isPipelinableSql } from "../../src/pool-pipeline.js";
import { testOptions } from "../support/config.js";

async function closePool(pool: Pool): Promise<void> {
  pool.close();
  await pool.waitClosed();
}

describe("Pool pipelining", () => {
  let setup: Pool;
  before(async () => {
    setup = await createPool(testOptions({ autocommit: true, minSize: 1, maxSize: 1 }));
    await setup.query("DROP TABLE IF EXISTS test_pipeline");
    await setup.query("CREATE TABLE test_pipeline (id INT PRIMARY KEY, v VARCHAR(20))");
  });
  after(async () => {
    await setup.query("DROP TABLE IF EXISTS test_pipeline");
    await closePool(setup);
  });

  it("gives every caller its own result when statements share connections", async () => {
    const pool = await createPool(testOptions({ autocommit: true, minSize: 2, maxSize: 2 }));
    try {
      const n = 400;
      const results = await Promise.all(
        Array.from({ length: n }, (_, i) => pool.query<unknown[]>("SELECT %s, CONCAT('v-', %s), CONNECTION_ID()", [i, i * 3])),
      );
      const threads = new Set<unknown>();
      results.forEach((rows, i) => {
        assert.equal(rows.length, 1);
        assert.equal(rows[0]![0], i);
        assert.equal(rows[0]![1], `v-${i * 3}`);
        threads.add(rows[0]![2]);
      });
      assert.ok(threads.size <= 2, "two connections at most");
      const stats = pool.stats();
      assert.ok(stats.pipelined > 0, "statements were pipelined");
      assert.ok(stats.peakPipelineDepth > 1 && stats.peakPipelineDepth <= 16, `depth ${stats.peakPipelineDepth}`);
      assert.equal(stats.used, 0, "every connection came back");
      assert.equal(stats.free, 2);
    } finally {
      await closePool(pool);
    }
  });

  it("fails only the caller whose statement fails", async () => {
    const pool = await createPool(testOptions({ autocommit: true, minSize: 1, maxSize: 1 }));
    try {
      await pool.execute("INSERT INTO test_pipeline VALUES (1, 'one')");
      const calls = Array.from({ length: 120 }, (_, i) => {
        if (i % 10 === 3) return pool.query("SELECT * FROM no_such_table_pipeline");
        if (i % 10 === 7) return pool.execute("INSERT INTO test_pipeline VALUES (1, %s)", [`dup-${i}`]);
        if (i % 10 === 9) return pool.execute("INSERT INTO test_pipeline VALUES (%s, %s)", [1000 + i, `row-${i}`]);
        return pool.query<unknown[]>("SELECT %s", [i]);
      });
      const settled = await Promise.allSettled(calls);
      settled.forEach((r, i) => {
        if (i % 10 === 3) {
          assert.equal(r.status, "rejected");
          assert.ok((r as PromiseRejectedResult).reason instanceof ProgrammingError, `call ${i}`);
        } else if (i % 10 === 7) {
          assert.equal(r.status, "rejected");
          assert.ok((r as PromiseRejectedResult).reason instanceof IntegrityError, `call ${i}`);
        } else if (i % 10 === 9) {
          assert.equal(r.status, "fulfilled", `call ${i}`);
          assert.equal((r as PromiseFulfilledResult<{ rowCount: number }>).value.rowCount, 1);
        } else {
          assert.equal(r.status, "fulfilled", `call ${i}`);
          assert.deepEqual((r as PromiseFulfilledResult<unknown[][]>).value, [[i]]);
        }
      });
      assert.ok(pool.stats().pipelined > 0);
      // The inserts that succeeded are committed, the duplicates left nothing behind.
      const [[count]] = (await pool.query("SELECT COUNT(*) FROM test_pipeline")) as unknown[][];
      assert.equal(count, 1 + 12);
      await pool.query("DELETE FROM test_pipeline");
    } finally {
      await closePool(pool);
    }
  });

  it("keeps to pipelineDepth", async () => {
    const pool = await createPool(testOptions({ autocommit: true, minSize: 1, maxSize: 1, pipelineDepth: 3 }));
    try {
      const rows = await Promise.all(Array.from({ length: 60 }, (_, i) => pool.query<unknown[]>("SELECT %s", [i])));
      rows.forEach((r, i) => assert.deepEqual(r, [[i]]));
      assert.ok(pool.stats().pipelined > 0);
      assert.equal(pool.stats().peakPipelineDepth, 3);
    } finally {
      await closePool(pool);
    }
  });

  it("is off with pipeline: false, without autocommit, and for statements that keep session state", async () => {
    const off = await createPool(testOptions({ autocommit: true, minSize: 1, maxSize: 1, pipeline: false }));
    const noAutocommit = await createPool(testOptions({ autocommit: false, minSize: 1, maxSize: 1 }));
    const on = await createPool(testOptions({ autocommit: true, minSize: 1, maxSize: 1 }));
    try {
      for (const pool of [off, noAutocommit]) {
        const rows = await Promise.all(Array.from({ length: 30 }, (_, i) => pool.query<unknown[]>("SELECT %s", [i])));
        rows.forEach((r, i) => assert.deepEqual(r, [[i]]));
        assert.equal(pool.stats().pipelined, 0);
      }
      // Each of these runs on a connection of its own, one after another.
      const stateful = [
        "SET @x = 1",
        "SELECT @x := 2",
        "SELECT GET_LOCK('pipeline_test', 0)",
        "SELECT RELEASE_LOCK('pipeline_test')",
        "SELECT 1 FOR UPDATE",
        "SELECT FOUND_ROWS()",
        "SELECT LAST_INSERT_ID()",
        "SELECT 1; SELECT 2",
        "BEGIN",
        "SELECT SLEEP(0)",
      ];
      await Promise.allSettled(stateful.map((sql) => on.query(sql)));
      assert.equal(on.stats().pipelined, 0);
      await Promise.all(Array.from({ length: 10 }, (_, i) => on.query("SELECT %s", [i], { timeout: 30 })));
      assert.equal(on.stats().pipelined, 0, "calls with a timeout take a connection of their own");
    } finally {
      await closePool(off);
      await closePool(noAutocommit);
      await closePool(on);
    }
  });

  it("classifies statements", () => {
    for (const sql of [
      "SELECT 1",
      "  (SELECT a FROM t) UNION (SELECT b FROM u)",
      "insert into t values (1)",
      "WITH x AS (SELECT 1) SELECT * FROM x",
      "UPDATE t SET a = 1",
      "DELETE FROM t",
    ]) {
      assert.ok(isPipelinableSql(sql), sql);
    }
    for (const sql of [
      "SET autocommit = 0",
      "START TRANSACTION",
      "LOCK TABLES t WRITE",
      "CREATE TEMPORARY TABLE t (a INT)",
      "SELECT @@session.x",
      "CALL p()",
      "USE db",
      "SELECT 1 LOCK IN SHARE MODE",
      "SELECT SQL_CALC_FOUND_ROWS * FROM t",
      "DO GET_LOCK('a', 1)",
      "PREPARE s FROM 'SELECT 1'",
    ]) {
      assert.ok(!isPipelinableSql(sql), sql);
    }
  });
});
