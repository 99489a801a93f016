// Text rows of very wide result sets. rows.ts generates one straight-line function per result
// shape, which is fastest for ordinary widths but costs time, memory and stack in proportion to
// the source it generates: 70,000 columns took seconds and 860 MB, 200,000 overflowed the stack.
// MariaDB itself returns such results, so past a width the rows are read by one loop instead,
// in time and memory linear in the width.
import type { MalformedPacketError } from "./reader.js";

/** Reads one non-NULL value from `buf[start, end)` (the same type as rows.ts's ValueDecoder). */
type ValueDecoder = (buf: Buffer, start: number, end: number) => unknown;

/** Widest result set whose row function is generated; wider ones use `wideRowDecoder`. */
export const MAX_GENERATED_COLUMNS = 1024;

/** Reads one row packet, `buf[pos, end)` (the whole of `buf` when `end` is omitted). */
export type RowFunction = (buf: Buffer, start?: number, end?: number) => unknown;

/**
 * A row function that loops over the columns: arrays when `keys` is null, else objects (of
 * `ctor` when given) keyed by `keys`. It reads and checks exactly what the generated functions
 * read and check.
 */
export function wideRowDecoder(
  decoders: readonly ValueDecoder[],
  malformed: typeof MalformedPacketError,
  keys: readonly string[] | null,
  ctor: (new () => object) | null,
): RowFunction {
  const n = decoders.length;
  return (buf, start = 0, end = buf.length) => {
    const values = new Array<unknown>(n);
    let pos = start;
    for (let i = 0; i < n; i++) {
      if (pos >= end) throw new malformed(`row has ${i} of ${n} values`);
      let len = buf[pos++]!;
      if (len === 0xfb) {
        values[i] = null;
        continue;
      }
      if (len >= 0xfc) {
        if (len === 0xfc) {
          len = buf[pos]! | (buf[pos + 1]! << 8);
          pos += 2;
        } else if (len === 0xfd) {
          len = buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16);
          pos += 3;
        } else if (len === 0xfe) {
          if (pos + 8 > end) throw new malformed(`row value ${i} runs past the end of the packet`);
          len = buf.readUInt32LE(pos) + buf.readUInt32LE(pos + 4) * 0x100000000;
          pos += 8;
        } else {
          throw new malformed(`invalid length prefix 0xff in row value ${i}`);
        }
      }
      if (pos + len > end) throw new malformed(`row value ${i} runs past the end of the packet`);
      values[i] = decoders[i]!(buf, pos, pos + len);
      pos += len;
    }
    if (keys === null) return values;
    const row: Record<string, unknown> = ctor === null ? {} : (new ctor() as Record<string, unknown>);
    for (let i = 0; i < n; i++) {
      const key = keys[i]!;
      // Assigning "__proto__" would set the prototype: define it as an own property.
      if (key === "__proto__") Object.defineProperty(row, key, { value: values[i], writable: true, enumerable: true, configurable: true });
      else row[key] = values[i];
    }
    return row;
  };
}
