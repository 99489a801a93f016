// The session's client charset as the server reports it: the SET that asks for the reports,
// and how text is encoded (and refused) in the charset they name.
import { DataError } from "../errors.js";
import type { ResolvedOptions } from "../options.js";
import type { ParamEncoding } from "../protocol/binary.js";
import { charsetByName, type Charset } from "../protocol/charsets.js";

/**
 * Asks the server to report changes of `character_set_client` and `character_set_results` in
 * its OK packets (MariaDB and MySQL track both by default, but a server or a user may have
 * changed `session_track_system_variables`); the variables already tracked stay tracked. An
 * assignment of a SET statement.
 */
export const TRACK_CHARSETS = (() => {
  const v = "@@session.session_track_system_variables";
  const add = (name: string): string => `IF(FIND_IN_SET('${name}', ${v}), NULL, '${name}')`;
  const extended = `CONCAT_WS(',', NULLIF(${v}, ''), ${add("character_set_client")}, ${add("character_set_results")})`;
  return `${v} = IF(${v} = '*', ${v}, ${extended})`;
})();

/** A character outside ASCII. */
export const NON_ASCII_RE = /[^\x00-\x7f]/;

/** The charset the server names, or null when this client does not support it. */
export function knownCharset(name: string): Charset | null {
  try {
    return charsetByName(name);
  } catch {
    return null;
  }
}

/** How statement parameters are encoded in `cs` (null: a charset this client cannot encode). */
export function paramEncodingFor(cs: Charset | null, timeZone: ResolvedOptions["timezone"]): ParamEncoding {
  if (cs === null) {
    return {
      timeZone,
      encode: (t) => {
        const i = t.search(NON_ASCII_RE);
        if (i !== -1) throw untrackedCharsetError(t, i);
        return Buffer.from(t, "latin1");
      },
    };
  }
  // Only utf8mb4 text is written straight into the packet (binary.ts still refuses unpaired
  // surrogates there); utf8mb3 cannot store characters above U+FFFF and goes through encode().
  return { timeZone, encode: cs.name === "utf8mb4" ? null : (t) => cs.encode(t) };
}

/** The refusal of non-ASCII text while `character_set_client` is a charset this client cannot encode. */
export function untrackedCharsetError(text: string, index: number): DataError {
  const cp = text.codePointAt(index) ?? 0;
  return new DataError(
    `Cannot send non-ASCII text (U+${cp.toString(16).toUpperCase().padStart(4, "0")} at index ${index}): the session's ` +
      `character_set_client is a charset this client cannot encode, so it cannot be escaped safely; ` +
      `run SET NAMES with one of the supported charsets`,
  );
}
