// The authentication exchange of the connection phase: the first auth response, then
// auth switches and plugin-specific "more data" rounds until the server says OK or ERR.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase.html
import { NotSupportedError, OperationalError, clientError } from "./errors.js";
import { cachingSha2Scramble, clearPassword, nativePasswordScramble } from "./protocol/auth.js";
import { CR, PACKET } from "./protocol/constants.js";
import { parseAuthSwitchRequest } from "./protocol/handshake.js";

/** What an exchange needs from the connection: packets in and out, and facts about the link. */
export interface AuthIo {
  /** Next packet payload from the server (a copy the caller may keep). */
  read(): Promise<Buffer>;
  /** Sends one packet payload with the next sequence id. */
  write(payload: Buffer): void;
  /** True when the link is TLS or a unix socket, where a clear password is not exposed. */
  readonly secure: boolean;
}

export interface AuthSettings {
  user: string;
  password: string;
  serverPublicKey: string | Buffer | null;
  allowCleartextPassword: boolean;
  allowPublicKeyRetrieval: boolean;
}

/** One authentication plugin: its first response and how it answers "more data" packets. */
export interface AuthPlugin {
  /** Bytes of the first response for this plugin, given the server's nonce. */
  start(settings: AuthSettings, scramble: Buffer, io: AuthIo): Buffer | Promise<Buffer>;
  /** Handles an AuthMoreData packet (0x01 + data); returns bytes to send, or null to send nothing. */
  moreData?(data: Buffer, settings: AuthSettings, scramble: Buffer, io: AuthIo): Promise<Buffer | null> | Buffer | null;
}

function requireSecure(plugin: string, settings: AuthSettings, io: AuthIo): void {
  if (!io.secure && !settings.allowCleartextPassword) {
    throw new OperationalError(
      `${plugin} would send the password in clear text over an unencrypted connection; ` +
        `use TLS (ssl) or a unix socket, or set allowCleartextPassword: true`,
      { errno: CR.AUTH_PLUGIN_ERR },
    );
  }
}

/** Plugins by name; the TLS/RSA-based ones are added by their own modules. */
export const authPlugins = new Map<string, AuthPlugin>([
  ["mysql_native_password", { start: (s, scramble) => nativePasswordScramble(s.password, scramble) }],
  [
    "mysql_clear_password",
    {
      start: (s, _scramble, io) => {
        requireSecure("mysql_clear_password", s, io);
        return clearPassword(s.password);
      },
    },
  ],
  [
    "caching_sha2_password",
    {
      start: (s, scramble) => cachingSha2Scramble(s.password, scramble),
      moreData: (data, s, _scramble, io) => {
        // 0x03: fast auth succeeded, an OK follows. 0x04: full authentication is required.
        if (data[0] === 0x03) return null;
        if (data[0] === 0x04) {
          if (io.secure) return clearPassword(s.password);
          throw new NotSupportedError(
            "caching_sha2_password full authentication over plain TCP needs TLS (ssl) or RSA key exchange (serverPublicKey)",
            { errno: CR.AUTH_PLUGIN_ERR },
          );
        }
        throw clientError(CR.MALFORMED_PACKET, `unexpected caching_sha2_password data 0x${data[0]?.toString(16)}`);
      },
    },
  ],
]);

function pluginFor(name: string): AuthPlugin {
  const plugin = authPlugins.get(name);
  if (!plugin) {
    throw new NotSupportedError(`the server asked for authentication plugin '${name}', which this client does not support`, {
      errno: CR.AUTH_PLUGIN_CANNOT_LOAD,
    });
  }
  return plugin;
}

/** The first auth response for the greeting's (or the user's chosen) plugin. */
export async function initialAuthResponse(
  pluginName: string,
  settings: AuthSettings,
  scramble: Buffer,
  io: AuthIo,
): Promise<Buffer> {
  return pluginFor(pluginName).start(settings, scramble, io);
}

/**
 * Runs the exchange after the handshake response was sent. Resolves with the final OK
 * packet's payload; rejects with the server's ERR (the caller maps it) or a client error.
 */
export async function authenticate(
  pluginName: string,
  settings: AuthSettings,
  scramble: Buffer,
  io: AuthIo,
  onErr: (payload: Buffer) => Error,
): Promise<Buffer> {
  let plugin = pluginFor(pluginName);
  let nonce = scramble;
  for (let rounds = 0; rounds < 16; rounds++) {
    const packet = await io.read();
    switch (packet[0]) {
      case PACKET.OK:
        return packet;
      case PACKET.ERR:
        throw onErr(packet);
      case PACKET.AUTH_SWITCH: {
        const req = parseAuthSwitchRequest(packet);
        plugin = pluginFor(req.pluginName);
        nonce = req.pluginData;
        io.write(await plugin.start(settings, nonce, io));
        break;
      }
      case PACKET.AUTH_MORE_DATA: {
        if (!plugin.moreData) throw clientError(CR.MALFORMED_PACKET, `unexpected auth data for plugin '${pluginName}'`);
        const reply = await plugin.moreData(packet.subarray(1), settings, nonce, io);
        if (reply !== null) io.write(reply);
        break;
      }
      default:
        throw clientError(CR.MALFORMED_PACKET, `unexpected packet 0x${packet[0]?.toString(16)} during authentication`);
    }
  }
  throw clientError(CR.SERVER_HANDSHAKE_ERR, "authentication did not finish after 16 rounds");
}
