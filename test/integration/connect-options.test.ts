// The remaining connect options against the real server: option files, initCommand,
// sqlMode, programName and connection attributes, changeUser, resetConnection, compression.
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { connect, InterfaceError, OperationalError, type Connection } from "../../src/index.js";
import { readOptionFile } from "../../src/options.js";
import { TEST_DB, TEST_DB2, testOptions } from "../support/config.js";

async function rows(conn: Connection, sql: string): Promise<unknown[][]> {
  const cur = conn.cursor();
  await cur.execute(sql);
  return (await cur.fetchAll()) as unknown[][];
}

describe("readDefaultFile / readDefaultGroup", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "aiomysql-cnf-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("reads [client] then the named group; explicit options win", async () => {
    const o = testOptions();
    const file = join(dir, "my.cnf");
    writeFileSync(
      file,
      [
        "# comment",
        "[client]",
        `host = ${o.host}`,
        `port = ${o.port}`,
        "user = nobody",
        "[mysqld]",
        "user = not-this-one",
        "[aiomysql]",
        `user = "aiomysql_native"`,
        "password = 'native_pw'",
        `database = ${TEST_DB2}`,
        "",
      ].join("\n"),
    );
    const conn = await connect({ readDefaultFile: file, readDefaultGroup: "aiomysql" });
    try {
      assert.equal(conn.user, "aiomysql_native");
      assert.equal(conn.db, TEST_DB2);
      assert.deepEqual(await rows(conn, "SELECT CURRENT_USER(), DATABASE()"), [["aiomysql_native@%", TEST_DB2]]);
    } finally {
      conn.close();
    }
    const explicit = await connect({
      readDefaultFile: file,
      readDefaultGroup: "aiomysql",
      user: o.user,
      password: o.password,
      db: TEST_DB,
    });
    try {
      assert.deepEqual(await rows(explicit, "SELECT DATABASE()"), [[TEST_DB]]);
      assert.equal(explicit.user, o.user);
    } finally {
      explicit.close();
    }
  });

  it("follows !include and !includedir, strips quotes and comments", () => {
    mkdirSync(join(dir, "conf.d"), { recursive: true });
    writeFileSync(join(dir, "conf.d", "a.cnf"), "[client]\nport = 4000\n");
    writeFileSync(join(dir, "conf.d", "ignored.txt"), "[client]\nport = 5000\n");
    writeFileSync(join(dir, "extra.cnf"), '[client]\npassword = "with \\"quotes\\" and # hash"\n');
    const main = join(dir, "main.cnf");
    writeFileSync(main, `[client]\nuser = bob # a comment\n!include ${join(dir, "extra.cnf")}\n!includedir ${join(dir, "conf.d")}\n`);
    const got = readOptionFile(main, null);
    assert.deepEqual(got, { user: "bob", password: 'with "quotes" and # hash', port: 4000 });
  });

  it("maps ssl-mode and the ssl-* files to sslMode and ssl", () => {
    const ca = join(dir, "ca.pem");
    writeFileSync(ca, "not really a certificate");
    const file = join(dir, "tls.cnf");
    writeFileSync(file, `[client]\nssl-mode = VERIFY_IDENTITY\nssl-ca = ${ca}\n`);
    const got = readOptionFile(file, null);
    assert.equal(got.sslMode, "verify-full");
    assert.deepEqual(got.ssl, { ca: Buffer.from("not really a certificate") });
  });

  it("a missing option file is an InterfaceError", async () => {
    await assert.rejects(connect({ readDefaultFile: join(dir, "nope.cnf") }), InterfaceError);
  });
});

describe("initCommand, sqlMode, programName", () => {
  it("runs initCommand once connected", async () => {
    const conn = await connect(testOptions({ initCommand: "SET @aiomysql_init = 42" }));
    try {
      assert.deepEqual(await rows(conn, "SELECT @aiomysql_init"), [[42]]);
    } finally {
      conn.close();
    }
  });

  it("sets the session sql_mode", async () => {
    const conn = await connect(testOptions({ sqlMode: "NO_BACKSLASH_ESCAPES,ANSI_QUOTES" }));
    try {
      const [[mode]] = (await rows(conn, "SELECT @@SESSION.sql_mode")) as [[string]];
      assert.match(mode, /NO_BACKSLASH_ESCAPES/);
      assert.match(mode, /ANSI_QUOTES/);
      assert.equal(conn.noBackslashEscapes, true);
    } finally {
      conn.close();
    }
  });

  it("sends programName and the client's connection attributes", async () => {
    const conn = await connect(testOptions({ programName: "auth-suite" }));
    try {
      const attrs = new Map(
        (await rows(
          conn,
          "SELECT ATTR_NAME, ATTR_VALUE FROM performance_schema.session_connect_attrs WHERE PROCESSLIST_ID = CONNECTION_ID()",
        )) as [string, string][],
      );
      assert.equal(attrs.get("program_name"), "auth-suite");
      assert.equal(attrs.get("_client_name"), "aiomysql-ts");
      assert.equal(attrs.get("_pid"), String(process.pid));
    } finally {
      conn.close();
    }
  });
});

describe("changeUser and resetConnection", () => {
  it("changeUser logs in as another user and resets the session", async () => {
    const conn = await connect(testOptions());
    try {
      await rows(conn, "SET @before = 1");
      await rows(conn, "CREATE TEMPORARY TABLE cu_tmp (a INT)");
      await conn.changeUser("aiomysql_native", "native_pw", TEST_DB2);
      assert.equal(conn.user, "aiomysql_native");
      assert.equal(conn.db, TEST_DB2);
      assert.deepEqual(await rows(conn, "SELECT CURRENT_USER(), DATABASE(), @before"), [["aiomysql_native@%", TEST_DB2, null]]);
      await assert.rejects(rows(conn, `SELECT * FROM ${TEST_DB}.cu_tmp`), (e: unknown) => (e as OperationalError).errno === 1146);
      assert.equal(conn.getAutocommit(), false, "autocommit is applied again");
      await conn.changeUser("aiomysql_ed25519", "ed_pw");
      assert.deepEqual(await rows(conn, "SELECT CURRENT_USER(), DATABASE()"), [["aiomysql_ed25519@%", null]]);
      assert.equal(conn.db, null);
    } finally {
      conn.close();
    }
  });

  it("changeUser with a wrong password rejects with 1045 and closes the connection", async () => {
    const conn = await connect(testOptions());
    await assert.rejects(conn.changeUser("aiomysql_native", "wrong"), (e: unknown) => (e as OperationalError).errno === 1045);
    assert.equal(conn.closed, true);
  });

  it("resetConnection clears variables and temporary tables but keeps the login", async () => {
    const conn = await connect(testOptions({ user: "aiomysql_native", password: "native_pw", sqlMode: "ANSI_QUOTES" }));
    try {
      await rows(conn, "SET @x = 5");
      await rows(conn, "CREATE TEMPORARY TABLE rc_tmp (a INT)");
      await rows(conn, "SET SESSION sql_mode = ''");
      await conn.resetConnection();
      assert.deepEqual(await rows(conn, "SELECT @x, CURRENT_USER()"), [[null, "aiomysql_native@%"]]);
      await assert.rejects(rows(conn, "SELECT * FROM rc_tmp"), (e: unknown) => (e as OperationalError).errno === 1146);
      const [[mode]] = (await rows(conn, "SELECT @@SESSION.sql_mode")) as [[string]];
      assert.match(mode, /ANSI_QUOTES/, "sqlMode is applied again");
      assert.equal(conn.getAutocommit(), false);
    } finally {
      conn.close();
    }
  });
});

describe("compression (compress: true)", () => {
  let conn: Connection;
  before(async () => {
    conn = await connect(testOptions({ compress: true }));
  });
  after(() => conn.close());

  it("negotiates the compressed protocol", async () => {
    const [[, value]] = (await rows(conn, "SHOW SESSION STATUS LIKE 'Compression'")) as [[string, string]];
    assert.equal(value, "ON");
  });

  it("round-trips small results", async () => {
    assert.deepEqual(await rows(conn, "SELECT 1, 'a'"), [[1, "a"]]);
  });

  it("round-trips a large result (several compressed frames) and a large statement", async () => {
    const got = await rows(conn, "SELECT seq, REPEAT(CHAR(65 + seq % 26 USING utf8mb4), 200) FROM seq_1_to_50000");
    assert.equal(got.length, 50000);
    assert.deepEqual(got[49999], [50000, String.fromCharCode(65 + (50000 % 26)).repeat(200)]);
    const big = "x".repeat(20 * 1024 * 1024);
    const [[len]] = (await rows(conn, `SELECT LENGTH('${big}')`)) as [[number]];
    assert.equal(len, big.length);
  });

  it("pipelines several statements", async () => {
    const all = await Promise.all([1, 2, 3, 4, 5].map((n) => rows(conn, `SELECT ${n}`)));
    assert.deepEqual(all, [[[1]], [[2]], [[3]], [[4]], [[5]]]);
  });

  it("works over TLS and with LOAD DATA LOCAL", async () => {
    const c = await connect(testOptions({ compress: true, sslMode: "required" as const, localInfile: () => "1\n2\n3\n" }));
    try {
      await rows(c, "CREATE TEMPORARY TABLE zl (a INT)");
      await rows(c, "LOAD DATA LOCAL INFILE 'gen' INTO TABLE zl");
      assert.deepEqual(await rows(c, "SELECT SUM(a) FROM zl"), [["6"]]);
    } finally {
      c.close();
    }
  });
});
