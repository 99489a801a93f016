// The DB-API cursors: Cursor and DictCursor buffer whole results; SSCursor and SSDictCursor
// stream them from the server with bounded memory.
import { QueryCommand, ResultEnd, ResultError, ResultStart, type ResultSet } from "./command.js";
import { Cancellation } from "./cancel.js";
import type { Connection } from "./connection.js";
import { InterfaceError, NotSupportedError, ProgrammingError } from "./errors.js";
import { interpolate } from "./escape.js";
import { toQmark } from "./statement.js";
import { FIELD_TYPE, FIELD_FLAG } from "./protocol/constants.js";
import { ARRAY_ROWS, type RowShape } from "./protocol/rows.js";
import type { ColumnDefinition, DictRow, Row, SqlArgs, SqlParam } from "./types.js";
import { charsetByCollation } from "./protocol/charsets.js";

/** A cursor class, as `conn.cursor(DictCursor)` takes it. */
export type CursorClass<C extends Cursor<unknown> = Cursor<unknown>> = new (connection: Connection) => C;

/** One column of `Cursor.description`: a 7-item tuple whose items are also named. */
export type ColumnDescription = readonly [
  name: string,
  typeCode: number,
  displaySize: number | null,
  internalSize: number | null,
  precision: number | null,
  scale: number | null,
  nullOk: boolean,
] & {
  /** Column name (its alias if the query gave one). */
  readonly name: string;
  /** FIELD_TYPE code. */
  readonly typeCode: number;
  /** Length of the column in characters. */
  readonly displaySize: number | null;
  /** Length of the column in bytes, as the server reports it. */
  readonly internalSize: number | null;
  /** Total digits of DECIMAL columns, null for other types. */
  readonly precision: number | null;
  /** Digits after the point of DECIMAL columns, null for other types. */
  readonly scale: number | null;
  /** Whether the column can hold NULL. */
  readonly nullOk: boolean;
};

function describe(c: ColumnDefinition): ColumnDescription {
  const isDecimal = c.type === FIELD_TYPE.NEWDECIMAL || c.type === FIELD_TYPE.DECIMAL;
  const mbLen = charsetByCollation(c.characterSet)?.maxBytesPerChar ?? 1;
  const displaySize = c.characterSet === 63 ? c.columnLength : Math.floor(c.columnLength / mbLen);
  let precision: number | null = null;
  if (isDecimal) {
    // The length counts the sign (unless unsigned) and the point (when there are decimals).
    precision = c.columnLength - (c.decimals > 0 ? 1 : 0) - (c.flags & FIELD_FLAG.UNSIGNED ? 0 : 1);
  }
  const nullOk = (c.flags & FIELD_FLAG.NOT_NULL) === 0;
  const scale = isDecimal ? c.decimals : null;
  const entry = [c.name, c.type, displaySize, c.columnLength, precision, scale, nullOk] as const;
  const named = { name: c.name, typeCode: c.type, displaySize, internalSize: c.columnLength, precision, scale, nullOk };
  const tuple = Object.assign([...entry], named);
  // Print like a named tuple: { name: 'id', typeCode: 3, ... } rather than an array with extra keys.
  Object.defineProperty(tuple, INSPECT, { value: () => named });
  return tuple as unknown as ColumnDescription;
}

const INSPECT = Symbol.for("nodejs.util.inspect.custom");

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
}

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
  private results: (ResultSet | Error)[] = [];
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
    const sql = this.mogrify(query, args);
    if (options === undefined) {
      // guard() inlined: one async frame less per statement on the common path.
      if (this.busy) throw new ProgrammingError("this cursor is busy with another operation: await it first, or use another cursor");
      this.busy = true;
      try {
        await this.run(sql);
      } finally {
        this.busy = false;
      }
    } else {
      await this.cancellable(options, "execute()", (cancel) => this.guard(() => this.run(sql, cancel)));
    }
    return this.rowCount;
  }

  /** Runs `fn` under the `signal` / `timeout` of `options`. */
  protected async cancellable<T>(
    options: ExecuteOptions | undefined,
    what: string,
    fn: (cancel: Cancellation | null) => Promise<T>,
  ): Promise<T> {
    const cancel = Cancellation.start(this.checkOpen(), options, what);
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
  protected async run(sql: string, cancel: Cancellation | null = null, params?: readonly SqlParam[]): Promise<void> {
    const conn = this.checkOpen();
    // Buffered cursors have nothing to discard: the query is queued in this same tick.
    const discarding = this.discardPending();
    if (discarding) await discarding;
    this.executedSql = sql;
    cancel?.check();
    const track = cancel ? (cmd: QueryCommand) => cancel.track(cmd) : undefined;
    let results: (ResultSet | Error)[];
    if (params) {
      const cmd = await conn.executePrepared(sql, params, this.rowShape(), false, cancel !== null);
      track?.(cmd);
      results = await cmd.promise;
    } else {
      results = await conn.query(sql, track ? { shape: this.rowShape(), onCommand: track } : { shape: this.rowShape() });
    }
    // Cancelled too late to stop it: the call still reports the cancellation.
    cancel?.check();
    this.results = results;
    this.resultIndex = 0;
    this.loadResult(this.results[0]!);
  }

  /** Subclasses that stream drain their unread rows here before the next statement. */
  protected discardPending(): Promise<void> | undefined {
    return undefined;
  }

  protected loadResult(r: ResultSet | Error): void {
    if (r instanceof Error) throw r;
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
   * Resolves to the total rowCount.
   */
  async executeMany(query: string, args: Iterable<SqlArgs>, options?: ExecuteOptions): Promise<number> {
    const conn = this.checkOpen();
    if (typeof query !== "string") throw new ProgrammingError("executeMany(): query must be a string");
    if (args === null || args === undefined || typeof (args as Iterable<SqlArgs>)[Symbol.iterator] !== "function") {
      throw new ProgrammingError("executeMany(): args must be an array (or iterable) of argument lists");
    }
    const list = Array.from(args);
    if (list.length === 0) return 0;
    const escapeOptions = { noBackslashEscapes: conn.noBackslashEscapes, timeZone: conn.options.timezone };
    const m = INSERT_VALUES.exec(query);
    return this.cancellable(options, "executeMany()", (cancel) =>
      this.guard(async () => {
        let total = 0;
        if (m) {
          const [, prefixTemplate, valuesTemplate, postfixTemplate] = m;
          const prefix = interpolate(prefixTemplate!, [], escapeOptions);
          const postfix = interpolate(postfixTemplate!, [], escapeOptions);
          const limit = Math.min(MAX_BATCH_BYTES, (await conn.maxAllowedPacket()) - 1024);
          // One batch executes on the server while the next one is built; the next is only sent
          // once the previous has succeeded, so an error stops the run as before.
          let running: Promise<void> | null = null;
          const send = async (sql: string): Promise<void> => {
            if (running !== null) {
              await running;
              total += this.rowCount;
            }
            running = this.run(sql, cancel);
            running.catch(() => {});
          };
          let parts: string[] = [];
          let size = Buffer.byteLength(prefix) + Buffer.byteLength(postfix);
          const base = size;
          let sinceYield = 0;
          try {
            for (const a of list) {
              const values = interpolate(valuesTemplate!, a, escapeOptions);
              const n = Buffer.byteLength(values) + 1;
              if (parts.length > 0 && size + n > limit) {
                await send(prefix + parts.join(",") + postfix);
                parts = [];
                size = base;
              }
              parts.push(values);
              size += n;
              if (running !== null && ++sinceYield >= YIELD_EVERY) {
                // Let the socket write the batch in flight while this one is being built.
                sinceYield = 0;
                await new Promise<void>((resolve) => setImmediate(resolve));
              }
            }
            await send(prefix + parts.join(",") + postfix);
          } catch (e) {
            // A bad argument: let the batch in flight finish before reporting it.
            if (running !== null) await (running as Promise<void>).catch(() => {});
            throw e;
          }
          await running;
          total += this.rowCount;
        } else {
          for (const a of list) {
            await this.run(interpolate(query, a, escapeOptions), cancel);
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
          const assigns = list.map((a, i) => `${vars[i]}=${conn.escape(a)}`).join(",");
          await this.run(`SET ${assigns}`, cancel);
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
    if (this.resultIndex + 1 >= this.results.length) return null;
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

function checkSize(size: number): void {
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

/**
 * Unbuffered cursor: rows stream from the server as they are fetched, so memory stays bounded
 * however large the result. Scrolling is forward only; rowCount is -1 until the result is read.
 */
export class SSCursor<R = Row> extends Cursor<R> {
  private stream: QueryCommand | null = null;
  /** The cancellation watching the current stream, if its execute() had a signal or timeout. */
  private streamCancel: Cancellation | null = null;
  /** The current result set has been read to its end. */
  private resultDone = true;

  protected override discardPending(): Promise<void> | undefined {
    const stream = this.stream;
    this.stream = null;
    this.streamCancel = null;
    this.resultDone = true;
    return stream?.drain();
  }

  protected override async run(sql: string, cancel: Cancellation | null = null, params?: readonly SqlParam[]): Promise<void> {
    const conn = this.checkOpen();
    const discarding = this.discardPending();
    if (discarding) await discarding;
    cancel?.check();
    const stream = params
      ? await conn.executePrepared(sql, params, this.rowShape(), true, cancel !== null)
      : conn.queryStream(sql, this.rowShape(), cancel !== null);
    cancel?.track(stream);
    this.stream = stream;
    this.streamCancel = cancel;
    await stream.promise;
    await this.loadNext();
    cancel?.check();
  }

  /** A stream's error, as the cancellation of its execute() reports it when it was cancelled. */
  private streamError(err: Error): unknown {
    return this.streamCancel ? this.streamCancel.wrap(err) : err;
  }

  /** Reads the head of the next result: its columns, or its OK when it has no rows. */
  private async loadNext(): Promise<boolean> {
    const item = await this.stream!.read();
    if (item === undefined) {
      this.resultDone = true;
      return false;
    }
    if (item instanceof ResultError) {
      this.resultDone = true;
      throw this.streamError(item.error);
    }
    if (item instanceof ResultStart) {
      this.setResultInfo({ columns: item.columns, insertId: 0, warnings: 0 });
      this.setRowCount(-1);
      this.setRowNumber(0);
      this.resultDone = false;
      return true;
    }
    if (item instanceof ResultEnd) {
      this.setResultInfo(item.result);
      this.setRowCount(Number(item.result.affectedRows));
      this.setRowNumber(0);
      this.resultDone = true;
      return true;
    }
    throw new InterfaceError("internal error: a row arrived before its result set");
  }

  private async readRow(): Promise<R | null> {
    if (this.resultDone || this.stream === null) return null;
    if (this.streamCancel?.error) {
      this.resultDone = true;
      throw this.streamCancel.error;
    }
    const item = await this.stream.read();
    if (item instanceof ResultEnd) {
      this.resultDone = true;
      this.setRowCount(Number(item.result.affectedRows));
      return null;
    }
    if (item instanceof ResultError) {
      this.resultDone = true;
      throw this.streamError(item.error);
    }
    if (item === undefined || item instanceof ResultStart) {
      this.resultDone = true;
      return null;
    }
    this.setRowNumber((this.rowNumber ?? 0) + 1);
    return item as R;
  }

  override async fetchOne<T = R>(): Promise<T | null> {
    this.checkOpen();
    return (await this.readRow()) as T | null;
  }

  override async fetchMany<T = R>(size: number = this.arraySize): Promise<T[]> {
    this.checkOpen();
    checkSize(size);
    return this.readRows<T>(size);
  }

  override async fetchAll<T = R>(): Promise<T[]> {
    this.checkOpen();
    return this.readRows<T>(Infinity);
  }

  /**
   * `for await (const row of cursor)`, exactly as repeated `fetchOne()` calls: a row that has
   * already arrived is handed out with an already-settled Promise (no async function or
   * generator per row); only when none is waiting does a step wait for the network.
   */
  override [Symbol.asyncIterator](): AsyncIterator<R> {
    const one: unknown[] = [];
    const wait = async (): Promise<IteratorResult<R>> => {
      const row = await this.fetchOne<R>();
      return row === null ? { value: undefined, done: true } : { value: row, done: false };
    };
    return {
      next: (): Promise<IteratorResult<R>> => {
        const stream = this.stream;
        if (!this.resultDone && stream !== null && !this.closed && stream.takeRows(one, 1) === 1) {
          this.setRowNumber((this.rowNumber ?? 0) + 1);
          return Promise.resolve({ value: one.pop() as R, done: false });
        }
        return wait();
      },
    };
  }

  /** Up to `size` rows: those already received are taken at once, then one is awaited. */
  private async readRows<T>(size: number): Promise<T[]> {
    const out: T[] = [];
    while (out.length < size) {
      if (!this.resultDone && this.stream !== null) {
        const got = this.stream.takeRows(out, size - out.length);
        if (got > 0) {
          this.setRowNumber((this.rowNumber ?? 0) + got);
          continue;
        }
      }
      const row = await this.readRow();
      if (row === null) break;
      out.push(row as unknown as T);
    }
    return out;
  }

  /** Forward only: skips rows by reading them. */
  override async scroll(value: number, mode: "relative" | "absolute" = "relative"): Promise<void> {
    this.checkOpen();
    if (!Number.isInteger(value)) throw new ProgrammingError("scroll(): value must be an integer");
    const current = this.rowNumber ?? 0;
    let steps: number;
    if (mode === "relative") steps = value;
    else if (mode === "absolute") steps = value - current;
    else throw new ProgrammingError(`scroll(): unknown mode ${JSON.stringify(mode)}`);
    if (steps < 0) throw new NotSupportedError("Backwards scrolling not supported by this cursor");
    for (let i = 0; i < steps; i++) {
      if ((await this.readRow()) === null) throw new ProgrammingError(`scroll(): position ${current + i + 1} is out of range`);
    }
  }

  override async nextSet(): Promise<true | null> {
    this.checkOpen();
    if (this.stream === null) return null;
    while (!this.resultDone) await this.readRow();
    return (await this.loadNext()) ? true : null;
  }
}

/** An unbuffered cursor whose rows are objects keyed by column name. */
export class SSDictCursor<R = DictRow> extends SSCursor<R> {
  /** The class whose instances receive a row's columns (a plain object when undefined). */
  dictType?: new () => object;
  /** Class default for `dictType`, used when the instance property is unset. */
  static dictType?: new () => object;

  protected override rowShape(): RowShape {
    const ctor = this.dictType ?? (this.constructor as typeof SSDictCursor).dictType;
    return { kind: "object", ctor };
  }
}
