// The bound on buffered results (the `maxResultBytes` connect option). A buffered cursor holds
// every row of a result in memory; a hostile or runaway server can send rows for ever, so past
// the bound the statement fails with a clear error and the connection is closed, rather than
// the process dying of heap exhaustion.
import { OperationalError } from "./errors.js";
import { CR } from "./protocol/constants.js";
import { redactSql } from "./tracing.js";

/** The error of a buffered result that grew past `limit` bytes (client errno 2008, CR_OUT_OF_MEMORY). */
export function resultTooLarge(limit: number, sql: string | undefined): OperationalError {
  return new OperationalError(
    `The result is too large to buffer: it passed maxResultBytes (${limit} bytes), so the statement was stopped and ` +
      `the connection closed. Read large results with a streaming cursor (SSCursor), or raise maxResultBytes.`,
    { errno: CR.OUT_OF_MEMORY, ...(sql === undefined ? {} : { sql: redactSql(sql) }) },
  );
}
