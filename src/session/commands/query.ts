// COM_QUERY and its text result sets (COM_STMT_EXECUTE reuses it with binary rows), buffered
// or streamed with back-pressure.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response.html
import type { ColumnCache } from "../../protocol/column-cache.js";
import { clientError } from "../../errors.js";
import { writeComQuery } from "../../protocol/commands.js";
import { CLIENT, CR, PACKET } from "../../protocol/constants.js";
import {
  hasMoreResults,
  isEndOfRows,
  parseColumnCount,
  parseColumnDefinition,
  parseEndOfRows,
  parseLocalInfileRequest,
  parseOk,
  type OkPacket,
} from "../../protocol/results.js";
import { TextRowDecoder, type DecodeContext, type RowShape } from "../../protocol/rows.js";
import type { SqlFormatter, SqlText } from "../../sql/escape.js";
import { resultTooLarge } from "../../result-limit.js";
import type { ColumnDefinition } from "../../types.js";
import { Command, hasNonAscii, type CommandHost, type LocalInfileRequester } from "./command.js";

/** One result of a statement: rows with their columns, or just an OK's counts. */
export interface ResultSet {
  /** Column definitions, or null for a statement that returns no rows. */
  columns: ColumnDefinition[] | null;
  rows: unknown[];
  affectedRows: number | bigint;
  insertId: number | bigint;
  warnings: number;
  statusFlags: number;
  info: string;
}

function okResult(ok: OkPacket, columns: ColumnDefinition[] | null, rows: unknown[]): ResultSet {
  return {
    columns,
    rows,
    affectedRows: columns === null ? ok.affectedRows : rows.length,
    insertId: ok.lastInsertId,
    warnings: ok.warnings,
    statusFlags: ok.statusFlags,
    info: ok.info,
  };
}

/**
 * What a statement produced: its result sets in order and, when a later statement of a
 * multi-statement query failed after earlier results arrived, that error (raised by
 * `nextSet()`, as PyMySQL does).
 */
export interface QueryOutcome {
  results: ResultSet[];
  error: Error | null;
}

/** Marks, in a stream's queue, the end of one result set. */
export class ResultEnd {
  constructor(readonly result: ResultSet) {}
}

/** Marks, in a stream's queue, the columns of a new result set. */
export class ResultStart {
  constructor(readonly columns: ColumnDefinition[]) {}
}

/** Marks an error raised after earlier results were delivered. */
export class ResultError {
  constructor(readonly error: Error) {}
}

/** Turns one row packet, `buf[start, end)`, into a row. */
export interface RowDecoder {
  decode(buf: Buffer, start: number, end: number): unknown;
}

export type StreamItem = unknown | ResultEnd | ResultStart | ResultError;

const enum State {
  Header,
  Columns,
  ColumnsEof,
  Rows,
}

/** Rows a streaming query keeps in memory before it pauses the socket. */
const HIGH_WATER = 2048;
const LOW_WATER = 512;

/**
 * COM_QUERY (and, later, COM_STMT_EXECUTE) with its text result sets.
 *
 * Buffered mode resolves with every result set once the last one has arrived; an error after
 * the first result is kept as the outcome's `error` (raised by `nextSet()`, as PyMySQL does).
 * Streaming mode resolves as soon as the first result's metadata (or OK) arrives and then
 * hands rows out through `read()`, pausing the socket while the reader falls behind.
 */
export class QueryCommand extends Command<QueryOutcome> implements LocalInfileRequester {
  private state = State.Header;
  private columns: ColumnDefinition[] = [];
  private columnCount = 0;
  private decoder: RowDecoder | null = null;
  private rows: unknown[] = [];
  private readonly outcome: QueryOutcome = { results: [], error: null };
  /** The error to raise after a refused LOCAL INFILE request has been answered. */
  infileError: Error | null = null;

  // Streaming state.
  private readonly queue: StreamItem[] = [];
  private head = 0;
  private paused = false;
  private waiters: Array<() => void> = [];
  /** Drop rows instead of queueing them (a streaming cursor closed early). */
  discard = false;
  finished = false;

  /** Formats the statement for the sql_mode in force when it is written (see `SqlText`). */
  private readonly format: SqlFormatter | null;

  constructor(
    sql: SqlText,
    private readonly shape: RowShape,
    readonly streaming: boolean,
  ) {
    super();
    if (typeof sql === "string") {
      this.format = null;
      this.sql = sql;
    } else {
      this.format = sql;
      // Until it is written the statement's text is its backslash-escaping form.
      this.sql = sql(false);
      this.awaitsMode = true;
    }
    this.awaitsCharset = hasNonAscii(this.sql);
  }

  encode(host: CommandHost): Buffer {
    if (this.format !== null) this.sql = this.format(host.noBackslashEscapes);
    writeComQuery(host.writer, host.encodeSql(this.sql!));
    return host.writer.finish(0)[0];
  }

  onPacket(payload: Buffer): boolean {
    switch (this.state) {
      case State.Header:
        return this.onHeader(payload);
      case State.Columns:
        this.holdBytes(payload.length);
        this.columns.push(this.parseColumn(payload));
        if (this.columns.length === this.columnCount) {
          if (this.host.capabilities & CLIENT.DEPRECATE_EOF) this.startRows();
          else this.state = State.ColumnsEof;
        }
        return false;
      case State.ColumnsEof:
        if (payload[0] !== PACKET.EOF) throw clientError(CR.MALFORMED_PACKET, "expected EOF after column definitions");
        this.startRows();
        return false;
      case State.Rows:
        return this.onRow(payload);
    }
  }

  /** The column definitions seen last (the same statement again sends the same packets). */
  protected columnCache(): ColumnCache | undefined {
    return this.host.columnCache;
  }

  private parseColumn(payload: Buffer): ColumnDefinition {
    const cache = this.columnCache();
    const ext = this.host.extendedTypeInfo;
    return cache === undefined ? parseColumnDefinition(payload, ext) : cache.column(this.columns.length, payload, ext);
  }

  private onHeader(payload: Buffer): boolean {
    switch (payload[0]) {
      case PACKET.OK: {
        const ok = parseOk(payload, this.host.capabilities);
        this.host.noteStatus(ok.statusFlags, ok.sessionState);
        if (this.infileError) return this.finishWithError(this.infileError);
        return this.endResult(okResult(ok, null, []), ok.statusFlags);
      }
      case PACKET.ERR:
        return this.finishWithError(this.infileError ?? this.serverError(payload));
      case PACKET.LOCAL_INFILE:
        this.host.sendLocalInfile(parseLocalInfileRequest(payload), this);
        return false;
      default:
        this.columnCount = parseColumnCount(payload);
        this.columns = [];
        this.state = State.Columns;
        return false;
    }
  }

  private startRows(): void {
    this.state = State.Rows;
    this.decoder = this.createDecoder(this.columns, this.host.decodeContext, this.shape);
    this.rows = [];
    if (this.streaming) {
      this.push(new ResultStart(this.columns));
      this.resolve(this.outcome);
    }
  }

  /** The row decoder of one result set: text rows here, binary rows for COM_STMT_EXECUTE. */
  protected createDecoder(columns: ColumnDefinition[], ctx: DecodeContext, shape: RowShape): RowDecoder {
    return new TextRowDecoder(columns, ctx, shape);
  }

  override onRowBytes(buf: Buffer, start: number, end: number): boolean {
    if (this.state !== State.Rows) return false;
    const first = buf[start];
    // ERR, and EOF/OK (0xFE) which may end the rows: the general path tells them apart.
    if (first === PACKET.ERR || first === PACKET.EOF) return false;
    if (this.streaming) {
      this.streamedRows++;
      if (!this.discard) this.push(this.decoder!.decode(buf, start, end));
    } else {
      this.holdBytes(end - start);
      this.rows.push(this.decoder!.decode(buf, start, end));
    }
    return true;
  }

  /** Bytes of rows and column definitions this statement holds (buffered mode). */
  private heldBytes = 0;

  /**
   * Counts `n` more bytes held for the caller against the connection's `maxResultBytes`. Past
   * it, the throw closes the connection (the server may send rows for ever; reading them all
   * to keep the connection would never end).
   */
  private holdBytes(n: number): void {
    this.heldBytes += n;
    const limit = this.host.maxResultBytes ?? 0;
    if (limit > 0 && this.heldBytes > limit && (!this.streaming || this.state === State.Columns)) throw resultTooLarge(limit, this.sql);
  }

  private onRow(payload: Buffer): boolean {
    const first = payload[0];
    if (first === PACKET.ERR) return this.finishWithError(this.serverError(payload));
    if (first === PACKET.EOF && isEndOfRows(payload, (this.host.capabilities & CLIENT.DEPRECATE_EOF) !== 0)) {
      const end = parseEndOfRows(payload, this.host.capabilities);
      this.host.noteStatus(end.statusFlags, end.sessionState);
      const result = okResult(end, this.columns, this.rows);
      if (this.streaming) result.affectedRows = this.streamedRows;
      return this.endResult(result, end.statusFlags);
    }
    if (this.streaming) {
      this.streamedRows++;
      if (!this.discard) this.push(this.decoder!.decode(payload, 0, payload.length));
    } else {
      this.holdBytes(payload.length);
      this.rows.push(this.decoder!.decode(payload, 0, payload.length));
    }
    return false;
  }

  private streamedRows = 0;

  private endResult(result: ResultSet, statusFlags: number): boolean {
    this.state = State.Header;
    this.streamedRows = 0;
    const more = hasMoreResults(statusFlags);
    if (this.streaming) {
      this.push(new ResultEnd(result));
      this.resolve(this.outcome);
      if (!more) this.finish();
    } else {
      this.outcome.results.push(result);
      if (!more) this.resolve(this.outcome);
    }
    return !more;
  }

  private finishWithError(err: Error): boolean {
    if (this.streaming) {
      if (!this.settled && this.queue.length === 0) this.fail(err);
      else this.push(new ResultError(err));
      this.resolve(this.outcome);
      this.finish();
    } else if (this.outcome.results.length === 0) {
      this.fail(err);
    } else {
      this.outcome.error = err;
      this.resolve(this.outcome);
    }
    return true;
  }

  override fail(err: Error): void {
    if (this.streaming && this.settled && !this.finished) {
      // The stream already started: hand the error to the reader.
      this.push(new ResultError(err));
      this.finish();
      return;
    }
    super.fail(err);
    this.finished = true;
    this.wake();
  }

  // ---- streaming ----

  private push(item: StreamItem): void {
    this.queue.push(item);
    if (this.queue.length - this.head >= HIGH_WATER && !this.paused && !this.finished) {
      this.paused = true;
      this.host.pauseReading();
    }
    this.wake();
  }

  private finish(): void {
    this.finished = true;
    if (this.paused) {
      this.paused = false;
      this.host.resumeReading();
    }
    this.wake();
  }

  private wake(): void {
    // Both a reader and drain() (a cancellation) may be waiting.
    if (this.waiters.length === 0) return;
    for (const w of this.waiters.splice(0)) w();
  }

  /**
   * Next item of a streaming query: a row, a ResultEnd/ResultStart marker, or a ResultError.
   * Resolves to undefined once everything has been read.
   */
  async read(): Promise<StreamItem | undefined> {
    for (;;) {
      if (this.head < this.queue.length) {
        const item = this.queue[this.head];
        this.queue[this.head++] = undefined;
        if (this.head > 4096 && this.head * 2 > this.queue.length) {
          this.queue.splice(0, this.head);
          this.head = 0;
        }
        if (this.paused && this.queue.length - this.head <= LOW_WATER) {
          this.paused = false;
          this.host.resumeReading();
        }
        return item;
      }
      if (this.finished) return undefined;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /**
   * Moves up to `max` rows that have already arrived into `out`, without waiting, and stops at
   * the end of the result set (or any other marker, which `read()` then returns).
   * Returns how many rows it moved.
   */
  takeRows(out: unknown[], max: number): number {
    const queue = this.queue;
    let head = this.head;
    const stop = Math.min(queue.length, head + max);
    while (head < stop) {
      const item = queue[head];
      if (item instanceof ResultEnd || item instanceof ResultStart || item instanceof ResultError) break;
      out.push(item);
      queue[head++] = undefined;
    }
    const n = head - this.head;
    this.head = head;
    if (head > 4096 && head * 2 > queue.length) {
      queue.splice(0, head);
      this.head = 0;
    }
    if (this.paused && queue.length - this.head <= LOW_WATER) {
      this.paused = false;
      this.host.resumeReading();
    }
    return n;
  }

  /** Drops queued rows and any still to come; resolves when the server has sent them all. */
  async drain(): Promise<void> {
    this.discard = true;
    this.queue.length = 0;
    this.head = 0;
    if (this.paused) {
      this.paused = false;
      this.host.resumeReading();
    }
    while (!this.finished) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}
