// Secure defaults: LOAD DATA LOCAL off, no clear-text password over plain TCP, TLS verified,
// and passwords kept out of errors, logs and echo output.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import { after, before, describe, it } from "node:test";
import {
  CLIENT,
  connect,
  createPool,
  Error as MySQLBaseError,
  MySQLError,
  OperationalError,
  setLogger,
  getLogger,
} from "../../src/index.js";
import { OTHER_CA, SSL_CA, testOptions } from "../support/config.js";
import { FaultProxy } from "../support/fault-proxy.js";

const WRONG = "Wr0ng-Distinctive-Pa55w0rd";

/** Every way an error may end up in a log: message, stack, inspect (with its causes), JSON. */
function everyRendering(e: unknown): string {
  const err = e as Error;
  return [String(err), err.stack ?? "", inspect(err, { depth: 10 }), JSON.stringify(err)].join("\n");
}

describe("secure defaults", () => {
  let proxy: FaultProxy;
  before(async () => {
    const o = testOptions();
    proxy = await FaultProxy.start(o.host, o.port);
  });
  after(async () => {
    await proxy.close();
  });

  it("LOAD DATA LOCAL is off by default: not offered to the server, and refused if asked", async () => {
    await using conn = await connect(testOptions({ autocommit: true }));
    assert.equal(conn.capabilities & CLIENT.LOCAL_FILES, 0, "CLIENT_LOCAL_FILES is not offered");
    await using cur = conn.cursor();
    await cur.execute("DROP TABLE IF EXISTS test_sec_infile");
    await cur.execute("CREATE TABLE test_sec_infile (line TEXT)");
    await assert.rejects(cur.execute("LOAD DATA LOCAL INFILE 'package.json' INTO TABLE test_sec_infile"), MySQLBaseError);
    await cur.execute("SELECT COUNT(*) FROM test_sec_infile");
    assert.deepEqual(await cur.fetchAll(), [[0]], "nothing was read");
    await cur.execute("DROP TABLE test_sec_infile");
  });

  it("never sends a clear-text password over plain TCP, and the password never crosses the wire", async () => {
    proxy.recording = true;
    const before = proxy.sessions.length;
    try {
      await assert.rejects(
        connect(testOptions({ port: proxy.port, user: "aiomysql_native", password: WRONG, authPlugin: "mysql_clear_password" })),
        (e: unknown) => {
          assert.ok(e instanceof MySQLError, String(e));
          assert.match((e as Error).message, /clear text/);
          assert.ok(!everyRendering(e).includes(WRONG));
          return true;
        },
      );
    } finally {
      proxy.recording = false;
    }
    const turns = proxy.sessions.slice(before).flat();
    assert.ok(turns.length > 0 && turns[0]!.server.length > 0, "the server's greeting was recorded");
    const sent = Buffer.concat(turns.map((t) => t.client));
    assert.equal(sent.indexOf(WRONG), -1, "the password bytes were never sent");
  });

  it("verifies the server's TLS certificate by default", async () => {
    await assert.rejects(connect(testOptions({ ssl: true, connectTimeout: 10 })), OperationalError, "an unknown CA is refused");
    const otherCa = readFileSync(OTHER_CA!);
    await assert.rejects(connect(testOptions({ ssl: { ca: otherCa }, connectTimeout: 10 })), OperationalError, "the wrong CA is refused");
    await using conn = await connect(testOptions({ ssl: { ca: readFileSync(SSL_CA!) }, connectTimeout: 10 }));
    await using cur = conn.cursor();
    await cur.execute("SHOW STATUS LIKE 'Ssl_cipher'");
    const row = (await cur.fetchOne()) as [string, string];
    assert.notEqual(row[1], "", "the session is encrypted");
  });

  it("a wrong password never appears in the error, for options, URLs and pools", async () => {
    const o = testOptions({ user: "aiomysql_native", password: WRONG });
    const failures: unknown[] = [];
    await connect(o).catch((e: unknown) => failures.push(e));
    await connect(`mysql://aiomysql_native:${WRONG}@${o.host}:${o.port}/${o.db}`).catch((e: unknown) => failures.push(e));
    await createPool({ ...o, minSize: 1 }).catch((e: unknown) => failures.push(e));
    assert.equal(failures.length, 3);
    for (const e of failures) {
      assert.ok(e instanceof OperationalError, String(e));
      assert.equal(e.errno, 1045, "access denied");
      assert.ok(!everyRendering(e).includes(WRONG), `the password leaked: ${everyRendering(e)}`);
    }
  });

  it("echo output and the logger never see the password", async () => {
    const lines: string[] = [];
    const previous = getLogger();
    setLogger({ info: (m) => lines.push(m), warn: (m) => lines.push(m) });
    try {
      await using conn = await connect(testOptions({ user: "aiomysql_native", password: "native_pw", echo: true, autocommit: true }));
      await using cur = conn.cursor();
      await cur.execute("SELECT %s", ["hello"]);
      await cur.execute("SELECT CURRENT_USER()");
      await cur.execute("SELECT 1", undefined, { timeout: 30 });
      assert.ok(
        lines.some((l) => l.includes("hello")),
        "echo is on",
      );
      assert.ok(!inspect(conn, { depth: 5 }).includes("native_pw"), "inspecting the connection hides the password");
      assert.ok(!inspect(cur, { depth: 5 }).includes("native_pw"), "inspecting a cursor hides the password");
    } finally {
      setLogger(previous);
    }
    assert.ok(lines.length > 0);
    assert.ok(
      lines.every((l) => !l.includes("native_pw")),
      lines.join("\n"),
    );
  });
});

describe("the password stays out of inspection", () => {
  it("util.inspect and JSON of a pool, its connections and a plain connection never show it", async () => {
    const secret = "native_pw";
    const pool = await createPool(testOptions({ user: "aiomysql_native", password: secret, minSize: 1 }));
    const conn = await pool.acquire();
    try {
      for (const thing of [pool, conn]) {
        assert.ok(!inspect(thing, { depth: 8 }).includes(secret), "util.inspect");
        let json = "";
        try {
          json = JSON.stringify(thing) ?? "";
        } catch {
          json = ""; // circular structures cannot leak through JSON at all
        }
        assert.ok(!json.includes(secret), "JSON.stringify");
      }
      // The password still works where it is needed: a second connection and a KILL side connection.
      const again = await pool.acquire();
      await using cur = again.cursor();
      await assert.rejects(cur.execute("SELECT SLEEP(5)", undefined, { timeout: 0.2 }), /1317|interrupt|timed out|cancel/i);
      pool.release(again);
    } finally {
      pool.release(conn);
      pool.close();
      await pool.waitClosed();
    }
  });
});
