// Deadlines and cancellation of statements: the `signal` and `timeout` options of
// Cursor.execute(), executeMany() and callProc().
//
// A statement that can be cancelled is a pipeline barrier: nothing is written behind it until it
// completes. Cancelling it while it is still queued just removes it from the queue; cancelling
// it while the server runs it sends `KILL QUERY <thread id>` on a short-lived side connection
// opened with the same options. While that KILL is on its way the connection writes nothing
// more, so a KILL that arrives late can only find the connection idle, never the next statement.
import type { QueryCommand } from "./session/commands/query.js";
import { Session } from "./session/session.js";
import { OperationalError, ProgrammingError, clientError } from "./errors.js";
import { hidePassword } from "./options.js";
import { describeReason } from "./deadline.js";
import { CR } from "./protocol/constants.js";
import { ER } from "./protocol/er.js";

/** Seconds a statement may take to stop after its KILL QUERY before the connection is dropped. */
const KILL_GRACE_SECONDS = 2;
/** Upper bound of the side connection's connect timeout, in seconds. */
const SIDE_CONNECT_TIMEOUT = 10;

/** The options of execute(), executeMany() and callProc() that this module reads. */
export interface CancelOptions {
  /** Cancels the statement (it is also stopped on the server). */
  signal?: AbortSignal | undefined;
  /** Seconds before the statement is cancelled. */
  timeout?: number | undefined;
}

/**
 * One cancellable call. Statements of the call report their command with `track()`; `release()`
 * ends the call (streaming cursors keep it until their rows are read).
 */
export class Cancellation {
  /** The error every cancelled statement of this call rejects with, once cancelled. */
  error: OperationalError | null = null;
  private current: QueryCommand | null = null;
  private timer: NodeJS.Timeout | undefined;
  private readonly onAbort = (): void => {
    try {
      this.cancel(this.abortError());
    } catch (e) {
      // Never let a throw escape the abort listener: it would crash the process. Give up on
      // the connection instead, since the statement may still run.
      this.conn.fatal(
        clientError(CR.SERVER_LOST, `Lost connection to MySQL server during query (cancelling failed: ${describeReason(e)})`, e),
      );
    }
  };
  private disposed = false;

  private constructor(
    private readonly conn: Session,
    private readonly signal: AbortSignal | undefined,
    private readonly what: string,
  ) {}

  /**
   * Starts watching `options` for the call `what` on `conn`; null when there is nothing to
   * watch. An already aborted signal throws at once, before anything is sent.
   */
  static start(conn: Session, options: CancelOptions | undefined, what: string): Cancellation | null {
    if (options === undefined || options === null) return null;
    if (typeof options !== "object") throw new ProgrammingError(`${what}: options must be an object`);
    const { signal, timeout } = options;
    if (signal !== undefined && (signal === null || typeof signal !== "object" || typeof signal.addEventListener !== "function")) {
      throw new ProgrammingError(`${what}: option 'signal' must be an AbortSignal`);
    }
    if (timeout !== undefined && (typeof timeout !== "number" || !(timeout > 0) || !Number.isFinite(timeout))) {
      throw new ProgrammingError(`${what}: option 'timeout' must be a positive number of seconds, got ${String(timeout)}`);
    }
    if (signal === undefined && timeout === undefined) return null;
    const c = new Cancellation(conn, signal, what);
    if (signal?.aborted) throw c.abortError();
    // Learn which server this is before the statement goes out, so a KILL can check it.
    learnServerIdentity(conn);
    signal?.addEventListener("abort", c.onAbort, { once: true });
    if (timeout !== undefined) {
      c.timer = setTimeout(
        () =>
          c.cancel(
            new OperationalError(`${what}: query execution was interrupted: timed out after ${timeout} s`, { errno: ER.QUERY_INTERRUPTED }),
          ),
        Math.max(1, Math.round(timeout * 1000)),
      );
    }
    return c;
  }

  private abortError(): OperationalError {
    const reason: unknown = this.signal?.reason;
    return new OperationalError(`${this.what}: query execution was interrupted: cancelled (${describeReason(reason)})`, {
      errno: ER.QUERY_INTERRUPTED,
      cause: reason,
    });
  }

  /** Throws the cancellation error if the call was cancelled (before the next statement). */
  check(): void {
    if (this.error) throw this.error;
  }

  /** Records the command now running for this call. */
  track(cmd: QueryCommand): void {
    this.current = cmd;
  }

  /** The error to raise for `err`, thrown by a statement of this call: the cancellation's, once cancelled. */
  wrap(err: unknown): unknown {
    if (this.error === null) return err;
    if (err === this.error) return err;
    return new OperationalError(this.error.message, { errno: ER.QUERY_INTERRUPTED, cause: err });
  }

  /** Ends the call: stops the timer and the signal listener once its last statement is done. */
  release(): void {
    const cmd = this.current;
    if (cmd) void cmd.retired.then(() => this.dispose());
    else this.dispose();
  }

  private dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.timer);
    this.signal?.removeEventListener("abort", this.onAbort);
  }

  private cancel(err: OperationalError): void {
    if (this.error !== null || this.disposed) return;
    this.error = err;
    clearTimeout(this.timer);
    const cmd = this.current;
    if (cmd === null || (cmd.settled && !cmd.streaming)) return;
    if (this.conn.closed) return;
    if (!this.conn.isInFlight(cmd)) {
      if (identityPending(this.conn)) {
        // Queued behind the identity question asked for this very call, which has not been
        // answered in all that time: the link is stalled, and no KILL could be checked.
        this.conn.fatal(
          clientError(CR.SERVER_LOST, `Lost connection to MySQL server during query (${err.message}; the server did not answer)`),
        );
        return;
      }
      // Still queued: it was never sent, so just take it out of the queue.
      this.conn.unqueue(cmd, err);
      return;
    }
    if (cmd.streaming) void cmd.drain();
    const kill = killQuery(this.conn);
    this.conn.hold(kill.catch(() => {}));
    kill.then(
      () => {
        // The statement should now end with ER_QUERY_INTERRUPTED; if it does not, give up on the connection.
        const grace = setTimeout(() => {
          this.conn.fatal(
            clientError(
              CR.SERVER_LOST,
              `Lost connection to MySQL server during query (${err.message}; the statement did not stop after KILL QUERY)`,
            ),
          );
        }, KILL_GRACE_SECONDS * 1000);
        void cmd.retired.then(() => clearTimeout(grace));
      },
      (e: unknown) => {
        // The statement could not be stopped on the server: the connection's state is unknown.
        this.conn.fatal(
          clientError(
            CR.SERVER_LOST,
            `Lost connection to MySQL server during query (${err.message}; KILL QUERY failed: ${(e as Error).message})`,
            e,
          ),
        );
      },
    );
  }
}

/**
 * What tells one server from another: two connections that report the same values reached the
 * same server process. MariaDB has no @@server_uuid, and @@server_id is often left at 1, so
 * the host name, port, socket and data directory are compared with it.
 */
const IDENTITY_SQL = "SELECT @@hostname, @@port, @@socket, @@server_id, @@datadir";

/** A connection's server identity, per connection and per (re)connect. */
const identities = new WeakMap<Session, { since: number; identity: Promise<string>; answered: boolean }>();

/** True while `conn`'s identity question is still unanswered. */
function identityPending(conn: Session): boolean {
  const known = identities.get(conn);
  return known !== undefined && known.since === conn.threadId && !known.answered;
}

function identityOf(result: unknown): string {
  const row = (result as { rows: unknown[][] } | undefined)?.rows[0] ?? [];
  return JSON.stringify(row.map((v) => (v === null ? null : String(v))));
}

/**
 * Starts asking `conn`'s server who it is (once per connect), ahead of any statement that may
 * be cancelled: while that statement runs, the connection can ask nothing.
 */
function learnServerIdentity(conn: Session): void {
  const known = identities.get(conn);
  if (known !== undefined && known.since === conn.threadId) return;
  const identity = conn.query(IDENTITY_SQL, { drainAll: true }).then(({ results }) => identityOf(results[0]));
  const entry = { since: conn.threadId, identity, answered: false };
  identity.then(
    () => (entry.answered = true),
    () => (entry.answered = true),
  );
  identities.set(conn, entry);
}

/**
 * Sends `KILL QUERY` for `conn`'s thread on a side connection opened with the same options.
 *
 * Behind a load balancer or DNS round robin the side connection may reach another server,
 * where the same thread id belongs to an unrelated session: the KILL is sent only once the side
 * connection reports the same server identity as `conn`. A thread the server does not know is
 * a failed cancel (the statement may still run somewhere), not a success.
 */
async function killQuery(conn: Session): Promise<void> {
  const o = conn.options;
  const connectTimeout = Math.min(o.connectTimeout ?? SIDE_CONNECT_TIMEOUT, SIDE_CONNECT_TIMEOUT);
  const side = new Session(hidePassword({ ...o, password: o.password, initCommand: null, echo: false, connectTimeout }));
  try {
    const expected = identities.get(conn);
    if (expected === undefined || expected.since !== conn.threadId) {
      throw new OperationalError("the server's identity is unknown, so a KILL could reach the wrong server");
    }
    await side.connect();
    const [mine, theirs] = await Promise.all([
      expected.identity,
      side.query(IDENTITY_SQL, { drainAll: true }).then(({ results }) => identityOf(results[0])),
    ]);
    if (mine !== theirs) {
      throw new OperationalError(
        `the side connection for KILL QUERY reached a different server (${theirs}, not ${mine}), so no KILL was sent`,
      );
    }
    await side.query(`KILL QUERY ${conn.threadId}`, { drainAll: true }).catch((e: unknown) => {
      if ((e as OperationalError).errno === ER.NO_SUCH_THREAD) {
        throw new OperationalError(`the server has no thread ${conn.threadId}`, { errno: ER.NO_SUCH_THREAD, cause: e });
      }
      throw e;
    });
  } finally {
    void side.close();
  }
}
