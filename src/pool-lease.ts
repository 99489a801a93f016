// Pool leases: what acquire() hands out. Each acquire() gets its own lease, a stand-in for the
// pooled Connection that forwards everything to it until the lease is released. A lease is
// one-shot: once released, releasing it again is a no-op and using it is an InterfaceError, so a
// previous borrower holding a stale reference can neither give back nor drive the session that
// the pool has since handed to someone else.
import type { Connection } from "./connection.js";
import { InterfaceError } from "./errors.js";

/** One borrowing of a pooled connection. */
export interface Lease {
  /** The pooled connection itself. */
  readonly conn: Connection;
  /** What the borrower holds: forwards to `conn` while the lease is live. */
  readonly handle: Connection;
  /** Set once the lease has been given back. */
  released: boolean;
}

/** A caller of acquire() waiting for a connection. */
export interface Waiter {
  resolve(conn: Connection): void;
  reject(err: Error): void;
  /** Where acquire() was called, for the held-too-long warning. */
  stack: Error | undefined;
}

/** A connection in use: its held-too-long timer and its lease. */
export interface Holding {
  timer: NodeJS.Timeout | undefined;
  /** The borrowing that holds the connection now. */
  lease: Lease;
}

/** Lease of each handle ever handed out (handles are only reachable through their borrowers). */
const leases = new WeakMap<object, Lease>();

/** The lease behind `handle`, or undefined when it is not a lease handle (a bare Connection). */
export function leaseOf(handle: object): Lease | undefined {
  return leases.get(handle);
}

/**
 * The pooled connection behind `handle` (itself when it is not a lease): the same object for
 * every lease of one connection, for callers that keep per-connection state (the Kysely driver).
 */
export function pooledConnection(handle: Connection): Connection {
  return leases.get(handle)?.conn ?? handle;
}

function releasedError(what: string): InterfaceError {
  return new InterfaceError(
    `${what}: this pooled connection was released back to its pool and may now belong to another caller; acquire() a new one`,
  );
}

/**
 * Creates the lease of one acquire(). `release` is what disposing the handle does (the pool's
 * release of this lease).
 *
 * Methods run with the connection itself as `this` (it keeps #private state a stand-in cannot
 * reach), except `cursor()`, which runs on the handle so that its cursors go through the lease
 * too: a cursor kept after release() cannot reach the next borrower's session either.
 */
export function createLease(conn: Connection, release: (handle: Connection) => void): Lease {
  const bound = new Map<PropertyKey, unknown>();
  const lease: Lease = { conn, handle: conn, released: false };
  const handle = new Proxy(conn, {
    get(target, key) {
      if (key === "then") return undefined; // a lease is not a thenable
      if (key === Symbol.asyncDispose) {
        return async () => {
          if (!lease.released) release(handle);
        };
      }
      // The session is the packet path itself: a released lease (and its cursors) cannot reach it.
      if (key === "session" && lease.released) throw releasedError("the session");
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      if (lease.released) {
        return () => {
          throw releasedError(`${String(key)}()`);
        };
      }
      let fn = bound.get(key);
      if (fn === undefined || (fn as { original?: unknown }).original !== value) {
        const original = value as (...args: unknown[]) => unknown;
        const self = key === "cursor" ? handle : target;
        const wrapper = (...args: unknown[]): unknown => {
          if (lease.released) throw releasedError(`${String(key)}()`);
          return Reflect.apply(original, self, args);
        };
        fn = Object.assign(wrapper, { original });
        bound.set(key, fn);
      }
      return fn;
    },
    set(target, key, value) {
      if (lease.released) throw releasedError(`setting ${String(key)}`);
      return Reflect.set(target, key, value, target);
    },
  });
  (lease as { handle: Connection }).handle = handle;
  leases.set(handle, lease);
  return lease;
}

/**
 * Makes a released connection fit for the next borrower: waits for its commands, then resets
 * the session (`reset`) or rolls back a transaction that may be open (`onRollback` counts it),
 * each bounded by `timeoutSeconds`. Resolves whether it may be lent again.
 */
export async function cleanForReuse(conn: Connection, reset: boolean, timeoutSeconds: number, onRollback: () => void): Promise<boolean> {
  await conn.settle();
  if (reset) {
    // COM_RESET_CONNECTION also rolls back whatever transaction was open.
    await conn.resetConnection({ timeout: timeoutSeconds });
  } else if (conn.mayBeInTransaction) {
    await conn.rollback({ timeout: timeoutSeconds });
    onRollback();
  }
  return !conn.mayBeInTransaction && !conn.closed;
}
