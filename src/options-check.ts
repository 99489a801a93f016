// Checks of connect() and createPool() input that go beyond one option's type: the shape of the
// argument, option names (a typo such as `passwrod` must not log in with an empty password), and
// text that must reach the server unchanged (user, password, database names).
import { DataError, InterfaceError } from "./errors.js";
import type { ConnectOptions } from "./options.js";
import type { Charset } from "./protocol/charsets.js";
import { loneSurrogateIndex } from "./protocol/charsets.js";

/** Every key of ConnectOptions: the compiler insists that the list is complete. */
const CONNECT_KEYS: Record<keyof ConnectOptions, true> = {
  host: true,
  user: true,
  password: true,
  db: true,
  database: true,
  port: true,
  unixSocket: true,
  charset: true,
  sqlMode: true,
  readDefaultFile: true,
  conv: true,
  useUnicode: true,
  clientFlag: true,
  cursorClass: true,
  initCommand: true,
  connectTimeout: true,
  readDefaultGroup: true,
  autocommit: true,
  echo: true,
  ssl: true,
  sslMode: true,
  authPlugin: true,
  programName: true,
  serverPublicKey: true,
  localInfile: true,
  timezone: true,
  multiStatements: true,
  allowCleartextPassword: true,
  allowPublicKeyRetrieval: true,
  compress: true,
  maxResultBytes: true,
  valueMapping: true,
};

/** The names connect() accepts. */
export const CONNECT_OPTION_NAMES: readonly string[] = Object.keys(CONNECT_KEYS);

/**
 * The options object of connect() or createPool(): `{}` for undefined, else it must be a plain
 * object (a URL string is handled before). `connect(null)` or `connect(5)` must not quietly
 * connect to localhost with the defaults.
 */
export function checkOptionsObject(where: string, input: unknown): Record<string, unknown> {
  if (input === undefined) return {};
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    const got = input === null ? "null" : Array.isArray(input) ? "an array" : typeof input;
    throw new InterfaceError(`${where}: options must be an object or a URL string, got ${got}`);
  }
  return input as Record<string, unknown>;
}

/** Edit distance of two short names (case-insensitive), for "did you mean" hints. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[y.length]!;
}

/** The known name closest to `name`, when it is close enough to be a likely typo. */
export function closestName(name: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = distance(name, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : null;
}

/**
 * Refuses any key of `options` that is not in `known`, naming it (and the closest known name).
 * Keys whose value is undefined count too: `{ passwrod: undefined }` is still a typo.
 */
export function checkOptionNames(where: string, options: object, known: readonly string[]): void {
  const allowed = new Set(known);
  for (const key of Object.keys(options)) {
    if (allowed.has(key)) continue;
    const hint = closestName(key, known);
    throw new InterfaceError(`${where}: unknown option '${key}'${hint === null ? "" : ` (did you mean '${hint}'?)`}`);
  }
}

/**
 * Refuses text that would not reach the server as given: a NUL (which ends a string<NUL> field
 * of the handshake, so `db: "a\0b"` would select "a"), or a character that the wire encoding
 * cannot carry (an unpaired surrogate, or one outside `charset`), which would otherwise be
 * replaced silently (U+FFFD, "?").
 */
export function checkWireText(where: string, name: string, value: string, charset: Charset | null, nulAllowed = false): void {
  if (!nulAllowed && value.includes("\0")) {
    throw new InterfaceError(`${where}: ${name} must not contain a NUL character (the server would see only the text before it)`);
  }
  const lone = loneSurrogateIndex(value);
  if (lone !== -1) {
    throw new DataError(`${where}: ${name} has an unpaired UTF-16 surrogate at index ${lone}, which no character set can encode`);
  }
  if (charset !== null) {
    try {
      charset.encode(value);
    } catch (e) {
      throw new DataError(`${where}: ${name}: ${(e as Error).message}`, { cause: e });
    }
  }
}
