// One session with one server: the only packet path. Every exchange, the handshake and
// COM_CHANGE_USER included, is a command on one queue; the session writes each command's
// request when the pipeline allows it, hands every incoming packet to the command at the head
// of the queue, and fails everything at once when the link dies. It is the only CommandHost.
import { ColumnCache } from "../protocol/column-cache.js";
import { authenticate, choosePlugin, initialAuthResponse, type AuthIo } from "../authenticate.js";
import { makeDecoders } from "../converters.js";
import { InterfaceError, MySQLError, OperationalError, clientError } from "../errors.js";
import type { ResolvedOptions } from "../options.js";
import type { ParamEncoding } from "../protocol/binary.js";
import { charsetByName, loneSurrogateIndex, type Charset } from "../protocol/charsets.js";
import { writeSimpleCommand } from "../protocol/commands.js";
import { CLIENT, COM, CR, MARIADB_CLIENT, PACKET, SERVER_STATUS } from "../protocol/constants.js";
import type { HandshakeV10 } from "../protocol/handshake.js";
import type { SessionState } from "../protocol/session-state.js";
import { MalformedPacketError } from "../protocol/reader.js";
import { parseErr, parseOk } from "../protocol/results.js";
import { ARRAY_ROWS, type DecodeContext, type RowShape } from "../protocol/rows.js";
import { PacketWriter } from "../protocol/writer.js";
import { escapeString, type SqlText } from "../sql/escape.js";
import { echo, queryChannel, redactSql } from "../tracing.js";
import { ChangeUserCommand } from "./commands/change-user.js";
import type { Command, CommandHost, LocalInfileRequester } from "./commands/command.js";
import { HandshakeCommand } from "./commands/exchange.js";
import { OkCommand } from "./commands/ok.js";
import { QueryCommand, type QueryOutcome } from "./commands/query.js";
import { authError, authSettings, connectionAttributes, handshake } from "./connect.js";
import { answerLocalInfile } from "./local-infile-reply.js";
import { knownCharset, NON_ASCII_RE, paramEncodingFor, TRACK_CHARSETS, untrackedCharsetError } from "./client-charset.js";
import { Transport } from "./transport.js";

/** Options of `Session.query()`. */
export interface QueryOptions {
  shape?: RowShape;
  streaming?: boolean;
  /** Reject with the first error, even one that follows earlier results. */
  drainAll?: boolean;
  /** Sees the command before it is queued (cancellation tracks it); makes it a pipeline barrier. */
  onCommand?: (cmd: QueryCommand) => void;
}

/** LOAD DATA LOCAL makes the server wait for file data: nothing may be written behind it. */
const LOAD_DATA_RE = /\bLOAD\s+(DATA|XML)\b/i;

/**
 * Markers of a session that is not open yet and one closed by its user: errors built once (an
 * error's stack trace costs microseconds per connection), never thrown themselves.
 */
const NOT_OPEN = new InterfaceError("Connection is not open");
const CLOSED = new InterfaceError("Connection is closed");

export class Session implements CommandHost {
  readonly transport: Transport;
  readonly writer = new PacketWriter();
  readonly columnCache = new ColumnCache();
  private readonly pending: Command[] = [];
  /** How many commands at the head of `pending` have been written. */
  private written = 0;
  private holds = 0;
  /** Why the session is closed, or null while it is open; the markers are never thrown (see closedError). */
  private closeReason: Error | null = NOT_OPEN;
  private connecting = false;
  /** The server's greeting of the latest connection phase. */
  greeting: HandshakeV10 | null = null;

  /** The server is MariaDB (for the names of its error numbers). */
  get isMariaDB(): boolean {
    return this.greeting?.isMariaDB ?? false;
  }
  capabilities = 0;
  mariadbCapabilities = 0;
  extendedTypeInfo = false;
  /** Server status flags from the latest OK or EOF packet. */
  serverStatus = 0;
  /** The charset the options asked for (`conn.charset`); the session may have switched since. */
  readonly charset: Charset;
  /**
   * The session's `character_set_client` as the server last reported it (session state
   * tracking): SQL text is encoded, and so escaped, in it. null when it is a charset this client
   * cannot encode: then only ASCII text is sent, which every client charset reads the same.
   */
  clientCharset: Charset | null;
  /** Follows `character_set_results` (the charset result text is decoded in). */
  readonly decodeContext: DecodeContext;
  #paramEncoding: ParamEncoding;
  /** The tracking SET is still to be sent, ahead of the next statement (see sendTracking). */
  #trackingOwed = false;
  /** The tracking SET sent without waiting (sendTracking). */
  #tracking: QueryCommand | null = null;
  /** The current database and user, as last selected or logged in. */
  db: string | null;
  user: string;
  #password: string;
  /** Milliseconds since the epoch of the last command queued. */
  lastUsedAt = 0;
  /** Called once when the session is lost or closed (the facade drops its statement cache, a pool its connection). */
  onClose: ((lost: boolean) => void) | null = null;
  /** Told of every session state change the server reports (a cluster pool tracks GTIDs). */
  onSessionState: ((state: SessionState) => void) | null = null;
  /** Told of every error the server sends (a cluster pool watches for read-only refusals). */
  onServerError: ((err: MySQLError) => void) | null = null;

  constructor(readonly options: ResolvedOptions) {
    Object.defineProperty(this, "options", { enumerable: false });
    this.db = options.db;
    this.user = options.user;
    this.#password = options.password;
    this.charset = charsetByName(options.charset);
    this.decodeContext = {
      charset: this.charset,
      timeZone: options.timezone,
      defaults: makeDecoders(options.timezone),
      conv: options.conv,
      useUnicode: options.useUnicode,
    };
    this.clientCharset = this.charset;
    this.#paramEncoding = paramEncodingFor(this.charset, options.timezone);
    this.transport = new Transport({
      onPacket: (buf, start, end, seq) => this.onPacket(buf, start, end, seq),
      onBadBytes: (e) => this.fatal(asProtocolError(e)),
      onLost: (cause) => this.fatal(this.lostError(cause)),
    });
  }

  get closed(): boolean {
    return this.closeReason !== null;
  }

  get secure(): boolean {
    return this.transport.secure;
  }

  get encrypted(): boolean {
    return this.transport.encrypted;
  }

  /** The `maxResultBytes` option: the bound of a buffered statement's rows. */
  get maxResultBytes(): number {
    return this.options.maxResultBytes;
  }

  /**
   * True after a statement failed under autocommit off (an ERR packet carries no status flags,
   * and the failed statement may have opened a transaction and taken row locks) until an OK or
   * EOF reports the state again.
   */
  stateUnknownAfterError = false;

  /** A statement ended in an ERR packet, which says nothing of the transaction. */
  noteError(): void {
    if ((this.serverStatus & SERVER_STATUS.AUTOCOMMIT) === 0) this.stateUnknownAfterError = true;
  }

  get threadId(): number {
    return this.greeting?.connectionId ?? 0;
  }

  get noBackslashEscapes(): boolean {
    return (this.serverStatus & SERVER_STATUS.NO_BACKSLASH_ESCAPES) !== 0;
  }

  get hasPendingWork(): boolean {
    return this.pending.length > 0;
  }

  private get where(): string {
    const o = this.options;
    return o.unixSocket ? o.unixSocket : `${o.host}:${o.port}`;
  }

  // ---- the connection phase ----

  /** Dials the server and runs the handshake as the first command, within `connectTimeout`. */
  async connect(): Promise<void> {
    const o = this.options;
    this.closeReason = null;
    this.#trackingOwed = false;
    this.connecting = true;
    this.transport.connect(o);
    const cmd = new HandshakeCommand(() => {
      if (this.capabilities & CLIENT.COMPRESS) this.transport.startCompression();
    });
    void this.enqueue(cmd);
    const login = { user: this.user, password: this.#password, db: this.db, collationId: this.charset.collationId };
    const link = {
      writer: this.writer,
      upgradeToTls: () => this.transport.upgradeToTls(o),
      greeted: (g: HandshakeV10) => {
        this.greeting = g;
        this.mariadbCapabilities = g.mariadbCapabilities & (MARIADB_CLIENT.EXTENDED_TYPE_INFO | MARIADB_CLIENT.STMT_BULK_OPERATIONS);
        this.extendedTypeInfo = (this.mariadbCapabilities & MARIADB_CLIENT.EXTENDED_TYPE_INFO) !== 0;
      },
      negotiated: (caps: number) => (this.capabilities = caps),
    };
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      if (o.connectTimeout === null || o.connectTimeout <= 0) return;
      timer = setTimeout(() => {
        const err = clientError(
          CR.CONN_HOST_ERROR,
          `Can't connect to MySQL server on '${this.where}' (timed out after ${o.connectTimeout} s)`,
        );
        this.fatal(err);
        reject(err);
      }, o.connectTimeout * 1000);
    });
    deadline.catch(() => {});
    try {
      const exchange = handshake(cmd.io, link, o, login, this.where);
      exchange.catch(() => {});
      const [status] = await Promise.race([Promise.all([exchange, cmd.promise]), deadline]);
      this.serverStatus = status;
    } catch (e) {
      // Whatever failed (a malformed greeting included), the caller sees a library error.
      this.fatal(asProtocolError(e));
      throw this.closeReason ?? e;
    } finally {
      clearTimeout(timer);
      this.connecting = false;
    }
  }

  /**
   * Applies the session settings of the options: charset, sql_mode, init command, autocommit.
   * Also makes sure the server reports changes of the session's charsets (a user's SET NAMES).
   * The settings on either side of the init command are folded into one SET statement each,
   * so a connection without an init command pays one round trip for all of them.
   */
  async initialise(): Promise<void> {
    const o = this.options;
    // A new login or a reset session is back to the charset of the handshake.
    this.#trackingOwed = false;
    this.setClientCharset(this.charset);
    this.decodeContext.charset = this.charset;
    let assignments: string[] = [];
    if (this.charset.collationId > 255) assignments.push(`NAMES ${this.charset.name}`);
    if (o.sqlMode !== null) assignments.push(`sql_mode=${escapeString(o.sqlMode, this.noBackslashEscapes)}`);
    if (o.initCommand !== null) {
      if (assignments.length > 0) await this.query(`SET ${assignments.join(", ")}`, { drainAll: true });
      assignments = [];
      await this.query(o.initCommand, { drainAll: true });
      await this.query("COMMIT");
    }
    // After the init command, which may set session_track_system_variables itself.
    const track = (this.capabilities & CLIENT.SESSION_TRACK) !== 0;
    const autocommit = o.autocommit !== null && o.autocommit !== ((this.serverStatus & SERVER_STATUS.AUTOCOMMIT) !== 0);
    if (assignments.length === 0 && !autocommit) {
      // The tracking alone: nothing needs to wait for it.
      this.#trackingOwed = track;
      return;
    }
    if (track) assignments.push(TRACK_CHARSETS);
    if (autocommit) assignments.push(`AUTOCOMMIT = ${o.autocommit ? 1 : 0}`);
    await this.query(`SET ${assignments.join(", ")}`, { drainAll: true });
  }

  /**
   * Sends the SET of TRACK_CHARSETS ahead of the first statement after the login (in the same
   * write), without waiting for its OK: nothing depends on it but the statements behind it,
   * which the server runs after it, and a connection closed before any statement never needs
   * it. A statement whose bytes depend on `character_set_client` (non-ASCII text) is written
   * only once nothing is in flight (`awaitsCharset`), so after this OK; ASCII reads the same in
   * every client charset, so it may follow at once. A user's SET NAMES runs after the tracking
   * is on, so its OK reports the switch. Should the SET fail, the session is closed with the
   * reason: escaping could no longer follow the session's charset.
   */
  private sendTracking(): void {
    this.#trackingOwed = false;
    const cmd = this.queryCommand(`SET ${TRACK_CHARSETS}`, ARRAY_ROWS, false, false);
    this.#tracking = cmd;
    const done = this.enqueue(cmd).then((outcome) => {
      if (outcome.error) throw outcome.error;
    });
    done.catch((e: Error) => {
      if (this.closeReason !== null) return; // closed by the user, or lost (reported already)
      const message = `Could not ask the server to report character_set_client changes (${e.message}), so escaping could not follow them`;
      this.fatal(clientError(CR.UNKNOWN_ERROR, message, e));
    });
  }

  /** Logs in again as `user` (COM_CHANGE_USER); a failed exchange closes the session. */
  async changeUser(user: string, password: string, db: string | null): Promise<void> {
    if (this.closeReason !== null) throw this.closedError();
    const o = this.options;
    const greeting = this.greeting!;
    const settings = authSettings(o, user, password);
    const pluginName = choosePlugin(o.authPlugin, greeting.authPluginName);
    // The first response is computed before the command is queued, so it needs no packets.
    const probe: AuthIo = {
      read: () => Promise.reject(new InterfaceError("no packet")),
      write: () => {},
      secure: this.secure,
      encrypted: this.encrypted,
    };
    const authResponse = await initialAuthResponse(pluginName, settings, greeting.authPluginData, probe);
    const cmd = new ChangeUserCommand({
      capabilities: this.capabilities,
      user,
      authResponse,
      database: db,
      collationId: this.charset.collationId,
      authPluginName: pluginName,
      attributes: connectionAttributes(o.programName),
    });
    const queued = this.enqueue(cmd);
    const exchange = authenticate(pluginName, settings, greeting.authPluginData, cmd.io, authError);
    exchange.catch(() => {});
    let ok: Buffer;
    try {
      [ok] = await Promise.all([exchange, queued]);
    } catch (e) {
      // A failed exchange leaves the session in an unknown state: the connection is done for.
      this.fatal(e as Error);
      throw e;
    }
    this.serverStatus = parseOk(ok, this.capabilities).statusFlags;
    this.user = user;
    this.#password = password;
    this.db = db;
  }

  // ---- packets in ----

  private onPacket(buf: Buffer, start: number, end: number, sequenceId: number): void {
    const cmd = this.pending[0];
    // Rows go straight from the chunk to the decoder.
    if (cmd !== undefined && this.written > 0 && cmd.onRowBytes(buf, start, end)) return;
    const payload = buf.subarray(start, end);
    if (cmd === undefined || this.written === 0) {
      if (payload[0] === PACKET.ERR) {
        // The server says why it is closing an idle connection (MariaDB: 1927 connection killed).
        const e = parseErr(payload);
        this.fatal(clientError(CR.SERVER_GONE_ERROR, `MySQL server has gone away (${e.errno}: ${e.message})`));
        return;
      }
      throw new MalformedPacketError(`unexpected packet 0x${payload[0]?.toString(16)} with no command in flight`);
    }
    if (cmd.onPacket(payload, sequenceId)) {
      this.pending.shift();
      this.written--;
      cmd.retire();
      this.pump();
    }
  }

  private lostError(cause?: Error): Error {
    if (this.connecting && this.greeting === null) {
      const why = cause ? ` (${(cause as NodeJS.ErrnoException).code ?? cause.message})` : "";
      return clientError(CR.CONN_HOST_ERROR, `Can't connect to MySQL server on '${this.where}'${why}`, cause);
    }
    if (this.pending.length > 0 || this.connecting) {
      return clientError(CR.SERVER_LOST, `Lost connection to MySQL server during query${cause ? ` (${cause.message})` : ""}`, cause);
    }
    return clientError(CR.SERVER_GONE_ERROR, `MySQL server has gone away${cause ? ` (${cause.message})` : ""}`, cause);
  }

  /** Marks the session closed and fails everything in flight with `err`. */
  fatal(err: Error): void {
    const first = this.closeReason === null;
    if (first) this.closeReason = err;
    this.transport.destroy();
    this.failAll(err);
    if (first) this.onClose?.(true);
  }

  private failAll(err: Error): void {
    const pending = this.pending.splice(0);
    this.written = 0;
    for (const cmd of pending) {
      cmd.fail(err);
      cmd.retire();
    }
  }

  /** The error for using the session after it closed: 2006 when it was lost. */
  closedError(): Error {
    const reason = this.closeReason;
    if (reason instanceof OperationalError) {
      const message = reason.errno === CR.SERVER_GONE_ERROR ? reason.message : `MySQL server has gone away (${reason.message})`;
      return clientError(CR.SERVER_GONE_ERROR, message, reason);
    }
    return new InterfaceError("Connection is closed");
  }

  // ---- commands out ----

  /** Queues a command; it is written at once unless something must finish first. */
  enqueue<T>(cmd: Command<T>): Promise<T> {
    if (this.closeReason !== null) return Promise.reject(this.closedError());
    // Every statement (a command with SQL) runs after the tracking SET.
    if (this.#trackingOwed && cmd.sql !== undefined) this.sendTracking();
    cmd.attach(this);
    if (cmd.sql !== undefined && queryChannel.hasSubscribers) {
      const o = this.options;
      const context = { sql: redactSql(cmd.sql), threadId: this.threadId, host: o.host, port: o.port, database: this.db };
      queryChannel.tracePromise(() => cmd.promise, context).catch(() => {});
    }
    this.pending.push(cmd as Command<unknown>);
    this.lastUsedAt = Date.now();
    this.pump();
    return cmd.promise;
  }

  private pump(): void {
    if (!this.transport.open || this.holds > 0) return;
    while (this.written < this.pending.length) {
      const cmd = this.pending[this.written]!;
      if (this.written > 0 && (!cmd.pipelinable || cmd.awaitsMode || cmd.awaitsCharset || !this.pending[this.written - 1]!.pipelinable))
        break;
      let request: Buffer | null;
      try {
        request = cmd.encode(this);
      } catch (e) {
        // The request cannot be written (a value that cannot be encoded): only this command fails.
        this.pending.splice(this.written, 1);
        cmd.fail(e as Error);
        cmd.retire();
        continue;
      }
      if (request !== null) this.transport.writeCommand(request);
      if (cmd.noReply) {
        // Nothing will come back for it (COM_STMT_CLOSE): done as soon as it is written.
        this.pending.splice(this.written, 1);
        cmd.written();
        continue;
      }
      this.written++;
    }
  }

  /** True once `cmd` has been written and its response is not complete yet. */
  isInFlight<T>(cmd: Command<T>): boolean {
    const i = this.pending.indexOf(cmd as Command<unknown>);
    return i !== -1 && i < this.written;
  }

  /** Removes a command that is queued but not yet written; false if it was written. */
  unqueue<T>(cmd: Command<T>, err: Error): boolean {
    const i = this.pending.indexOf(cmd as Command<unknown>);
    if (i < this.written) return false;
    this.pending.splice(i, 1);
    cmd.fail(err);
    cmd.retire();
    this.pump();
    return true;
  }

  /** Writes nothing more until `until` settles (a KILL QUERY in progress). */
  hold(until: Promise<unknown>): void {
    this.holds++;
    void until.finally(() => {
      this.holds--;
      this.pump();
    });
  }

  /** How statement parameters are encoded: in the session's live `character_set_client`. */
  get paramEncoding(): ParamEncoding {
    return this.#paramEncoding;
  }

  /** SQL text as the server reads it: in the session's live `character_set_client`. */
  encodeSql(sql: string): string | Buffer {
    const cs = this.clientCharset;
    if (cs === null) {
      const i = sql.search(NON_ASCII_RE);
      if (i !== -1) throw untrackedCharsetError(sql, i);
      return sql;
    }
    // utf8mb4 is written straight into the packet unless it has an unpaired surrogate, which
    // encode() refuses with a DataError instead of letting it become U+FFFD.
    return cs.name === "utf8mb4" && loneSurrogateIndex(sql) === -1 ? sql : cs.encode(sql);
  }

  private setClientCharset(cs: Charset | null): void {
    this.clientCharset = cs;
    this.#paramEncoding = paramEncodingFor(cs, this.options.timezone);
  }

  /** Runs one COM_QUERY; resolves to its outcome (`drainAll`: rejects with any error in it). */
  query(sql: SqlText, opts: QueryOptions = {}): Promise<QueryOutcome> {
    if (this.closeReason !== null) return Promise.reject(this.closedError());
    const cmd = this.queryCommand(sql, opts.shape ?? ARRAY_ROWS, opts.streaming ?? false, false);
    // A cancellable statement is a pipeline barrier, so a late KILL QUERY cannot hit the next one.
    if (opts.onCommand) {
      cmd.pipelinable = false;
      opts.onCommand(cmd);
    }
    const p = this.enqueue(cmd);
    if (opts.drainAll) {
      return p.then((outcome) => {
        if (outcome.error) throw outcome.error;
        return outcome;
      });
    }
    return p;
  }

  /** Starts a streaming COM_QUERY and returns its command to read rows from. */
  queryStream(sql: SqlText, shape: RowShape, barrier = false): QueryCommand {
    const cmd = this.queryCommand(sql, shape, true, barrier);
    if (this.closeReason !== null) cmd.fail(this.closedError());
    else void this.enqueue(cmd);
    return cmd;
  }

  private queryCommand(sql: SqlText, shape: RowShape, streaming: boolean, barrier: boolean): QueryCommand {
    const cmd = new QueryCommand(sql, shape, streaming);
    if (this.options.echo) echo(cmd.sql!);
    if (barrier || LOAD_DATA_RE.test(cmd.sql!)) cmd.pipelinable = false;
    return cmd;
  }

  /** Runs a command answered by OK or ERR (COM_PING, COM_INIT_DB, COM_RESET_CONNECTION). */
  async simple(command: number, argument: string | null = null): Promise<void> {
    await this.enqueue(new OkCommand(command, argument));
  }

  /** Discards unread streamed rows and waits for every command in flight. */
  async settle(): Promise<void> {
    while (this.pending.length > 0) {
      const cmds = this.pending.slice();
      for (const c of cmds) if (c instanceof QueryCommand && c.streaming) void c.drain();
      await Promise.allSettled(cmds.map((c) => c.promise));
      for (const c of cmds) if (c instanceof QueryCommand && c.streaming) await c.drain();
    }
  }

  /** Waits for every command in flight, then closes (COM_QUIT). */
  async closeWhenIdle(): Promise<void> {
    if (this.closeReason !== null) {
      this.transport.destroy();
      return;
    }
    // The tracking SET is only for the statements behind it: COM_QUIT need not wait for its OK.
    await Promise.allSettled(this.pending.filter((c) => c !== (this.#tracking as Command<unknown> | null)).map((c) => c.promise));
    await this.close();
  }

  /** Closes at once: COM_QUIT if the link is up, and every command in flight fails. Resolves when the socket is closed. */
  close(): Promise<void> {
    if (this.closeReason !== null) return Promise.resolve();
    this.closeReason = CLOSED;
    writeSimpleCommand(this.writer, COM.QUIT);
    const closed = this.transport.end(this.writer.finish(0)[0]);
    if (this.pending.length > 0) this.failAll(new InterfaceError("Connection is closed"));
    this.onClose?.(false);
    return closed;
  }

  // ---- CommandHost ----

  noteStatus(statusFlags: number, sessionState?: SessionState): void {
    if (sessionState !== undefined) {
      const client = sessionState.systemVariables.get("character_set_client");
      if (client !== undefined) this.setClientCharset(knownCharset(client));
      const results = sessionState.systemVariables.get("character_set_results");
      // NULL (no conversion) or a charset this client cannot decode: text is decoded by the
      // charset the column definitions name (see columnDecoder), falling back to the session's.
      if (results !== undefined) this.decodeContext.charset = knownCharset(results) ?? this.clientCharset ?? this.charset;
      this.onSessionState?.(sessionState);
    }
    this.serverStatus = statusFlags;
    // Status flags describe the session after the latest statement: the state is known again.
    this.stateUnknownAfterError = false;
  }

  noteServerError(err: MySQLError): void {
    this.onServerError?.(err);
  }

  writePayload(payload: Buffer): void {
    this.transport.writePayload(payload);
  }

  sendLocalInfile(fileName: string, cmd: LocalInfileRequester): void {
    answerLocalInfile(this.options.localInfile, fileName, cmd, this.noBackslashEscapes, (p) => this.transport.writePayload(p));
  }

  pauseReading(): void {
    this.transport.pause();
  }

  resumeReading(): void {
    this.transport.resume();
  }
}

function asProtocolError(e: unknown): Error {
  if (e instanceof MySQLError) return e;
  if (e instanceof MalformedPacketError) return clientError(CR.MALFORMED_PACKET, `Malformed packet from the server: ${e.message}`, e);
  return clientError(CR.MALFORMED_PACKET, `Malformed packet from the server: ${(e as Error).message}`, e);
}
