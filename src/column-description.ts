// One column of a cursor's `description`: the DB-API 7-item tuple, with named items too.
import { charsetByCollation } from "./protocol/charsets.js";
import { FIELD_FLAG, FIELD_TYPE } from "./protocol/constants.js";
import type { ColumnDefinition } from "./types.js";

/** One column of `Cursor.description`: a 7-item tuple whose items are also named. */
export type ColumnDescription = readonly [
  name: string,
  typeCode: number,
  displaySize: number | null,
  internalSize: number | null,
  precision: number | null,
  scale: number | null,
  nullOk: boolean,
] & {
  /** Column name (its alias if the query gave one). */
  readonly name: string;
  /** FIELD_TYPE code. */
  readonly typeCode: number;
  /** Length of the column in characters. */
  readonly displaySize: number | null;
  /** Length of the column in bytes, as the server reports it. */
  readonly internalSize: number | null;
  /** Total digits of DECIMAL columns, null for other types. */
  readonly precision: number | null;
  /** Digits after the point of DECIMAL columns, null for other types. */
  readonly scale: number | null;
  /** Whether the column can hold NULL. */
  readonly nullOk: boolean;
};

/** The `description` entry of one column. */
export function describe(c: ColumnDefinition): ColumnDescription {
  const isDecimal = c.type === FIELD_TYPE.NEWDECIMAL || c.type === FIELD_TYPE.DECIMAL;
  const mbLen = charsetByCollation(c.characterSet)?.maxBytesPerChar ?? 1;
  const displaySize = c.characterSet === 63 ? c.columnLength : Math.floor(c.columnLength / mbLen);
  let precision: number | null = null;
  if (isDecimal) {
    // The length counts the sign (unless unsigned) and the point (when there are decimals).
    precision = c.columnLength - (c.decimals > 0 ? 1 : 0) - (c.flags & FIELD_FLAG.UNSIGNED ? 0 : 1);
  }
  const nullOk = (c.flags & FIELD_FLAG.NOT_NULL) === 0;
  const scale = isDecimal ? c.decimals : null;
  const entry = [c.name, c.type, displaySize, c.columnLength, precision, scale, nullOk] as const;
  const named = { name: c.name, typeCode: c.type, displaySize, internalSize: c.columnLength, precision, scale, nullOk };
  const tuple = Object.assign([...entry], named);
  // Print like a named tuple: { name: 'id', typeCode: 3, ... } rather than an array with extra keys.
  Object.defineProperty(tuple, INSPECT, { value: () => named });
  return tuple as unknown as ColumnDescription;
}

const INSPECT = Symbol.for("nodejs.util.inspect.custom");
