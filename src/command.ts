// Commands of the command phase as state machines. The connection writes a command's request,
// then feeds it the response packets, in order, until it reports that it is done.
import { MySQLError, clientError, serverError } from "./errors.js";
import { CLIENT, CR, PACKET } from "./protocol/constants.js";
import { ER } from "./protocol/er.js";
import {
  hasMoreResults,
  isEndOfRows,
  parseColumnCount,
  parseColumnDefinition,
  parseEndOfRows,
  parseErr,
  parseLocalInfileRequest,
  parseOk,
  type OkPacket,
} from "./protocol/results.js";
import type { SessionState } from "./protocol/session-state.js";
import { TextRowDecoder, type DecodeContext, type RowShape } from "./protocol/rows.js";
import { resultTooLarge } from "./result-limit.js";
import { redactSecrets, scrubMessage } from "./tracing.js";
import type { ColumnDefinition } from "./types.js";

/** What a command may ask of its connection while it runs. */
export interface CommandHost {
  readonly capabilities: number;
  readonly decodeContext: DecodeContext;
  /** MariaDB sends extended type names in column definitions. */
  readonly extendedTypeInfo: boolean;
  /**
   * Records the status flags of an OK/EOF packet (transaction state, no-backslash-escapes) and
   * the session state changes it reported (CLIENT_SESSION_TRACK), if any.
   */
  noteStatus(statusFlags: number, sessionState?: SessionState): void;
  /** Told of every error the server sent (a cluster pool re-probes after a read-only refusal). */
  noteServerError?(err: MySQLError): void;
  /** Records that a statement failed with an ERR packet (the transaction state is then unknown). */
  noteError?(): void;
  /** Most bytes of rows (and column definitions) a buffered statement may hold; 0 for no limit. */
  readonly maxResultBytes?: number;
  /** Sends the rows of a LOCAL INFILE request (or an empty packet when refused), starting at `sequenceId`. */
  sendLocalInfile(fileName: string, sequenceId: number, command: QueryCommand): void;
  pauseReading(): void;
  resumeReading(): void;
}

export abstract class Command<T = unknown> {
  /** May be written while earlier commands are still in flight. */
  pipelinable = true;
  /** The server sends no response (COM_STMT_CLOSE): the command is done once written. */
  noReply = false;
  /** The request bytes, framed with sequence id 0. */
  abstract readonly request: Buffer;
  protected host!: CommandHost;
  private resolveFn!: (value: T) => void;
  private rejectFn!: (err: Error) => void;
  readonly promise: Promise<T>;
  settled = false;
  /** The SQL text, for error messages and tracing. */
  sql?: string;
  private retireFn!: () => void;
  /** Resolves once the connection is done with the command (answered, failed or dropped). */
  readonly retired: Promise<void> = new Promise<void>((resolve) => (this.retireFn = resolve));

  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolveFn = resolve;
      this.rejectFn = reject;
    });
    // Nobody may be awaiting yet; a rejection is still reported to whoever awaits later.
    this.promise.catch(() => {});
  }

  /** @internal Called by the connection when it removes the command from its queue. */
  retire(): void {
    this.retireFn();
  }

  attach(host: CommandHost): void {
    this.host = host;
  }

  /** Handles one response packet; returns true when the command's response is complete. */
  abstract onPacket(payload: Buffer, sequenceId: number): boolean;

  /**
   * Handles `buf[start, end)` if it is an ordinary row packet of the result being read, without
   * a Buffer for it; returns false to have the packet handed to `onPacket` instead.
   */
  onRowBytes(buf: Buffer, start: number, end: number): boolean {
    (void buf, start, end);
    return false;
  }

  /** @internal Called once the request of a `noReply` command has been written. */
  written(): void {}

  protected resolve(value: T): void {
    if (this.settled) return;
    this.settled = true;
    this.resolveFn(value);
  }

  /** Fails the command (server error, lost connection, cancellation). */
  fail(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.rejectFn(err);
  }

  protected serverError(payload: Buffer): MySQLError {
    this.host?.noteError?.();
    const e = parseErr(payload);
    let message = e.message;
    if (LOCAL_INFILE_REFUSED.has(e.errno) && this.sql !== undefined && /\bLOCAL\s+INFILE\b/i.test(this.sql)) {
      // The server's words ("The used command is not allowed...") do not say why.
      message += " (LOAD DATA LOCAL INFILE is disabled on this connection: pass localInfile: true to connect() to allow it)";
    }
    // The error keeps the statement, but never a password in it (the server's message may quote it too).
    const redacted = this.sql === undefined ? null : redactSecrets(this.sql);
    const err =
      redacted === null
        ? serverError(e.errno, e.sqlState, message)
        : serverError(e.errno, e.sqlState, scrubMessage(message, redacted), redacted.sql);
    this.host.noteServerError?.(err);
    return err;
  }
}

/** A command answered by a single OK or ERR packet: COM_PING, COM_INIT_DB, COM_RESET_CONNECTION. */
export class OkCommand extends Command<OkPacket> {
  constructor(readonly request: Buffer) {
    super();
  }

  onPacket(payload: Buffer): boolean {
    if (payload[0] === PACKET.ERR) {
      this.fail(this.serverError(payload));
    } else if (payload[0] === PACKET.OK) {
      const ok = parseOk(payload, this.host.capabilities);
      this.host.noteStatus(ok.statusFlags, ok.sessionState);
      this.resolve(ok);
    } else {
      this.fail(clientError(CR.MALFORMED_PACKET, `expected OK or ERR, got packet 0x${payload[0]?.toString(16)}`));
    }
    return true;
  }
}

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

/** What servers answer LOAD DATA LOCAL when the client did not offer it: MySQL 5.7, MySQL 8, MariaDB. */
const LOCAL_INFILE_REFUSED = new Set<number>([ER.NOT_ALLOWED_COMMAND, ER.CLIENT_LOCAL_FILES_DISABLED, ER.LOAD_INFILE_CAPABILITY_DISABLED]);

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
 * the first result is kept as the last item (raised by `nextSet()`, as PyMySQL does).
 * Streaming mode resolves as soon as the first result's metadata (or OK) arrives and then
 * hands rows out through `read()`, pausing the socket while the reader falls behind.
 */
export class QueryCommand extends Command<(ResultSet | Error)[]> {
  private state = State.Header;
  private columns: ColumnDefinition[] = [];
  private columnCount = 0;
  private decoder: RowDecoder | null = null;
  private rows: unknown[] = [];
  private readonly results: (ResultSet | Error)[] = [];
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

  constructor(
    readonly request: Buffer,
    sql: string,
    private readonly shape: RowShape,
    readonly streaming: boolean,
  ) {
    super();
    this.sql = sql;
  }

  onPacket(payload: Buffer, sequenceId: number): boolean {
    switch (this.state) {
      case State.Header:
        return this.onHeader(payload, sequenceId);
      case State.Columns:
        this.holdBytes(payload.length);
        this.columns.push(parseColumnDefinition(payload, this.host.extendedTypeInfo));
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

  private onHeader(payload: Buffer, sequenceId: number): boolean {
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
        this.host.sendLocalInfile(parseLocalInfileRequest(payload), (sequenceId + 1) & 0xff, this);
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
      this.resolve(this.results);
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
      this.resolve(this.results);
      if (!more) this.finish();
    } else {
      this.results.push(result);
      if (!more) this.resolve(this.results);
    }
    return !more;
  }

  private finishWithError(err: Error): boolean {
    if (this.streaming) {
      if (!this.settled && this.queue.length === 0) this.fail(err);
      else this.push(new ResultError(err));
      this.resolve(this.results);
      this.finish();
    } else if (this.results.length === 0) {
      this.fail(err);
    } else {
      this.results.push(err);
      this.resolve(this.results);
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
