// The DB-API cursors: Cursor and DictCursor buffer whole results; SSCursor and SSDictCursor
// stream them from the server with bounded memory.
import type { QueryCommand, QueryOutcome, ResultSet } from "./session/commands/query.js";
import { Cancellation } from "./cancel.js";
import type { Connection } from "./connection.js";
import { withCallerFrames } from "./caller-frames.js";
import { InterfaceError, ProgrammingError } from "./errors.js";
import { dependsOnMode, escape, interpolate, interpolateText, type SqlText } from "./sql/escape.js";
import { toQmark } from "./sql/qmark.js";
import { bulkExecute, bulkStatement } from "./bulk.js";
import { ARRAY_ROWS, type RowShape } from "./protocol/rows.js";
import type { ColumnDefinition, DictRow, Row, SqlArgs, SqlParam } from "./types.js";
import { describe, type ColumnDescription } from "./column-description.js";

/** A cursor class, as `conn.cursor(DictCursor)` takes it. */
export type CursorClass<C extends Cursor<unknown> = Cursor<unknown>> = new (connection: Connection) => C;

export type { ColumnDescription } from "./column-description.js";

/** Options of execute/executeMany/callProc: cancellation and a deadline. */
export interface ExecuteOptions {
  /** Cancels the statement (it is also stopped on the server). */
  signal?: AbortSignal;
  /** Seconds before the statement is cancelled. */
  timeout?: number;
  /**
   * Runs the statement as a server-side prepared statement (binary protocol), kept in the
   * connection's LRU statement cache: `%s` / `%(name)s` become `?` and each argument is bound
   * with its real type. `execute()` only.
   */
  prepare?: boolean;
  /**
   * `executeMany()` of an INSERT/REPLACE ... VALUES on MariaDB: true sends the rows as typed
   * parameters of one prepared statement with COM_STMT_BULK_EXECUTE (many rows per command);
   * false (the default: measured no faster, see docs/bulk-insert.md) builds multi-row INSERT statements.
   * Rows must be arrays of `%s` arguments for the bulk path; other rows always take the multi-row path.
   */
  bulk?: boolean;
}

/** Whether executeMany uses COM_STMT_BULK_EXECUTE when the server offers it and `bulk` is not given. */
const BULK_DEFAULT = false;

/** PyMySQL's pattern for INSERT/REPLACE ... VALUES (...) that executeMany can batch. */
const INSERT_VALUES =
  /^\s*((?:INSERT|REPLACE)\b.+\bVALUES?\s*)(\(\s*(?:%s|%\(.+\)s)\s*(?:,\s*(?:%s|%\(.+\)s)\s*)*\))(\s*(?:ON\s+DUPLICATE.*)?);?\s*$/is;

/** Upper bound of one batched statement, below max_allowed_packet. */
const MAX_BATCH_BYTES = 1024 * 1024;

/** executeMany yields to the event loop every so many rows while a batch is in flight. */
const YIELD_EVERY = 100;

/** A procedure name: identifiers, optionally qualified, optionally backquoted. */
const PROC_NAME = /^(?:[A-Za-z0-9_$]+|`(?:[^`]|``)+`)(?:\.(?:[A-Za-z0-9_$]+|`(?:[^`]|``)+`))?$/;

/**
 * The default cursor: rows are arrays, the whole result is buffered on execute.
 * `R` is the row type that fetch methods return; pass your own through the generics of
 * `fetchOne<T>()`, `fetchAll<T>()`, ... when you know it.
 */
export class Cursor<R = Row> implements AsyncDisposable, AsyncIterable<R> {
  private conn: Connection | null;
  /** The rows of the current result (buffered cursors). */
  protected rows: unknown[] = [];
  private results: ResultSet[] = [];
  /** The error that follows the last result set, raised by the nextSet() that reaches it. */
  private resultsError: Error | null = null;
  private resultIndex = 0;
  private busy = false;
  private rowCountValue = -1;
  private rowNumberValue: number | null = null;
  private lastRowIdValue: number | bigint | null = null;
  private descriptionValue: ColumnDescription[] | null = null;
  /** Columns whose description is built on first access (most callers never read it). */
  private describedColumns: ColumnDefinition[] | null = null;
  private executedSql: string | null = null;
  private warningCountValue = 0;
  /** How many rows fetchMany() returns by default (1, as DB-API says). */
  arraySize = 1;

  constructor(connection: Connection) {
    this.conn = connection;
  }

  /** The connection this cursor was created on. */
  get connection(): Connection {
    if (this.conn === null) throw new InterfaceError("Cursor is closed");
    return this.conn;
  }

  /** True when the connection logs executed SQL (false once the cursor is closed). */
  get echo(): boolean {
    return this.conn?.echo ?? false;
  }

  /** One entry per column of the current result, or null when it has no rows. */
  get description(): ColumnDescription[] | null {
    const columns = this.describedColumns;
    if (columns !== null) {
      this.describedColumns = null;
      this.descriptionValue = columns.map(describe);
    }
    return this.descriptionValue;
  }

  /** Rows produced (SELECT) or affected (INSERT/UPDATE/DELETE) by the last statement; -1 if unknown. */
  get rowCount(): number {
    return this.rowCountValue;
  }

  /** 0-based index of the next row in the current result, or null. */
  get rowNumber(): number | null {
    return this.rowNumberValue;
  }

  /** AUTO_INCREMENT value of the last INSERT, or null. */
  get lastRowId(): number | bigint | null {
    return this.lastRowIdValue;
  }

  /** The SQL text last sent by execute(), after interpolation. */
  get lastExecuted(): string | null {
    return this.executedSql;
  }

  /** Warnings the server reported for the current result. */
  get warningCount(): number {
    return this.warningCountValue;
  }

  /** True once the cursor is closed (detached from its connection). */
  get closed(): boolean {
    return this.conn === null;
  }

  /** The row shape of this cursor class (arrays; DictCursor: objects). */
  protected rowShape(): RowShape {
    return ARRAY_ROWS;
  }

  protected checkOpen(): Connection {
    if (this.conn === null) throw new InterfaceError("Cursor is closed");
    if (this.conn.closed) throw this.conn.closedError();
    return this.conn;
  }

  /** Interpolates `args` into `query` exactly as execute() would, without running it. */
  mogrify(query: string, args?: SqlArgs | SqlParam | null): string {
    const conn = this.checkOpen();
    if (typeof query !== "string") throw new ProgrammingError("query must be a string");
    return interpolate(query, args as SqlArgs | null | undefined, {
      noBackslashEscapes: conn.noBackslashEscapes,
      timeZone: conn.options.timezone,
    });
  }

  /** Runs a statement, substituting `%s` / `%(name)s` placeholders; resolves to rowCount. */
  async execute(query: string, args?: SqlArgs | SqlParam | null, options?: ExecuteOptions): Promise<number> {
    if (options?.prepare) {
      this.checkOpen();
      if (typeof query !== "string") throw new ProgrammingError("query must be a string");
      const { sql, params } = toQmark(query, args);
      await this.cancellable(options, "execute()", (cancel) => this.guard(() => this.run(sql, cancel, params)));
      return this.rowCount;
    }
    const conn = this.checkOpen();
    if (typeof query !== "string") throw new ProgrammingError("query must be a string");
    const sql = interpolateText(query, args as SqlArgs | SqlParam, conn.options.timezone);
    // A class that runs statements its own way (SSCursor streams) overrides run().
    if (options === undefined && this.run === Cursor.prototype.run) {
      // guard() and run() inlined: two async frames less per statement on the common path.
      if (this.busy) throw new ProgrammingError("this cursor is busy with another operation: await it first, or use another cursor");
      this.busy = true;
      try {
        this.applyOutcome(await conn.session.query(this.noteExecuted(sql), { shape: this.rowShape() }));
      } catch (e) {
        // Statement errors arrive in a socket callback: give them the caller's frames.
        throw withCallerFrames(e);
      } finally {
        this.busy = false;
      }
    } else {
      await this.cancellable(options, "execute()", (cancel) => this.guard(() => this.run(sql, cancel)));
    }
    return this.rowCount;
  }

  /**
   * @internal Runs statement text as it is, without `%` processing: aiomysql/sa and other
   * builders bind their own parameters (a formatter is formatted when the statement is written).
   */
  async executeText(sql: SqlText, options?: ExecuteOptions): Promise<number> {
    await this.cancellable(options, "execute()", (cancel) => this.guard(() => this.run(sql, cancel)));
    return this.rowCount;
  }

  /** Runs `fn` under the `signal` / `timeout` of `options`. */
  protected async cancellable<T>(
    options: ExecuteOptions | undefined,
    what: string,
    fn: (cancel: Cancellation | null) => Promise<T>,
  ): Promise<T> {
    const cancel = Cancellation.start(this.checkOpen().session, options, what);
    if (cancel === null) return fn(null);
    try {
      return await fn(cancel);
    } catch (e) {
      throw cancel.wrap(e);
    } finally {
      cancel.release();
    }
  }

  /** Serialises the cursor's own operations, which share its result state. */
  protected async guard<T>(fn: () => Promise<T>): Promise<T> {
    if (this.busy) throw new ProgrammingError("this cursor is busy with another operation: await it first, or use another cursor");
    this.busy = true;
    try {
      return await fn();
    } finally {
      this.busy = false;
    }
  }

  /** Sends `sql` (as a prepared statement when `params` is given) and loads its first result. */
  protected async run(sql: SqlText, cancel: Cancellation | null = null, params?: readonly SqlParam[]): Promise<void> {
    try {
      const conn = this.checkOpen();
      // Buffered cursors have nothing to discard: the query is queued in this same tick.
      const discarding = this.discardPending();
      if (discarding) await discarding;
      sql = this.noteExecuted(sql);
      cancel?.check();
      const track = cancel ? (cmd: QueryCommand) => cancel.track(cmd) : undefined;
      let outcome: QueryOutcome;
      if (params) {
        const cmd = await conn.executePrepared(sql as string, params, this.rowShape(), false, cancel !== null);
        track?.(cmd);
        outcome = await cmd.promise;
      } else {
        outcome = await conn.session.query(sql, track ? { shape: this.rowShape(), onCommand: track } : { shape: this.rowShape() });
      }
      // Cancelled too late to stop it: the call still reports the cancellation.
      cancel?.check();
      this.applyOutcome(outcome);
    } catch (e) {
      // Statement errors arrive in a socket callback: give them the caller's frames.
      throw withCallerFrames(e);
    }
  }

  /** Takes the results of a statement and loads the first one. */
  private applyOutcome(outcome: QueryOutcome): void {
    this.results = outcome.results;
    this.resultsError = outcome.error;
    this.resultIndex = 0;
    this.loadResult(this.results[0]!);
  }

  /** Records `sql` as the last statement executed; a formatter records the text it writes. */
  protected noteExecuted(sql: SqlText): SqlText {
    if (typeof sql === "string") {
      this.executedSql = sql;
      return sql;
    }
    this.executedSql = sql(false);
    return (noBackslashEscapes) => (this.executedSql = sql(noBackslashEscapes));
  }

  /** Subclasses that stream drain their unread rows here before the next statement. */
  protected discardPending(): Promise<void> | undefined {
    return undefined;
  }

  protected loadResult(r: ResultSet): void {
    this.setResultInfo(r);
    this.rows = r.rows;
    this.rowNumberValue = 0;
    this.rowCountValue = r.columns === null ? Number(r.affectedRows) : r.rows.length;
  }

  protected setResultInfo(r: { columns: ColumnDefinition[] | null; insertId: number | bigint; warnings: number }): void {
    this.descriptionValue = null;
    this.describedColumns = r.columns;
    this.lastRowIdValue = r.columns === null ? r.insertId : null;
    this.warningCountValue = r.warnings;
  }

  protected setRowCount(n: number): void {
    this.rowCountValue = n;
  }

  protected setRowNumber(n: number | null): void {
    this.rowNumberValue = n;
  }

  /**
   * Runs `query` once per item of `args`. INSERT/REPLACE ... VALUES statements are sent as
   * multi-row statements (each below max_allowed_packet); others run one by one.
   * Resolves to the total rowCount, or null when `args` is empty (nothing is run).
   */
  async executeMany(query: string, args: Iterable<SqlArgs>, options?: ExecuteOptions): Promise<number | null> {
    const conn = this.checkOpen();
    if (typeof query !== "string") throw new ProgrammingError("executeMany(): query must be a string");
    if (args === null || args === undefined || typeof (args as Iterable<SqlArgs>)[Symbol.iterator] !== "function") {
      throw new ProgrammingError("executeMany(): args must be an array (or iterable) of argument lists");
    }
    const list = Array.from(args);
    // Nothing to run: no statement is sent and, as in aiomysql, there is no row count.
    if (list.length === 0) return null;
    // Batches are sized in the backslash-escaping form, never shorter than the other.
    const timeZone = conn.options.timezone;
    const escapeOptions = { timeZone };
    const m = INSERT_VALUES.exec(query);
    const bulk = m !== null && (options?.bulk ?? BULK_DEFAULT) ? bulkStatement(conn.session.mariadbCapabilities, query, list) : null;
    return this.cancellable(options, "executeMany()", (cancel) =>
      this.guard(async () => {
        let total = 0;
        if (bulk !== null) {
          this.executedSql = bulk;
          const limit = await conn.maxAllowedPacket();
          const stmt = await conn.prepare(bulk);
          let r: Awaited<ReturnType<typeof bulkExecute>>;
          try {
            r = await bulkExecute(conn.session, limit, stmt, list as SqlParam[][], () => cancel?.check());
          } finally {
            await stmt.close();
          }
          total = r.affectedRows;
          this.setResultInfo({ columns: null, insertId: r.insertId, warnings: r.warnings });
        } else if (m) {
          const [, prefixTemplate, valuesTemplate, postfixTemplate] = m;
          const prefix = interpolate(prefixTemplate!, [], escapeOptions);
          const postfix = interpolate(postfixTemplate!, [], escapeOptions);
          const limit = Math.min(MAX_BATCH_BYTES, (await conn.maxAllowedPacket()) - 1024);
          // One batch executes on the server while the next one is built; the next is only sent
          // once the previous has succeeded, so an error stops the run as before.
          let running: Promise<void> | null = null;
          const send = async (sql: SqlText): Promise<void> => {
            if (running !== null) {
              await running;
              total += this.rowCount;
            }
            running = this.run(sql, cancel);
            running.catch(() => {});
          };
          let parts: string[] = [];
          /** The arguments of the batch being built, and whether any of them depends on the sql_mode. */
          let batch: SqlArgs[] = [];
          let dependent = false;
          const batchText = (): SqlText => {
            const text = prefix + parts.join(",") + postfix;
            if (!dependent) return text;
            const rows = batch;
            return (noBackslashEscapes) =>
              noBackslashEscapes
                ? prefix + rows.map((a) => interpolate(valuesTemplate!, a, { noBackslashEscapes, timeZone })).join(",") + postfix
                : text;
          };
          let size = Buffer.byteLength(prefix) + Buffer.byteLength(postfix);
          const base = size;
          let sinceYield = 0;
          try {
            for (const a of list) {
              const values = interpolate(valuesTemplate!, a, escapeOptions);
              const n = Buffer.byteLength(values) + 1;
              if (parts.length > 0 && size + n > limit) {
                await send(batchText());
                parts = [];
                batch = [];
                dependent = false;
                size = base;
              }
              parts.push(values);
              batch.push(a);
              if (!dependent && dependsOnMode(a)) dependent = true;
              size += n;
              if (running !== null && ++sinceYield >= YIELD_EVERY) {
                // Let the socket write the batch in flight while this one is being built.
                sinceYield = 0;
                await new Promise<void>((resolve) => setImmediate(resolve));
              }
            }
            await send(batchText());
          } catch (e) {
            // A bad argument: let the batch in flight finish before reporting it.
            if (running !== null) await (running as Promise<void>).catch(() => {});
            throw e;
          }
          await running;
          total += this.rowCount;
        } else {
          for (const a of list) {
            await this.run(interpolateText(query, a, timeZone), cancel);
            total += this.rowCount;
          }
        }
        this.setRowCount(total);
        return total;
      }),
    );
  }

  /**
   * Calls a stored procedure. Each argument is stored in a server variable `@_procname_n`;
   * read OUT/INOUT values with `SELECT @_procname_0, ...` after consuming every result set.
   * Resolves to the original `args`.
   */
  async callProc<A extends readonly SqlParam[]>(procname: string, args?: A, options?: ExecuteOptions): Promise<A> {
    const conn = this.checkOpen();
    if (typeof procname !== "string" || !PROC_NAME.test(procname)) {
      throw new ProgrammingError(`callProc(): invalid procedure name ${JSON.stringify(procname)}`);
    }
    const list = (args ?? []) as A;
    if (!Array.isArray(list)) throw new ProgrammingError("callProc(): args must be an array");
    // The variables are @_<name>_<n> as in aiomysql, written as quoted user variables: a
    // backquoted procedure name's contents are an identifier, never SQL of the SET statement.
    const name = procedureVariableStem(procname);
    const vars = list.map((_, i) => "@`_" + name + "_" + i + "`");
    await this.cancellable(options, "callProc()", (cancel) =>
      this.guard(async () => {
        if (list.length > 0) {
          const tz = conn.options.timezone;
          const assigns = (noBackslashEscapes: boolean): string =>
            "SET " + list.map((a, i) => `${vars[i]}=${escape(a, { noBackslashEscapes, timeZone: tz })}`).join(",");
          const text = assigns(false);
          await this.run(dependsOnMode(list) ? (nbe) => (nbe ? assigns(true) : text) : text, cancel);
        }
        await this.run(`CALL ${procname}(${vars.join(",")})`, cancel);
      }),
    );
    return list;
  }

  /** The next row, or null when the result is exhausted. */
  async fetchOne<T = R>(): Promise<T | null> {
    this.checkOpen();
    const i = this.rowNumberValue;
    if (i === null || i >= this.rows.length) return null;
    this.rowNumberValue = i + 1;
    return this.rows[i] as T;
  }

  /** Up to `size` rows (default `arraySize`); an empty array when none are left. */
  async fetchMany<T = R>(size: number = this.arraySize): Promise<T[]> {
    this.checkOpen();
    checkSize(size);
    const i = this.rowNumberValue;
    if (i === null) return [];
    const out = this.rows.slice(i, i + size) as T[];
    this.rowNumberValue = Math.min(i + size, this.rows.length);
    return out;
  }

  /** Every remaining row. */
  async fetchAll<T = R>(): Promise<T[]> {
    this.checkOpen();
    const i = this.rowNumberValue;
    if (i === null) return [];
    const out = (i === 0 ? this.rows : this.rows.slice(i)) as T[];
    this.rowNumberValue = this.rows.length;
    return out;
  }

  /**
   * Moves within the result: by `value` rows ("relative", the default) or to row `value`
   * ("absolute"). Out of range is a ProgrammingError and the position does not change.
   */
  async scroll(value: number, mode: "relative" | "absolute" = "relative"): Promise<void> {
    this.checkOpen();
    if (!Number.isInteger(value)) throw new ProgrammingError("scroll(): value must be an integer");
    const current = this.rowNumberValue ?? 0;
    let target: number;
    if (mode === "relative") target = current + value;
    else if (mode === "absolute") target = value;
    else throw new ProgrammingError(`scroll(): unknown mode ${JSON.stringify(mode)}`);
    if (target < 0 || target >= this.rows.length) throw new ProgrammingError(`scroll(): position ${target} is out of range`);
    this.rowNumberValue = target;
  }

  /** Moves to the next result set; resolves to true, or null when there is none. */
  async nextSet(): Promise<true | null> {
    this.checkOpen();
    if (this.resultIndex + 1 >= this.results.length) {
      const err = this.resultsError;
      this.resultsError = null;
      if (err) throw err;
      return null;
    }
    this.resultIndex++;
    this.loadResult(this.results[this.resultIndex]!);
    return true;
  }

  /** Closes the cursor; unread rows are discarded. The connection stays open. */
  async close(): Promise<void> {
    if (this.conn === null) return;
    try {
      await this.discardPending();
    } finally {
      this.conn = null;
      this.rows = [];
      this.results = [];
      this.resultsError = null;
    }
  }

  /**
   * `for await (const row of cursor)`: the rows left in the current result. Each step returns
   * an already-settled Promise (no async function or generator per row).
   */
  [Symbol.asyncIterator](): AsyncIterator<R> {
    return {
      next: (): Promise<IteratorResult<R>> => {
        try {
          this.checkOpen();
        } catch (e) {
          return Promise.reject(e as Error);
        }
        const i = this.rowNumberValue;
        if (i === null || i >= this.rows.length) return Promise.resolve({ value: undefined, done: true });
        this.rowNumberValue = i + 1;
        return Promise.resolve({ value: this.rows[i] as R, done: false });
      },
    };
  }

  /** Closes the cursor at the end of an `await using` block, as `close()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * The `<name>` of callProc()'s `@_<name>_<n>` variables: the procedure name with its quoting
 * removed (`` `my``proc` `` is my`proc), its backticks doubled again for a quoted user variable.
 */
function procedureVariableStem(procname: string): string {
  const parts = procname.match(/`(?:[^`]|``)+`|[^.`]+/g) ?? [];
  const plain = parts.map((p) => (p.startsWith("`") ? p.slice(1, -1).replaceAll("``", "`") : p)).join(".");
  return plain.replaceAll("`", "``");
}

/** @internal Checks fetchMany()'s size argument. */
export function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < 0) throw new ProgrammingError("fetchMany(): size must be a non-negative integer");
}

/** Rows are objects keyed by column name. Set `dictType` in a subclass to get instances of your class. */
export class DictCursor<R = DictRow> extends Cursor<R> {
  /** The class whose instances receive a row's columns (a plain object when undefined). */
  dictType?: new () => object;
  /** Class default for `dictType`, used when the instance property is unset. */
  static dictType?: new () => object;

  protected override rowShape(): RowShape {
    const ctor = this.dictType ?? (this.constructor as typeof DictCursor).dictType;
    return { kind: "object", ctor };
  }
}
