// Client command packets of the text protocol.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_command_phase.html
import { COM } from "./constants.js";
import type { PacketWriter } from "./writer.js";

/** COM_QUERY: [1] 0x03, string<EOF> the statement, already encoded or as UTF-8 text. */
export function writeComQuery(w: PacketWriter, sql: string | Uint8Array): void {
  w.start().u8(COM.QUERY);
  if (typeof sql === "string") w.utf8(sql);
  else w.bytes(sql);
}

/** A command that is just its command byte: COM_PING, COM_QUIT, COM_RESET_CONNECTION, COM_STATISTICS. */
export function writeSimpleCommand(w: PacketWriter, command: number): void {
  w.start().u8(command);
}

/** COM_INIT_DB: [1] 0x02, string<EOF> schema name. */
export function writeComInitDb(w: PacketWriter, db: string | Uint8Array): void {
  w.start().u8(COM.INIT_DB);
  // A string is UTF-8 already checked by the caller; bytes are the name in the connection charset.
  if (typeof db === "string") w.utf8(db);
  else w.bytes(db);
}

/** COM_PROCESS_KILL is deprecated; KILL QUERY is sent as COM_QUERY instead. */
export function killQuerySql(connectionId: number): string {
  return `KILL QUERY ${Math.trunc(connectionId)}`;
}
