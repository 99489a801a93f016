// Connection: the socket, the TLS upgrade, the connection phase, and a pipelined command queue.
import { createReadStream } from "node:fs";
import * as net from "node:net";
import * as tls from "node:tls";
import { authenticate, choosePlugin, initialAuthResponse, type AuthIo, type AuthSettings } from "./authenticate.js";
import { ChangeUserCommand, writeComChangeUser } from "./auth/change-user.js";
import { Command, OkCommand, QueryCommand, type CommandHost, type ResultSet } from "./command.js";
import { makeDecoders } from "./converters.js";
import { Cursor, type CursorClass, type DictCursor, type SSCursor, type SSDictCursor } from "./cursors.js";
import { InterfaceError, MySQLError, OperationalError, clientError, commitOutcomeUnknown, serverError } from "./errors.js";
import { escape as escapeValue } from "./escape.js";
import { statementNamesFile } from "./local-infile.js";
import { connectChannel, echo, queryChannel, redactSql, traced } from "./tracing.js";
import { resolveOptions, type ConnectOptions, type ResolvedOptions } from "./options.js";
import { checkWireText } from "./options-check.js";
import { withDeadline, type CommandOptions } from "./deadline.js";
import { charsetByName, loneSurrogateIndex, type Charset } from "./protocol/charsets.js";
import { writeComInitDb, writeComQuery, writeSimpleCommand } from "./protocol/commands.js";
import { CLIENT, COM, CR, MARIADB_CLIENT, PACKET, SERVER_STATUS } from "./protocol/constants.js";
import { CompressedParser, compressFrames } from "./protocol/compress.js";
import { PacketParser } from "./protocol/framing.js";
import { parseHandshakeV10, writeHandshakeResponse41, writeSSLRequest, type HandshakeV10 } from "./protocol/handshake.js";
import { MalformedPacketError } from "./protocol/reader.js";
import { parseErr, parseOk } from "./protocol/results.js";
import type { SessionState } from "./protocol/session-state.js";
import { ARRAY_ROWS, type DecodeContext, type RowShape } from "./protocol/rows.js";
import { frameLargePayload, PacketWriter } from "./protocol/writer.js";
import type { ParamEncoding } from "./protocol/binary.js";
import { PreparedStatement, StatementCache, prepareStatement } from "./statement.js";
import type { SqlParam } from "./types.js";

/** Capabilities we ask for whenever the server offers them. */
const BASE_CAPABILITIES =
  CLIENT.LONG_PASSWORD |
  CLIENT.LONG_FLAG |
  CLIENT.PROTOCOL_41 |
  CLIENT.TRANSACTIONS |
  CLIENT.SECURE_CONNECTION |
  CLIENT.MULTI_RESULTS |
  CLIENT.PS_MULTI_RESULTS |
  CLIENT.PLUGIN_AUTH |
  CLIENT.PLUGIN_AUTH_LENENC_CLIENT_DATA |
  CLIENT.CONNECT_ATTRS |
  CLIENT.SESSION_TRACK | // OK packets carry session state changes (tracked variables, GTIDs)
  CLIENT.DEPRECATE_EOF;

const MAX_PACKET_SIZE = 0x40000000; // 1 GiB, the protocol maximum for max_allowed_packet

/** Something that takes a connection back (a Pool), set on connections it hands out. */
export interface ConnectionOwner {
  /** Takes back a connection handed out by this owner; the connection is not closed. */
  release(conn: Connection): void;
  /** Told when the connection is lost (server closed it, network error), so a pool can drop it. */
  connectionLost?(conn: Connection): void;
}

/**
 * A connection to a MySQL or MariaDB server. Create one with `connect()`; its methods return
 * Promises except `close()`, which closes at once.
 */
export class Connection implements CommandHost, AsyncDisposable {
  /** @internal */ readonly options: ResolvedOptions;
  private socket: net.Socket | null = null;
  private parser: PacketParser;
  /** @internal The one reusable writer of outgoing packets. */
  readonly writer = new PacketWriter();
  private readonly pending: Command[] = [];
  private written = 0;
  private corked = false;
  private greeting: HandshakeV10 | null = null;
  private closeReason: Error | null = new InterfaceError("Connection is not open");
  /** The link is a unix socket or TLS with a verified certificate. */
  private secureLink = false;
  /** The link is TLS, verified or not. */
  private encryptedLink = false;
  private currentDb: string | null;
  private charsetInfo: Charset;
  private connectInbox: Buffer[] = [];
  private connectWaiter: { resolve: (b: Buffer) => void; reject: (e: Error) => void } | null = null;
  private connectPhase = false;
  private sequenceId = 0;
  /** Set once the compressed protocol is on: unwraps frames before the packet parser. */
  private inflater: CompressedParser | null = null;
  /** Next compressed sequence id of a reply within the current command (LOCAL INFILE data). */
  private compressSeq = 0;
  private framesAnswered = 0;
  private currentUser: string;
  // A #private field: util.inspect and JSON never show it.
  #password: string;

  /** @internal Negotiated capability flags. */
  capabilities = 0;
  /** @internal MariaDB extended capabilities in use. */
  mariadbCapabilities = 0;
  /** @internal Column definitions carry MariaDB's extended type names. */
  extendedTypeInfo = false;
  /** Server status flags from the latest OK or EOF packet. */
  serverStatus = 0;
  /** @internal Decoding settings of this connection's result sets. */
  decodeContext: DecodeContext;
  /** @internal The pool this connection belongs to, if any. */
  owner: ConnectionOwner | null = null;
  /** The name of the cluster node this connection is on, or null outside a cluster pool. */
  node: string | null = null;
  /** @internal Told of every session state change the server reports (a cluster pool tracks GTIDs). */
  onSessionState: ((state: SessionState) => void) | null = null;
  /** @internal Told of every error the server sends (a cluster pool watches for read-only refusals). */
  onServerError: ((err: MySQLError) => void) | null = null;
  /** Milliseconds since the epoch when the connection was last (re)established. */
  createdAt = 0;
  /** Milliseconds since the epoch of the last command sent. */
  lastUsedAt = 0;

  /** @internal Use `connect()`. */
  constructor(options: ResolvedOptions) {
    this.options = options;
    // Keep the options (and the password in them) out of console.log / util.inspect output.
    Object.defineProperty(this, "options", { enumerable: false });
    this.currentDb = options.db;
    this.currentUser = options.user;
    this.#password = options.password;
    this.charsetInfo = charsetByName(options.charset);
    const defaults = makeDecoders(options.timezone);
    this.decodeContext = {
      charset: this.charsetInfo,
      timeZone: options.timezone,
      defaults,
      conv: options.conv,
      useUnicode: options.useUnicode,
    };
    this.parser = new PacketParser((buf, start, end, seq) => this.onPacket(buf, start, end, seq));
  }

  // ---- public properties (read-only) ----

  /** True once the connection is closed, by `close()` or because it was lost. */
  get closed(): boolean {
    return this.closeReason !== null;
  }
  /** The server host name or address this connection was opened to. */
  get host(): string {
    return this.options.host;
  }
  /** The server TCP port (3306 by default). */
  get port(): number {
    return this.options.port;
  }
  /** The Unix socket path connected to, or null for TCP. */
  get unixSocket(): string | null {
    return this.options.unixSocket;
  }
  /** The current database, as last selected. */
  get db(): string | null {
    return this.currentDb;
  }
  /** The user name logged in as (after `changeUser()`, the new one). */
  get user(): string {
    return this.currentUser;
  }
  /** @internal The `maxResultBytes` option: the bound of a buffered statement's rows. */
  get maxResultBytes(): number {
    return this.options.maxResultBytes;
  }
  /** True when executed SQL is logged through the `aiomysql` logger (see `setLogger()`). */
  get echo(): boolean {
    return this.options.echo;
  }
  /** The connection character set's name in MySQL ("utf8mb4"). */
  get charset(): string {
    return this.charsetInfo.name;
  }
  /** The encoding of text sent and received, as Node names it ("utf8"). */
  get encoding(): string {
    return this.charsetInfo.isUtf8 ? "utf8" : this.charsetInfo.name;
  }
  /** The server's version string, such as "10.11.6-MariaDB". */
  get serverVersion(): string {
    return this.greeting?.serverVersion ?? "";
  }
  /** The server's id for this connection (what KILL takes). */
  get threadId(): number {
    return this.greeting?.connectionId ?? 0;
  }
  /** True when connected to MariaDB rather than MySQL. */
  get isMariaDB(): boolean {
    return this.greeting?.isMariaDB ?? false;
  }
  /**
   * True while the server reports an open transaction. False once the connection is closed or
   * lost: the server rolls back what a closed session left open, and nothing can continue it.
   */
  get inTransaction(): boolean {
    return this.closeReason === null && (this.serverStatus & SERVER_STATUS.IN_TRANS) !== 0;
  }
  /**
   * @internal True when a transaction may be open: the server said so, or a statement failed
   * under autocommit off (an ERR packet carries no status flags, and the failed statement may
   * have opened a transaction and taken row locks) and no OK or EOF has reported the state since.
   */
  get mayBeInTransaction(): boolean {
    return this.inTransaction || (this.closeReason === null && this.stateUnknownAfterError);
  }
  private stateUnknownAfterError = false;
  /** True when the session's sql_mode has NO_BACKSLASH_ESCAPES. */
  get noBackslashEscapes(): boolean {
    return (this.serverStatus & SERVER_STATUS.NO_BACKSLASH_ESCAPES) !== 0;
  }

  // ---- connection phase ----

  /** @internal Opens the socket and runs the handshake; used by connect() and ping(true). */
  async open(): Promise<void> {
    const o = this.options;
    return traced(
      connectChannel,
      () => ({ host: o.host, port: o.port, unixSocket: o.unixSocket, user: this.user, database: this.currentDb }),
      () => this.openSocket(),
    );
  }

  private async openSocket(): Promise<void> {
    const o = this.options;
    const timeoutMs = o.connectTimeout === null ? 0 : o.connectTimeout * 1000;
    this.closeReason = null;
    this.connectPhase = true;
    this.connectInbox = [];
    this.inflater = null;
    this.framesAnswered = 0;
    this.parser = new PacketParser((buf, start, end, seq) => this.onPacket(buf, start, end, seq));
    const where = o.unixSocket ? o.unixSocket : `${o.host}:${o.port}`;
    const socket = o.unixSocket ? net.connect({ path: o.unixSocket }) : net.connect({ host: o.host, port: o.port });
    this.attachSocket(socket);
    this.secureLink = Boolean(o.unixSocket);
    this.encryptedLink = false;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          const err = clientError(
            CR.CONN_HOST_ERROR,
            `Can't connect to MySQL server on '${where}' (timed out after ${o.connectTimeout} s)`,
          );
          this.fatal(err);
          reject(err);
        }, timeoutMs);
      }
    });
    deadline.catch(() => {});
    try {
      await Promise.race([this.handshake(where), deadline]);
    } catch (e) {
      // Whatever failed (a malformed greeting included), the caller sees a library error.
      this.fatal(asProtocolError(e));
      throw this.closeReason ?? e;
    } finally {
      clearTimeout(timer);
      this.connectPhase = false;
    }
    this.createdAt = Date.now();
    this.lastUsedAt = this.createdAt;
    await this.afterConnect();
  }

  private attachSocket(socket: net.Socket): void {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      if (this.socket !== socket) return;
      try {
        (this.inflater ?? this.parser).push(chunk);
      } catch (e) {
        this.fatal(asProtocolError(e));
      }
    });
    socket.on("error", (err) => {
      if (this.socket === socket) this.fatal(this.lostError(err));
    });
    socket.on("close", () => {
      if (this.socket === socket) this.fatal(this.lostError());
    });
  }

  private lostError(cause?: Error): Error {
    const o = this.options;
    const where = o.unixSocket ? o.unixSocket : `${o.host}:${o.port}`;
    if (this.connectPhase && this.greeting === null) {
      const why = cause ? ` (${(cause as NodeJS.ErrnoException).code ?? cause.message})` : "";
      return clientError(CR.CONN_HOST_ERROR, `Can't connect to MySQL server on '${where}'${why}`, cause);
    }
    if (this.pending.length > 0 || this.connectPhase) {
      return clientError(CR.SERVER_LOST, `Lost connection to MySQL server during query${cause ? ` (${cause.message})` : ""}`, cause);
    }
    return clientError(CR.SERVER_GONE_ERROR, `MySQL server has gone away${cause ? ` (${cause.message})` : ""}`, cause);
  }

  /** Next packet of the connection phase, copied out of the network buffer. */
  private readConnectPacket(): Promise<Buffer> {
    const next = this.connectInbox.shift();
    if (next) return Promise.resolve(next);
    if (this.closeReason) return Promise.reject(this.closeReason);
    return new Promise((resolve, reject) => (this.connectWaiter = { resolve, reject }));
  }

  private writeConnectPacket(payload: Buffer): void {
    const [bytes, next] = frameLargePayload(payload, this.sequenceId);
    this.sequenceId = next;
    this.socket!.write(bytes);
  }

  /**
   * Writes framed packets, inside compressed frames once compression is on. A command
   * starts a new compressed sequence at 0; LOCAL INFILE data continues the server's.
   */
  private output(socket: net.Socket, bytes: Buffer, startsCommand: boolean): boolean {
    const inflater = this.inflater;
    if (inflater === null) return socket.write(bytes);
    let seq = this.compressSeq;
    if (startsCommand) {
      seq = 0;
    } else if (inflater.framesReceived !== this.framesAnswered) {
      // The first reply to the server's latest frame continues its sequence.
      this.framesAnswered = inflater.framesReceived;
      seq = (inflater.lastSequenceId + 1) & 0xff;
    }
    const [frames, next] = compressFrames(bytes, seq);
    this.compressSeq = next;
    return socket.write(frames);
  }

  /** The TLS settings of `sslMode`: null for no TLS, else whether TLS is mandatory. */
  private tlsPlan(): { required: boolean } | null {
    const o = this.options;
    switch (o.sslMode) {
      case "disabled":
        return null;
      case "preferred":
        return { required: false };
      default:
        return { required: true };
    }
  }

  private async handshake(where: string): Promise<void> {
    const o = this.options;
    const first = await this.readConnectPacket();
    if (first[0] === PACKET.ERR) {
      const e = parseErr(first);
      throw serverError(e.errno, e.sqlState, e.message);
    }
    const greeting = parseHandshakeV10(first);
    this.greeting = greeting;
    const server = greeting.capabilities;
    let caps = (BASE_CAPABILITIES | o.clientFlag) & (server | o.clientFlag);
    caps &= ~CLIENT.SSL;
    if (o.multiStatements) caps |= CLIENT.MULTI_STATEMENTS;
    if (o.db) caps |= CLIENT.CONNECT_WITH_DB;
    if (o.localInfile) caps |= CLIENT.LOCAL_FILES;
    if (o.compress) caps |= CLIENT.COMPRESS;
    caps &= server | CLIENT.MULTI_STATEMENTS | CLIENT.LOCAL_FILES | CLIENT.CONNECT_WITH_DB;
    const maria = greeting.mariadbCapabilities & MARIADB_CLIENT.EXTENDED_TYPE_INFO;
    this.mariadbCapabilities = maria;
    this.extendedTypeInfo = (maria & MARIADB_CLIENT.EXTENDED_TYPE_INFO) !== 0;
    const fields = {
      capabilities: caps,
      mariadbCapabilities: maria,
      maxPacketSize: MAX_PACKET_SIZE,
      collationId: this.charsetInfo.collationId,
      user: this.currentUser,
      authResponse: Buffer.alloc(0) as Buffer,
      database: o.db ?? undefined,
      authPluginName: "",
      attributes: connectionAttributes(o.programName),
    };
    this.sequenceId = 1;
    const tlsPlan = this.tlsPlan();
    if (tlsPlan && !(server & CLIENT.SSL) && tlsPlan.required) {
      throw clientError(
        CR.SSL_CONNECTION_ERROR,
        `TLS is required (sslMode '${o.sslMode}') but the server at '${where}' does not support it`,
      );
    }
    if (tlsPlan && server & CLIENT.SSL) {
      caps |= CLIENT.SSL;
      fields.capabilities = caps;
      writeSSLRequest(this.writer, fields);
      this.writeConnectPacket(this.writer.finish(0)[0].subarray(4));
      await this.upgradeToTls();
    }
    this.capabilities = caps;
    const settings: AuthSettings = {
      user: this.currentUser,
      password: this.#password,
      serverPublicKey: o.serverPublicKey,
      allowCleartextPassword: o.allowCleartextPassword,
      allowPublicKeyRetrieval: o.allowPublicKeyRetrieval,
    };
    const io: AuthIo = {
      read: () => this.readConnectPacket(),
      write: (payload) => this.writeConnectPacket(payload),
      secure: this.secureLink,
      encrypted: this.encryptedLink,
    };
    const pluginName = choosePlugin(o.authPlugin, greeting.authPluginName);
    fields.authPluginName = pluginName;
    fields.authResponse = await initialAuthResponse(pluginName, settings, greeting.authPluginData, io);
    writeHandshakeResponse41(this.writer, fields);
    this.writeConnectPacket(this.writer.finish(0)[0].subarray(4));
    const ok = await authenticate(pluginName, settings, greeting.authPluginData, io, (payload) => {
      const e = parseErr(payload);
      return serverError(e.errno, e.sqlState, e.message);
    });
    this.serverStatus = parseOk(ok, caps).statusFlags;
    if (caps & CLIENT.COMPRESS) {
      // Everything after the handshake's OK travels in compressed frames.
      this.inflater = new CompressedParser((bytes) => this.parser.push(bytes));
    }
  }

  private async upgradeToTls(): Promise<void> {
    const o = this.options;
    const raw = this.socket!;
    raw.removeAllListeners("data");
    const ssl = o.ssl ?? {};
    const tlsOptions: tls.ConnectionOptions =
      "context" in ssl && !("ca" in ssl) ? { secureContext: ssl as tls.SecureContext } : { ...(ssl as tls.ConnectionOptions) };
    // "required"/"preferred" encrypt without checking the certificate (MySQL's meaning);
    // "verify-ca" checks the chain but not the name; "verify-full" checks both.
    if ((o.sslMode === "required" || o.sslMode === "preferred") && tlsOptions.rejectUnauthorized === undefined) {
      tlsOptions.rejectUnauthorized = false;
    }
    if (o.sslMode === "verify-ca" && tlsOptions.checkServerIdentity === undefined) tlsOptions.checkServerIdentity = () => undefined;
    if (tlsOptions.servername === undefined && !net.isIP(o.host) && !o.unixSocket) tlsOptions.servername = o.host;
    if (tlsOptions.checkServerIdentity === undefined) {
      // Verify the certificate against the host we dialled (IP SANs included), or the servername given.
      const expected = tlsOptions.servername || (o.unixSocket ? "localhost" : o.host);
      tlsOptions.checkServerIdentity = (_name, cert) => tls.checkServerIdentity(expected, cert);
    }
    await new Promise<void>((resolve, reject) => {
      const secure = tls.connect({ ...tlsOptions, socket: raw }, () => {
        secure.removeListener("error", onError);
        this.attachSocket(secure);
        resolve();
      });
      const onError = (err: Error): void => {
        // Report the TLS failure itself (2026), not the lost connection that follows it.
        const e = clientError(CR.SSL_CONNECTION_ERROR, `TLS handshake with the server failed: ${err.message}`, err);
        this.fatal(e);
        reject(e);
      };
      secure.once("error", onError);
    });
    // Only a verified certificate keeps a man in the middle out: unverified TLS ("required",
    // "preferred") encrypts, but is no place for a clear-text password.
    this.secureLink = tlsOptions.rejectUnauthorized !== false;
    this.encryptedLink = true;
  }

  private async afterConnect(): Promise<void> {
    const o = this.options;
    const setup: string[] = [];
    if (this.charsetInfo.collationId > 255) setup.push(`SET NAMES ${this.charsetInfo.name}`);
    if (o.sqlMode !== null) setup.push(`SET sql_mode=${this.escape(o.sqlMode)}`);
    for (const sql of setup) await this.query(sql);
    if (o.initCommand !== null) {
      await this.query(o.initCommand, { drainAll: true });
      await this.query("COMMIT");
    }
    if (o.autocommit !== null && o.autocommit !== this.getAutocommit()) await this.autocommit(o.autocommit);
  }

  // ---- packets in ----

  private onPacket(buf: Buffer, start: number, end: number, sequenceId: number): void {
    this.sequenceId = (sequenceId + 1) & 0xff;
    const cmd = this.pending[0];
    // Rows go straight from the chunk to the decoder.
    if (cmd !== undefined && this.written > 0 && !this.connectPhase && cmd.onRowBytes(buf, start, end)) return;
    const payload = buf.subarray(start, end);
    if (this.connectPhase) {
      const copy = Buffer.from(payload);
      const w = this.connectWaiter;
      if (w) {
        this.connectWaiter = null;
        w.resolve(copy);
      } else {
        this.connectInbox.push(copy);
      }
      return;
    }
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

  /** Marks the connection closed and fails everything in flight with `err`. */
  private fatal(err: Error): void {
    if (this.closeReason === null) this.closeReason = err;
    this.dropStatements();
    const socket = this.socket;
    this.socket = null;
    socket?.destroy();
    const w = this.connectWaiter;
    this.connectWaiter = null;
    w?.reject(err);
    const pending = this.pending.splice(0);
    this.written = 0;
    for (const cmd of pending) {
      cmd.fail(err);
      cmd.retire();
    }
    this.owner?.connectionLost?.(this);
  }

  // ---- commands out ----

  /** @internal The error for using this connection after it closed: 2006 when it was lost. */
  closedError(): Error {
    const reason = this.closeReason;
    if (reason instanceof OperationalError) {
      const message = reason.errno === CR.SERVER_GONE_ERROR ? reason.message : `MySQL server has gone away (${reason.message})`;
      return clientError(CR.SERVER_GONE_ERROR, message, reason);
    }
    return new InterfaceError("Connection is closed");
  }

  /** @internal Queues a command; it is written at once unless something must finish first. */
  enqueue<T>(cmd: Command<T>): Promise<T> {
    if (this.closeReason !== null) return Promise.reject(this.closedError());
    cmd.attach(this);
    if (cmd.sql !== undefined && queryChannel.hasSubscribers) {
      const sql = cmd.sql;
      const context = { sql: redactSql(sql), threadId: this.threadId, host: this.host, port: this.port, database: this.currentDb };
      queryChannel.tracePromise(() => cmd.promise, context).catch(() => {});
    }
    this.pending.push(cmd as Command<unknown>);
    this.lastUsedAt = Date.now();
    this.pump();
    return cmd.promise;
  }

  private pump(): void {
    const socket = this.socket;
    if (!socket || this.holds > 0) return;
    while (this.written < this.pending.length) {
      const cmd = this.pending[this.written]!;
      if (this.written > 0 && (!cmd.pipelinable || !this.pending[this.written - 1]!.pipelinable)) break;
      if (!this.corked) {
        // Batch every command issued in this turn of the event loop into one write.
        this.corked = true;
        socket.cork();
        process.nextTick(() => {
          this.corked = false;
          socket.uncork();
        });
      }
      this.output(socket, cmd.request, true);
      if (cmd.noReply) {
        // Nothing will come back for it (COM_STMT_CLOSE): done as soon as it is written.
        this.pending.splice(this.written, 1);
        cmd.written();
        continue;
      }
      this.written++;
    }
  }

  private holds = 0;

  /** @internal True once `cmd` has been written and its response is not complete yet. */
  isInFlight<T>(cmd: Command<T>): boolean {
    const i = this.pending.indexOf(cmd as Command<unknown>);
    return i !== -1 && i < this.written;
  }

  /** @internal Removes a command that is queued but not yet written; false if it was written. */
  unqueue<T>(cmd: Command<T>, err: Error): boolean {
    const i = this.pending.indexOf(cmd as Command<unknown>);
    if (i < this.written) return false;
    this.pending.splice(i, 1);
    cmd.fail(err);
    cmd.retire();
    this.pump();
    return true;
  }

  /** @internal Writes nothing more until `until` settles (a KILL QUERY in progress). */
  hold(until: Promise<unknown>): void {
    this.holds++;
    void until.finally(() => {
      this.holds--;
      this.pump();
    });
  }

  /** @internal Closes the connection because of `err`, failing everything in flight. */
  abort(err: Error): void {
    this.fatal(err);
  }

  /** @internal Frames a command payload written into `this.writer`. */
  frame(): Buffer {
    return this.writer.finish(0)[0];
  }

  /** SQL text as the server reads it: utf8mb4 is written straight into the packet. */
  /** @internal */
  encodeSql(sql: string): string | Buffer {
    // utf8mb4 is written straight into the packet unless it has an unpaired surrogate, which
    // encode() refuses with a DataError instead of letting it become U+FFFD.
    return this.charsetInfo.name === "utf8mb4" && loneSurrogateIndex(sql) === -1 ? sql : this.charsetInfo.encode(sql);
  }

  /** @internal Runs one COM_QUERY. */
  query(
    sql: string,
    opts: { shape?: RowShape; streaming?: boolean; drainAll?: boolean; onCommand?: (cmd: QueryCommand) => void } = {},
  ): Promise<(ResultSet | Error)[]> {
    if (this.closeReason !== null) return Promise.reject(this.closedError());
    if (this.options.echo) echo(sql);
    writeComQuery(this.writer, this.encodeSql(sql));
    const cmd = new QueryCommand(this.frame(), sql, opts.shape ?? ARRAY_ROWS, opts.streaming ?? false);
    // LOAD DATA LOCAL makes the server wait for file data: nothing may be written behind it.
    if (/\bLOAD\s+(DATA|XML)\b/i.test(sql)) cmd.pipelinable = false;
    // A cancellable statement is a pipeline barrier, so a late KILL QUERY cannot hit the next one.
    if (opts.onCommand) {
      cmd.pipelinable = false;
      opts.onCommand(cmd);
    }
    const p = this.enqueue(cmd);
    if (opts.drainAll) {
      return p.then((results) => {
        const err = results.find((r): r is Error => r instanceof Error);
        if (err) throw err;
        return results;
      });
    }
    return p;
  }

  /** @internal Starts a streaming COM_QUERY and returns its command to read rows from. */
  queryStream(sql: string, shape: RowShape, barrier = false): QueryCommand {
    if (this.options.echo) echo(sql);
    writeComQuery(this.writer, this.encodeSql(sql));
    const cmd = new QueryCommand(this.frame(), sql, shape, true);
    if (barrier || /\bLOAD\s+(DATA|XML)\b/i.test(sql)) cmd.pipelinable = false;
    if (this.closeReason !== null) cmd.fail(this.closedError());
    else void this.enqueue(cmd);
    return cmd;
  }

  // ---- prepared statements ----

  /**
   * Most prepared statements the cursor cache (`execute(sql, args, { prepare: true })`) keeps
   * open on this connection; the server's max_prepared_stmt_count lowers it. Set it before the
   * first prepared cursor statement.
   */
  statementCacheSize = 256;
  private statementCache: Promise<StatementCache> | null = null;
  private paramEncodingValue: ParamEncoding | null = null;

  /** @internal How statement parameters are encoded on this connection. */
  get paramEncoding(): ParamEncoding {
    if (this.paramEncodingValue === null) {
      const cs = this.charsetInfo;
      this.paramEncodingValue = {
        timeZone: this.options.timezone,
        // Only utf8mb4 text is written straight into the packet (binary.ts still refuses unpaired
        // surrogates there); utf8mb3 cannot store characters above U+FFFF and goes through encode().
        encode: cs.name === "utf8mb4" ? null : (t) => cs.encode(t),
      };
    }
    return this.paramEncodingValue;
  }

  /**
   * Prepares `sql`, with `?` placeholders, on the server (COM_STMT_PREPARE). The statement's
   * `execute(args)` binds each argument with its real type and reads binary rows; `close()`
   * deallocates it. It belongs to the caller: it is not in the connection's statement cache.
   */
  prepare(sql: string): Promise<PreparedStatement> {
    if (this.options.echo) echo(`PREPARE ${sql}`);
    return prepareStatement(this, sql);
  }

  /** @internal The statement cache, created on first use with the server's limit. */
  statements(): Promise<StatementCache> {
    if (this.statementCache === null) {
      this.statementCache = (async () => {
        const [r] = await this.query("SELECT @@max_prepared_stmt_count", { drainAll: true });
        const limit = Number(((r as ResultSet).rows[0] as unknown[] | undefined)?.[0]);
        const size = Number.isFinite(limit) && limit >= 0 ? Math.min(this.statementCacheSize, limit) : this.statementCacheSize;
        return new StatementCache(this, Math.max(1, size));
      })();
      this.statementCache.catch(() => (this.statementCache = null));
    }
    return this.statementCache;
  }

  /** @internal Runs a cursor statement as a cached prepared statement. */
  async executePrepared(
    sql: string,
    params: readonly SqlParam[],
    shape: RowShape,
    streaming: boolean,
    barrier = false,
  ): Promise<QueryCommand> {
    if (this.closeReason !== null) throw this.closedError();
    if (this.options.echo) echo(sql);
    const stmt = await (await this.statements()).get(sql);
    return stmt.command(params, shape, streaming, barrier);
  }

  /** The server frees a connection's statements when it closes: forget ours. */
  private dropStatements(): void {
    const cache = this.statementCache;
    this.statementCache = null;
    cache?.then(
      (c) => c.clear(),
      () => {},
    );
  }

  // ---- CommandHost ----

  /** @internal */
  noteStatus(statusFlags: number, sessionState?: SessionState): void {
    if (sessionState !== undefined) this.onSessionState?.(sessionState);
    this.serverStatus = statusFlags;
    // Status flags describe the session after the latest statement: the state is known again.
    this.stateUnknownAfterError = false;
  }

  /** @internal A statement ended in an ERR packet, which says nothing of the transaction. */
  noteError(): void {
    if ((this.serverStatus & SERVER_STATUS.AUTOCOMMIT) === 0) this.stateUnknownAfterError = true;
  }

  /** @internal */
  noteServerError(err: MySQLError): void {
    this.onServerError?.(err);
  }

  /** @internal */
  pauseReading(): void {
    this.socket?.pause();
  }

  /** @internal */
  resumeReading(): void {
    this.socket?.resume();
  }

  /** @internal Answers a LOCAL INFILE request: the file's contents, or an empty packet when refused. */
  sendLocalInfile(fileName: string, sequenceId: number, cmd: QueryCommand): void {
    let seq = sequenceId;
    const send = (payload: Buffer): void => {
      const [bytes, next] = frameLargePayload(payload, seq);
      seq = next;
      if (this.socket) this.output(this.socket, bytes, false);
    };
    const refuse = (err: Error): void => {
      cmd.infileError = err;
      send(Buffer.alloc(0));
    };
    const handler = this.options.localInfile;
    if (!handler) {
      refuse(
        new OperationalError(`LOAD DATA LOCAL INFILE was refused: it is disabled on this connection (pass localInfile: true to allow it)`, {
          errno: 2068,
        }),
      );
      return;
    }
    if (!cmd.sql || !statementNamesFile(cmd.sql, fileName, this.noBackslashEscapes)) {
      refuse(
        new OperationalError(`LOAD DATA LOCAL INFILE was refused: the server asked for '${fileName}', which the statement did not name`, {
          errno: 2068,
        }),
      );
      return;
    }
    void (async () => {
      try {
        const source = typeof handler === "function" ? await handler(fileName) : createReadStream(fileName);
        const chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string> =
          typeof source === "string" || source instanceof Uint8Array ? [source] : source;
        for await (const chunk of chunks) {
          const buf = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk);
          for (let i = 0; i < buf.length; i += 0xfffff) send(buf.subarray(i, i + 0xfffff));
        }
        send(Buffer.alloc(0));
      } catch (e) {
        refuse(new OperationalError(`LOAD DATA LOCAL INFILE '${fileName}' failed: ${(e as Error).message}`, { errno: 2068, cause: e }));
      }
    })();
  }

  // ---- public API ----

  /**
   * Creates a cursor: by default of the connection's `cursorClass` (Cursor unless set), or of
   * the class given. Synchronous, so both `conn.cursor()` and `await conn.cursor()` work.
   */
  cursor(): Cursor;
  cursor(cursorClass: typeof SSDictCursor): SSDictCursor;
  cursor(cursorClass: typeof SSCursor): SSCursor;
  cursor(cursorClass: typeof DictCursor): DictCursor;
  cursor(cursorClass: typeof Cursor): Cursor;
  cursor<C extends Cursor<unknown>>(cursorClass: CursorClass<C>): C;
  cursor(cursorClass?: CursorClass<Cursor<unknown>>): Cursor<unknown> {
    if (this.closeReason !== null) throw this.closedError();
    const cls = cursorClass ?? this.options.cursorClass ?? Cursor;
    if (typeof cls !== "function" || !(cls.prototype instanceof Cursor || cls === Cursor)) {
      throw new InterfaceError("cursor(): the cursor class must be Cursor or a subclass of it");
    }
    return new cls(this);
  }

  /** Closes the connection at once: sends COM_QUIT if it can and closes the socket. Not async. */
  close(): void {
    if (this.closeReason !== null) return;
    const socket = this.socket;
    const reason = new InterfaceError("Connection is closed");
    this.closeReason = reason;
    this.dropStatements();
    this.socket = null;
    if (socket && !socket.destroyed) {
      writeSimpleCommand(this.writer, COM.QUIT);
      const quit = this.frame();
      if (this.inflater === null) socket.end(quit);
      else socket.end(compressFrames(quit, 0)[0]);
      socket.destroySoon?.();
    }
    const pending = this.pending.splice(0);
    this.written = 0;
    for (const cmd of pending) {
      cmd.fail(reason);
      cmd.retire();
    }
  }

  /** Sends COM_QUIT after any commands in flight, then closes the socket. */
  async ensureClosed(): Promise<void> {
    if (this.closeReason !== null) {
      this.socket?.destroy();
      return;
    }
    await Promise.allSettled(this.pending.map((c) => c.promise));
    const socket = this.socket;
    this.close();
    if (socket && !socket.closed) await new Promise<void>((resolve) => socket.once("close", () => resolve()));
  }

  /** Turns autocommit on or off for this session. */
  async autocommit(value: boolean): Promise<void> {
    if (typeof value !== "boolean") throw new InterfaceError("autocommit(): value must be a boolean");
    await this.query(`SET AUTOCOMMIT = ${value ? 1 : 0}`, { drainAll: true });
  }

  /** The session's autocommit mode, from the latest server status flags. */
  getAutocommit(): boolean {
    return (this.serverStatus & SERVER_STATUS.AUTOCOMMIT) !== 0;
  }

  /** Starts a transaction (BEGIN). */
  async begin(): Promise<void> {
    await this.query("BEGIN", { drainAll: true });
  }

  /**
   * Commits the current transaction. When the connection is lost while the COMMIT is in flight,
   * rejects with `TransactionResolutionUnknownError`: the server may have committed or not. With
   * `timeout` or `signal`, a COMMIT that does not finish in time closes the connection and
   * rejects (its outcome is then unknown too).
   */
  async commit(options?: CommandOptions): Promise<void> {
    const wasOpen = !this.closed;
    try {
      await withDeadline(this, "commit()", options, () => this.query("COMMIT", { drainAll: true }));
    } catch (e) {
      throw wasOpen ? commitOutcomeUnknown(e) : e;
    }
  }

  /** Rolls back the current transaction (`timeout` / `signal` as for `commit()`). */
  async rollback(options?: CommandOptions): Promise<void> {
    await withDeadline(this, "rollback()", options, () => this.query("ROLLBACK", { drainAll: true }));
  }

  /** Makes `db` the current database (COM_INIT_DB); `timeout` / `signal` as for `commit()`. */
  async selectDb(db: string, options?: CommandOptions): Promise<void> {
    if (typeof db !== "string" || db === "") throw new InterfaceError("selectDb(): db must be a non-empty string");
    checkWireText("selectDb()", "db", db, this.charsetInfo);
    await withDeadline(this, "selectDb()", options, () => {
      writeComInitDb(this.writer, this.encodeSql(db));
      return this.enqueue(new OkCommand(this.frame()));
    });
    this.currentDb = db;
  }

  /**
   * Checks that the server is alive (COM_PING). With `reconnect` (the default), a closed or
   * dead connection is opened again; otherwise a dead one rejects. `timeout` / `signal` (as
   * the last argument, or the only one) bound the whole check, reconnect included; past them
   * the connection is closed and the call rejects.
   */
  async ping(reconnect: boolean | CommandOptions = true, options?: CommandOptions): Promise<void> {
    if (typeof reconnect === "object" && reconnect !== null) return this.ping(true, reconnect);
    if (typeof reconnect !== "boolean") throw new InterfaceError("ping(): reconnect must be a boolean");
    return withDeadline(this, "ping()", options, (expired) => this.pingOnce(reconnect, expired));
  }

  private async pingOnce(reconnect: boolean, expired: () => boolean): Promise<void> {
    if (this.closeReason !== null) {
      if (!reconnect) throw this.closedError();
      await this.open();
      return;
    }
    try {
      writeSimpleCommand(this.writer, COM.PING);
      await this.enqueue(new OkCommand(this.frame()));
    } catch (e) {
      // A deadline that closed the connection must not be undone by a reconnect.
      if (!reconnect || !(e instanceof OperationalError) || expired()) throw e;
      this.fatal(e);
      await this.open();
    }
  }

  /**
   * Logs in again as `user` (COM_CHANGE_USER), with the same authentication rules as
   * `connect()`. The session is reset as for a new connection: variables, temporary tables
   * and any open transaction are gone, and the current database becomes `db` (or none).
   * On failure the server closes the connection. `timeout` / `signal` as for `commit()`.
   */
  async changeUser(user: string, password = "", db: string | null = null, options?: CommandOptions): Promise<void> {
    await withDeadline(this, "changeUser()", options, () => this.changeUserNow(user, password, db));
  }

  private async changeUserNow(user: string, password: string, db: string | null): Promise<void> {
    if (typeof user !== "string" || user === "") throw new InterfaceError("changeUser(): user must be a non-empty string");
    if (typeof password !== "string") throw new InterfaceError("changeUser(): password must be a string");
    if (db !== null && typeof db !== "string") throw new InterfaceError("changeUser(): db must be a string or null");
    checkWireText("changeUser()", "user", user, this.charsetInfo);
    checkWireText("changeUser()", "password", password, null, true);
    if (db !== null) checkWireText("changeUser()", "db", db, this.charsetInfo);
    if (this.closeReason !== null) throw this.closedError();
    const o = this.options;
    const greeting = this.greeting!;
    const settings: AuthSettings = {
      user,
      password,
      serverPublicKey: o.serverPublicKey,
      allowCleartextPassword: o.allowCleartextPassword,
      allowPublicKeyRetrieval: o.allowPublicKeyRetrieval,
    };
    const write = (payload: Buffer): void => {
      const [bytes, next] = frameLargePayload(payload, this.sequenceId);
      this.sequenceId = next;
      if (this.socket) this.output(this.socket, bytes, false);
    };
    const pluginName = choosePlugin(o.authPlugin, greeting.authPluginName);
    // The first response is computed before the command is queued, so it needs no io.
    const probe: AuthIo = {
      read: () => Promise.reject(new InterfaceError("no packet")),
      write,
      secure: this.secureLink,
      encrypted: this.encryptedLink,
    };
    const authResponse = await initialAuthResponse(pluginName, settings, greeting.authPluginData, probe);
    writeComChangeUser(this.writer, {
      capabilities: this.capabilities,
      user,
      authResponse,
      database: db,
      collationId: this.charsetInfo.collationId,
      authPluginName: pluginName,
      attributes: connectionAttributes(o.programName),
    });
    const cmd = new ChangeUserCommand(this.frame(), write, this.secureLink, this.encryptedLink);
    const queued = this.enqueue(cmd);
    const exchange = authenticate(pluginName, settings, greeting.authPluginData, cmd.io, (payload) => {
      const e = parseErr(payload);
      return serverError(e.errno, e.sqlState, e.message);
    });
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
    this.currentUser = user;
    this.#password = password;
    this.currentDb = db;
    await this.afterConnect();
  }

  /**
   * Resets the session state (COM_RESET_CONNECTION): variables, temporary tables, transactions.
   * `timeout` / `signal` as for `commit()`.
   */
  async resetConnection(options?: CommandOptions): Promise<void> {
    await withDeadline(this, "resetConnection()", options, async () => {
      writeSimpleCommand(this.writer, COM.RESET_CONNECTION);
      await this.enqueue(new OkCommand(this.frame()));
      // The session is back to the server's defaults: apply charset, sqlMode, initCommand and autocommit again.
      await this.afterConnect();
    });
  }

  private maxAllowedPacketValue: number | null = null;

  /** The server's max_allowed_packet in bytes (asked once per connection). */
  async maxAllowedPacket(): Promise<number> {
    if (this.maxAllowedPacketValue === null) {
      const [result] = await this.query("SELECT @@max_allowed_packet", { drainAll: true });
      const value = Number((result as ResultSet).rows[0] && ((result as ResultSet).rows[0] as unknown[])[0]);
      this.maxAllowedPacketValue = Number.isFinite(value) && value > 0 ? value : 4 * 1024 * 1024;
    }
    return this.maxAllowedPacketValue;
  }

  /** @internal True while commands are queued or in flight. */
  get hasPendingWork(): boolean {
    return this.pending.length > 0;
  }

  /** @internal Discards unread streamed rows and waits for every command in flight. */
  async settle(): Promise<void> {
    while (this.pending.length > 0) {
      const cmds = this.pending.slice();
      for (const c of cmds) if (c instanceof QueryCommand && c.streaming) void c.drain();
      await Promise.allSettled(cmds.map((c) => c.promise));
      for (const c of cmds) if (c instanceof QueryCommand && c.streaming) await c.drain();
    }
  }

  /** Escapes a value as an SQL literal for this connection's sql_mode and time zone. */
  escape(value: SqlParam): string {
    return escapeValue(value, { noBackslashEscapes: this.noBackslashEscapes, timeZone: this.options.timezone });
  }

  /** Closes the connection, or gives it back to its pool when it came from one. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.owner) this.owner.release(this);
    else await this.ensureClosed();
  }
}

function asProtocolError(e: unknown): Error {
  if (e instanceof MySQLError) return e;
  if (!(e instanceof Error)) return clientError(CR.MALFORMED_PACKET, `Malformed packet from the server: ${String(e)}`, e);
  if (e instanceof MalformedPacketError) return clientError(CR.MALFORMED_PACKET, `Malformed packet from the server: ${e.message}`, e);
  return clientError(CR.MALFORMED_PACKET, `Malformed packet from the server: ${(e as Error).message}`, e);
}

function connectionAttributes(programName: string): Record<string, string> {
  const attrs: Record<string, string> = {
    _client_name: "aiomysql-ts",
    _client_version: "0.1.0",
    _os: process.platform,
    _pid: String(process.pid),
    _runtime: `node ${process.version}`,
  };
  if (programName) attrs.program_name = programName;
  return attrs;
}

/**
 * Connects to a MySQL or MariaDB server. Options follow the seed's `connect()` keyword
 * arguments in camelCase; a `mysql://user:password@host:port/db?option=value` URL works too.
 */
export async function connect(options: ConnectOptions | string = {}): Promise<Connection> {
  const conn = new Connection(resolveOptions(options));
  await conn.open();
  return conn;
}
