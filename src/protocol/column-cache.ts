// Column definitions seen before, by their packet bytes. A statement run again sends the same
// column definition packets (COM_STMT_EXECUTE repeats them every time without MariaDB's
// metadata caching; COM_QUERY always does): comparing the bytes costs less than parsing six
// strings out of each, and a hit allocates nothing.
import type { ColumnDefinition } from "../types.js";
import { parseColumnDefinition } from "./results.js";

/** The definitions of the latest result set read through it, by column position. */
export class ColumnCache {
  /** Copies of the packets (a payload is only valid while it is handled). */
  private readonly bytes: Buffer[] = [];
  private readonly defs: ColumnDefinition[] = [];

  /** The definition in `payload`, the `index`-th column of its result set. */
  column(index: number, payload: Buffer, extendedTypeInfo: boolean): ColumnDefinition {
    const known = this.bytes[index];
    if (known !== undefined && known.length === payload.length && known.equals(payload)) return this.defs[index]!;
    const def = parseColumnDefinition(payload, extendedTypeInfo);
    this.bytes[index] = Buffer.from(payload);
    this.defs[index] = def;
    return def;
  }
}
