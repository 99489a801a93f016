// COM_STMT_BULK_EXECUTE (MariaDB 10.2+, capability MARIADB_CLIENT_STMT_BULK_OPERATIONS): one
// prepared statement executed for many rows of parameters in one command.
// https://mariadb.com/kb/en/com_stmt_bulk_execute/
//
//   [1] 0xFA   [4] statement id   [2] flags (SEND_TYPES_TO_SERVER: 128)
//   n x ([1] type, [1] flag: 0x80 unsigned)          the parameter types, once for all rows
//   for each row, for each parameter:
//     [1] indicator (0 none: a value follows; 1 NULL)   the value in its binary encoding
//
// Without SEND_UNIT_RESULTS the server answers with one OK packet: affected rows summed over
// the rows, the insert id of the first row. The command is one statement, as a multi-row
// INSERT is: an ERR (a duplicate key in some row) undoes all of its rows on InnoDB.
import type { SqlParam } from "../types.js";
import { writeParamValue, type ParamEncoding } from "./binary.js";
import { COM, FIELD_TYPE } from "./constants.js";
import type { PacketWriter } from "./writer.js";

/** Flag of COM_STMT_BULK_EXECUTE: the parameter types precede the rows. */
export const BULK_SEND_TYPES_TO_SERVER = 128;

/** Parameter indicator: a value follows. */
const INDICATOR_NONE = 0;
/** Parameter indicator: the value is NULL. */
const INDICATOR_NULL = 1;

/** Starts a COM_STMT_BULK_EXECUTE with these parameter types (from `paramType`; NULL is sent as VAR_STRING). */
export function startComStmtBulkExecute(w: PacketWriter, statementId: number, types: readonly number[]): void {
  w.start().u8(COM.STMT_BULK_EXECUTE).u32(statementId).u16(BULK_SEND_TYPES_TO_SERVER);
  for (const t of types) {
    const type = (t & 0xff) === FIELD_TYPE.NULL ? FIELD_TYPE.VAR_STRING : t & 0xff;
    w.u8(type).u8(t >> 8 === 0 ? 0 : 0x80);
  }
}

/** Appends one row of parameters, each written in the encoding of `types[i]` (NULL: the NULL indicator). */
export function writeBulkRow(w: PacketWriter, row: readonly SqlParam[], types: readonly number[], enc: ParamEncoding): void {
  for (let i = 0; i < row.length; i++) {
    if ((types[i]! & 0xff) === FIELD_TYPE.NULL) {
      w.u8(INDICATOR_NULL);
    } else {
      w.u8(INDICATOR_NONE);
      writeParamValue(w, types[i]!, row[i], enc);
    }
  }
}
