// The hostile strings of the injection tests, the charsets they run in, and the library's own
// answer to whether a charset can represent a string.
import assert from "node:assert/strict";
import { DataError } from "../../src/index.js";
import { charsetByName } from "../../src/protocol/charsets.js";

/** Characters whose two-byte encoding ends in 0x5C (a backslash) in `label`, found by decoding. */
function backslashTrailers(label: string, leads: number[]): string {
  const decoder = new TextDecoder(label);
  let out = "";
  for (const lead of leads) {
    const ch = decoder.decode(Uint8Array.from([lead, 0x5c]));
    if (ch.length === 1 && ch !== "\ufffd" && ch.charCodeAt(0) > 0x7f) out += ch;
  }
  return out;
}

/** Lead bytes tried by `backslashTrailers`. */
const LEADS = [0x81, 0x83, 0x89, 0x94, 0x95, 0xa4, 0xa5, 0xb3, 0xbf, 0xe0, 0xfa];

/** Strings that try to break out of a literal, in every charset and escaping mode. */
export const CORPUS: readonly string[] = [
  "",
  "plain",
  "'",
  "''",
  "\\",
  "\\'",
  "\\\\'",
  "'\\",
  '"',
  "' OR '1'='1",
  "'; DROP TABLE test_injection; -- ",
  "x'); DELETE FROM test_injection; #",
  "/* comment */ ' /*",
  "-- not a comment",
  "# hash",
  "\0",
  "a\0b'\0",
  "\x1a",
  "\x1a'\x1a",
  "\n\r\t\b",
  "%s",
  "%%s %(name)s %",
  "?",
  "?, ?, '?'",
  "`backtick`",
  "\\0\\n\\Z",
  "${1+1}",
  "e\u0301",
  "日本語",
  "ソ表能",
  "功許蓋",
  "縗'",
  "\u00bf'",
  "😀",
  "\ud800",
  "x\udc00y",
  "\udbff\udfff",
  "€‚ƒ„",
  "Ÿ ÿ ß",
  backslashTrailers("shift_jis", LEADS),
  backslashTrailers("big5", LEADS),
  backslashTrailers("gbk", LEADS),
  "ＡＢＣ＼",
  "\u00a5\u203e",
];

/** The connection charsets the injection tests cover. */
export const CHARSETS = ["utf8mb4", "utf8mb3", "latin1", "gbk", "big5", "sjis", "cp932", "euckr", "ujis", "gb2312"] as const;
/** True when the charset can represent `s` (the library's own answer, checked against the server below). */
export function representable(charset: string, s: string): boolean {
  try {
    charsetByName(charset).encode(s);
    return true;
  } catch (e) {
    assert.ok(e instanceof DataError, `encode() may only throw DataError, got ${String(e)}`);
    return false;
  }
}
