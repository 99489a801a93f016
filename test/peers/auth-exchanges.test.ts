// Authentication exchanges of MySQL servers, against the scripted peer. Expected values are
// computed here step by step from MySQL's documented algorithms, independently of src/.
import assert from "node:assert/strict";
import { constants, createHash, generateKeyPairSync, privateDecrypt } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { connect, NotSupportedError, OperationalError, type Connection } from "../../src/index.js";
import { CLIENT } from "../../src/protocol/constants.js";
import { SSL_CA } from "../support/config.js";
import { PEER_CAPABILITIES, startPeer, type Peer, type PeerSession } from "./mysql-peer.js";

const PASSWORD = "s3cret-pässword";

function sha(alg: string, ...parts: Buffer[]): Buffer {
  const h = createHash(alg);
  for (const p of parts) h.update(p);
  return h.digest();
}

function xor(a: Buffer, b: Buffer): Buffer {
  return Buffer.from(a.map((v, i) => v ^ b[i % b.length]!));
}

/**
 * caching_sha2_password, checked the way the server checks it: it stores
 * SHA256(SHA256(password)), unmasks the response with SHA256(stored + nonce) and
 * compares SHA256(unmasked) with the stored value.
 */
function serverAcceptsSha2(response: Buffer, nonce: Buffer, password: string): boolean {
  const stored = sha("sha256", sha("sha256", Buffer.from(password)));
  const candidate = xor(response, sha("sha256", stored, nonce));
  return response.length === 32 && sha("sha256", candidate).equals(stored);
}

/** mysql_native_password, checked as the server does with its stored SHA1(SHA1(password)). */
function serverAcceptsNative(response: Buffer, nonce: Buffer, password: string): boolean {
  const stored = sha("sha1", sha("sha1", Buffer.from(password)));
  const candidate = xor(response, sha("sha1", nonce, stored));
  return response.length === 20 && sha("sha1", candidate).equals(stored);
}

const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
const PUBLIC_PEM = keys.publicKey.export({ type: "spki", format: "pem" }).toString();

/** What the server recovers from an RSA-encrypted password: (password + NUL) XOR nonce. */
function rsaDecryptPassword(cipher: Buffer, nonce: Buffer): string {
  const plain = privateDecrypt({ key: keys.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" }, cipher);
  const unmasked = xor(plain, nonce);
  assert.equal(unmasked[unmasked.length - 1], 0, "the password is NUL-terminated");
  return unmasked.subarray(0, -1).toString("utf8");
}

function peerTls(): { key: Buffer; cert: Buffer } {
  assert.ok(SSL_CA, "MYSQL_SSL_CA must point at the test certificates");
  const dir = dirname(SSL_CA);
  return { key: readFileSync(join(dir, "server-key.pem")), cert: readFileSync(join(dir, "server-cert.pem")) };
}

let peer: Peer | null = null;
let conn: Connection | null = null;
afterEach(async () => {
  conn?.close();
  conn = null;
  await peer?.close();
  peer = null;
});

async function run(script: (s: PeerSession) => Promise<void>, options: Parameters<typeof connect>[0] & object): Promise<Connection> {
  peer = await startPeer(script);
  conn = await connect({ host: "127.0.0.1", port: peer.port, user: "app", password: PASSWORD, connectTimeout: 20, ...options });
  await peer.done;
  return conn;
}

async function refused(script: (s: PeerSession) => Promise<void>, options: object): Promise<Error> {
  peer = await startPeer(script);
  const p = connect({ host: "127.0.0.1", port: peer.port, user: "app", password: PASSWORD, connectTimeout: 20, ...options });
  return p.then(
    () => assert.fail("connect() should have failed"),
    (e: Error) => e,
  );
}

describe("caching_sha2_password (scripted MySQL 8 peer)", () => {
  it("fast path: the scramble verifies and 0x03 is followed by OK", async () => {
    const c = await run(async (s) => {
      s.greet("caching_sha2_password", PEER_CAPABILITIES);
      const hr = await s.readHandshakeResponse();
      assert.equal(hr.pluginName, "caching_sha2_password");
      assert.equal(hr.user, "app");
      assert.ok(serverAcceptsSha2(hr.authResponse, s.scramble, PASSWORD));
      s.moreData(Buffer.from([0x03]));
      s.ok();
    }, {});
    assert.equal(c.closed, false);
  });

  it("full path over TLS sends the password in clear inside TLS", async () => {
    await run(
      async (s) => {
        s.greet("caching_sha2_password", PEER_CAPABILITIES | CLIENT.SSL);
        const hr = await s.readHandshakeResponse(peerTls());
        assert.ok(hr.capabilities & CLIENT.SSL);
        assert.ok(serverAcceptsSha2(hr.authResponse, s.scramble, PASSWORD));
        s.moreData(Buffer.from([0x04]));
        const pw = await s.read();
        assert.deepEqual(pw, Buffer.from(PASSWORD + "\0"));
        s.ok();
      },
      { ssl: { ca: readFileSync(SSL_CA!) } },
    );
  });

  it("full path over plain TCP encrypts with serverPublicKey (RSA-OAEP)", async () => {
    await run(
      async (s) => {
        s.greet("caching_sha2_password", PEER_CAPABILITIES);
        await s.readHandshakeResponse();
        s.moreData(Buffer.from([0x04]));
        const cipher = (await s.read())!;
        assert.equal(cipher.length, 256);
        assert.equal(rsaDecryptPassword(cipher, s.scramble), PASSWORD);
        s.ok();
      },
      { serverPublicKey: PUBLIC_PEM },
    );
  });

  it("with allowPublicKeyRetrieval asks for the key (0x02) and encrypts with it", async () => {
    await run(
      async (s) => {
        s.greet("caching_sha2_password", PEER_CAPABILITIES);
        await s.readHandshakeResponse();
        s.moreData(Buffer.from([0x04]));
        assert.deepEqual(await s.read(), Buffer.from([0x02]));
        s.moreData(Buffer.from(PUBLIC_PEM));
        assert.equal(rsaDecryptPassword((await s.read())!, s.scramble), PASSWORD);
        s.ok();
      },
      { allowPublicKeyRetrieval: true },
    );
  });

  it("refuses full authentication over plain TCP without a key, and sends no password", async () => {
    let sawPassword = false;
    const err = await refused(async (s) => {
      s.greet("caching_sha2_password", PEER_CAPABILITIES);
      await s.readHandshakeResponse();
      s.moreData(Buffer.from([0x04]));
      // The client must close instead of answering.
      sawPassword = (await s.read()) !== null;
    }, {});
    await peer!.done;
    assert.ok(err instanceof NotSupportedError, String(err));
    assert.match(err.message, /allowPublicKeyRetrieval/);
    assert.equal(sawPassword, false);
  });

  it("refuses a public key the client did not ask for", async () => {
    const err = await refused(
      async (s) => {
        s.greet("caching_sha2_password", PEER_CAPABILITIES);
        await s.readHandshakeResponse();
        s.moreData(Buffer.from(PUBLIC_PEM));
        await s.read();
      },
      { serverPublicKey: PUBLIC_PEM },
    );
    assert.ok(err instanceof OperationalError, String(err));
    assert.match(err.message, /not requested/);
  });
});

describe("sha256_password (scripted peer)", () => {
  it("encrypts the password in the first response with serverPublicKey", async () => {
    await run(
      async (s) => {
        s.greet("sha256_password", PEER_CAPABILITIES);
        const hr = await s.readHandshakeResponse();
        assert.equal(hr.pluginName, "sha256_password");
        assert.equal(rsaDecryptPassword(hr.authResponse, s.scramble), PASSWORD);
        s.ok();
      },
      { serverPublicKey: PUBLIC_PEM },
    );
  });

  it("asks for the key with 0x01 when allowPublicKeyRetrieval is set", async () => {
    await run(
      async (s) => {
        s.greet("sha256_password", PEER_CAPABILITIES);
        const hr = await s.readHandshakeResponse();
        assert.deepEqual(hr.authResponse, Buffer.from([0x01]));
        s.moreData(Buffer.from(PUBLIC_PEM));
        assert.equal(rsaDecryptPassword((await s.read())!, s.scramble), PASSWORD);
        s.ok();
      },
      { allowPublicKeyRetrieval: true },
    );
  });

  it("sends the clear password over TLS", async () => {
    await run(
      async (s) => {
        s.greet("sha256_password", PEER_CAPABILITIES | CLIENT.SSL);
        const hr = await s.readHandshakeResponse(peerTls());
        assert.deepEqual(hr.authResponse, Buffer.from(PASSWORD + "\0"));
        s.ok();
      },
      { ssl: { ca: readFileSync(SSL_CA!) } },
    );
  });

  it("refuses over plain TCP without a key", async () => {
    const err = await refused(async (s) => {
      s.greet("sha256_password", PEER_CAPABILITIES);
      assert.equal(await s.read(), null, "no handshake response may be sent");
    }, {});
    assert.ok(err instanceof NotSupportedError, String(err));
    assert.match(err.message, /sha256_password/);
  });
});

describe("auth switch and other plugins (scripted peer)", () => {
  it("switches from mysql_native_password to caching_sha2_password with a new nonce", async () => {
    const nonce2 = Buffer.from("abcdefghijklmnopqrst");
    await run(async (s) => {
      s.greet("mysql_native_password", PEER_CAPABILITIES);
      const hr = await s.readHandshakeResponse();
      assert.ok(serverAcceptsNative(hr.authResponse, s.scramble, PASSWORD));
      s.authSwitch("caching_sha2_password", nonce2);
      assert.ok(serverAcceptsSha2((await s.read())!, nonce2, PASSWORD));
      s.moreData(Buffer.from([0x03]));
      s.ok();
    }, {});
  });

  it("switches from caching_sha2_password to mysql_native_password", async () => {
    const nonce2 = Buffer.from("01234567890123456789");
    await run(async (s) => {
      s.greet("caching_sha2_password", PEER_CAPABILITIES);
      await s.readHandshakeResponse();
      s.authSwitch("mysql_native_password", nonce2);
      assert.ok(serverAcceptsNative((await s.read())!, nonce2, PASSWORD));
      s.ok();
    }, {});
  });

  it("mysql_clear_password is refused over plain TCP", async () => {
    const err = await refused(async (s) => {
      s.greet("mysql_native_password", PEER_CAPABILITIES);
      await s.readHandshakeResponse();
      s.authSwitch("mysql_clear_password", Buffer.alloc(0));
      assert.equal(await s.read(), null, "the password must not be sent");
    }, {});
    assert.ok(err instanceof OperationalError, String(err));
    assert.match(err.message, /mysql_clear_password.*clear text/);
  });

  it("mysql_clear_password is sent with allowCleartextPassword (RDS IAM tokens)", async () => {
    await run(
      async (s) => {
        s.greet("mysql_native_password", PEER_CAPABILITIES);
        await s.readHandshakeResponse();
        s.authSwitch("mysql_clear_password", Buffer.alloc(0));
        assert.deepEqual(await s.read(), Buffer.from(PASSWORD + "\0"));
        s.ok();
      },
      { allowCleartextPassword: true },
    );
  });

  it("authPlugin: 'mysql_clear_password' over TLS sends the password in the first response", async () => {
    await run(
      async (s) => {
        s.greet("mysql_native_password", PEER_CAPABILITIES | CLIENT.SSL);
        const hr = await s.readHandshakeResponse(peerTls());
        assert.equal(hr.pluginName, "mysql_clear_password");
        assert.deepEqual(hr.authResponse, Buffer.from(PASSWORD + "\0"));
        s.ok();
      },
      { authPlugin: "mysql_clear_password", ssl: { ca: readFileSync(SSL_CA!) } },
    );
  });

  it("a plugin the client lacks is a clear error naming it", async () => {
    const err = await refused(async (s) => {
      s.greet("mysql_native_password", PEER_CAPABILITIES);
      await s.readHandshakeResponse();
      s.authSwitch("authentication_kerberos_client", Buffer.alloc(20, 1));
      await s.read();
    }, {});
    assert.ok(err instanceof NotSupportedError, String(err));
    assert.match(err.message, /'authentication_kerberos_client'/);
  });

  it("an unknown default plugin in the greeting falls back to mysql_native_password", async () => {
    await run(async (s) => {
      s.greet("auth_gssapi_client", PEER_CAPABILITIES);
      const hr = await s.readHandshakeResponse();
      assert.equal(hr.pluginName, "mysql_native_password");
      assert.ok(serverAcceptsNative(hr.authResponse, s.scramble, PASSWORD));
      s.ok();
    }, {});
  });

  it("the server's ERR during the exchange rejects with its errno", async () => {
    const err = await refused(async (s) => {
      s.greet("caching_sha2_password", PEER_CAPABILITIES);
      await s.readHandshakeResponse();
      s.err(1045, "Access denied for user 'app'");
    }, {});
    assert.ok(err instanceof OperationalError);
    assert.equal((err as OperationalError).errno, 1045);
  });
});
