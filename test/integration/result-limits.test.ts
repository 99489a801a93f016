// Wide and huge results from a real server: a 5,000-column result decodes correctly (the
// generic decoder past the generated width), and a buffered result past maxResultBytes ends in
// a clear error with the connection closed, while a streaming cursor is not bounded.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { connect, CR, DictCursor, OperationalError, SSCursor } from "../../src/index.js";
import { testOptions } from "../support/config.js";

describe("wide and huge results", () => {
  it("a 5,000-column result decodes correctly, as arrays and as objects", async () => {
    await using conn = await connect(testOptions());
    const width = 5000;
    const sql = "SELECT " + Array.from({ length: width }, (_, i) => (i % 3 === 0 ? `NULL AS c${i}` : `${i} AS c${i}`)).join(", ");
    const cur = conn.cursor();
    await cur.execute(sql);
    const [row] = (await cur.fetchAll()) as unknown[][];
    assert.equal(row!.length, width);
    for (let i = 0; i < width; i++) assert.equal(row![i], i % 3 === 0 ? null : i);
    const dict = conn.cursor(DictCursor);
    await dict.execute(sql);
    const [obj] = await dict.fetchAll();
    assert.equal(Object.keys(obj!).length, width);
    assert.equal(obj!.c4999, 4999);
    assert.equal(obj!.c3, null);
  });

  it("a buffered result past maxResultBytes is a clear error and the connection is closed", async () => {
    const conn = await connect(testOptions({ maxResultBytes: 100_000 }));
    try {
      const err = await conn
        .cursor()
        .execute("SELECT REPEAT('x', 1000) FROM seq_1_to_5000")
        .then(
          () => assert.fail("should have failed"),
          (e: unknown) => e,
        );
      assert.ok(err instanceof OperationalError, String(err));
      assert.equal(err.errno, CR.OUT_OF_MEMORY);
      assert.match(err.message, /maxResultBytes \(100000 bytes\).*SSCursor/);
      assert.equal(conn.closed, true);
    } finally {
      conn.close();
    }
  });

  it("results under the bound and streamed results are untouched", async () => {
    await using conn = await connect(testOptions({ maxResultBytes: 100_000 }));
    const cur = conn.cursor();
    await cur.execute("SELECT REPEAT('x', 1000) FROM seq_1_to_50");
    assert.equal((await cur.fetchAll()).length, 50);
    const ss = conn.cursor(SSCursor);
    await ss.execute("SELECT REPEAT('x', 1000) FROM seq_1_to_5000");
    let n = 0;
    for await (const r of ss) {
      assert.equal((r as string[])[0]!.length, 1000);
      n++;
    }
    assert.equal(n, 5000);
    await ss.close();
    assert.equal(conn.closed, false);
  });
});
