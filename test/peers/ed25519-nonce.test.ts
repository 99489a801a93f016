// client_ed25519 after an auth switch, against the scripted peer: MariaDB sends the 32-byte
// random nonce with no terminator, so a nonce that ends in 0x00 (once in 256 logins) must be
// signed whole. The signature is checked with the reference Ed25519 verifier.
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { ed25519 } from "@noble/curves/ed25519.js";
import { connect, type Connection } from "../../src/index.js";
import { ed25519PublicKey } from "../../src/auth/ed25519.js";
import { PEER_CAPABILITIES, startPeer, type Peer, type PeerSession } from "./mysql-peer.js";

const PASSWORD = "ed_pw";

let peer: Peer | null = null;
let conn: Connection | null = null;
afterEach(async () => {
  conn?.close();
  conn = null;
  await peer?.close();
  peer = null;
});

/** A nonce of 32 non-zero bytes whose last `zeros` bytes are 0x00. */
function nonceEndingInZeros(zeros: number): Buffer {
  const nonce = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) nonce[i] = 0x41 + i;
  nonce.fill(0, 32 - zeros);
  return nonce;
}

/** Greets as MariaDB would for an ed25519 account: native first, then a switch to client_ed25519. */
async function loginWithNonce(nonce: Buffer): Promise<Buffer> {
  let signature: Buffer | null = null;
  peer = await startPeer(async (s: PeerSession) => {
    s.greet("mysql_native_password", PEER_CAPABILITIES);
    await s.readHandshakeResponse();
    s.authSwitch("client_ed25519", nonce, false);
    signature = await s.read();
    s.ok();
  });
  conn = await connect({ host: "127.0.0.1", port: peer.port, user: "app", password: PASSWORD, connectTimeout: 20 });
  await peer.done;
  assert.ok(signature, "the client answered the switch");
  return signature;
}

describe("client_ed25519 nonce after an auth switch (scripted peer)", () => {
  for (const zeros of [1, 2]) {
    it(`signs all 32 bytes of a nonce ending in ${zeros} zero byte(s)`, async () => {
      const nonce = nonceEndingInZeros(zeros);
      const signature = await loginWithNonce(nonce);
      assert.equal(signature.length, 64);
      const publicKey = ed25519PublicKey(PASSWORD);
      assert.ok(ed25519.verify(signature, nonce, publicKey), "signature over the whole nonce verifies");
      assert.equal(ed25519.verify(signature, nonce.subarray(0, 31), publicKey), false);
    });
  }

  it("signs a nonce with no trailing zero as sent", async () => {
    const nonce = nonceEndingInZeros(0);
    const signature = await loginWithNonce(nonce);
    assert.ok(ed25519.verify(signature, nonce, ed25519PublicKey(PASSWORD)));
  });
});
