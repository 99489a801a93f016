// MariaDB's client_ed25519 authentication plugin.
// https://mariadb.com/kb/en/authentication-plugin-ed25519/
//
// The server keeps the Ed25519 public key derived from the password and sends a 32-byte
// nonce; the client signs the nonce. MariaDB's variant treats the password itself (any
// length) as the secret seed: az = SHA512(password) instead of SHA512(32-byte seed).
// Curve arithmetic comes from @noble/curves; only the RFC 8032 signing steps are here.
import { createHash } from "node:crypto";
import { ed25519 } from "@noble/curves/ed25519.js";

const Point = ed25519.Point;
const L = Point.Fn.ORDER;

function sha512(...parts: Uint8Array[]): Buffer {
  const h = createHash("sha512");
  for (const p of parts) h.update(p);
  return h.digest();
}

/** Little-endian bytes as a bigint. */
function leToBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

/** A bigint below 2^256 as 32 little-endian bytes. */
function bigIntToLe32(n: bigint): Buffer {
  const out = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

/** The clamped first half of az as a scalar mod L (a*B is the same point either way). */
function secretScalar(az: Buffer): bigint {
  const aBytes = Buffer.from(az.subarray(0, 32));
  aBytes[0]! &= 248;
  aBytes[31]! &= 63;
  aBytes[31]! |= 64;
  return leToBigInt(aBytes) % L;
}

/**
 * The 64-byte client_ed25519 response: the Ed25519 signature (R || S) of `message` (the
 * server's nonce) with the secret key derived from `password` as MariaDB derives it.
 */
export function ed25519Signature(password: string | Uint8Array, message: Uint8Array): Buffer {
  // az = SHA512(password); the first half, clamped, is the secret scalar a.
  const az = sha512(typeof password === "string" ? Buffer.from(password, "utf8") : password);
  const a = secretScalar(az);
  // A = a*B, the public key the server stored.
  const publicKey = Point.BASE.multiply(a).toBytes();
  // r = SHA512(az[32..64] || M) mod L; R = r*B.
  const r = leToBigInt(sha512(az.subarray(32), message)) % L;
  const R = (r === 0n ? Point.ZERO : Point.BASE.multiply(r)).toBytes();
  // k = SHA512(R || A || M) mod L; S = (r + k*a) mod L.
  const k = leToBigInt(sha512(R, publicKey, message)) % L;
  const S = (r + k * a) % L;
  return Buffer.concat([R, bigIntToLe32(S)]);
}

/** The public key (32 bytes) MariaDB stores for `password`: what `PASSWORD()` shows, base64. */
export function ed25519PublicKey(password: string | Uint8Array): Buffer {
  const az = sha512(typeof password === "string" ? Buffer.from(password, "utf8") : password);
  return Buffer.from(Point.BASE.multiply(secretScalar(az)).toBytes());
}
