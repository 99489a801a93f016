// executeMany of INSERT/REPLACE ... VALUES through MariaDB's COM_STMT_BULK_EXECUTE: the
// statement is prepared once, then the rows go as typed binary parameters, many rows per
// command (protocol/bulk.ts). A run of rows whose value types change (a number where strings
// came before) starts a new command, since the types are declared once per command.
import { ProgrammingError } from "./errors.js";
import { paramType, type ParamEncoding } from "./protocol/binary.js";
import { startComStmtBulkExecute, writeBulkRow } from "./protocol/bulk.js";
import { COM, FIELD_TYPE, MARIADB_CLIENT } from "./protocol/constants.js";
import type { OkPacket } from "./protocol/results.js";
import { PacketWriter } from "./protocol/writer.js";
import type { Command } from "./session/commands/command.js";
import { OkCommand } from "./session/commands/ok.js";
import type { PreparedStatement } from "./statement.js";
import { toQmark } from "./sql/qmark.js";
import type { SqlArgs, SqlParam } from "./types.js";

/**
 * The `?` form of an INSERT ... VALUES for COM_STMT_BULK_EXECUTE; null: no bulk (the server does
 * not offer it, rows are not arrays, named placeholders).
 */
export function bulkStatement(mariadbCapabilities: number, query: string, rows: readonly SqlArgs[]): string | null {
  if ((mariadbCapabilities & MARIADB_CLIENT.STMT_BULK_OPERATIONS) === 0) return null;
  if (!rows.every((r) => Array.isArray(r))) return null;
  try {
    return toQmark(query, rows[0]!).sql;
  } catch {
    return null;
  }
}

/** What the bulk insert needs from its session. */
export interface BulkHost {
  readonly closed: boolean;
  readonly paramEncoding: ParamEncoding;
  closedError(): Error;
  enqueue<T>(cmd: Command<T>): Promise<T>;
}

/** COM_STMT_BULK_EXECUTE, built beforehand; answered by one OK (counts summed over the rows) or ERR, as COM_PING is. */
class BulkExecuteCommand extends OkCommand {
  constructor(
    private readonly request: Buffer,
    sql: string,
  ) {
    super(COM.STMT_BULK_EXECUTE);
    this.sql = sql;
  }

  override encode(): Buffer {
    return this.request;
  }
}

/** The run yields to the event loop every so many rows while a command is in flight. */
const YIELD_EVERY = 100;

/** Upper bound of one bulk command's payload, below max_allowed_packet. */
const MAX_BULK_BYTES = 4 * 1024 * 1024;

/**
 * The type to write `v` (of type `t`, from `paramType`) with in a column declared `declared`,
 * or -1 when it does not fit and a new command must declare other types. NULL fits anywhere;
 * a column declared while still NULL is a string column on the wire; integers fit DOUBLE and
 * LONGLONG columns exactly (numbers are safe integers).
 */
function fit(declared: number, t: number, v: SqlParam): number {
  if ((t & 0xff) === FIELD_TYPE.NULL || t === declared) return t;
  if ((declared & 0xff) === FIELD_TYPE.NULL) return t === FIELD_TYPE.VAR_STRING ? t : -1;
  if (typeof v === "number" && (t === FIELD_TYPE.LONG || t === FIELD_TYPE.LONGLONG)) {
    if (declared === FIELD_TYPE.DOUBLE) return FIELD_TYPE.DOUBLE;
    if (declared === FIELD_TYPE.LONGLONG) return FIELD_TYPE.LONGLONG;
  }
  return -1;
}

/**
 * Executes `stmt` once per row of `rows` with COM_STMT_BULK_EXECUTE; resolves to the affected
 * rows in total, the insert id of the last command and the warnings. Each row must have exactly `stmt.paramCount` values. The next command is
 * built while the previous one executes and sent only once it has succeeded, so a failing row
 * stops the run. `check` is called before each command (cancellation).
 * @throws ProgrammingError for a row of the wrong length or a value that cannot be bound.
 */
export async function bulkExecute(
  host: BulkHost,
  maxAllowedPacket: number,
  stmt: PreparedStatement,
  rows: readonly (readonly SqlParam[])[],
  check: () => void = () => {},
): Promise<{ affectedRows: number; insertId: number | bigint; warnings: number }> {
  const limit = Math.min(MAX_BULK_BYTES, maxAllowedPacket - 1024);
  const enc = host.paramEncoding;
  const n = stmt.paramCount;
  let affected = 0;
  let insertId: number | bigint = 0;
  let warnings = 0;
  let running: Promise<OkPacket> | null = null;
  const settle = async (): Promise<void> => {
    if (running === null) return;
    const ok = await running;
    running = null;
    affected += Number(ok.affectedRows);
    // As after a multi-row INSERT: the id generated for the first row of the last command.
    insertId = ok.lastInsertId;
    warnings += ok.warnings;
  };
  const send = async (): Promise<void> => {
    const request = w.finish(0)[0];
    await settle();
    check();
    if (host.closed) throw host.closedError();
    running = host.enqueue(new BulkExecuteCommand(request, stmt.sql));
    running.catch(() => {});
  };
  // A writer of its own: the connection's is shared with anything else queued meanwhile.
  const w = new PacketWriter(64 * 1024);
  let types: number[] | null = null;
  let sinceYield = 0;
  const valueTypes: number[] = new Array<number>(n);
  const writeTypes: number[] = new Array<number>(n);
  try {
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      if (!Array.isArray(row) || row.length !== n) {
        throw new ProgrammingError(
          `executeMany(): row ${r} has ${Array.isArray(row) ? row.length : "no"} values, the statement takes ${n}`,
        );
      }
      let fits = types !== null && w.length <= limit;
      for (let i = 0; i < n; i++) {
        const t = paramType(row[i], i);
        valueTypes[i] = t;
        if (fits) {
          const w = fit(types![i]!, t, row[i]);
          if (w === -1) fits = false;
          else writeTypes[i] = w;
        }
      }
      if (!fits) {
        if (types !== null) await send();
        types = valueTypes.slice();
        for (let i = 0; i < n; i++) writeTypes[i] = valueTypes[i]!;
        startComStmtBulkExecute(w, stmt.id, types);
      }
      writeBulkRow(w, row, writeTypes, enc);
      if (running !== null && ++sinceYield >= YIELD_EVERY) {
        // Let the socket write the command in flight while the next one is being built.
        sinceYield = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    if (types !== null) await send();
    await settle();
  } catch (e) {
    // Let the command in flight finish before reporting (its rows are applied or not, as the server says).
    if (running !== null) await (running as Promise<OkPacket>).catch(() => {});
    throw e;
  }
  return { affectedRows: affected, insertId, warnings };
}
