// The contract between the authentication exchange and the plugins.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase.html

/** What an exchange needs from the connection: packets in and out, and facts about the link. */
export interface AuthIo {
  /** Next packet payload from the server (a copy the caller may keep). */
  read(): Promise<Buffer>;
  /** Sends one packet payload with the next sequence id. */
  write(payload: Buffer): void;
  /**
   * True when the link is a unix socket or TLS with a verified certificate (sslMode
   * "verify-ca"/"verify-full"), where a clear password is not exposed to a man in the middle.
   */
  readonly secure: boolean;
  /** True when the link is TLS, even with an unverified certificate ("required", "preferred"). */
  readonly encrypted?: boolean;
}

/** The credentials and security choices a plugin works from. */
export interface AuthSettings {
  user: string;
  password: string;
  /** PEM public key of the server, for RSA password transport over plain TCP. */
  serverPublicKey: string | Buffer | null;
  /** Send a clear-text password (mysql_clear_password) without verified TLS or a unix socket. */
  allowCleartextPassword: boolean;
  /** Ask the server for its RSA public key when none was configured. */
  allowPublicKeyRetrieval: boolean;
}

/** One authentication plugin: its first response and how it answers "more data" packets. */
export interface AuthPlugin {
  /**
   * True for plugins whose data is a scramble the server terminates with a NUL
   * (mysql_native_password, caching_sha2_password, sha256_password): the exchange drops
   * that byte from an auth switch's data. Plugins whose data is raw bytes (client_ed25519's
   * random nonce, which ends in 0x00 once in 256) get the data untouched.
   */
  readonly nulTerminatedScramble?: boolean;
  /** Bytes of the first response for this plugin, given the server's nonce. */
  start(settings: AuthSettings, scramble: Buffer, io: AuthIo): Buffer | Promise<Buffer>;
  /** Handles an AuthMoreData packet (0x01 + data); returns bytes to send, or null to send nothing. */
  moreData?(data: Buffer, settings: AuthSettings, scramble: Buffer, io: AuthIo): Promise<Buffer | null> | Buffer | null;
}
