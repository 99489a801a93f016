// COM_CHANGE_USER: log in again as another user on the same connection, which also resets
// the session (variables, temporary tables, transaction) like a new connection.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_change_user.html
import { CLIENT, COM } from "../../protocol/constants.js";
import { writeConnectAttributes } from "../../protocol/handshake.js";
import type { PacketWriter } from "../../protocol/writer.js";
import type { CommandHost } from "./command.js";
import { ExchangeCommand } from "./exchange.js";

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

/** COM_CHANGE_USER in the command queue: it writes its request, then the exchange answers the server. */
export class ChangeUserCommand extends ExchangeCommand {
  constructor(private readonly fields: ChangeUserFields) {
    super();
  }

  encode(host: CommandHost): Buffer {
    writeComChangeUser(host.writer, this.fields);
    return host.writer.finish(0)[0];
  }
}
