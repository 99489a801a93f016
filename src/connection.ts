// Connection: the socket, the TLS upgrade, the connection phase, and a pipelined command queue.
import { createReadStream } from "node:fs";
import * as net from "node:net";
import * as tls from "node:tls";
import { authenticate, initialAuthResponse, type AuthIo, type AuthSettings } from "./authenticate.js";
import { Command, OkCommand, QueryCommand, type CommandHost, type ResultSet } from "./command.js";
import { makeDecoders } from "./converters.js";
import { Cursor, type CursorClass } from "./cursors.js";
import { InterfaceError, MySQLError, OperationalError, clientError, serverError } from "./errors.js";
import { escape as escapeValue } from "./escape.js";
import { getLogger } from "./log.js";
import { resolveOptions, type ConnectOptions, type ResolvedOptions } from "./options.js";
import { charsetByName, type Charset } from "./protocol/charsets.js";
import { writeComInitDb, writeComQuery, writeSimpleCommand } from "./protocol/commands.js";
import { CLIENT, COM, CR, MARIADB_CLIENT, PACKET, SERVER_STATUS } from "./protocol/constants.js";
import { PacketParser } from "./protocol/framing.js";
import { parseHandshakeV10, writeHandshakeResponse41, writeSSLRequest, type HandshakeV10 } from "./protocol/handshake.js";
import { MalformedPacketError } from "./protocol/reader.js";
import { parseErr, parseOk } from "./protocol/results.js";
import { ARRAY_ROWS, type DecodeContext, type RowShape } from "./protocol/rows.js";
import { frameLargePayload, PacketWriter } from "./protocol/writer.js";
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
  CLIENT.DEPRECATE_EOF;

const MAX_PACKET_SIZE = 0x40000000; // 1 GiB, the protocol maximum for max_allowed_packet

/** Something that takes a connection back (a Pool), set on connections it hands out. */
export interface ConnectionOwner {
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
  private readonly writer = new PacketWriter();
  private readonly pending: Command[] = [];
  private written = 0;
  private corked = false;
  private greeting: HandshakeV10 | null = null;
  private closeReason: Error | null = new InterfaceError("Connection is not open");
  private secureLink = false;
  private currentDb: string | null;
  private charsetInfo: Charset;
  private connectInbox: Buffer[] = [];
  private connectWaiter: { resolve: (b: Buffer) => void; reject: (e: Error) => void } | null = null;
  private connectPhase = false;
  private sequenceId = 0;

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
  /** Milliseconds since the epoch when the connection was last (re)established. */
  createdAt = 0;
  /** Milliseconds since the epoch of the last command sent. */
  lastUsedAt = 0;

  /** @internal Use `connect()`. */
  constructor(options: ResolvedOptions) {
    this.options = options;
    this.currentDb = options.db;
    this.charsetInfo = charsetByName(options.charset);
    const defaults = makeDecoders(options.timezone);
    this.decodeContext = {
      charset: this.charsetInfo,
      timeZone: options.timezone,
      defaults,
      conv: options.conv,
      useUnicode: options.useUnicode,
    };
    this.parser = new PacketParser((payload, seq) => this.onPacket(payload, seq));
  }

  // ---- public properties (read-only) ----

  /** True once the connection is closed, by `close()` or because it was lost. */
  get closed(): boolean {
    return this.closeReason !== null;
  }
  get host(): string {
    return this.options.host;
  }
  get port(): number {
    return this.options.port;
  }
  get unixSocket(): string | null {
    return this.options.unixSocket;
  }
  /** The current database, as last selected. */
  get db(): string | null {
    return this.currentDb;
  }
  get user(): string {
    return this.options.user;
  }
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
  /** True while the server reports an open transaction. */
  get inTransaction(): boolean {
    return (this.serverStatus & SERVER_STATUS.IN_TRANS) !== 0;
  }
  /** True when the session's sql_mode has NO_BACKSLASH_ESCAPES. */
  get noBackslashEscapes(): boolean {
    return (this.serverStatus & SERVER_STATUS.NO_BACKSLASH_ESCAPES) !== 0;
  }

  // ---- connection phase ----

  /** @internal Opens the socket and runs the handshake; used by connect() and ping(true). */
  async open(): Promise<void> {
    const o = this.options;
    const timeoutMs = o.connectTimeout === null ? 0 : o.connectTimeout * 1000;
    this.closeReason = null;
    this.connectPhase = true;
    this.connectInbox = [];
    this.parser = new PacketParser((payload, seq) => this.onPacket(payload, seq));
    const where = o.unixSocket ? o.unixSocket : `${o.host}:${o.port}`;
    const socket = o.unixSocket ? net.connect({ path: o.unixSocket }) : net.connect({ host: o.host, port: o.port });
    this.attachSocket(socket);
    this.secureLink = Boolean(o.unixSocket);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          const err = clientError(CR.CONN_HOST_ERROR, `Can't connect to MySQL server on '${where}' (timed out after ${o.connectTimeout} s)`);
          this.fatal(err);
          reject(err);
        }, timeoutMs);
      }
    });
    deadline.catch(() => {});
    try {
      await Promise.race([this.handshake(where), deadline]);
    } catch (e) {
      this.fatal(e as Error);
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
        this.parser.push(chunk);
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
    caps &= server | CLIENT.MULTI_STATEMENTS | CLIENT.LOCAL_FILES | CLIENT.CONNECT_WITH_DB;
    const maria = greeting.mariadbCapabilities & MARIADB_CLIENT.EXTENDED_TYPE_INFO;
    this.mariadbCapabilities = maria;
    this.extendedTypeInfo = (maria & MARIADB_CLIENT.EXTENDED_TYPE_INFO) !== 0;
    const fields = {
      capabilities: caps,
      mariadbCapabilities: maria,
      maxPacketSize: MAX_PACKET_SIZE,
      collationId: this.charsetInfo.collationId,
      user: o.user,
      authResponse: Buffer.alloc(0) as Buffer,
      database: o.db ?? undefined,
      authPluginName: "",
      attributes: connectionAttributes(o.programName),
    };
    this.sequenceId = 1;
    if (o.ssl) {
      if (!(server & CLIENT.SSL)) {
        throw clientError(CR.SSL_CONNECTION_ERROR, `TLS was requested but the server at '${where}' does not support it`);
      }
      caps |= CLIENT.SSL;
      fields.capabilities = caps;
      writeSSLRequest(this.writer, fields);
      this.writeConnectPacket(this.writer.finish(0)[0].subarray(4));
      await this.upgradeToTls();
    }
    this.capabilities = caps;
    const settings: AuthSettings = {
      user: o.user,
      password: o.password,
      serverPublicKey: o.serverPublicKey,
      allowCleartextPassword: o.allowCleartextPassword,
      allowPublicKeyRetrieval: o.allowPublicKeyRetrieval,
    };
    const io: AuthIo = {
      read: () => this.readConnectPacket(),
      write: (payload) => this.writeConnectPacket(payload),
      secure: this.secureLink,
    };
    const pluginName = o.authPlugin || greeting.authPluginName || "mysql_native_password";
    fields.authPluginName = pluginName;
    fields.authResponse = await initialAuthResponse(pluginName, settings, greeting.authPluginData, io);
    writeHandshakeResponse41(this.writer, fields);
    this.writeConnectPacket(this.writer.finish(0)[0].subarray(4));
    const ok = await authenticate(pluginName, settings, greeting.authPluginData, io, (payload) => {
      const e = parseErr(payload);
      return serverError(e.errno, e.sqlState, e.message);
    });
    this.serverStatus = parseOk(ok, caps).statusFlags;
  }

  private async upgradeToTls(): Promise<void> {
    const o = this.options;
    const raw = this.socket!;
    raw.removeAllListeners("data");
    const tlsOptions: tls.ConnectionOptions =
      o.ssl && "context" in o.ssl && !("ca" in o.ssl) ? { secureContext: o.ssl as tls.SecureContext } : { ...(o.ssl as tls.ConnectionOptions) };
    if (tlsOptions.servername === undefined && !net.isIP(o.host) && !o.unixSocket) tlsOptions.servername = o.host;
    if (tlsOptions.checkServerIdentity === undefined && !tlsOptions.servername) {
      // Verify the certificate against the host we dialled, IP addresses included.
      tlsOptions.checkServerIdentity = (_name, cert) => tls.checkServerIdentity(o.unixSocket ? "localhost" : o.host, cert);
    }
    await new Promise<void>((resolve, reject) => {
      const secure = tls.connect({ ...tlsOptions, socket: raw }, () => {
        secure.removeListener("error", onError);
        resolve();
      });
      const onError = (err: Error): void =>
        reject(clientError(CR.SSL_CONNECTION_ERROR, `TLS handshake with the server failed: ${err.message}`, err));
      secure.once("error", onError);
      this.attachSocket(secure);
    });
    this.secureLink = true;
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

  private onPacket(payload: Buffer, sequenceId: number): void {
    this.sequenceId = (sequenceId + 1) & 0xff;
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
    const cmd = this.pending[0];
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
      this.pump();
    }
  }

  /** Marks the connection closed and fails everything in flight with `err`. */
  private fatal(err: Error): void {
    if (this.closeReason === null) this.closeReason = err;
    const socket = this.socket;
    this.socket = null;
    socket?.destroy();
    const w = this.connectWaiter;
    this.connectWaiter = null;
    w?.reject(err);
    const pending = this.pending.splice(0);
    this.written = 0;
    for (const cmd of pending) cmd.fail(err);
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
    this.pending.push(cmd as Command<unknown>);
    this.lastUsedAt = Date.now();
    this.pump();
    return cmd.promise;
  }

  private pump(): void {
    const socket = this.socket;
    if (!socket) return;
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
      socket.write(cmd.request);
      this.written++;
    }
  }

  /** @internal Frames a command payload written into `this.writer`. */
  frame(): Buffer {
    return this.writer.finish(0)[0];
  }

  /** SQL text as the server reads it: utf8mb4 is written straight into the packet. */
  private encodeSql(sql: string): string | Buffer {
    return this.charsetInfo.name === "utf8mb4" ? sql : this.charsetInfo.encode(sql);
  }

  /** @internal Runs one COM_QUERY. */
  query(sql: string, opts: { shape?: RowShape; streaming?: boolean; drainAll?: boolean } = {}): Promise<(ResultSet | Error)[]> {
    if (this.closeReason !== null) return Promise.reject(this.closedError());
    if (this.options.echo) getLogger().info(sql);
    writeComQuery(this.writer, this.encodeSql(sql));
    const cmd = new QueryCommand(this.frame(), sql, opts.shape ?? ARRAY_ROWS, opts.streaming ?? false);
    // LOAD DATA LOCAL makes the server wait for file data: nothing may be written behind it.
    if (/\bLOAD\s+(DATA|XML)\b/i.test(sql)) cmd.pipelinable = false;
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
  queryStream(sql: string, shape: RowShape): QueryCommand {
    if (this.options.echo) getLogger().info(sql);
    writeComQuery(this.writer, this.encodeSql(sql));
    const cmd = new QueryCommand(this.frame(), sql, shape, true);
    if (/\bLOAD\s+(DATA|XML)\b/i.test(sql)) cmd.pipelinable = false;
    if (this.closeReason !== null) cmd.fail(this.closedError());
    else void this.enqueue(cmd);
    return cmd;
  }

  // ---- CommandHost ----

  /** @internal */
  noteStatus(statusFlags: number): void {
    this.serverStatus = statusFlags;
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
      this.socket?.write(bytes);
    };
    const refuse = (err: Error): void => {
      cmd.infileError = err;
      send(Buffer.alloc(0));
    };
    const handler = this.options.localInfile;
    if (!handler) {
      refuse(
        new OperationalError(
          `LOAD DATA LOCAL INFILE was refused: it is disabled on this connection (pass localInfile: true to allow it)`,
          { errno: 2068 },
        ),
      );
      return;
    }
    if (!cmd.sql || !cmd.sql.includes(fileName)) {
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
    this.socket = null;
    if (socket && !socket.destroyed) {
      writeSimpleCommand(this.writer, COM.QUIT);
      socket.end(this.frame());
      socket.destroySoon?.();
    }
    const pending = this.pending.splice(0);
    this.written = 0;
    for (const cmd of pending) cmd.fail(reason);
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

  /** Commits the current transaction. */
  async commit(): Promise<void> {
    await this.query("COMMIT", { drainAll: true });
  }

  /** Rolls back the current transaction. */
  async rollback(): Promise<void> {
    await this.query("ROLLBACK", { drainAll: true });
  }

  /** Makes `db` the current database (COM_INIT_DB). */
  async selectDb(db: string): Promise<void> {
    if (typeof db !== "string" || db === "") throw new InterfaceError("selectDb(): db must be a non-empty string");
    writeComInitDb(this.writer, db);
    await this.enqueue(new OkCommand(this.frame()));
    this.currentDb = db;
  }

  /**
   * Checks that the server is alive (COM_PING). With `reconnect` (the default), a closed or
   * dead connection is opened again; otherwise a dead one rejects.
   */
  async ping(reconnect = true): Promise<void> {
    if (this.closeReason !== null) {
      if (!reconnect) throw this.closedError();
      await this.open();
      return;
    }
    try {
      writeSimpleCommand(this.writer, COM.PING);
      await this.enqueue(new OkCommand(this.frame()));
    } catch (e) {
      if (!reconnect || !(e instanceof OperationalError)) throw e;
      this.fatal(e);
      await this.open();
    }
  }

  /** Resets the session state (COM_RESET_CONNECTION): variables, temporary tables, transactions. */
  async resetConnection(): Promise<void> {
    writeSimpleCommand(this.writer, COM.RESET_CONNECTION);
    await this.enqueue(new OkCommand(this.frame()));
    if (this.options.autocommit !== null && this.options.autocommit !== this.getAutocommit()) {
      await this.autocommit(this.options.autocommit);
    }
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
