// The authentication exchange of the connection phase (and of COM_CHANGE_USER): the first
// auth response, then auth switches and plugin-specific "more data" rounds until the server
// says OK or ERR.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase.html
import { ed25519Signature } from "./auth/ed25519.js";
import { cachingSha2Password, sha256Password } from "./auth/sha2.js";
import type { AuthIo, AuthPlugin, AuthSettings } from "./auth/types.js";
import { NotSupportedError, OperationalError, clientError } from "./errors.js";
import { clearPassword, nativePasswordScramble } from "./protocol/auth.js";
import { CR, PACKET } from "./protocol/constants.js";
import { parseAuthSwitchRequest } from "./protocol/handshake.js";

export type { AuthIo, AuthPlugin, AuthSettings } from "./auth/types.js";

/**
 * Refuses to send a clear-text password over a link that is neither verified TLS nor a unix
 * socket: unverified TLS lets a man in the middle with any certificate read it.
 */
function requireSecure(plugin: string, settings: AuthSettings, io: AuthIo): void {
  if (!io.secure && !settings.allowCleartextPassword) {
    const link = io.encrypted ? "a TLS connection whose certificate was not verified" : "an unencrypted connection";
    throw new OperationalError(
      `${plugin} would send the password in clear text over ${link}; ` +
        `use TLS with sslMode 'verify-ca' or 'verify-full', or a unix socket, or set allowCleartextPassword: true`,
      { errno: CR.AUTH_PLUGIN_ERR },
    );
  }
}

/** Plugins by the name the server uses for them. */
export const authPlugins = new Map<string, AuthPlugin>([
  ["mysql_native_password", { nulTerminatedScramble: true, start: (s, scramble) => nativePasswordScramble(s.password, scramble) }],
  [
    "mysql_clear_password",
    {
      start: (s, _scramble, io) => {
        requireSecure("mysql_clear_password", s, io);
        return clearPassword(s.password);
      },
    },
  ],
  ["caching_sha2_password", cachingSha2Password],
  ["sha256_password", sha256Password],
  // MariaDB: an empty password still signs; the server checks the signature.
  ["client_ed25519", { start: (s, scramble) => ed25519Signature(s.password, scramble) }],
]);

/** A scramble without the NUL the server ends it with (when it does). */
function withoutTerminator(data: Buffer): Buffer {
  return data.length > 0 && data[data.length - 1] === 0 ? data.subarray(0, -1) : data;
}

function pluginFor(name: string): AuthPlugin {
  const plugin = authPlugins.get(name);
  if (!plugin) {
    throw new NotSupportedError(`the server asked for authentication plugin '${name}', which this client does not support`, {
      errno: CR.AUTH_PLUGIN_CANNOT_LOAD,
    });
  }
  return plugin;
}

/**
 * The plugin to name in the handshake response: the user's `authPlugin` (which must be
 * known), else the server's default when we have it, else mysql_native_password (the server
 * then switches to whatever the account needs).
 */
export function choosePlugin(requested: string, serverDefault: string): string {
  if (requested) {
    if (!authPlugins.has(requested)) {
      throw new NotSupportedError(`authPlugin '${requested}' is not supported; known: ${[...authPlugins.keys()].join(", ")}`, {
        errno: CR.AUTH_PLUGIN_CANNOT_LOAD,
      });
    }
    return requested;
  }
  return authPlugins.has(serverDefault) ? serverDefault : "mysql_native_password";
}

/** The first auth response for the chosen plugin. */
export async function initialAuthResponse(pluginName: string, settings: AuthSettings, scramble: Buffer, io: AuthIo): Promise<Buffer> {
  return pluginFor(pluginName).start(settings, scramble, io);
}

/**
 * Runs the exchange after the first auth response was sent. Resolves with the final OK
 * packet's payload; rejects with the server's ERR (mapped by `onErr`) or a client error.
 */
export async function authenticate(
  pluginName: string,
  settings: AuthSettings,
  scramble: Buffer,
  io: AuthIo,
  onErr: (payload: Buffer) => Error,
): Promise<Buffer> {
  let name = pluginName;
  let plugin = pluginFor(name);
  let nonce = scramble;
  for (let rounds = 0; rounds < 16; rounds++) {
    const packet = await io.read();
    switch (packet[0]) {
      case PACKET.OK:
        return packet;
      case PACKET.ERR:
        throw onErr(packet);
      case PACKET.AUTH_SWITCH: {
        // Protocol::AuthSwitchRequest: any plugin may switch to any other, with a new nonce.
        const req = parseAuthSwitchRequest(packet);
        name = req.pluginName;
        plugin = pluginFor(name);
        nonce = plugin.nulTerminatedScramble ? withoutTerminator(req.pluginData) : req.pluginData;
        io.write(await plugin.start(settings, nonce, io));
        break;
      }
      case PACKET.AUTH_MORE_DATA: {
        if (!plugin.moreData) throw clientError(CR.MALFORMED_PACKET, `unexpected auth data for plugin '${name}'`);
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
