import assert from "node:assert/strict";
import * as net from "node:net";
import { after, before, describe, it } from "node:test";
import {
  connect,
  Connection,
  Cursor,
  DictCursor,
  InterfaceError,
  IntegrityError,
  OperationalError,
  ProgrammingError,
  CR,
  ER,
} from "../../src/index.js";
import { TEST_DB, TEST_DB2, TEST_SOCKET, testOptions } from "../support/config.js";

describe("connect() and Connection", () => {
  let conn: Connection;
  before(async () => {
    conn = await connect(testOptions());
  });
  after(() => conn.close());

  it("exposes the seed's read-only properties", () => {
    const o = testOptions();
    assert.equal(conn.closed, false);
    assert.equal(conn.host, o.host);
    assert.equal(conn.port, o.port);
    assert.equal(conn.unixSocket, null);
    assert.equal(conn.db, TEST_DB);
    assert.equal(conn.user, o.user);
    assert.equal(conn.echo, false);
    assert.equal(conn.charset, "utf8mb4");
    assert.equal(conn.encoding, "utf8");
    assert.match(conn.serverVersion, /^\d+\.\d+\.\d+/);
    assert.ok(conn.threadId > 0);
  });

  it("defaults to autocommit off, as the seed does", async () => {
    assert.equal(conn.getAutocommit(), false);
    await using cur = conn.cursor();
    await cur.execute("SELECT @@autocommit");
    assert.deepEqual(await cur.fetchOne(), [0]);
    await conn.autocommit(true);
    assert.equal(conn.getAutocommit(), true);
    await cur.execute("SELECT @@autocommit");
    assert.deepEqual(await cur.fetchOne(), [1]);
    await conn.autocommit(false);
    assert.equal(conn.getAutocommit(), false);
  });

  it("keeps the server's autocommit when autocommit is null", async () => {
    const c = await connect(testOptions({ autocommit: null }));
    assert.equal(c.getAutocommit(), true);
    c.close();
  });

  it("tracks transaction state from status flags, even for a plain SELECT", async () => {
    await conn.rollback();
    assert.equal(conn.inTransaction, false);
    await using cur = conn.cursor();
    await cur.execute("CREATE TABLE IF NOT EXISTS t_trx (id INT) ENGINE=InnoDB");
    await cur.execute("SELECT 1");
    assert.equal(conn.inTransaction, false, "a SELECT that reads no table starts nothing");
    await cur.execute("SELECT * FROM t_trx");
    assert.equal(conn.inTransaction, true, "autocommit off: a SELECT on an InnoDB table opens a transaction");
    await conn.commit();
    assert.equal(conn.inTransaction, false);
    await conn.begin();
    assert.equal(conn.inTransaction, true);
    await conn.rollback();
    assert.equal(conn.inTransaction, false);
  });

  it("selectDb() changes the current database", async () => {
    await conn.selectDb(TEST_DB2);
    assert.equal(conn.db, TEST_DB2);
    await using cur = conn.cursor();
    await cur.execute("SELECT DATABASE()");
    assert.deepEqual(await cur.fetchOne(), [TEST_DB2]);
    await conn.selectDb(TEST_DB);
    await assert.rejects(
      conn.selectDb("no_such_db_xyz"),
      (e: unknown) => e instanceof OperationalError && (e as OperationalError).errno === ER.BAD_DB_ERROR,
    );
    assert.equal(conn.db, TEST_DB);
  });

  it("ping() works and ping(true) reconnects a closed connection", async () => {
    const c = await connect(testOptions());
    await c.ping(false);
    const before = c.threadId;
    c.close();
    assert.equal(c.closed, true);
    await assert.rejects(c.ping(false), InterfaceError);
    await c.ping();
    assert.equal(c.closed, false);
    assert.notEqual(c.threadId, before);
    c.close();
  });

  it("ping(true) reconnects after the server killed the connection", async () => {
    const c = await connect(testOptions());
    const victim = c.threadId;
    await using cur = conn.cursor();
    await cur.execute(`KILL ${victim}`);
    await new Promise((r) => setTimeout(r, 100));
    await c.ping();
    assert.notEqual(c.threadId, victim);
    await using cur2 = c.cursor();
    await cur2.execute("SELECT 1");
    assert.deepEqual(await cur2.fetchOne(), [1]);
    c.close();
  });

  it("a query on a killed connection rejects with OperationalError and marks it closed", async () => {
    const c = await connect(testOptions());
    const ccur = c.cursor();
    await using cur = conn.cursor();
    await cur.execute(`KILL ${c.threadId}`);
    await new Promise((r) => setTimeout(r, 100));
    await assert.rejects(ccur.execute("SELECT 1"), (e: unknown) => {
      assert.ok(e instanceof OperationalError, String(e));
      assert.ok(
        [CR.SERVER_GONE_ERROR, CR.SERVER_LOST, 1927, 4031].includes((e as OperationalError).errno!),
        String((e as OperationalError).errno),
      );
      return true;
    });
    assert.equal(c.closed, true);
  });

  it("use after close() is an InterfaceError", async () => {
    const c = await connect(testOptions());
    const cur = c.cursor();
    c.close();
    assert.throws(() => c.cursor(), InterfaceError);
    await assert.rejects(cur.execute("SELECT 1"), InterfaceError);
    await assert.rejects(c.commit(), InterfaceError);
    c.close(); // closing twice is harmless
  });

  it("ensureClosed() sends COM_QUIT after queued work and closes", async () => {
    const c = await connect(testOptions());
    const cur = c.cursor();
    const p = cur.execute("SELECT SLEEP(0.1)");
    await c.ensureClosed();
    assert.equal(await p, 1);
    assert.equal(c.closed, true);
  });

  it("connects over the unix socket", { skip: TEST_SOCKET === undefined }, async () => {
    const c = await connect(testOptions({ unixSocket: TEST_SOCKET }));
    assert.equal(c.unixSocket, TEST_SOCKET);
    await using cur = c.cursor();
    await cur.execute("SELECT 1");
    assert.deepEqual(await cur.fetchAll(), [[1]]);
    c.close();
  });

  it("accepts a connection URL", async () => {
    const o = testOptions();
    const c = await connect(`mysql://${o.user}:${encodeURIComponent(o.password)}@${o.host}:${o.port}/${TEST_DB2}?autocommit=true`);
    assert.equal(c.db, TEST_DB2);
    assert.equal(c.getAutocommit(), true);
    c.close();
  });

  it("runs initCommand and sqlMode at connect", async () => {
    const c = await connect(testOptions({ initCommand: "SET @init_marker = 42", sqlMode: "NO_BACKSLASH_ESCAPES" }));
    await using cur = c.cursor();
    await cur.execute("SELECT @init_marker, @@sql_mode");
    const [marker, mode] = (await cur.fetchOne())!;
    assert.equal(marker, 42);
    assert.match(String(mode), /NO_BACKSLASH_ESCAPES/);
    assert.equal(c.noBackslashEscapes, true);
    c.close();
  });

  it("uses the default cursorClass option", async () => {
    const c = await connect(testOptions({ cursorClass: DictCursor }));
    await using cur = c.cursor();
    assert.ok(cur instanceof DictCursor);
    await cur.execute("SELECT 1 AS one");
    assert.deepEqual(await cur.fetchOne(), { one: 1 });
    assert.ok(c.cursor(Cursor) instanceof Cursor);
    c.close();
  });

  it("rejects a wrong password with OperationalError 1045", async () => {
    await assert.rejects(connect(testOptions({ user: "aiomysql_native", password: "wrong" })), (e: unknown) => {
      assert.ok(e instanceof OperationalError);
      assert.equal((e as OperationalError).errno, ER.ACCESS_DENIED_ERROR);
      assert.doesNotMatch((e as Error).message, /wrong/);
      return true;
    });
    const c = await connect(testOptions({ user: "aiomysql_native", password: "native_pw" }));
    c.close();
  });

  it("a refused port is OperationalError 2003", async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const port = (srv.address() as net.AddressInfo).port;
    await new Promise<void>((r) => srv.close(() => r()));
    await assert.rejects(connect({ host: "127.0.0.1", port, user: "root" }), (e: unknown) => {
      assert.ok(e instanceof OperationalError);
      assert.equal((e as OperationalError).errno, CR.CONN_HOST_ERROR);
      return true;
    });
  });

  it("connectTimeout bounds a server that accepts and never greets", async () => {
    const sockets: net.Socket[] = [];
    const srv = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const port = (srv.address() as net.AddressInfo).port;
    const t0 = Date.now();
    await assert.rejects(connect({ host: "127.0.0.1", port, user: "root", connectTimeout: 0.3 }), (e: unknown) => {
      assert.ok(e instanceof OperationalError);
      assert.equal((e as OperationalError).errno, CR.CONN_HOST_ERROR);
      assert.match((e as Error).message, /timed out/);
      return true;
    });
    assert.ok(Date.now() - t0 < 5000);
    for (const s of sockets) s.destroy();
    srv.close();
  });

  it("validates options with clear errors", async () => {
    await assert.rejects(connect({ port: 70000 }), /port/);
    await assert.rejects(connect({ port: "3306" as unknown as number }), InterfaceError);
    await assert.rejects(connect({ connectTimeout: -1 }), /connectTimeout/);
    await assert.rejects(connect({ charset: "klingon" }), /klingon/);
    await assert.rejects(connect({ timezone: "Mars/Olympus" as never }), /timezone/);
    await assert.rejects(connect("postgres://x@y/z"), /scheme/);
  });

  it("maps server errors to PEP 249 classes with errno and sqlState", async () => {
    await using cur = conn.cursor();
    await cur.execute("CREATE TEMPORARY TABLE t_err (id INT PRIMARY KEY)");
    await cur.execute("INSERT INTO t_err VALUES (1)");
    await assert.rejects(cur.execute("INSERT INTO t_err VALUES (1)"), (e: unknown) => {
      assert.ok(e instanceof IntegrityError);
      assert.equal((e as IntegrityError).errno, ER.DUP_ENTRY);
      assert.equal((e as IntegrityError).sqlState, "23000");
      assert.equal((e as IntegrityError).code, "ER_DUP_ENTRY");
      return true;
    });
    await assert.rejects(
      cur.execute("SELEC 1"),
      (e: unknown) => e instanceof ProgrammingError && (e as ProgrammingError).errno === ER.PARSE_ERROR,
    );
    await assert.rejects(cur.execute("SELECT * FROM no_such_table_x"), ProgrammingError);
    // The connection is still usable after errors.
    await cur.execute("SELECT 2");
    assert.deepEqual(await cur.fetchOne(), [2]);
  });

  it("pipelines statements issued together and keeps results in order", async () => {
    const c = await connect(testOptions({ autocommit: true }));
    const cursors = Array.from({ length: 50 }, () => c.cursor());
    const results = await Promise.allSettled(cursors.map((cur, i) => cur.execute(i === 25 ? "SELECT nope FROM nowhere" : `SELECT ${i}`)));
    for (let i = 0; i < 50; i++) {
      if (i === 25) {
        assert.equal(results[i]!.status, "rejected");
        continue;
      }
      assert.equal(results[i]!.status, "fulfilled");
      assert.deepEqual(await cursors[i]!.fetchOne(), [i]);
    }
    c.close();
  });

  it("Symbol.asyncDispose closes a connection from plain JavaScript style", async () => {
    const c = await connect(testOptions());
    await c[Symbol.asyncDispose]();
    assert.equal(c.closed, true);
  });
});
