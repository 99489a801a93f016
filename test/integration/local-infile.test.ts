// LOAD DATA LOCAL INFILE against the real server: off by default, only the named file,
// handler functions for data that is not a file, and missing files.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { connect, OperationalError, type Connection } from "../../src/index.js";
import { testOptions } from "../support/config.js";

async function rows(conn: Connection, sql: string): Promise<unknown[][]> {
  const cur = conn.cursor();
  await cur.execute(sql);
  return (await cur.fetchAll()) as unknown[][];
}

describe("LOAD DATA LOCAL INFILE", () => {
  let dir: string;
  let csv: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "aiomysql-infile-"));
    csv = join(dir, "it's data.csv");
    writeFileSync(csv, "1,one\n2,two\n3,three\n");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function withTable(options: object, fn: (c: Connection) => Promise<void>): Promise<void> {
    const conn = await connect(testOptions(options));
    try {
      await rows(conn, "CREATE TEMPORARY TABLE li (id INT, name VARCHAR(20))");
      await fn(conn);
    } finally {
      conn.close();
    }
  }

  it("is refused by default with a clear error; the connection stays usable", async () => {
    await withTable({}, async (conn) => {
      await assert.rejects(
        rows(conn, `LOAD DATA LOCAL INFILE ${conn.escape(csv)} INTO TABLE li FIELDS TERMINATED BY ','`),
        (e: unknown) => {
          assert.ok(e instanceof OperationalError, String(e));
          assert.match(e.message, /pass localInfile: true/, "the message says how to allow it");
          assert.ok([1148, 3948, 4166].includes((e as OperationalError).errno!), String((e as OperationalError).errno));
          return true;
        },
      );
      assert.deepEqual(await rows(conn, "SELECT COUNT(*) FROM li"), [[0]]);
    });
  });

  it("loads the file the statement names when localInfile is true", async () => {
    await withTable({ localInfile: true }, async (conn) => {
      const cur = conn.cursor();
      const n = await cur.execute(`LOAD DATA LOCAL INFILE ${conn.escape(csv)} INTO TABLE li FIELDS TERMINATED BY ','`);
      assert.equal(n, 3);
      assert.deepEqual(await rows(conn, "SELECT id, name FROM li ORDER BY id"), [
        [1, "one"],
        [2, "two"],
        [3, "three"],
      ]);
    });
  });

  it("a missing file is a clear error, nothing is loaded and the connection stays usable", async () => {
    await withTable({ localInfile: true }, async (conn) => {
      const missing = join(dir, "missing.csv");
      await assert.rejects(rows(conn, `LOAD DATA LOCAL INFILE '${missing}' INTO TABLE li`), (e: unknown) => {
        assert.ok(e instanceof OperationalError, String(e));
        assert.match(e.message, /missing\.csv/);
        assert.match(e.message, /ENOENT|no such file/i);
        return true;
      });
      assert.deepEqual(await rows(conn, "SELECT COUNT(*) FROM li"), [[0]]);
    });
  });

  it("a handler function serves rows from a generator", async () => {
    const asked: string[] = [];
    async function* generate(): AsyncGenerator<string> {
      for (let i = 1; i <= 1000; i++) yield `${i}\trow ${i}\n`;
    }
    const handler = (name: string): AsyncIterable<string> => {
      asked.push(name);
      return generate();
    };
    await withTable({ localInfile: handler }, async (conn) => {
      const cur = conn.cursor();
      assert.equal(await cur.execute("LOAD DATA LOCAL INFILE 'generated rows' INTO TABLE li"), 1000);
      assert.deepEqual(asked, ["generated rows"]);
      assert.deepEqual(await rows(conn, "SELECT COUNT(*), MAX(id), MIN(name) FROM li"), [[1000, 1000, "row 1"]]);
    });
  });

  it("a handler that throws fails the statement without loading anything", async () => {
    const handler = (): Promise<string> => Promise.reject(new Error("no data for you"));
    await withTable({ localInfile: handler }, async (conn) => {
      await assert.rejects(rows(conn, "LOAD DATA LOCAL INFILE 'x' INTO TABLE li"), /no data for you/);
      assert.deepEqual(await rows(conn, "SELECT COUNT(*) FROM li"), [[0]]);
    });
  });

  it("rejects a bad localInfile option", async () => {
    await assert.rejects(connect(testOptions({ localInfile: "yes" as unknown as boolean })), /localInfile/);
  });
});
