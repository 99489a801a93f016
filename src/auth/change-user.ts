// COM_CHANGE_USER: log in again as another user on the same connection, which also resets
// the session (variables, temporary tables, transaction) like a new connection.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_change_user.html
import { Command } from "../command.js";
import { CLIENT, COM, PACKET } from "../protocol/constants.js";
import { writeConnectAttributes } from "../protocol/handshake.js";
import type { PacketWriter } from "../protocol/writer.js";
import type { AuthIo } from "./types.js";

/** Fields of a COM_CHANGE_USER request. */
export interface ChangeUserFields {
  capabilities: number;
  user: string;
  authResponse: Buffer;
  database: string | null;
  collationId: number;
  authPluginName: string;
  attributes: Readonly<Record<string, string>>;
}

/** COM_CHANGE_USER. */
export function writeComChangeUser(w: PacketWriter, f: ChangeUserFields): void {
  // [1] 0x11, string<NUL> user
  w.start().u8(COM.CHANGE_USER).nulString(f.user);
  // [1] auth response length, string[$len] auth response (CLIENT_SECURE_CONNECTION)
  w.u8(f.authResponse.length).bytes(f.authResponse);
  // string<NUL> schema, [2] character set
  w.nulString(f.database ?? "");
  w.u8(f.collationId > 255 ? 45 : f.collationId).u8(0);
  // string<NUL> auth plugin name (CLIENT_PLUGIN_AUTH)
  if (f.capabilities & CLIENT.PLUGIN_AUTH) w.nulString(f.authPluginName);
  // lenenc length of the attributes, then lenenc key/value pairs (CLIENT_CONNECT_ATTRS)
  if (f.capabilities & CLIENT.CONNECT_ATTRS) writeConnectAttributes(w, f.attributes);
}

/**
 * COM_CHANGE_USER in the command queue. Its response packets (auth switch, more data, the
 * final OK or ERR) feed an authentication exchange through `io`; the command is complete
 * at the OK or ERR, and resolves with that packet.
 */
export class ChangeUserCommand extends Command<Buffer> {
  private inbox: Buffer[] = [];
  private waiter: { resolve: (b: Buffer) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;
  /** The exchange's view of this command's packets. */
  readonly io: AuthIo;

  constructor(
    readonly request: Buffer,
    write: (payload: Buffer) => void,
    secure: boolean,
    encrypted = false,
  ) {
    super();
    // Nothing may be pipelined behind a login: the exchange answers the server's packets.
    this.pipelinable = false;
    this.io = {
      read: () => {
        const next = this.inbox.shift();
        if (next) return Promise.resolve(next);
        if (this.failure) return Promise.reject(this.failure);
        return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
      },
      write,
      secure,
      encrypted,
    };
  }

  onPacket(payload: Buffer): boolean {
    const copy = Buffer.from(payload);
    const w = this.waiter;
    this.waiter = null;
    if (w) w.resolve(copy);
    else this.inbox.push(copy);
    const final = payload[0] === PACKET.OK || payload[0] === PACKET.ERR;
    if (final) this.resolve(copy);
    return final;
  }

  override fail(err: Error): void {
    this.failure = err;
    const w = this.waiter;
    this.waiter = null;
    w?.reject(err);
    super.fail(err);
  }
}
