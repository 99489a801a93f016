// Generic response packets and result set metadata.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_response_packets.html
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response_text_resultset.html
// https://mariadb.com/kb/en/result-set-packets/
import type { ColumnDefinition } from "../types.js";
import { CLIENT, PACKET, SERVER_STATUS } from "./constants.js";
import { MalformedPacketError, PacketReader } from "./reader.js";
import { parseSessionState, type SessionState } from "./session-state.js";

/** OK_Packet (also the 0xFE-headed packet that ends a result set under CLIENT_DEPRECATE_EOF). */
export interface OkPacket {
  affectedRows: number | bigint;
  lastInsertId: number | bigint;
  statusFlags: number;
  warnings: number;
  info: string;
  /** What the server reported changed in the session (CLIENT_SESSION_TRACK), when it did. */
  sessionState?: SessionState;
}

export function parseOk(payload: Buffer, capabilities: number): OkPacket {
  const r = new PacketReader(payload);
  r.skip(1); // [1] 0x00 or 0xFE header
  // int<lenenc> affected rows, int<lenenc> last insert id
  const affectedRows = r.lenencInt();
  const lastInsertId = r.lenencInt();
  let statusFlags = 0;
  let warnings = 0;
  if (capabilities & CLIENT.PROTOCOL_41) {
    // [2] status flags, [2] warnings
    statusFlags = r.u16();
    warnings = r.u16();
  }
  let info = "";
  let sessionState: SessionState | undefined;
  if (r.remaining > 0) {
    if (capabilities & CLIENT.SESSION_TRACK) {
      // string<lenenc> info, then the session state changes when the status flags say so.
      info = r.lenencString();
      if (statusFlags & SERVER_STATUS.SESSION_STATE_CHANGED && r.remaining > 0) sessionState = parseSessionState(r);
    } else {
      info = r.restString();
    }
  }
  const ok: OkPacket = { affectedRows, lastInsertId, statusFlags, warnings, info };
  if (sessionState !== undefined) ok.sessionState = sessionState;
  return ok;
}

/** ERR_Packet. */
export interface ErrPacket {
  errno: number;
  sqlState: string | null;
  message: string;
}

export function parseErr(payload: Buffer): ErrPacket {
  const r = new PacketReader(payload);
  r.skip(1); // [1] 0xFF header
  const errno = r.u16(); // [2] error code
  let sqlState: string | null = null;
  // [1] '#' SQL state marker, [5] SQL state (absent in errors sent before the handshake)
  if (r.remaining >= 6 && r.peek() === 0x23) {
    r.skip(1);
    sqlState = r.bytes(5).toString("latin1");
  }
  return { errno, sqlState, message: r.restString() };
}

/** EOF_Packet: [1] 0xFE, [2] warnings, [2] status flags. */
export interface EofPacket {
  warnings: number;
  statusFlags: number;
}

export function parseEof(payload: Buffer): EofPacket {
  if (payload.length < 5) return { warnings: 0, statusFlags: 0 };
  return { warnings: payload.readUInt16LE(1), statusFlags: payload.readUInt16LE(3) };
}

/**
 * True when a packet that starts with 0xFE ends a result set (EOF, or OK under
 * CLIENT_DEPRECATE_EOF) rather than being a row whose first value has an 8-byte length.
 */
export function isEndOfRows(payload: Buffer, deprecateEof: boolean): boolean {
  if (payload[0] !== PACKET.EOF) return false;
  return deprecateEof ? payload.length < 0xffffff : payload.length < 9;
}

/** Status flags and counts from the packet that ends a result set. */
export function parseEndOfRows(payload: Buffer, capabilities: number): OkPacket {
  if (capabilities & CLIENT.DEPRECATE_EOF) return parseOk(payload, capabilities);
  const eof = parseEof(payload);
  return { affectedRows: 0, lastInsertId: 0, statusFlags: eof.statusFlags, warnings: eof.warnings, info: "" };
}

/** The column count that starts a result set. */
export function parseColumnCount(payload: Buffer): number {
  const n = new PacketReader(payload).lenencNumber();
  if (n <= 0) throw new MalformedPacketError(`invalid column count ${n}`);
  return n;
}

/** Protocol::ColumnDefinition41 (with MariaDB's extended type info when negotiated). */
export function parseColumnDefinition(payload: Buffer, extendedTypeInfo: boolean): ColumnDefinition {
  const r = new PacketReader(payload);
  const catalog = r.lenencString();
  const schema = r.lenencString();
  const table = r.lenencString();
  const orgTable = r.lenencString();
  const name = r.lenencString();
  const orgName = r.lenencString();
  let extendedType: string | undefined;
  if (extendedTypeInfo) {
    // string<lenenc> of entries: [1] kind (0 = type name, 1 = format name), string<lenenc> value
    const meta = r.lenencBytes();
    if (meta && meta.length > 0) {
      const m = new PacketReader(meta);
      while (m.remaining > 0) {
        const kind = m.u8();
        const value = m.lenencString();
        if (kind === 0 || (kind === 1 && extendedType === undefined)) extendedType = value;
      }
    }
  }
  r.lenencNumber(); // length of the fixed fields, always 0x0c
  const characterSet = r.u16(); // [2] character set (collation id)
  const columnLength = r.u32(); // [4] column length
  const type = r.u8(); // [1] type
  const flags = r.u16(); // [2] flags
  const decimals = r.u8(); // [1] decimals
  return { catalog, schema, table, orgTable, name, orgName, characterSet, columnLength, type, flags, decimals, extendedType };
}

/** True when the server says another result set follows this one. */
export function hasMoreResults(statusFlags: number): boolean {
  return (statusFlags & SERVER_STATUS.MORE_RESULTS_EXISTS) !== 0;
}

/** The file name of a LOCAL INFILE request: [1] 0xFB, string<EOF> filename. */
export function parseLocalInfileRequest(payload: Buffer): string {
  return payload.toString("utf8", 1);
}
