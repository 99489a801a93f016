// A man in the middle with a self-signed certificate: with sslMode "required" or "preferred"
// the certificate is not checked, so the link must not count as secure. When the peer switches
// the login to mysql_clear_password, the client refuses and the password never arrives.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { CLIENT, connect, CR, OperationalError, type ConnectOptions } from "../../src/index.js";
import { SSL_CA } from "../support/config.js";
import { PEER_CAPABILITIES, startPeer, type Peer } from "./mysql-peer.js";

const PASSWORD = "Mitm-Target-Pa55word";

function certDir(): string {
  assert.ok(SSL_CA, "MYSQL_SSL_CA must point at the test certificates");
  return dirname(SSL_CA);
}

/** A self-signed certificate no client trusts (the test suite's unrelated CA, with its key). */
function selfSigned(): { key: Buffer; cert: Buffer } {
  return { key: readFileSync(join(certDir(), "other-ca-key.pem")), cert: readFileSync(join(certDir(), "other-ca.pem")) };
}

/** The real server certificate, signed by the test CA. */
function trusted(): { key: Buffer; cert: Buffer } {
  return { key: readFileSync(join(certDir(), "server-key.pem")), cert: readFileSync(join(certDir(), "server-cert.pem")) };
}

let peer: Peer | null = null;
afterEach(async () => {
  await peer?.close();
  peer = null;
});

/**
 * Runs a peer that takes the TLS upgrade with `cert`, switches to mysql_clear_password and
 * records what the client answers. Returns the connect() outcome and what the peer received.
 */
async function mitm(cert: { key: Buffer; cert: Buffer }, options: ConnectOptions): Promise<{ error: unknown; received: Buffer | null }> {
  let received: Buffer | null = null;
  peer = await startPeer(async (s) => {
    s.greet("mysql_native_password", PEER_CAPABILITIES | CLIENT.SSL);
    await s.readHandshakeResponse(cert);
    s.authSwitch("mysql_clear_password", Buffer.alloc(0));
    received = await s.read();
    if (received !== null) s.ok();
  });
  let error: unknown = null;
  try {
    const conn = await connect({ host: "127.0.0.1", port: peer.port, user: "app", password: PASSWORD, connectTimeout: 20, ...options });
    conn.close();
  } catch (e) {
    error = e;
  }
  await peer.done;
  return { error, received };
}

describe("clear-text passwords need verified TLS", () => {
  for (const sslMode of ["required", "preferred"] as const) {
    it(`sslMode '${sslMode}' with a self-signed certificate: mysql_clear_password is refused`, async () => {
      const { error, received } = await mitm(selfSigned(), { sslMode });
      assert.ok(error instanceof OperationalError, String(error));
      assert.equal(error.errno, CR.AUTH_PLUGIN_ERR);
      assert.match(error.message, /certificate was not verified/);
      assert.equal(received, null, "nothing reached the man in the middle");
      assert.ok(!error.message.includes(PASSWORD));
    });
  }

  it("allowCleartextPassword is the explicit opt-in over unverified TLS", async () => {
    const { error, received } = await mitm(selfSigned(), { sslMode: "required", allowCleartextPassword: true });
    assert.equal(error, null);
    assert.deepEqual(received, Buffer.from(PASSWORD + "\0"));
  });

  it("verified TLS (verify-ca) still sends it", async () => {
    const { error, received } = await mitm(trusted(), { sslMode: "verify-ca", ssl: { ca: readFileSync(SSL_CA!) } });
    assert.equal(error, null);
    assert.deepEqual(received, Buffer.from(PASSWORD + "\0"));
  });
});
