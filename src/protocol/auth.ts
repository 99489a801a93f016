// Authentication plugins: each turns a password and the server's scramble into the bytes
// the plugin sends. https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_authentication_methods.html
import { createHash } from "node:crypto";

function sha1(...parts: Uint8Array[]): Buffer {
  const h = createHash("sha1");
  for (const p of parts) h.update(p);
  return h.digest();
}

function sha256(...parts: Uint8Array[]): Buffer {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest();
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i % b.length]!;
  return out;
}

/** The first 20 bytes of the server's nonce (some servers append a NUL). */
export function scramble20(authPluginData: Buffer): Buffer {
  return authPluginData.subarray(0, 20);
}

/**
 * mysql_native_password: SHA1(password) XOR SHA1(scramble + SHA1(SHA1(password))).
 * An empty password sends an empty response.
 */
export function nativePasswordScramble(password: string, scramble: Buffer): Buffer {
  if (password === "") return Buffer.alloc(0);
  const stage1 = sha1(Buffer.from(password, "utf8"));
  const stage2 = sha1(stage1);
  return xor(stage1, sha1(scramble20(scramble), stage2));
}

/**
 * caching_sha2_password fast path:
 * SHA256(password) XOR SHA256(SHA256(SHA256(password)) + scramble).
 */
export function cachingSha2Scramble(password: string, scramble: Buffer): Buffer {
  if (password === "") return Buffer.alloc(0);
  const p1 = sha256(Buffer.from(password, "utf8"));
  const p2 = sha256(p1);
  return xor(p1, sha256(p2, scramble20(scramble)));
}

/** mysql_clear_password: the password itself, NUL-terminated. */
export function clearPassword(password: string): Buffer {
  return Buffer.concat([Buffer.from(password, "utf8"), Buffer.from([0])]);
}

/**
 * The password for RSA encryption (sha256_password, caching_sha2_password full auth):
 * (password + NUL) XOR the scramble repeated.
 */
export function xorPasswordWithScramble(password: string, scramble: Buffer): Buffer {
  return xor(clearPassword(password), scramble20(scramble));
}
