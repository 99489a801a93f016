// The session state information at the end of an OK packet (CLIENT_SESSION_TRACK).
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_ok_packet.html
// https://mariadb.com/kb/en/ok_packet/
//
// When the server sets SERVER_SESSION_STATE_CHANGED, the OK packet's info string<lenenc> is
// followed by string<lenenc> of entries, each [1] type, string<lenenc> data; the data's layout
// depends on the type. Types this client does not know are skipped by their length, so a newer
// server never breaks the parse.
import { PacketReader } from "./reader.js";

/** Session state entry types (`enum_session_state_type`). */
export const SESSION_TRACK = {
  /** `SESSION_TRACK_SYSTEM_VARIABLES`: a system variable changed; data: name, value. */
  SYSTEM_VARIABLES: 0,
  /** `SESSION_TRACK_SCHEMA`: the current database changed; data: its name. */
  SCHEMA: 1,
  /** `SESSION_TRACK_STATE_CHANGE`: some session state changed; data: "1" or "0". */
  STATE_CHANGE: 2,
  /** `SESSION_TRACK_GTIDS`: GTIDs (MySQL's session_track_gtids); data: [1] encoding, GTID set. */
  GTIDS: 3,
  /** `SESSION_TRACK_TRANSACTION_CHARACTERISTICS`: the statements that would recreate them. */
  TRANSACTION_CHARACTERISTICS: 4,
  /** `SESSION_TRACK_TRANSACTION_STATE`: eight characters describing the transaction. */
  TRANSACTION_STATE: 5,
} as const;

/** What one OK packet says changed in the session. Only what it reported is set. */
export interface SessionState {
  /** System variables set by the statement (`session_track_system_variables`), in order. */
  systemVariables: Map<string, string>;
  /** The new current database (`session_track_schema`). */
  schema?: string;
  /** True when `session_track_state_change` reported a change. */
  stateChanged?: boolean;
  /** The GTID set of `session_track_gtids` (MySQL). */
  gtids?: string;
  /** `session_track_transaction_info=CHARACTERISTICS`. */
  transactionCharacteristics?: string;
  /** `session_track_transaction_info=STATE`. */
  transactionState?: string;
}

/**
 * Parses the session state information that starts at `r`'s position (the string<lenenc> after
 * the OK packet's info). Throws `MalformedPacketError` when an entry overruns its length.
 */
export function parseSessionState(r: PacketReader): SessionState {
  const state: SessionState = { systemVariables: new Map() };
  const all = r.lenencBytes();
  if (all === null) return state;
  const entries = new PacketReader(all);
  while (entries.remaining > 0) {
    const type = entries.u8();
    const data = entries.lenencBytes() ?? Buffer.alloc(0);
    const d = new PacketReader(data);
    switch (type) {
      case SESSION_TRACK.SYSTEM_VARIABLES: {
        // One entry per variable: string<lenenc> name, string<lenenc> value.
        const name = d.lenencString();
        state.systemVariables.set(name, d.lenencString());
        break;
      }
      case SESSION_TRACK.SCHEMA:
        state.schema = d.lenencString();
        break;
      case SESSION_TRACK.STATE_CHANGE:
        state.stateChanged = d.lenencString() === "1";
        break;
      case SESSION_TRACK.GTIDS:
        // [1] encoding specification (0: the GTID set as text), string<lenenc> GTID set.
        if (d.u8() === 0) state.gtids = d.lenencString();
        break;
      case SESSION_TRACK.TRANSACTION_CHARACTERISTICS:
        state.transactionCharacteristics = d.lenencString();
        break;
      case SESSION_TRACK.TRANSACTION_STATE:
        state.transactionState = d.lenencString();
        break;
      default:
        // Unknown type: already skipped by its length.
        break;
    }
  }
  return state;
}
