// Value and metadata types shared by the protocol layer, the converters and the cursors.

/** A value as the default decoders return it. Custom `conv` decoders may return anything. */
export type SqlValue = string | number | bigint | Date | Buffer | null;

/** A value that can be bound to a `%s` / `%(name)s` / `?` placeholder. */
export type SqlParam = string | number | bigint | boolean | Date | Uint8Array | null | undefined | readonly SqlParam[];

/** Positional (`%s`, `?`) or named (`%(name)s`) arguments of a statement. */
export type SqlArgs = readonly SqlParam[] | { readonly [name: string]: SqlParam };

/** A tuple row, as `Cursor` returns it. */
export type Row = SqlValue[];

/** An object row keyed by column name, as `DictCursor` returns it. */
export type DictRow = Record<string, SqlValue>;

/** One column of a result set, from the server's ColumnDefinition41 packet. */
export interface ColumnDefinition {
  /** Catalog of the column, always "def". */
  readonly catalog: string;
  /** Database (schema) of the column's table. */
  readonly schema: string;
  /** Table alias as written in the query. */
  readonly table: string;
  /** Physical table name. */
  readonly orgTable: string;
  /** Column alias: the key of DictCursor rows. */
  readonly name: string;
  /** Physical column name. */
  readonly orgName: string;
  /** Collation id of the column (63 is `binary`). */
  readonly characterSet: number;
  /** Maximum length of the column in bytes. */
  readonly columnLength: number;
  /** `FIELD_TYPE` code. */
  readonly type: number;
  /** `FIELD_FLAG` bits. */
  readonly flags: number;
  /** Digits after the decimal point (DECIMAL, DOUBLE, fractional seconds). */
  readonly decimals: number;
  /** MariaDB's extended type name (`json`, `uuid`, `inet6`, `point`...), when the server sends one. */
  readonly extendedType?: string | undefined;
}

/** Time zone used to read and write DATETIME/TIMESTAMP: the process's local zone, UTC, or a fixed offset. */
export type TimeZone = "local" | "Z" | `${"+" | "-"}${string}`;
