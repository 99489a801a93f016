// Pool.transaction(): BEGIN, the caller's function, COMMIT on one pooled connection, and the
// retries the caller opted into: a transaction the server rolled back as a deadlock or a
// Galera certification conflict (errno 1213: nothing was committed, so running it again is
// safe), and, for idempotent work only, a replay after the connection (its node) was lost.
import type { Connection } from "./connection.js";
import { InterfaceError, OperationalError, TransactionResolutionUnknownError } from "./errors.js";
import type { AcquireOptions } from "./pool-options.js";
import { ER } from "./protocol/er.js";

/**
 * Options of `Pool.transaction()`. By default nothing is retried. A transaction lost with its
 * connection before COMMIT rejects with an `OperationalError` (a `FailoverError` on a cluster
 * pool) saying nothing was committed; one lost during COMMIT with
 * `TransactionResolutionUnknownError` (it may have been committed); a deadlock or certification
 * conflict with the server's 1213 (`CertificationConflictError` on a Galera node of a cluster pool).
 */
export interface TransactionOptions {
  /**
   * `START TRANSACTION READ ONLY`; a cluster pool runs it on a replica (or Synced Galera node),
   * as `acquire({ readOnly: true })` picks one.
   */
  readOnly?: boolean;
  /**
   * Run the transaction again when the server rolled it back as a deadlock or a Galera
   * certification conflict (errno 1213): nothing of it was committed. `true` allows 3 more
   * attempts, a number that many; each waits a short jittered backoff first. Default false: the
   * error (`CertificationConflictError` on a Galera node of a cluster pool) surfaces at once.
   */
  retryable?: boolean | number;
  /**
   * Replays allowed after the connection was lost before or during COMMIT (a node failure, a
   * failover): default 0. A COMMIT lost in flight may have been applied, so a replay can apply
   * the work twice: use it only for idempotent transactions (upserts, writes keyed by the caller).
   */
  replay?: number;
  /** Gives up waiting for a connection when aborted (each attempt's acquire). */
  signal?: AbortSignal | undefined;
  /** Seconds each attempt may wait for a connection (default: the pool's `acquireTimeout`). */
  timeout?: number | undefined;
}

/** @internal What runTransaction needs of a pool. */
export interface TransactionHost {
  acquire(options: AcquireOptions): Promise<Connection>;
  release(conn: Connection): void;
  /** The error to surface for `err`, raised on `conn` (a cluster pool names certification conflicts). */
  transactionError?(conn: Connection, err: unknown): unknown;
  /** The error for a transaction lost before COMMIT and not replayed (a cluster pool's names its nodes). */
  lostTransactionError?(conn: Connection, message: string, cause: OperationalError): OperationalError;
}

/** Extra attempts `retryable: true` allows. */
const DEFAULT_RETRIES = 3;
/** First backoff before a retry after a conflict, in ms; it doubles per retry up to BACKOFF_MAX_MS. */
const BACKOFF_MS = 20;
const BACKOFF_MAX_MS = 500;

function count(name: string, v: unknown, whenTrue: number): number {
  if (v === undefined || v === false) return 0;
  if (v === true) return whenTrue;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 100) {
    throw new InterfaceError(`transaction(): option '${name}' must be a whole number from 0 to 100${whenTrue > 0 ? " or a boolean" : ""}`);
  }
  return v;
}

/** True when `err` says the connection itself is gone (lost, gone away, cut by a deadline). */
function isLost(conn: Connection, err: unknown): err is OperationalError {
  if (err instanceof TransactionResolutionUnknownError) return true;
  if (!(err instanceof OperationalError) || !conn.closed) return false;
  return err.errno !== null && err.errno >= 2000 && err.errno < 3000;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** @internal Pool.transaction(): see there. */
export async function runTransaction<T>(
  host: TransactionHost,
  fn: (conn: Connection, attempt: number) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  if (typeof fn !== "function") throw new InterfaceError("transaction(): fn must be a function");
  if (typeof options !== "object" || options === null) throw new InterfaceError("transaction(): options must be an object");
  const retries = count("retryable", options.retryable, DEFAULT_RETRIES);
  const replays = count("replay", options.replay, 0);
  const acquire: AcquireOptions = { signal: options.signal, timeout: options.timeout, readOnly: options.readOnly === true };
  let conflicts = 0;
  let replayed = 0;
  for (let attempt = 1; ; attempt++) {
    const conn = await host.acquire(acquire);
    let committing = false;
    try {
      if (options.readOnly === true) await conn.session.query("START TRANSACTION READ ONLY", { drainAll: true });
      else await conn.begin();
      const value = await fn(conn, attempt);
      committing = true;
      await conn.commit();
      return value;
    } catch (raw) {
      const err = host.transactionError?.(conn, raw) ?? raw;
      if (!conn.closed && conn.inTransaction) await conn.rollback().catch(() => {});
      if (err instanceof OperationalError && err.errno === ER.LOCK_DEADLOCK && !conn.closed) {
        // The server rolled the whole transaction back: nothing of it was committed.
        if (conflicts >= retries || options.signal?.aborted === true) throw err;
        conflicts++;
        const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MS * 2 ** (conflicts - 1));
        await sleep(base / 2 + Math.random() * (base / 2), options.signal);
        continue;
      }
      if (isLost(conn, err)) {
        if (replayed < replays) {
          replayed++;
          continue;
        }
        if (committing || err instanceof TransactionResolutionUnknownError) throw err;
        const msg = `The transaction was lost with its connection before COMMIT, so nothing of it was committed; it was not replayed${
          replays > 0 ? ` again (replay: ${replays} spent)` : " (pass replay: N to replay an idempotent transaction)"
        }: ${err.message}`;
        throw (
          host.lostTransactionError?.(conn, msg, err) ?? new OperationalError(msg, { errno: err.errno, sqlState: err.sqlState, cause: err })
        );
      }
      throw err;
    } finally {
      host.release(conn);
    }
  }
}
