// Authentication plugins and TLS against the real MariaDB test server: one user per
// plugin MariaDB has, certificate verification, a REQUIRE SSL user, client certificates.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { connect, NotSupportedError, OperationalError, type Connection, InterfaceError } from "../../src/index.js";
import { ed25519PublicKey } from "../../src/auth/ed25519.js";
import { OTHER_CA, SSL_CA, SSL_CERT, SSL_KEY, TEST_SOCKET, testOptions } from "../support/config.js";

async function scalar(conn: Connection, sql: string): Promise<unknown> {
  const cur = conn.cursor();
  await cur.execute(sql);
  const row = (await cur.fetchOne()) as unknown[] | null;
  return row?.[0];
}

async function withConn<T>(options: object, fn: (c: Connection) => Promise<T>): Promise<T> {
  const conn = await connect(testOptions({ connectTimeout: 30, ...options }));
  try {
    return await fn(conn);
  } finally {
    conn.close();
  }
}

function ca(): Buffer {
  assert.ok(SSL_CA, "MYSQL_SSL_CA must be set");
  return readFileSync(SSL_CA);
}

describe("MariaDB authentication plugins", () => {
  it("mysql_native_password user logs in", async () => {
    const user = await withConn({ user: "aiomysql_native", password: "native_pw" }, (c) => scalar(c, "SELECT CURRENT_USER()"));
    assert.equal(user, "aiomysql_native@%");
  });

  it("mysql_native_password with a wrong password is errno 1045", async () => {
    await assert.rejects(connect(testOptions({ user: "aiomysql_native", password: "wrong" })), (e: unknown) => {
      assert.ok(e instanceof OperationalError);
      assert.equal(e.errno, 1045);
      return true;
    });
  });

  it("client_ed25519 user logs in (auth switch to ed25519)", async () => {
    const user = await withConn({ user: "aiomysql_ed25519", password: "ed_pw" }, (c) => scalar(c, "SELECT CURRENT_USER()"));
    assert.equal(user, "aiomysql_ed25519@%");
  });

  it("client_ed25519 derives the public key the server stored", async () => {
    const stored = await withConn({}, (c) =>
      scalar(c, "SELECT JSON_VALUE(Priv, '$.authentication_string') FROM mysql.global_priv WHERE User = 'aiomysql_ed25519'"),
    );
    assert.equal(ed25519PublicKey("ed_pw").toString("base64").replace(/=+$/, ""), stored);
  });

  it("client_ed25519 with a wrong password is errno 1045", async () => {
    await assert.rejects(connect(testOptions({ user: "aiomysql_ed25519", password: "ed_pW" })), (e: unknown) => {
      assert.ok(e instanceof OperationalError);
      assert.equal(e.errno, 1045);
      return true;
    });
  });

  it("client_ed25519 can be asked for up front with authPlugin", async () => {
    const user = await withConn({ user: "aiomysql_ed25519", password: "ed_pw", authPlugin: "client_ed25519" }, (c) =>
      scalar(c, "SELECT CURRENT_USER()"),
    );
    assert.equal(user, "aiomysql_ed25519@%");
  });

  it("a user without a password logs in", async () => {
    const user = await withConn({ user: "aiomysql_nopw", password: "" }, (c) => scalar(c, "SELECT CURRENT_USER()"));
    assert.equal(user, "aiomysql_nopw@%");
  });

  it("an unknown authPlugin is a NotSupportedError before anything is sent", async () => {
    await assert.rejects(connect(testOptions({ authPlugin: "no_such_plugin" })), NotSupportedError);
  });
});

describe("TLS", () => {
  it("connects with the right CA and verifies the IP address SAN", async () => {
    const cipher = await withConn({ ssl: { ca: ca() } }, async (c) => {
      const cur = c.cursor();
      await cur.execute("SHOW STATUS LIKE 'Ssl_cipher'");
      return ((await cur.fetchOne()) as unknown[])[1];
    });
    assert.ok(typeof cipher === "string" && cipher.length > 0, `cipher: ${String(cipher)}`);
  });

  it("fails with errno 2026 when the certificate is signed by another CA", async () => {
    assert.ok(OTHER_CA);
    await assert.rejects(connect(testOptions({ ssl: { ca: readFileSync(OTHER_CA) } })), (e: unknown) => {
      assert.ok(e instanceof OperationalError, String(e));
      assert.equal(e.errno, 2026);
      return true;
    });
  });

  it("fails with errno 2026 when the host name does not match the certificate", async () => {
    await assert.rejects(connect(testOptions({ ssl: { ca: ca(), servername: "db.example.com" } })), (e: unknown) => {
      assert.ok(e instanceof OperationalError, String(e));
      assert.equal(e.errno, 2026);
      assert.match(e.message, /db\.example\.com/);
      return true;
    });
  });

  it("fails without a CA (ssl: true verifies against the system CAs)", async () => {
    await assert.rejects(connect(testOptions({ ssl: true })), (e: unknown) => e instanceof OperationalError && e.errno === 2026);
  });

  it("sslMode 'verify-ca' accepts a matching chain with a wrong host name", async () => {
    const ok = await withConn({ ssl: { ca: ca(), servername: "db.example.com" }, sslMode: "verify-ca" }, (c) => scalar(c, "SELECT 1"));
    assert.equal(ok, 1);
  });

  it("sslMode 'required' encrypts without verifying", async () => {
    const v = await withConn({ sslMode: "required" }, async (c) => {
      const cur = c.cursor();
      await cur.execute("SHOW STATUS LIKE 'Ssl_version'");
      return ((await cur.fetchOne()) as unknown[])[1];
    });
    assert.match(String(v), /^TLS/);
  });

  it("sslMode 'disabled' ignores ssl options", async () => {
    const v = await withConn({ ssl: { ca: readFileSync(OTHER_CA!) }, sslMode: "disabled" }, async (c) => {
      const cur = c.cursor();
      await cur.execute("SHOW STATUS LIKE 'Ssl_version'");
      return ((await cur.fetchOne()) as unknown[])[1];
    });
    assert.equal(v, "");
  });

  it("rejects an unknown sslMode", async () => {
    await assert.rejects(connect(testOptions({ sslMode: "sometimes" as "required" })), InterfaceError);
  });

  it("REQUIRE SSL user logs in over TLS", async () => {
    const user = await withConn({ user: "aiomysql_ssl", password: "ssl_pw", ssl: { ca: ca() } }, (c) => scalar(c, "SELECT CURRENT_USER()"));
    assert.equal(user, "aiomysql_ssl@%");
  });

  it("REQUIRE SSL user is refused without TLS (errno 1045)", async () => {
    await assert.rejects(connect(testOptions({ user: "aiomysql_ssl", password: "ssl_pw" })), (e: unknown) => {
      assert.ok(e instanceof OperationalError);
      assert.equal(e.errno, 1045);
      return true;
    });
  });

  it("presents a client certificate", async () => {
    assert.ok(SSL_CERT && SSL_KEY);
    const admin = await connect(testOptions());
    try {
      const cur = admin.cursor();
      await cur.execute("CREATE OR REPLACE USER 'aiomysql_x509'@'%' IDENTIFIED BY 'x509_pw' REQUIRE X509");
      await cur.execute("GRANT USAGE ON *.* TO 'aiomysql_x509'@'%'");
      await assert.rejects(
        connect(testOptions({ user: "aiomysql_x509", password: "x509_pw", db: null, ssl: { ca: ca() } })),
        (e: unknown) => e instanceof OperationalError && e.errno === 1045,
      );
      const user = await withConn(
        {
          user: "aiomysql_x509",
          password: "x509_pw",
          db: null,
          ssl: { ca: ca(), cert: readFileSync(SSL_CERT), key: readFileSync(SSL_KEY) },
        },
        (c) => scalar(c, "SELECT CURRENT_USER()"),
      );
      assert.equal(user, "aiomysql_x509@%");
      await cur.execute("DROP USER 'aiomysql_x509'@'%'");
    } finally {
      admin.close();
    }
  });

  it("TLS over the unix socket verifies the certificate against 'localhost'", async () => {
    assert.ok(TEST_SOCKET);
    const v = await withConn({ unixSocket: TEST_SOCKET, ssl: { ca: ca() } }, async (c) => {
      const cur = c.cursor();
      await cur.execute("SHOW STATUS LIKE 'Ssl_version'");
      return ((await cur.fetchOne()) as unknown[])[1];
    });
    assert.match(String(v), /^TLS/);
  });
});
