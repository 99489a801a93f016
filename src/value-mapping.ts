/**
 * The `valueMapping` option: which JavaScript values the column types become.
 *
 * - `"aiomysql"` (the default): the exact mapping of `decoders` (DATE as a `"YYYY-MM-DD"`
 *   string, BIGINT as a number or a bigint, JSON as its text, GEOMETRY as a Buffer).
 * - `"mysql2"`: mysql2's default mapping, for code written against mysql2: DATE is a `Date`
 *   at midnight in the connection's time zone, JSON columns (MySQL's JSON type) are parsed,
 *   GEOMETRY is read into `{ x, y }` points and arrays of them, and BIGINT is a number when it
 *   is a safe integer and a decimal string beyond (mysql2's `supportBigNumbers`; never rounded).
 *   DECIMAL stays a string and DATETIME a `Date`, as in both mappings; zero dates stay strings.
 *
 * Because it is a connection option it applies to everything built on connections: cursors,
 * the pool, `aiomysql/sa`, the Kysely dialect and the Knex client. Decoders given in `conv` win
 * over the mapping's.
 */
import { makeDecoders, type Decoder, type Decoders } from "./converters.js";
import { InterfaceError } from "./errors.js";
import { FIELD_TYPE } from "./protocol/constants.js";
import type { TimeZone } from "./types.js";
import { parseGeometry } from "./wkb.js";

/** The value mappings of the `valueMapping` option. */
export type ValueMapping = "aiomysql" | "mysql2";

const VALUE_MAPPINGS: readonly string[] = ["aiomysql", "mysql2"];

const asText = (v: string | Buffer): string => (typeof v === "string" ? v : v.toString("latin1"));

const bigintOrString: Decoder = (v) => {
  const text = asText(v);
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
};

const jsonParsed: Decoder = (v) => JSON.parse(typeof v === "string" ? v : v.toString("utf8")) as unknown;

const geometry: Decoder = (v) => parseGeometry(typeof v === "string" ? Buffer.from(v, "latin1") : v);

const mysql2Cache = new Map<TimeZone, Decoders>();

/**
 * mysql2's default mapping as decoders for `timeZone` (see the module comment); frozen and
 * shared: copy it to customise.
 * @throws InterfaceError for an invalid time zone.
 */
export function mysql2Decoders(timeZone: TimeZone = "local"): Decoders {
  const cached = mysql2Cache.get(timeZone);
  if (cached !== undefined) return cached;
  const base = makeDecoders(timeZone);
  const dateTime = base[FIELD_TYPE.DATETIME]!;
  // A DATE is the DATETIME at midnight; a zero or invalid date stays its text, as DATETIME does.
  const date: Decoder = (v) => {
    const text = asText(v);
    const d = dateTime(`${text} 00:00:00`);
    return d instanceof Date ? d : text;
  };
  const d: Decoders = Object.freeze({
    ...base,
    [FIELD_TYPE.DATE]: date,
    [FIELD_TYPE.NEWDATE]: date,
    [FIELD_TYPE.LONGLONG]: bigintOrString,
    [FIELD_TYPE.JSON]: jsonParsed,
    [FIELD_TYPE.GEOMETRY]: geometry,
  });
  mysql2Cache.set(timeZone, d);
  return d;
}

/**
 * The decoders a connection uses for `mapping` with the user's `conv` on top; null when both
 * are the defaults.
 * @throws InterfaceError for an unknown mapping.
 */
export function applyValueMapping(mapping: string | undefined | null, conv: Decoders | null, timeZone: TimeZone): Decoders | null {
  if (mapping === undefined || mapping === null || mapping === "aiomysql") return conv;
  if (!VALUE_MAPPINGS.includes(mapping)) {
    throw new InterfaceError(
      `connect(): option 'valueMapping' must be one of ${VALUE_MAPPINGS.map((m) => `"${m}"`).join(", ")}, got ${JSON.stringify(mapping)}`,
    );
  }
  return conv === null ? mysql2Decoders(timeZone) : { ...mysql2Decoders(timeZone), ...conv };
}
