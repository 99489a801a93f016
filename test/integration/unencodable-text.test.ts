// Text the connection cannot encode is refused with a DataError on every path (as the text
// protocol always did), never silently replaced: U+FFFD for an unpaired surrogate, '?' for a
// character outside utf8mb3.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { connect, DataError } from "../../src/index.js";
import { TEST_DB, testOptions } from "../support/config.js";

describe("unencodable text", () => {
  for (const [charset, text] of [
    ["utf8mb4", "lone \ud800 surrogate"],
    ["utf8mb4", "lone \udc00 trail"],
    ["utf8mb3", "emoji 😀 is not in utf8mb3"],
    ["latin1", "日本"],
  ] as const) {
    it(`${charset}: a prepared parameter ${JSON.stringify(text)} is a DataError, like the text path`, async () => {
      await using conn = await connect(testOptions({ charset }));
      await assert.rejects(conn.cursor().execute("SELECT %s", [text]), DataError, "text protocol");
      await assert.rejects(conn.cursor().execute("SELECT %s", [text], { prepare: true }), DataError, "cursor prepared path");
      const stmt = await conn.prepare("SELECT ?");
      try {
        await assert.rejects(stmt.execute([text]), DataError, "PreparedStatement");
      } finally {
        await stmt.close();
      }
      // Nothing was sent: the connection is still fine.
      const cur = conn.cursor();
      await cur.execute("SELECT %s", ["ok"], { prepare: true });
      assert.deepEqual(await cur.fetchAll(), [["ok"]]);
    });
  }

  it("selectDb() and changeUser() refuse what they cannot encode", async () => {
    await using conn = await connect(testOptions({ charset: "utf8mb3" }));
    await assert.rejects(conn.selectDb("db\ud800"), DataError);
    await assert.rejects(conn.selectDb("😀"), DataError);
    await assert.rejects(conn.changeUser("user\udfff"), DataError);
    await assert.rejects(conn.changeUser(testOptions().user, "pw\ud800"), DataError);
    assert.equal(conn.closed, false);
    await conn.selectDb(TEST_DB);
    assert.equal(conn.db, TEST_DB);
  });
});
