// The connection phase, top to bottom: read the greeting, choose capabilities, upgrade to TLS
// when asked, send the handshake response and run the authentication exchange to its OK. It
// works over the packets of the HandshakeCommand, the first command of the session's queue.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase.html
import { authenticate, choosePlugin, initialAuthResponse, type AuthIo, type AuthSettings } from "../authenticate.js";
import { clientError, serverError } from "../errors.js";
import type { ResolvedOptions } from "../options.js";
import { CLIENT, CR, MARIADB_CLIENT, PACKET } from "../protocol/constants.js";
import { parseHandshakeV10, writeHandshakeResponse41, writeSSLRequest, type HandshakeV10 } from "../protocol/handshake.js";
import { parseErr, parseOk } from "../protocol/results.js";
import type { PacketWriter } from "../protocol/writer.js";

/** Capabilities we ask for whenever the server offers them. */
const BASE_CAPABILITIES =
  CLIENT.LONG_PASSWORD |
  CLIENT.LONG_FLAG |
  CLIENT.PROTOCOL_41 |
  CLIENT.TRANSACTIONS |
  CLIENT.SECURE_CONNECTION |
  CLIENT.MULTI_RESULTS |
  CLIENT.PS_MULTI_RESULTS |
  CLIENT.PLUGIN_AUTH |
  CLIENT.PLUGIN_AUTH_LENENC_CLIENT_DATA |
  CLIENT.CONNECT_ATTRS |
  CLIENT.SESSION_TRACK | // OK packets carry session state changes (tracked variables, GTIDs)
  CLIENT.DEPRECATE_EOF;

const MAX_PACKET_SIZE = 0x40000000; // 1 GiB, the protocol maximum for max_allowed_packet

/** Who logs in, and with which character set. */
export interface Login {
  user: string;
  password: string;
  db: string | null;
  collationId: number;
}

/** What the handshake needs of the link beneath it. */
export interface HandshakeLink {
  readonly writer: PacketWriter;
  /** Switches the socket to TLS, after the SSLRequest has been written. */
  upgradeToTls(): Promise<void>;
  /** Told the server's greeting as soon as it is read. */
  greeted(greeting: HandshakeV10): void;
  /** Told the capabilities chosen, before the handshake response is written. */
  negotiated(capabilities: number, mariadbCapabilities: number): void;
}

/** The settings of an authentication exchange (handshake or COM_CHANGE_USER). */
export function authSettings(o: ResolvedOptions, user: string, password: string): AuthSettings {
  return {
    user,
    password,
    serverPublicKey: o.serverPublicKey,
    allowCleartextPassword: o.allowCleartextPassword,
    allowPublicKeyRetrieval: o.allowPublicKeyRetrieval,
  };
}

/** Maps an ERR packet of the connection phase to the server's error. */
export function authError(payload: Buffer): Error {
  const e = parseErr(payload);
  return serverError(e.errno, e.sqlState, e.message);
}

/** The connection attributes sent with the handshake and COM_CHANGE_USER. */
export function connectionAttributes(programName: string): Record<string, string> {
  const attrs: Record<string, string> = {
    _client_name: "aiomysql-ts",
    _client_version: "0.1.0",
    _os: process.platform,
    _pid: String(process.pid),
    _runtime: `node ${process.version}`,
  };
  if (programName) attrs.program_name = programName;
  return attrs;
}

/** Runs the connection phase over `io`; resolves with the status flags of the final OK. */
export async function handshake(io: AuthIo, link: HandshakeLink, o: ResolvedOptions, login: Login, where: string): Promise<number> {
  const first = await io.read();
  if (first[0] === PACKET.ERR) throw authError(first);
  const greeting = parseHandshakeV10(first);
  link.greeted(greeting);
  const server = greeting.capabilities;
  let caps = (BASE_CAPABILITIES | o.clientFlag) & (server | o.clientFlag);
  caps &= ~CLIENT.SSL;
  if (o.multiStatements) caps |= CLIENT.MULTI_STATEMENTS;
  if (login.db) caps |= CLIENT.CONNECT_WITH_DB;
  if (o.localInfile) caps |= CLIENT.LOCAL_FILES;
  if (o.compress) caps |= CLIENT.COMPRESS;
  caps &= server | CLIENT.MULTI_STATEMENTS | CLIENT.LOCAL_FILES | CLIENT.CONNECT_WITH_DB;
  const maria = greeting.mariadbCapabilities & MARIADB_CLIENT.EXTENDED_TYPE_INFO;
  const fields = {
    capabilities: caps,
    mariadbCapabilities: maria,
    maxPacketSize: MAX_PACKET_SIZE,
    collationId: login.collationId,
    user: login.user,
    authResponse: Buffer.alloc(0) as Buffer,
    database: login.db ?? undefined,
    authPluginName: "",
    attributes: connectionAttributes(o.programName),
  };
  // "required" and the verify modes need TLS; "preferred" takes it when offered.
  const wantTls = o.sslMode !== "disabled";
  if (wantTls && !(server & CLIENT.SSL) && o.sslMode !== "preferred") {
    throw clientError(CR.SSL_CONNECTION_ERROR, `TLS is required (sslMode '${o.sslMode}') but the server at '${where}' does not support it`);
  }
  if (wantTls && server & CLIENT.SSL) {
    caps |= CLIENT.SSL;
    fields.capabilities = caps;
    writeSSLRequest(link.writer, fields);
    io.write(link.writer.finish(0)[0].subarray(4));
    await link.upgradeToTls();
  }
  link.negotiated(caps, maria);
  const settings = authSettings(o, login.user, login.password);
  const pluginName = choosePlugin(o.authPlugin, greeting.authPluginName);
  fields.authPluginName = pluginName;
  fields.authResponse = await initialAuthResponse(pluginName, settings, greeting.authPluginData, io);
  writeHandshakeResponse41(link.writer, fields);
  io.write(link.writer.finish(0)[0].subarray(4));
  const ok = await authenticate(pluginName, settings, greeting.authPluginData, io, authError);
  return parseOk(ok, caps).statusFlags;
}
