// The unbuffered DB-API cursors: SSCursor and SSDictCursor stream rows from the server with
// bounded memory, reading them from a streaming QueryCommand.
import type { Cancellation } from "./cancel.js";
import { withCallerFrames } from "./caller-frames.js";
import { Cursor, checkSize } from "./cursors.js";
import { InterfaceError, NotSupportedError, ProgrammingError } from "./errors.js";
import type { RowShape } from "./protocol/rows.js";
import type { SqlText } from "./sql/escape.js";
import { ResultEnd, ResultError, ResultStart, type QueryCommand } from "./session/commands/query.js";
import type { DictRow, Row, SqlParam } from "./types.js";
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

  protected override async run(sql: SqlText, cancel: Cancellation | null = null, params?: readonly SqlParam[]): Promise<void> {
    try {
      const conn = this.checkOpen();
      const discarding = this.discardPending();
      if (discarding) await discarding;
      sql = this.noteExecuted(sql);
      cancel?.check();
      const stream = params
        ? await conn.executePrepared(sql as string, params, this.rowShape(), true, cancel !== null)
        : conn.session.queryStream(sql, this.rowShape(), cancel !== null);
      cancel?.track(stream);
      this.stream = stream;
      this.streamCancel = cancel;
      await stream.promise;
      await this.loadNext();
      cancel?.check();
    } catch (e) {
      // Statement errors arrive in a socket callback: give them the caller's frames.
      throw withCallerFrames(e);
    }
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
      throw withCallerFrames(this.streamError(item.error));
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
      throw withCallerFrames(this.streamError(item.error));
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
    // Awaited (not returned) so that an error's caller frames reach the caller.
    return await this.readRows<T>(size);
  }

  override async fetchAll<T = R>(): Promise<T[]> {
    this.checkOpen();
    return await this.readRows<T>(Infinity);
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
