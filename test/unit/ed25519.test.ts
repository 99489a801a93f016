// client_ed25519 signing. With a 32-byte password, MariaDB's variant is exactly RFC 8032
// Ed25519 with that password as the secret key, so RFC 8032's test vectors apply.
import assert from "node:assert/strict";
import { createPublicKey, verify } from "node:crypto";
import { describe, it } from "node:test";
import { ed25519PublicKey, ed25519Signature } from "../../src/auth/ed25519.js";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");

/** RFC 8032 section 7.1, TEST 1 and TEST 2. */
const VECTORS = [
  {
    secret: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    publicKey: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    message: "",
    signature:
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
  },
  {
    secret: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    publicKey: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    message: "72",
    signature:
      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
  },
];

function nodePublicKey(raw: Buffer): ReturnType<typeof createPublicKey> {
  // SubjectPublicKeyInfo for Ed25519: a fixed 12-byte prefix, then the 32-byte key.
  return createPublicKey({ key: Buffer.concat([hex("302a300506032b6570032100"), raw]), format: "der", type: "spki" });
}

describe("client_ed25519", () => {
  for (const [i, v] of VECTORS.entries()) {
    it(`matches RFC 8032 test ${i + 1}`, () => {
      assert.equal(ed25519PublicKey(hex(v.secret)).toString("hex"), v.publicKey);
      assert.equal(ed25519Signature(hex(v.secret), hex(v.message)).toString("hex"), v.signature);
    });
  }

  it("signs a server nonce with a text password of any length, verifiable by node:crypto", () => {
    const nonce = Buffer.from("0123456789abcdef0123456789abcdef");
    for (const password of ["", "ed_pw", "a much longer pass phrase than thirty-two bytes, with ünïcödé"]) {
      const signature = ed25519Signature(password, nonce);
      assert.equal(signature.length, 64);
      assert.ok(verify(null, nonce, nodePublicKey(ed25519PublicKey(password)), signature), password);
      assert.equal(verify(null, Buffer.from("another nonce"), nodePublicKey(ed25519PublicKey(password)), signature), false);
    }
  });
});
