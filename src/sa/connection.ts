// SAConnection: a pooled aiomysql connection that runs SQL strings and query builders' queries,
// with SQLAlchemy's transaction handles.
import { classifyStatement, leavesSessionState } from "../cluster/classify.js";
import type { Connection } from "../connection.js";
import type { Cursor } from "../cursors.js";
import { InterfaceError, MySQLError, ProgrammingError } from "../errors.js";
import { ER } from "../protocol/er.js";
import type { Pool } from "../pool.js";
import type { SqlText } from "../sql/escape.js";
import { qmarkText } from "../sql/qmark.js";
import type { SqlParam, SqlValue } from "../types.js";
import type { Dialect } from "./dialect.js";
import { plan, type Plan, type Query } from "./query.js";
import { ResultProxy } from "./result.js";
import { NestedTransaction, RootTransaction, Transaction, TwoPhaseTransaction } from "./transaction.js";

/** @internal What an SAConnection needs from its engine. */
export interface SAConnectionOwner {
  readonly dialect: Dialect;
  release(conn: SAConnection): void;
}

/** Options of `commitPrepared()` / `rollbackPrepared()`. */
export interface PreparedOptions {
  /**
   * Whether the XA transaction was prepared. When false, XA END is sent first. Defaults to true,
   * or, for this connection's own transaction, to whether it was prepared.
   */
  isPrepared?: boolean;
}

/**
 * A connection of an Engine (`await engine.acquire()`): runs SQL strings and query builders'
 * queries, and manages transactions. `close()` (or `await using`) rolls back what is still open
 * and gives the connection back to the engine.
 */
export class SAConnection implements AsyncDisposable {
  private raw: Connection | null;
  private owner: SAConnectionOwner | null;
  private transaction: Transaction | null = null;
  private savepointSeq = 0;
  private readonly dialectValue: Dialect;
  /** The cluster pool that routes this connection's reads to replicas, or null (single server, read-only connection). */
  private readonly router: Pool | null;
  /** Set once a statement may have left session state here: reads stay on this connection. */
  private pinned = false;

  /**
   * @internal Made by Engine.acquire(). With `router` (a cluster pool), a read outside a
   * transaction runs on a replica, as `pool.query()` routes it.
   */
  constructor(connection: Connection, owner: SAConnectionOwner, router: Pool | null = null) {
    this.raw = connection;
    this.owner = owner;
    this.dialectValue = owner.dialect;
    this.router = router;
  }

  /** The engine's dialect. */
  get dialect(): Dialect {
    return this.dialectValue;
  }

  /** The underlying aiomysql Connection. @throws InterfaceError once closed. */
  get connection(): Connection {
    return this.live();
  }

  /** @internal The engine this connection belongs to (null once closed). */
  get engine(): SAConnectionOwner | null {
    return this.owner;
  }

  /**
   * True once close() was called, the engine released the connection, or the connection
   * underneath is closed (terminate() of the engine, a lost server), as in aiomysql.
   */
  get closed(): boolean {
    return this.raw === null || this.raw.closed;
  }

  /** True while a transaction begun on this connection is active. */
  get inTransaction(): boolean {
    return this.transaction !== null && this.transaction.isActive;
  }

  private live(): Connection {
    if (this.raw === null) throw new InterfaceError("This SAConnection is closed");
    return this.raw;
  }

  /**
   * Runs a query and resolves to its ResultProxy. `query` is an SQL string, with `%s` (or `%d`,
   * `%f`) and `%(name)s` placeholders and `%%` for a literal percent sign, or a query builder's
   * query (Kysely's, anything with `compile()`; Drizzle's and Knex's, anything with `toSQL()`),
   * whose `?` parameters are bound client-side.
   *
   * `multiparams`: separate values or one array are positional parameters; one object is named
   * parameters; one array whose items are all arrays or objects runs the statement once per
   * item (then `rowCount` is the total).
   * ```ts
   * await conn.execute("INSERT INTO t (id, val) VALUES (%s, %s)", 1, "v1");
   * await conn.execute("INSERT INTO t (id, val) VALUES (%(id)s, %(val)s)", { id: 2, val: "v2" });
   * await conn.execute("INSERT INTO t (id, val) VALUES (%s, %s)", [[3, "a"], [4, "b"]]);
   * const res = await conn.execute<{ id: number; val: string }>(db.selectFrom("t").selectAll());
   * ```
   * @throws ProgrammingError for placeholders and arguments that do not match.
   */
  async execute<T extends object = Record<string, SqlValue>>(query: Query, ...multiparams: unknown[]): Promise<ResultProxy<T>> {
    const conn = this.live();
    const p = plan(query, multiparams);
    if (this.router !== null && this.routesToReplica(conn, p)) return this.executeOnReplica<T>(this.router, p);
    return this.executeOn<T>(conn, p);
  }

  /**
   * On a cluster engine: true when the plan is reads only and may run on a replica (no
   * transaction here, none open on the server, nothing on this connection's session that a
   * replica would lack). A statement that may leave session state (SET, CREATE TEMPORARY
   * TABLE, LOCK TABLES, a user variable, ...) pins this connection to its own node for good.
   */
  private routesToReplica(conn: Connection, p: Plan): boolean {
    const texts = p.kind === "qmark" ? p.statements.map((s) => s.sql) : [p.sql];
    if (texts.length === 0) return false;
    if (texts.some(leavesSessionState)) this.pinned = true;
    if (this.pinned || this.transaction !== null || conn.inTransaction) return false;
    return texts.every((t) => classifyStatement(t) === "read");
  }

  /** Runs a read on a replica of the cluster (after this pool's writes, when `causalReads` is on). */
  private async executeOnReplica<T extends object>(router: Pool, p: Plan): Promise<ResultProxy<T>> {
    const replica = await router.acquire({ readOnly: true });
    try {
      const result = await this.executeOn<T>(replica, p);
      // With autocommit off the read opened an implicit transaction there: end it.
      if (replica.inTransaction) await replica.commit();
      return result;
    } finally {
      router.release(replica);
    }
  }

  private async executeOn<T extends object>(conn: Connection, p: Plan): Promise<ResultProxy<T>> {
    const cursor = conn.cursor() as Cursor<unknown>;
    try {
      let rowCount: number | undefined;
      switch (p.kind) {
        case "format":
          await cursor.execute(p.sql, p.args);
          break;
        case "formatMany":
          rowCount = (await cursor.executeMany(p.sql, p.list)) ?? 0;
          break;
        case "qmark":
          if (p.statements.length === 0) throw new ProgrammingError("execute(): the query has no statements");
          for (const s of p.statements) await cursor.executeText(this.bind(conn, s.sql, s.params));
          break;
        case "qmarkMany":
          rowCount = 0;
          for (const params of p.list) rowCount += await cursor.executeText(this.bind(conn, p.sql, params));
          break;
      }
      return new ResultProxy<T>(cursor, this.dialectValue, rowCount);
    } catch (e) {
      await cursor.close().catch(() => {});
      throw e;
    }
  }

  /** The statement with its `?` bound, formatted when it is written if its text depends on the sql_mode. */
  private bind(conn: Connection, sql: string, params: readonly unknown[]): SqlText {
    return qmarkText(sql, params as readonly SqlParam[], conn.options.timezone);
  }

  /** Runs a query and resolves to the first column of its first row, or null. */
  async scalar<V = SqlValue>(query: Query, ...multiparams: unknown[]): Promise<V | null> {
    const res = await this.execute(query, ...multiparams);
    return res.scalar<V>();
  }

  /** @internal Runs one statement with no parameters and discards its result. */
  async run(sql: string): Promise<void> {
    const cursor = this.live().cursor();
    try {
      await cursor.execute(sql);
    } finally {
      await cursor.close();
    }
  }

  /**
   * Begins a transaction (BEGIN) and returns its handle. Called again while one is in progress,
   * returns an emulated inner transaction: only the outermost `commit()` commits, and a
   * `rollback()` of any of them rolls back the whole.
   */
  async begin(): Promise<Transaction> {
    this.live();
    if (this.transaction === null) {
      const root = new RootTransaction(this);
      this.transaction = root;
      try {
        await this.run("BEGIN");
      } catch (e) {
        this.transaction = null;
        throw e;
      }
      return root;
    }
    return new Transaction(this, this.transaction);
  }

  /**
   * Begins a nested transaction on a SAVEPOINT (or, when no transaction is in progress, a
   * transaction). Its `commit()` releases the savepoint and its `rollback()` rolls back to it;
   * the outermost transaction still commits or rolls back the whole.
   */
  async beginNested(): Promise<Transaction> {
    this.live();
    if (this.transaction === null) return this.begin();
    const nested = new NestedTransaction(this, this.transaction);
    const name = `aiomysql_sa_savepoint_${++this.savepointSeq}`;
    await this.run(`SAVEPOINT ${name}`);
    nested.savepoint = name;
    this.transaction = nested;
    return nested;
  }

  /**
   * Begins an XA (two-phase) transaction with id `xid` (a random one when omitted). Like BEGIN,
   * it first commits a transaction the server holds implicitly (autocommit off).
   * @throws InterfaceError when a transaction is already in progress.
   */
  async beginTwophase(xid?: string): Promise<TwoPhaseTransaction> {
    this.live();
    if (this.transaction !== null) {
      throw new InterfaceError("Cannot start a two phase transaction when a transaction is already in progress");
    }
    const id = xid ?? this.dialectValue.createXid();
    checkXid(id);
    const trans = new TwoPhaseTransaction(this, id);
    this.transaction = trans;
    try {
      await this.endImplicitTransaction();
      await this.run(`XA START ${this.literal(id)}`);
    } catch (e) {
      this.transaction = null;
      throw e;
    }
    return trans;
  }

  /**
   * With autocommit off, the server holds an implicit transaction after any statement, and XA
   * statements refuse to run inside it (XAER_OUTSIDE). End it the way BEGIN would: commit it.
   * (The status flag only shows transactions that touched tables, so this commits whenever
   * autocommit is off.)
   */
  private async endImplicitTransaction(): Promise<void> {
    const raw = this.live();
    if (raw.inTransaction || !raw.getAutocommit()) await this.run("COMMIT");
  }

  private literal(xid: string): string {
    return this.live().escape(xid);
  }

  /** @internal XA END, XA PREPARE. */
  async prepareTwophaseImpl(xid: string): Promise<void> {
    await this.run(`XA END ${this.literal(xid)}`);
    await this.run(`XA PREPARE ${this.literal(xid)}`);
  }

  /** Ids of the prepared XA transactions on the server (XA RECOVER), as strings. */
  async recoverTwophase(): Promise<string[]> {
    const res = await this.execute("XA RECOVER");
    const rows = await res.fetchAll();
    return rows.map((row) => {
      const data = row.get("data");
      const length = Number(row.get("gtrid_length"));
      const text = Buffer.isBuffer(data) ? data.subarray(0, length).toString("utf8") : String(data).slice(0, length);
      return text;
    });
  }

  private ownTwophase(xid: string): TwoPhaseTransaction | null {
    const t = this.transaction;
    return t instanceof TwoPhaseTransaction && t.xid === xid ? t : null;
  }

  /**
   * Rolls back the prepared XA transaction `xid` (XA ROLLBACK). When it is this connection's own
   * transaction, that transaction ends, so another may begin. On a connection without a
   * transaction of its own, autocommit is turned on for the statement (the server requires it),
   * which commits an implicit transaction as BEGIN would.
   */
  async rollbackPrepared(xid: string, options: PreparedOptions = {}): Promise<void> {
    checkXid(xid);
    const own = this.ownTwophase(xid);
    await this.endingTwophase(own, async () => {
      if (!(options.isPrepared ?? own?.isPrepared ?? true)) await this.run(`XA END ${this.literal(xid)}`);
      await this.run(`XA ROLLBACK ${this.literal(xid)}`);
    });
  }

  /**
   * Commits the prepared XA transaction `xid` (XA COMMIT). When it is this connection's own
   * transaction, that transaction ends, so another may begin. On a connection without a
   * transaction of its own, autocommit is turned on for the statement (the server requires it),
   * which commits an implicit transaction as BEGIN would.
   */
  async commitPrepared(xid: string, options: PreparedOptions = {}): Promise<void> {
    checkXid(xid);
    const own = this.ownTwophase(xid);
    await this.endingTwophase(own, async () => {
      if (options.isPrepared ?? own?.isPrepared ?? true) {
        await this.run(`XA COMMIT ${this.literal(xid)}`);
      } else {
        // An ended but unprepared XA transaction commits in one phase.
        await this.run(`XA END ${this.literal(xid)}`);
        await this.run(`XA COMMIT ${this.literal(xid)} ONE PHASE`);
      }
    });
  }

  /** Runs `fn`; then this connection's own XA transaction `own` is over, also when the server no longer knows it. */
  private async endingTwophase(own: TwoPhaseTransaction | null, fn: () => Promise<void>): Promise<void> {
    try {
      if (own === null && this.transaction === null && !this.live().getAutocommit()) {
        // Another connection's XA transaction: with autocommit off the server refuses XA COMMIT
        // and XA ROLLBACK (XAER_OUTSIDE), so turn it on for the statement (which, as BEGIN
        // would, commits an implicit transaction).
        const raw = this.live();
        await raw.autocommit(true);
        try {
          await fn();
        } finally {
          await raw.autocommit(false);
        }
      } else {
        await fn();
      }
    } catch (e) {
      if (own !== null && e instanceof MySQLError && e.errno === ER.XAER_NOTA) this.endTwophase(own);
      throw e;
    }
    if (own !== null) this.endTwophase(own);
  }

  private endTwophase(t: TwoPhaseTransaction): void {
    t.markEnded();
    if (this.transaction === t) this.transaction = null;
  }

  /** @internal COMMIT of the outermost transaction. */
  async commitImpl(): Promise<void> {
    try {
      await this.run("COMMIT");
    } finally {
      this.transaction = null;
    }
  }

  /** @internal ROLLBACK of the outermost transaction. */
  async rollbackImpl(): Promise<void> {
    try {
      if (this.raw !== null) await this.run("ROLLBACK");
    } finally {
      this.transaction = null;
    }
  }

  /** @internal ROLLBACK TO SAVEPOINT. */
  async rollbackToSavepointImpl(name: string, parent: Transaction): Promise<void> {
    try {
      await this.run(`ROLLBACK TO SAVEPOINT ${name}`);
    } finally {
      this.transaction = parent;
    }
  }

  /** @internal RELEASE SAVEPOINT. */
  async releaseSavepointImpl(name: string, parent: Transaction): Promise<void> {
    try {
      await this.run(`RELEASE SAVEPOINT ${name}`);
    } finally {
      this.transaction = parent;
    }
  }

  /** @internal Detaches the raw connection (Engine.release()); the SAConnection is closed after. */
  detach(): Connection | null {
    const raw = this.raw;
    this.raw = null;
    this.owner = null;
    return raw;
  }

  /**
   * Rolls back any transaction still open and gives the connection back to its engine. The
   * SAConnection is closed for good afterwards.
   */
  async close(): Promise<void> {
    if (this.raw === null) return;
    try {
      while (this.transaction !== null) {
        const t = this.transaction;
        if (t.isActive) await t.rollback();
        if (this.transaction === t) this.transaction = null;
      }
    } catch (e) {
      // On a connection that is gone there is nothing left to roll back.
      if (!this.raw.closed) throw e;
    } finally {
      this.transaction = null;
      const owner = this.owner;
      if (owner !== null) owner.release(this);
      else this.detach();
    }
  }

  /** Closes the connection (`await using conn = await engine.acquire()`). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function checkXid(xid: unknown): asserts xid is string {
  if (typeof xid !== "string" || xid.length === 0 || Buffer.byteLength(xid) > 64) {
    throw new ProgrammingError(`An XA transaction id must be a non-empty string of at most 64 bytes, got ${JSON.stringify(xid)}`);
  }
}
