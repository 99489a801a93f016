// The caller's stack frames on errors raised off its stack. A statement's error is created in
// a socket callback, so its own stack ends in the event loop. The library's async entry points
// catch it after their await resumes and append the frames of the current (async) stack there,
// which V8 walks back through every awaiting caller. Nothing runs on the success path.
import { MySQLError } from "./errors.js";

/** Errors that already have the caller's frames (an error may pass several entry points). */
const extended = new WeakSet<Error>();

/**
 * Appends the frames of the code awaiting the failed call to a library error, once, and
 * returns it. Call it in a `catch` block after an `await`, in the entry point's async function.
 */
export function withCallerFrames(e: unknown): unknown {
  return extend(e, withCallerFrames);
}

/**
 * `withCallerFrames` as a rejection handler: `await promise.catch(rethrowWithCallerFrames)`
 * inside an async function (V8 follows an awaited `.catch()` to its awaiting callers too).
 */
export function rethrowWithCallerFrames(e: unknown): never {
  throw extend(e, rethrowWithCallerFrames);
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- any function may mark where the frames start
function extend(e: unknown, above: Function): unknown {
  if (!(e instanceof MySQLError) || extended.has(e)) return e;
  extended.add(e);
  const here: { stack?: string } = {};
  Error.captureStackTrace(here, above);
  const stack = here.stack;
  const firstFrame = stack === undefined ? -1 : stack.indexOf("\n");
  if (firstFrame >= 0 && typeof e.stack === "string") e.stack += stack!.slice(firstFrame);
  return e;
}
