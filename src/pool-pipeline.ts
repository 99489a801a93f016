// Pipelining for Pool.query() / Pool.execute(). When every connection of the pool is busy, a
// statement that cannot leave anything behind on its connection is written onto the
// connection with the fewest statements in flight, behind the ones already there, instead of
// waiting for a connection to come free. The protocol answers commands in order, so each
// caller gets its own result; an ERR packet ends only its own command.
//
// A statement qualifies when it is one statement that leaves no session state and commits on
// its own: the session is in autocommit mode, the call has no signal or timeout (a KILL QUERY
// could hit a neighbour's statement), the cursor is a buffered one, and the SQL starts with
// SELECT / INSERT / UPDATE / DELETE / REPLACE / WITH / VALUES / TABLE and names none of the
// things that leave state or read another statement's (user variables, locks, FOUND_ROWS,
// LAST_INSERT_ID, ROW_COUNT, `;`). Anything else takes a connection of its own, as before.
import type { Connection } from "./connection.js";
import { SSCursor } from "./ss-cursors.js";
import type { ResolvedOptions } from "./options.js";

/** What the pipeliner needs from its pool. */
export interface PipelineHost {
  /** A connection of its own for the caller (waits, as acquire() does). */
  acquire(): Promise<Connection>;
  release(conn: Connection): void;
  /** True when acquire() would not wait: a free connection, or room to open one. */
  canAcquireNow(): boolean;
  /** acquire() calls waiting now: while there are any, nothing more is piled onto busy connections. */
  waiting(): number;
}

/** Statements that may share a connection (see the file comment). */
const LEADING = /^[\s(]*(?:SELECT|INSERT|UPDATE|DELETE|REPLACE|WITH|VALUES|TABLE)\b/i;
const STATEFUL =
  /[;@]|\b(?:GET_LOCK|RELEASE_LOCK|RELEASE_ALL_LOCKS|FOR\s+UPDATE|LOCK\s+IN\s+SHARE\s+MODE|SQL_CALC_FOUND_ROWS|FOUND_ROWS|LAST_INSERT_ID|ROW_COUNT|TEMPORARY|LOCAL\s+INFILE|SLEEP|BENCHMARK|NEXT\s+VALUE|NEXTVAL|SETVAL|LASTVAL)\b/i;

/** Whether `sql` is a single statement that leaves no session state behind. */
export function isPipelinableSql(sql: string): boolean {
  return LEADING.test(sql) && !STATEFUL.test(sql);
}

/** Counters of the pipeliner, part of `Pool.stats()`. */
export interface PipelineCounters {
  /** Total statements written onto a connection that already had statements in flight. */
  pipelined: number;
  /** The most statements in flight on one connection at once. */
  peakDepth: number;
}

/** A connection lent to query()/execute() statements, or one being acquired for them. */
interface Slot {
  /** Resolves to the connection once the pool has handed it over. */
  ready: Promise<Connection>;
  conn: Connection | null;
  /** Statements using it now (in flight, or waiting for `ready`). */
  load: number;
}

/** Connections lent to pool.query()/execute() statements, with their statements in flight. */
export class QueryPipeline {
  private readonly slots = new Set<Slot>();
  private readonly byConn = new Map<Connection, Slot>();
  /** Slots still waiting for their connection. */
  private pending = 0;
  readonly counters: PipelineCounters = { pipelined: 0, peakDepth: 0 };

  constructor(
    private readonly host: PipelineHost,
    /** Most statements in flight per connection (1: no pipelining). */
    readonly depth: number,
  ) {}

  /**
   * A connection for one qualifying statement: a connection of its own when one is free (or
   * can be opened); else the least-loaded lent one below the depth bound (possibly one still
   * on its way from the pool); else a new one from the pool's queue. Give it back with `done()`.
   */
  async take(): Promise<Connection> {
    // Callers of acquire() waiting besides our own slots: pile nothing more onto busy connections.
    const othersWaiting = this.host.waiting() > this.pending;
    if (!this.host.canAcquireNow() && !othersWaiting) {
      let best: Slot | null = null;
      for (const slot of this.slots) {
        if (slot.load >= this.depth || (best !== null && slot.load >= best.load)) continue;
        const c = slot.conn;
        if (c !== null && (c.closed || !c.getAutocommit() || c.inTransaction)) continue;
        best = slot;
      }
      if (best !== null) {
        best.load++;
        this.counters.pipelined++;
        if (best.load > this.counters.peakDepth) this.counters.peakDepth = best.load;
        return best.conn ?? best.ready;
      }
    }
    const slot: Slot = { ready: this.host.acquire(), conn: null, load: 1 };
    this.slots.add(slot);
    this.pending++;
    if (this.counters.peakDepth === 0) this.counters.peakDepth = 1;
    try {
      const conn = await slot.ready;
      slot.conn = conn;
      this.byConn.set(conn, slot);
      return conn;
    } catch (e) {
      // The statements that joined this slot see the same error through `ready`.
      this.slots.delete(slot);
      throw e;
    } finally {
      this.pending--;
    }
  }

  /** The statement on `conn` is done: the last one out releases the connection to the pool. */
  done(conn: Connection): void {
    const slot = this.byConn.get(conn);
    if (slot === undefined) return;
    if (--slot.load > 0) return;
    this.slots.delete(slot);
    this.byConn.delete(conn);
    this.host.release(conn);
  }

  /** Runs `fn` on a connection from `take()` and gives it back. */
  async run<T>(fn: (conn: Connection) => Promise<T>): Promise<T> {
    const conn = await this.take();
    try {
      const result = await fn(conn);
      // Only if the session was not in autocommit mode after all (changed by an earlier user):
      // commit, as Pool.query() does on a connection of its own.
      if (conn.inTransaction) await conn.commit();
      return result;
    } finally {
      this.done(conn);
    }
  }

  /** The pipeliner of a pool, or null when its settings or connect options rule pipelining out. */
  static forPool(depth: number, connect: ResolvedOptions, host: PipelineHost): QueryPipeline | null {
    return depth > 1 && QueryPipeline.poolAllows(connect) ? new QueryPipeline(host, depth) : null;
  }

  /** The counters of `Pool.stats()` (zero without a pipeliner). */
  static stats(p: QueryPipeline | null): { pipelined: number; peakPipelineDepth: number } {
    return { pipelined: p?.counters.pipelined ?? 0, peakPipelineDepth: p?.counters.peakDepth ?? 0 };
  }

  /** Whether this call may share a connection: see the file comment. */
  accepts(sql: string, options: { signal?: unknown; timeout?: unknown; cursorClass?: unknown }): boolean {
    return QueryPipeline.qualifies(sql, options);
  }

  /** Whether a call with these options may share a connection: see the file comment. */
  static qualifies(sql: string, options: { signal?: unknown; timeout?: unknown; cursorClass?: unknown }): boolean {
    return (
      typeof sql === "string" &&
      options.signal === undefined &&
      options.timeout === undefined &&
      options.cursorClass === undefined &&
      isPipelinableSql(sql)
    );
  }

  /** Whether a pool's connections may share statements at all: autocommit, buffered cursors. */
  static poolAllows(o: ResolvedOptions): boolean {
    const cls = o.cursorClass as unknown;
    return (
      o.autocommit === true && (cls === null || !(cls === SSCursor || (typeof cls === "function" && cls.prototype instanceof SSCursor)))
    );
  }
}
