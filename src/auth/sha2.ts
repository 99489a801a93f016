// The SHA-256 based plugins of MySQL: caching_sha2_password (the default since MySQL 8.0)
// and sha256_password. Both send the password in clear text over TLS or a unix socket,
// and over plain TCP encrypt it with the server's RSA public key.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_caching_sha2_authentication_exchanges.html
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_authentication_methods_sha256_password_authentication.html
import { constants, publicEncrypt } from "node:crypto";
import { NotSupportedError, OperationalError, clientError } from "../errors.js";
import { cachingSha2Scramble, clearPassword, xorPasswordWithScramble } from "../protocol/auth.js";
import { CR } from "../protocol/constants.js";
import type { AuthIo, AuthPlugin, AuthSettings } from "./types.js";

/** caching_sha2_password AuthMoreData status bytes. */
export const CACHING_SHA2 = {
  /** Client asks for the server's RSA public key. */
  REQUEST_PUBLIC_KEY: 0x02,
  /** The scramble matched the server's cache: an OK packet follows. */
  FAST_AUTH_SUCCESS: 0x03,
  /** The cache had no entry: the client must send the password itself. */
  PERFORM_FULL_AUTHENTICATION: 0x04,
} as const;

/** sha256_password: the byte that asks the server for its RSA public key. */
export const SHA256_REQUEST_PUBLIC_KEY = 0x01;

/**
 * The password for RSA transport: (password + NUL) XOR scramble, encrypted with the
 * server's public key using RSA-OAEP (SHA-1), as MySQL 8.0.5+ expects.
 */
export function rsaEncryptPassword(password: string, scramble: Buffer, publicKeyPem: string | Buffer): Buffer {
  try {
    return publicEncrypt(
      { key: publicKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" },
      xorPasswordWithScramble(password, scramble),
    );
  } catch (e) {
    throw new OperationalError(`cannot encrypt the password with the server's RSA public key: ${(e as Error).message}`, {
      errno: CR.AUTH_PLUGIN_ERR,
      cause: e,
    });
  }
}

function isPem(data: Buffer): boolean {
  return data.subarray(0, 10).toString("latin1") === "-----BEGIN";
}

function noSecureTransport(plugin: string): NotSupportedError {
  return new NotSupportedError(
    `${plugin} needs the password itself, and this connection is neither TLS nor a unix socket: ` +
      `use ssl, pass the server's RSA key as serverPublicKey, or set allowPublicKeyRetrieval: true ` +
      `(which trusts whatever key the server sends)`,
    { errno: CR.AUTH_PLUGIN_ERR },
  );
}

/**
 * The password for a full authentication: clear over a secure link, RSA-encrypted with a
 * configured key, or null when the key must first be requested from the server.
 */
function fullAuthResponse(plugin: string, s: AuthSettings, scramble: Buffer, io: AuthIo): Buffer | null {
  // Unverified TLS counts as plain TCP unless the caller allowed clear-text passwords.
  if (io.secure || (io.encrypted === true && s.allowCleartextPassword)) return clearPassword(s.password);
  if (s.serverPublicKey !== null) return rsaEncryptPassword(s.password, scramble, s.serverPublicKey);
  if (s.allowPublicKeyRetrieval) return null;
  throw noSecureTransport(plugin);
}

/** A public key the server sent in AuthMoreData; accepted only if the user allowed retrieval. */
function encryptWithRetrievedKey(plugin: string, key: Buffer, s: AuthSettings, scramble: Buffer, io: AuthIo): Buffer {
  if (io.secure || (io.encrypted === true && s.allowCleartextPassword) || s.serverPublicKey !== null || !s.allowPublicKeyRetrieval) {
    throw clientError(CR.MALFORMED_PACKET, `${plugin}: the server sent a public key that was not requested`);
  }
  return rsaEncryptPassword(s.password, scramble, key);
}

/** caching_sha2_password: a SHA-256 scramble first; the password itself when the server's cache misses. */
export const cachingSha2Password: AuthPlugin = {
  nulTerminatedScramble: true,
  start: (s, scramble) => cachingSha2Scramble(s.password, scramble),
  moreData: (data, s, scramble, io) => {
    if (data.length === 1 && data[0] === CACHING_SHA2.FAST_AUTH_SUCCESS) return null;
    if (data.length === 1 && data[0] === CACHING_SHA2.PERFORM_FULL_AUTHENTICATION) {
      return fullAuthResponse("caching_sha2_password", s, scramble, io) ?? Buffer.from([CACHING_SHA2.REQUEST_PUBLIC_KEY]);
    }
    if (isPem(data)) return encryptWithRetrievedKey("caching_sha2_password", data, s, scramble, io);
    throw clientError(CR.MALFORMED_PACKET, `unexpected caching_sha2_password data 0x${data.subarray(0, 8).toString("hex")}`);
  },
};

/** sha256_password: the password itself over TLS/unix sockets, RSA-encrypted over plain TCP. */
export const sha256Password: AuthPlugin = {
  nulTerminatedScramble: true,
  start: (s, scramble, io) => {
    // An empty password is a single NUL whatever the transport.
    if (s.password === "") return Buffer.from([0]);
    return fullAuthResponse("sha256_password", s, scramble, io) ?? Buffer.from([SHA256_REQUEST_PUBLIC_KEY]);
  },
  moreData: (data, s, scramble, io) => {
    if (isPem(data)) return encryptWithRetrievedKey("sha256_password", data, s, scramble, io);
    throw clientError(CR.MALFORMED_PACKET, `unexpected sha256_password data 0x${data.subarray(0, 8).toString("hex")}`);
  },
};
