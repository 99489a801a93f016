// Deadlines and cancellation of the connection's own commands: commit(), rollback(), ping(),
// selectDb(), resetConnection() and changeUser() take a last `{ timeout?, signal? }`, as
// execute() does. These commands cannot be stopped on the server the way a statement is (a
// KILL QUERY of a COMMIT would leave its outcome unknown anyway), so a command that runs out of
// time or is aborted closes the connection: the caller gets a typed error at once, never a hang
// on a stalled link.
import { OperationalError, ProgrammingError } from "./errors.js";
import { CR } from "./protocol/constants.js";

/** The last argument of commit(), rollback(), ping(), selectDb(), resetConnection() and changeUser(). */
export interface CommandOptions {
  /** Seconds the command may take; then the connection is closed and the call rejects. */
  timeout?: number | undefined;
  /** Aborting it closes the connection and rejects the call (before anything is sent, if already aborted). */
  signal?: AbortSignal | undefined;
}

/** What a deadline needs of the connection. */
export interface DeadlineHost {
  /** Closes the connection because of `err`, failing everything in flight. */
  abort(err: Error): void;
}

/**
 * Words for an abort reason. The reason is the caller's value and may be hostile (a getter or a
 * toString() that throws, a null-prototype object, a Symbol): this never throws, since it runs
 * inside a signal's abort listener, where a throw would escape to the process.
 */
export function describeReason(reason: unknown): string {
  try {
    if (reason === undefined) return "aborted";
    if (reason instanceof Error) {
      const text: unknown = reason.message || reason.name;
      if (typeof text === "string" && text !== "") return text;
    }
    if (typeof reason === "symbol") return reason.toString();
    return String(reason);
  } catch {
    return "aborted (the reason could not be turned into text)";
  }
}

/** Checks `options` of `what`; returns null when there is nothing to watch. */
function parse(what: string, options: unknown): { timeoutMs: number | null; signal: AbortSignal | undefined } | null {
  if (options === undefined || options === null) return null;
  if (typeof options !== "object") throw new ProgrammingError(`${what}: options must be an object with timeout and/or signal`);
  const { timeout, signal } = options as CommandOptions;
  if (signal !== undefined && !(signal instanceof AbortSignal))
    throw new ProgrammingError(`${what}: option 'signal' must be an AbortSignal`);
  if (timeout !== undefined && (typeof timeout !== "number" || !(timeout > 0) || !Number.isFinite(timeout))) {
    throw new ProgrammingError(`${what}: option 'timeout' must be a positive number of seconds, got ${String(timeout)}`);
  }
  if (timeout === undefined && signal === undefined) return null;
  return { timeoutMs: timeout === undefined ? null : Math.max(1, Math.round(timeout * 1000)), signal };
}

function lostError(what: string, why: string, cause?: unknown): OperationalError {
  const outcome = what.startsWith("commit") ? "; whether the COMMIT took effect is unknown" : "";
  return new OperationalError(`Lost connection to MySQL server during ${what}: ${why}, so the connection was closed${outcome}`, {
    errno: CR.SERVER_LOST,
    cause,
  });
}

/**
 * Runs `run` (which sends the command) under `options`; `run` is given a function that says
 * whether the deadline has already ended the call. Throws a ProgrammingError for bad
 * options, and an OperationalError for an already aborted signal, before `run` is called.
 */
export async function withDeadline<T>(
  host: DeadlineHost,
  what: string,
  options: unknown,
  run: (expired: () => boolean) => Promise<T>,
): Promise<T> {
  const watch = parse(what, options);
  if (watch === null) return run(() => false);
  const { timeoutMs, signal } = watch;
  if (signal?.aborted) {
    throw new OperationalError(`${what} was aborted before it was sent (${describeReason(signal.reason)})`, {
      errno: CR.SERVER_LOST,
      cause: signal.reason,
    });
  }
  return new Promise<T>((resolve, reject) => {
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const cleanup = (): void => {
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    const expire = (err: OperationalError): void => {
      if (done) return;
      cleanup();
      reject(err);
      host.abort(err);
    };
    const onAbort = (): void => expire(lostError(what, `aborted (${describeReason(signal?.reason)})`, signal?.reason));
    signal?.addEventListener("abort", onAbort, { once: true });
    if (timeoutMs !== null) timer = setTimeout(() => expire(lostError(what, `timed out after ${timeoutMs / 1000} s`)), timeoutMs);
    // `run` asks before any further step (a reconnect): nothing goes on once the caller was told.
    run(() => done).then(
      (value) => {
        if (done) return;
        cleanup();
        resolve(value);
      },
      (err: unknown) => {
        if (done) return;
        cleanup();
        reject(err instanceof Error ? err : new OperationalError(String(err)));
      },
    );
  });
}
