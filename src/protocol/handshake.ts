// Connection phase packets.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase.html
// https://mariadb.com/kb/en/connection/
import { CLIENT, PACKET } from "./constants.js";
import { MalformedPacketError, PacketReader } from "./reader.js";
import type { PacketWriter } from "./writer.js";

/** Protocol::HandshakeV10, the server's greeting. */
export interface HandshakeV10 {
  protocolVersion: number;
  /** Version as the server reports it, without MariaDB's "5.5.5-" replication prefix. */
  serverVersion: string;
  /** The connection id (the thread id that KILL takes). */
  connectionId: number;
  /** 20 bytes of auth-plugin-data (the scramble / nonce). */
  authPluginData: Buffer;
  capabilities: number;
  /** MariaDB's extended capabilities (bits 32-63), 0 for MySQL. */
  mariadbCapabilities: number;
  characterSet: number;
  statusFlags: number;
  authPluginName: string;
  isMariaDB: boolean;
}

export function parseHandshakeV10(payload: Buffer): HandshakeV10 {
  const r = new PacketReader(payload);
  // [1] protocol version (10)
  const protocolVersion = r.u8();
  if (protocolVersion !== 10) {
    throw new MalformedPacketError(`unsupported protocol version ${protocolVersion} (expected 10)`);
  }
  // string<NUL> server version
  let serverVersion = r.nulString();
  // [4] thread id
  const connectionId = r.u32();
  // string[8] auth-plugin-data-part-1, [1] filler
  const part1 = r.bytes(8);
  r.skip(1);
  // [2] capability flags (lower 2 bytes)
  let capabilities = r.u16();
  let characterSet = 0;
  let statusFlags = 0;
  let mariadbCapabilities = 0;
  let authPluginName = "mysql_native_password";
  let part2: Buffer = Buffer.alloc(0);
  if (r.remaining > 0) {
    // [1] character set, [2] status flags, [2] capability flags (upper 2 bytes)
    characterSet = r.u8();
    statusFlags = r.u16();
    capabilities = (capabilities | (r.u16() << 16)) >>> 0;
    // [1] length of auth-plugin-data, or 0
    const authDataLength = r.u8();
    // [6] filler, then [4] MariaDB extended capabilities when the server clears
    // CLIENT_LONG_PASSWORD ("CLIENT_MYSQL") to say it is MariaDB; MySQL sends [10] filler.
    r.skip(6);
    const extended = r.u32();
    if ((capabilities & CLIENT.LONG_PASSWORD) === 0) mariadbCapabilities = extended;
    if (capabilities & CLIENT.SECURE_CONNECTION) {
      // string[$len] auth-plugin-data-part-2, $len = max(13, length - 8); its last byte is a NUL.
      const len = Math.max(13, authDataLength - 8);
      part2 = r.bytes(Math.min(len, r.remaining));
      if (part2.length > 0 && part2[part2.length - 1] === 0) part2 = part2.subarray(0, part2.length - 1);
    }
    if (capabilities & CLIENT.PLUGIN_AUTH && r.remaining > 0) {
      // string<NUL> auth plugin name (some servers omit the terminator)
      const rest = r.restBytes();
      const nul = rest.indexOf(0);
      authPluginName = (nul === -1 ? rest : rest.subarray(0, nul)).toString("utf8");
    }
  }
  const isMariaDB = /mariadb/i.test(serverVersion);
  if (serverVersion.startsWith("5.5.5-") && isMariaDB) serverVersion = serverVersion.slice(6);
  return {
    protocolVersion,
    serverVersion,
    connectionId,
    authPluginData: Buffer.concat([part1, part2]),
    capabilities,
    mariadbCapabilities,
    characterSet,
    statusFlags,
    authPluginName,
    isMariaDB,
  };
}

export interface HandshakeResponseFields {
  capabilities: number;
  mariadbCapabilities: number;
  maxPacketSize: number;
  /** Collation id; only its low byte fits the packet, larger ids are set with SET NAMES later. */
  collationId: number;
  user: string;
  authResponse: Buffer;
  database?: string | undefined;
  authPluginName: string;
  /** Connection attributes (program_name, _client_name, ...), sent with CLIENT_CONNECT_ATTRS. */
  attributes?: Readonly<Record<string, string>> | undefined;
}

/** The fixed 32-byte head shared by SSLRequest and HandshakeResponse41. */
function writeResponseHead(w: PacketWriter, f: HandshakeResponseFields): void {
  // [4] client capabilities, [4] max packet size, [1] character set
  w.u32(f.capabilities)
    .u32(f.maxPacketSize)
    .u8(f.collationId > 255 ? 45 : f.collationId);
  // [19] filler, then [4] MariaDB extended capabilities (MySQL: 23 bytes of filler)
  w.zeros(19).u32(f.mariadbCapabilities);
}

/** Protocol::SSLRequest: the head of the handshake response, sent before the TLS upgrade. */
export function writeSSLRequest(w: PacketWriter, f: HandshakeResponseFields): void {
  w.start();
  writeResponseHead(w, { ...f, capabilities: f.capabilities | CLIENT.SSL });
}

/** Protocol::HandshakeResponse41. */
export function writeHandshakeResponse41(w: PacketWriter, f: HandshakeResponseFields): void {
  w.start();
  writeResponseHead(w, f);
  // string<NUL> username
  w.nulString(f.user);
  // auth response: length-encoded, or 1-byte length, depending on the capabilities
  if (f.capabilities & CLIENT.PLUGIN_AUTH_LENENC_CLIENT_DATA) {
    w.lenencBytes(f.authResponse);
  } else {
    w.u8(f.authResponse.length).bytes(f.authResponse);
  }
  if (f.capabilities & CLIENT.CONNECT_WITH_DB) w.nulString(f.database ?? "");
  if (f.capabilities & CLIENT.PLUGIN_AUTH) w.nulString(f.authPluginName);
  if (f.capabilities & CLIENT.CONNECT_ATTRS) writeConnectAttributes(w, f.attributes ?? {});
}

/** Connection attributes (CLIENT_CONNECT_ATTRS): lenenc total length, then lenenc key/value pairs. */
export function writeConnectAttributes(w: PacketWriter, attributes: Readonly<Record<string, string>>): void {
  const entries = Object.entries(attributes).map(([k, v]) => [Buffer.from(k), Buffer.from(v)] as const);
  let size = 0;
  for (const [k, v] of entries) size += lenencSize(k.length) + k.length + lenencSize(v.length) + v.length;
  w.lenencInt(size);
  for (const [k, v] of entries) w.lenencBytes(k).lenencBytes(v);
}

function lenencSize(n: number): number {
  return n < 0xfb ? 1 : n <= 0xffff ? 3 : n <= 0xffffff ? 4 : 9;
}

/** Protocol::AuthSwitchRequest: 0xFE, plugin name, plugin data. */
export interface AuthSwitchRequest {
  pluginName: string;
  /**
   * The plugin's data exactly as sent (string<EOF>). Whether a trailing 0x00 is a
   * terminator or a data byte depends on the plugin: the scramble plugins end their
   * 20-byte nonce with a NUL, but client_ed25519's 32 random bytes may end in 0x00.
   */
  pluginData: Buffer;
}

/** Parses Protocol::AuthSwitchRequest, leaving the plugin data untouched. */
export function parseAuthSwitchRequest(payload: Buffer): AuthSwitchRequest {
  const r = new PacketReader(payload);
  if (r.u8() !== PACKET.AUTH_SWITCH) throw new MalformedPacketError("not an auth switch request");
  // An old-style 0xFE with nothing after it asks for mysql_old_password.
  if (r.remaining === 0) return { pluginName: "mysql_old_password", pluginData: Buffer.alloc(0) };
  const pluginName = r.nulString();
  return { pluginName, pluginData: Buffer.from(r.restBytes()) };
}

/** Writes a raw auth response packet (AuthSwitchResponse, or data for the plugin). */
export function writeAuthData(w: PacketWriter, data: Uint8Array): void {
  w.start().bytes(data);
}
