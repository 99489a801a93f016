// Every example of the seed, as shipped in examples/, runs against the test server.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EXAMPLES } from "../../examples/list.js";

describe("seed examples", () => {
  for (const name of EXAMPLES) {
    it(`examples/${name}.ts runs`, async () => {
      const lines: unknown[][] = [];
      const log = console.log;
      console.log = (...args: unknown[]) => lines.push(args);
      try {
        const mod = (await import(`../../examples/${name}.js`)) as { main: () => Promise<void> };
        await mod.main();
      } finally {
        console.log = log;
      }
      assert.ok(lines.length > 0, "the example printed its results");
    });
  }

  it("executemany example leaves the six rows of the seed", async () => {
    const { connect } = await import("../../src/index.js");
    const { testOptions } = await import("../support/config.js");
    const conn = await connect(testOptions());
    await using cur = conn.cursor();
    await cur.execute("SELECT * FROM music_style ORDER BY id");
    const rows = await cur.fetchAll();
    assert.ok(rows.length === 3 || rows.length === 6);
    assert.deepEqual(rows[0], [1, "heavy metal"]);
    conn.close();
  });
});
