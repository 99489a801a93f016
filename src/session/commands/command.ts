// Commands of the command phase as state machines. A command writes its own request when the
// session is ready to send it, then is fed the response packets, in order, until it reports
// that it is done. The session is the only CommandHost.
import type { ColumnCache } from "../../protocol/column-cache.js";
import { MySQLError, serverError } from "../../errors.js";
import type { ParamEncoding } from "../../protocol/binary.js";
import { ER } from "../../protocol/er.js";
import { redactSecrets, scrubMessage } from "../../sql/redact.js";
import { parseErr } from "../../protocol/results.js";
import type { DecodeContext } from "../../protocol/rows.js";
import type { SessionState } from "../../protocol/session-state.js";
import type { PacketWriter } from "../../protocol/writer.js";

/** What a command may ask of its session while it runs. */
export interface CommandHost {
  readonly capabilities: number;
  readonly decodeContext: DecodeContext;
  /** MariaDB sends extended type names in column definitions. */
  readonly extendedTypeInfo: boolean;
  /** The column definitions of the latest text result set, for the next one (see ColumnCache). */
  readonly columnCache?: ColumnCache;
  /** The server is MariaDB (error numbers above 1700 have MariaDB's names), when known. */
  readonly isMariaDB?: boolean;
  /** The one reusable writer of outgoing packets. */
  readonly writer: PacketWriter;
  /** How statement parameters are encoded (COM_STMT_EXECUTE). */
  readonly paramEncoding: ParamEncoding;
  /** SQL text as the session's charset encodes it (utf8mb4 text is written as is). */
  encodeSql(sql: string): string | Buffer;
  /** The latest status flags say NO_BACKSLASH_ESCAPES. */
  readonly noBackslashEscapes: boolean;
  /**
   * Records the status flags of an OK/EOF packet (transaction state, no-backslash-escapes) and
   * the session state changes it reported (CLIENT_SESSION_TRACK), if any.
   */
  noteStatus(statusFlags: number, sessionState?: SessionState): void;
  /** Told of every error the server sent (a cluster pool re-probes after a read-only refusal). */
  noteServerError(err: MySQLError): void;
  /** Records that a statement failed with an ERR packet (the transaction state is then unknown). */
  noteError?(): void;
  /** Most bytes of rows (and column definitions) a buffered statement may hold; 0 for no limit. */
  readonly maxResultBytes?: number;
  /** The link is TLS or a unix socket, where a clear-text password is not exposed. */
  readonly secure: boolean;
  /** The link is TLS, even with an unverified certificate. */
  readonly encrypted: boolean;
  /** Sends one packet payload within the current exchange (auth data, LOCAL INFILE data). */
  writePayload(payload: Buffer): void;
  /** Answers a LOCAL INFILE request of `command` for `fileName`. */
  sendLocalInfile(fileName: string, command: LocalInfileRequester): void;
  pauseReading(): void;
  resumeReading(): void;
}

/** A command that may receive a LOCAL INFILE request: it keeps the error of a refusal. */
export interface LocalInfileRequester {
  readonly sql?: string | undefined;
  /** The error to raise after a refused LOCAL INFILE request has been answered. */
  infileError: Error | null;
}

/** True when `text` has a character beyond ASCII (see `Command.awaitsCharset`). */
export function hasNonAscii(text: string): boolean {
  return NON_ASCII_RE.test(text);
}

const NON_ASCII_RE = /[^\x00-\x7f]/;

function noop(): void {}

/** What servers answer LOAD DATA LOCAL when the client did not offer it: MySQL 5.7, MySQL 8, MariaDB. */
const LOCAL_INFILE_REFUSED = new Set<number>([ER.NOT_ALLOWED_COMMAND, ER.CLIENT_LOCAL_FILES_DISABLED, ER.LOAD_INFILE_CAPABILITY_DISABLED]);

export abstract class Command<T = unknown> {
  /** May be written while earlier commands are still in flight. */
  pipelinable = true;
  /** The server sends no response (COM_STMT_CLOSE): the command is done once written. */
  noReply = false;
  /**
   * The request is built from the session's sql_mode: it is written only when no earlier
   * command is in flight, so that the mode the server reported last is the one it will apply.
   */
  awaitsMode = false;
  /**
   * The request carries non-ASCII text, whose bytes depend on the session's
   * `character_set_client`: like `awaitsMode`, it is written only when no earlier command is in
   * flight, so that it is encoded (and its values escaped) in the charset the server will apply.
   * ASCII text reads the same in every charset a server accepts for a client.
   */
  awaitsCharset = false;
  protected host!: CommandHost;
  private resolveFn!: (value: T) => void;
  private rejectFn!: (err: Error) => void;
  readonly promise: Promise<T>;
  settled = false;
  /** The SQL text, for error messages and tracing. */
  sql?: string;
  private retireFn: (() => void) | null = null;
  private retiredPromise: Promise<void> | null = null;
  private isRetired = false;

  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolveFn = resolve;
      this.rejectFn = reject;
    });
  }

  /**
   * Resolves once the session is done with the command (answered, failed or dropped). Made on
   * first use: only cancellation asks for it, and a statement is cheaper without it.
   */
  get retired(): Promise<void> {
    if (this.retiredPromise === null) {
      this.retiredPromise = this.isRetired ? Promise.resolve() : new Promise<void>((resolve) => (this.retireFn = resolve));
    }
    return this.retiredPromise;
  }

  /**
   * Writes the request into `host.writer` and returns it framed with sequence id 0, or null
   * for a command that starts by reading (the handshake). Called when the session sends it.
   */
  abstract encode(host: CommandHost): Buffer | null;

  /** @internal Called by the session when it removes the command from its queue. */
  retire(): void {
    this.isRetired = true;
    this.retireFn?.();
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
    // Nobody may be awaiting yet; the rejection still reaches whoever awaits later. Marked
    // handled here rather than up front: a statement that succeeds needs no extra promise.
    this.promise.catch(noop);
    this.rejectFn(err);
  }

  protected serverError(payload: Buffer): MySQLError {
    const e = parseErr(payload);
    let message = e.message;
    if (LOCAL_INFILE_REFUSED.has(e.errno) && this.sql !== undefined && /\bLOCAL\s+INFILE\b/i.test(this.sql)) {
      // The server's words ("The used command is not allowed...") do not say why.
      message += " (LOAD DATA LOCAL INFILE is disabled on this connection: pass localInfile: true to connect() to allow it)";
    }
    this.host.noteError?.();
    // The error keeps the statement, but never a password in it (the server's message may quote it too).
    const redacted = this.sql === undefined ? null : redactSecrets(this.sql);
    const err =
      redacted === null
        ? serverError(e.errno, e.sqlState, message, undefined, this.host.isMariaDB)
        : serverError(e.errno, e.sqlState, scrubMessage(message, redacted), redacted.sql, this.host.isMariaDB);
    this.host.noteServerError(err);
    return err;
  }
}
