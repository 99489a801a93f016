// The seed's last details, as aiomysql behaves: SAConnection.closed after terminate(), the
// charset name as asked, executeMany() of nothing, cursor() of a non-Cursor class, and a
// second commit() of a nested transaction while its parent is active.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { connect, Cursor, InterfaceError } from "../../src/index.js";
import { createEngine } from "../../src/sa/index.js";
import { testOptions } from "../support/config.js";

describe("seed details", () => {
  it("SAConnection.closed is true once its engine was terminated", async () => {
    const engine = await createEngine(testOptions({ maxSize: 1 }));
    const conn = await engine.acquire();
    assert.equal(conn.closed, false);
    engine.terminate();
    await engine.waitClosed();
    assert.equal(conn.closed, true);
    await assert.rejects(conn.execute("SELECT 1"), InterfaceError);
  });

  it("conn.charset is the name the caller asked for", async () => {
    for (const charset of ["utf8", "utf8mb4", "latin1"]) {
      const conn = await connect(testOptions({ charset }));
      try {
        assert.equal(conn.charset, charset);
        const cur = conn.cursor();
        await cur.execute("SELECT 'é'");
        assert.deepEqual(await cur.fetchAll(), [["é"]], `text still round-trips under ${charset}`);
      } finally {
        conn.close();
      }
    }
    const conn = await connect(testOptions());
    assert.equal(conn.charset, "utf8mb4", "the default");
    conn.close();
  });

  it("executeMany(sql, []) runs nothing and resolves to null", async () => {
    const conn = await connect(testOptions());
    try {
      const cur = conn.cursor();
      await cur.execute("SELECT 1");
      assert.equal(await cur.executeMany("INSERT INTO no_such_table_sd VALUES (%s)", []), null);
      assert.deepEqual(await cur.fetchAll(), [[1]], "the cursor's previous result is untouched: nothing ran");
    } finally {
      conn.close();
    }
  });

  it("conn.cursor(X) with a class that is not a Cursor subclass throws a TypeError", async () => {
    const conn = await connect(testOptions());
    try {
      class NotACursor {}
      assert.throws(() => conn.cursor(NotACursor as unknown as typeof Cursor), TypeError);
      assert.throws(() => conn.cursor("Cursor" as unknown as typeof Cursor), TypeError);
      assert.ok(conn.cursor(Cursor) instanceof Cursor);
    } finally {
      conn.close();
    }
  });

  it("a nested transaction committed twice while its parent is active: the second commit() is a no-op", async () => {
    const engine = await createEngine(testOptions({ maxSize: 1 }));
    try {
      const conn = await engine.acquire();
      await conn.execute("CREATE TEMPORARY TABLE sd_nested (v INT)");
      const outer = await conn.begin();
      const nested = await conn.beginNested();
      await conn.execute("INSERT INTO sd_nested VALUES (1)");
      await nested.commit();
      await nested.commit();
      assert.equal(outer.isActive, true);
      await outer.commit();
      assert.deepEqual(
        (await (await conn.execute("SELECT v FROM sd_nested")).fetchAll()).map((r) => r.v),
        [1],
      );
      await assert.rejects(nested.commit(), InterfaceError, "once the parent has ended, commit() throws");
      await conn.close();
    } finally {
      engine.terminate();
      await engine.waitClosed();
    }
  });
});
