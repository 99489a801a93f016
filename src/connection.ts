// Connection: aiomysql's connection API over one Session (src/session/), which owns the
// socket, the command queue and every exchange with the server. What is here is what users
// call, plus the prepared-statement cache that cursors share.
import { rethrowWithCallerFrames, withCallerFrames } from "./caller-frames.js";
import { Cursor, type CursorClass, type DictCursor } from "./cursors.js";
import type { SSCursor, SSDictCursor } from "./ss-cursors.js";
import { InterfaceError, OperationalError, commitOutcomeUnknown, type MySQLError } from "./errors.js";
import { withDeadline, type CommandOptions, type DeadlineHost } from "./deadline.js";
import { resolveOptions, type ConnectOptions, type ResolvedOptions } from "./options.js";
import { checkWireText } from "./options-check.js";
import { charsetByName } from "./protocol/charsets.js";
import { COM, SERVER_STATUS } from "./protocol/constants.js";
import type { RowShape } from "./protocol/rows.js";
import type { SessionState } from "./protocol/session-state.js";
import type { QueryCommand } from "./session/commands/query.js";
import { Session } from "./session/session.js";
import { escape as escapeValue } from "./sql/escape.js";
import { PreparedStatement, StatementCache, prepareStatement } from "./statement.js";
import { connectChannel, echo, traced } from "./tracing.js";
import type { SqlParam } from "./types.js";

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
export class Connection implements AsyncDisposable {
  /** @internal */ readonly options: ResolvedOptions;
  /** @internal The session: the one packet path to the server. */
  readonly session: Session;
  /** @internal The pool this connection belongs to, if any. */
  owner: ConnectionOwner | null = null;
  /** The name of the cluster node this connection is on, or null outside a cluster pool. */
  node: string | null = null;
  /** Milliseconds since the epoch when the connection was last (re)established. */
  createdAt = 0;
  /**
   * Most prepared statements the cursor cache (`execute(sql, args, { prepare: true })`) keeps
   * open on this connection; the server's max_prepared_stmt_count lowers it. Set it before the
   * first prepared cursor statement.
   */
  statementCacheSize = 256;
  private statementCache: Promise<StatementCache> | null = null;
  private maxAllowedPacketValue: number | null = null;

  /** @internal Use `connect()`. */
  constructor(options: ResolvedOptions) {
    this.options = options;
    // Keep the options (and the password in them) out of console.log / util.inspect output.
    Object.defineProperty(this, "options", { enumerable: false });
    this.session = new Session(options);
    Object.defineProperty(this, "session", { enumerable: false });
    this.session.onClose = (lost) => {
      this.dropStatements();
      if (lost) this.owner?.connectionLost?.(this);
    };
  }

  /** @internal Told of every session state change the server reports (a cluster pool tracks GTIDs). */
  set onSessionState(fn: ((state: SessionState) => void) | null) {
    this.session.onSessionState = fn;
  }

  /** @internal Told of every error the server sends (a cluster pool watches for read-only refusals). */
  set onServerError(fn: ((err: MySQLError) => void) | null) {
    this.session.onServerError = fn;
  }

  // ---- public properties (read-only) ----

  /** True once the connection is closed, by `close()` or because it was lost. */
  get closed(): boolean {
    return this.session.closed;
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
    return this.session.db;
  }
  /** The user name logged in as (after `changeUser()`, the new one). */
  get user(): string {
    return this.session.user;
  }
  /** True when executed SQL is logged through the `aiomysql` logger (see `setLogger()`). */
  get echo(): boolean {
    return this.options.echo;
  }
  /**
   * The character set as the caller named it (`"utf8"` stays `"utf8"`, as in aiomysql, whatever
   * the server resolves that alias to); "utf8mb4" by default.
   */
  get charset(): string {
    return this.options.charset;
  }
  /**
   * The encoding of text sent, as Node names it ("utf8"): that of the session's live
   * `character_set_client`, which a user's `SET NAMES` changes (`charset` stays what was asked).
   * Text is escaped and encoded in it; "ascii" when it is a charset this client cannot encode.
   */
  get encoding(): string {
    const cs = this.session.clientCharset;
    if (cs === null) return "ascii";
    return cs.isUtf8 ? "utf8" : cs.name;
  }
  /** The server's version string, such as "10.11.6-MariaDB". */
  get serverVersion(): string {
    return this.session.greeting?.serverVersion ?? "";
  }
  /** The server's id for this connection (what KILL takes). */
  get threadId(): number {
    return this.session.threadId;
  }
  /** True when connected to MariaDB rather than MySQL. */
  get isMariaDB(): boolean {
    return this.session.greeting?.isMariaDB ?? false;
  }
  /** Server status flags from the latest OK or EOF packet. */
  get serverStatus(): number {
    return this.session.serverStatus;
  }
  /** Overrides the recorded status flags (kept writable, as the field it replaces was). */
  set serverStatus(flags: number) {
    this.session.serverStatus = flags;
  }
  /** @internal Negotiated capability flags. */
  get capabilities(): number {
    return this.session.capabilities;
  }
  /**
   * True while the server reports an open transaction. False once the connection is closed or
   * lost: the server rolls back what a closed session left open, and nothing can continue it.
   */
  get inTransaction(): boolean {
    return !this.session.closed && (this.session.serverStatus & SERVER_STATUS.IN_TRANS) !== 0;
  }
  /**
   * @internal True when a transaction may be open: the server said so, or a statement failed
   * under autocommit off and no OK or EOF has reported the state since (see Session).
   */
  get mayBeInTransaction(): boolean {
    return this.inTransaction || (!this.session.closed && this.session.stateUnknownAfterError);
  }
  /** True when the session's sql_mode has NO_BACKSLASH_ESCAPES. */
  get noBackslashEscapes(): boolean {
    return this.session.noBackslashEscapes;
  }
  /** Milliseconds since the epoch of the last command sent. */
  get lastUsedAt(): number {
    return this.session.lastUsedAt;
  }
  /** Overrides the time of last use (kept writable, as the field it replaces was). */
  set lastUsedAt(ms: number) {
    this.session.lastUsedAt = ms;
  }
  /** @internal True while commands are queued or in flight. */
  get hasPendingWork(): boolean {
    return this.session.hasPendingWork;
  }

  // ---- opening and closing ----

  /** @internal Opens the socket, runs the handshake and applies the session options; used by connect() and ping(true). */
  async open(): Promise<void> {
    const o = this.options;
    await traced(
      connectChannel,
      () => ({ host: o.host, port: o.port, unixSocket: o.unixSocket, user: this.user, database: this.db }),
      async () => {
        await this.session.connect();
        this.createdAt = Date.now();
        this.session.lastUsedAt = this.createdAt;
        await this.session.initialise();
      },
    );
  }

  /** Closes the connection at once: sends COM_QUIT if it can and closes the socket. Not async. */
  close(): void {
    void this.session.close();
  }

  /** Sends COM_QUIT after any commands in flight, then closes the socket. */
  async ensureClosed(): Promise<void> {
    await this.session.closeWhenIdle();
  }

  /** @internal The error for using this connection after it closed: 2006 when it was lost. */
  closedError(): Error {
    return this.session.closedError();
  }

  /** @internal Discards unread streamed rows and waits for every command in flight. */
  settle(): Promise<void> {
    return this.session.settle();
  }

  /** Closes the connection, or gives it back to its pool when it came from one. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.owner) this.owner.release(this);
    else await this.ensureClosed();
  }

  // ---- the DB-API ----

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
    if (this.session.closed) throw this.closedError();
    const cls = cursorClass ?? this.options.cursorClass ?? Cursor;
    if (typeof cls !== "function" || !(cls.prototype instanceof Cursor || cls === Cursor)) {
      // A TypeError, as aiomysql raises for a class that is not a Cursor subclass.
      throw new TypeError("cursor(): the cursor class must be Cursor or a subclass of it");
    }
    return new cls(this);
  }

  /** Turns autocommit on or off for this session. */
  async autocommit(value: boolean): Promise<void> {
    if (typeof value !== "boolean") throw new InterfaceError("autocommit(): value must be a boolean");
    await this.session.query(`SET AUTOCOMMIT = ${value ? 1 : 0}`, { drainAll: true }).catch(rethrowWithCallerFrames);
  }

  /** The session's autocommit mode, from the latest server status flags. */
  getAutocommit(): boolean {
    return (this.session.serverStatus & SERVER_STATUS.AUTOCOMMIT) !== 0;
  }

  /** Starts a transaction (BEGIN). */
  async begin(): Promise<void> {
    await this.session.query("BEGIN", { drainAll: true }).catch(rethrowWithCallerFrames);
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
      await withDeadline(this.deadlineHost, "commit()", options, () => this.session.query("COMMIT", { drainAll: true }));
    } catch (e) {
      throw withCallerFrames(wasOpen ? commitOutcomeUnknown(e) : e);
    }
  }

  /** Rolls back the current transaction (`timeout` / `signal` as for `commit()`). */
  async rollback(options?: CommandOptions): Promise<void> {
    await withDeadline(this.deadlineHost, "rollback()", options, () => this.session.query("ROLLBACK", { drainAll: true })).catch(
      rethrowWithCallerFrames,
    );
  }

  /** Makes `db` the current database (COM_INIT_DB); `timeout` / `signal` as for `commit()`. */
  async selectDb(db: string, options?: CommandOptions): Promise<void> {
    if (typeof db !== "string" || db === "") throw new InterfaceError("selectDb(): db must be a non-empty string");
    checkWireText("selectDb()", "db", db, charsetByName(this.options.charset));
    await withDeadline(this.deadlineHost, "selectDb()", options, () => this.session.simple(COM.INIT_DB, db));
    this.session.db = db;
  }

  /** What a deadline closes: this connection's session. */
  private get deadlineHost(): DeadlineHost {
    return { abort: (err) => this.session.fatal(err) };
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
    return withDeadline(this.deadlineHost, "ping()", options, (expired) => this.pingOnce(reconnect, expired));
  }

  private async pingOnce(reconnect: boolean, expired: () => boolean): Promise<void> {
    if (this.session.closed) {
      if (!reconnect) throw this.closedError();
      await this.open();
      return;
    }
    try {
      await this.session.simple(COM.PING);
    } catch (e) {
      // A deadline that closed the connection must not be undone by a reconnect.
      if (!reconnect || !(e instanceof OperationalError) || expired()) throw e;
      this.session.fatal(e);
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
    if (typeof user !== "string" || user === "") throw new InterfaceError("changeUser(): user must be a non-empty string");
    if (typeof password !== "string") throw new InterfaceError("changeUser(): password must be a string");
    if (db !== null && typeof db !== "string") throw new InterfaceError("changeUser(): db must be a string or null");
    const cs = charsetByName(this.options.charset);
    checkWireText("changeUser()", "user", user, cs);
    checkWireText("changeUser()", "password", password, null, true);
    if (db !== null) checkWireText("changeUser()", "db", db, cs);
    await withDeadline(this.deadlineHost, "changeUser()", options, async () => {
      await this.session.changeUser(user, password, db);
      // The server freed the statements of the old login.
      this.dropStatements();
      await this.session.initialise();
    });
  }

  /**
   * Resets the session state (COM_RESET_CONNECTION): variables, temporary tables, transactions.
   * `timeout` / `signal` as for `commit()`.
   */
  async resetConnection(options?: CommandOptions): Promise<void> {
    await withDeadline(this.deadlineHost, "resetConnection()", options, async () => {
      await this.session.simple(COM.RESET_CONNECTION);
      // The session is back to the server's defaults: apply charset, sqlMode, initCommand and autocommit again.
      await this.session.initialise();
    });
  }

  /** The server's max_allowed_packet in bytes (asked once per connection). */
  async maxAllowedPacket(): Promise<number> {
    if (this.maxAllowedPacketValue === null) {
      const value = Number(await this.selectValue("SELECT @@max_allowed_packet"));
      this.maxAllowedPacketValue = Number.isFinite(value) && value > 0 ? value : 4 * 1024 * 1024;
    }
    return this.maxAllowedPacketValue;
  }

  /** Escapes a value as an SQL literal for this connection's sql_mode and time zone. */
  escape(value: SqlParam): string {
    return escapeValue(value, { noBackslashEscapes: this.noBackslashEscapes, timeZone: this.options.timezone });
  }

  /** The first column of the first row of `sql`'s result (undefined when there is none). */
  private async selectValue(sql: string): Promise<unknown> {
    const { results } = await this.session.query(sql, { drainAll: true });
    return (results[0]?.rows[0] as unknown[] | undefined)?.[0];
  }

  // ---- prepared statements ----

  /**
   * Prepares `sql`, with `?` placeholders, on the server (COM_STMT_PREPARE). The statement's
   * `execute(args)` binds each argument with its real type and reads binary rows; `close()`
   * deallocates it. It belongs to the caller: it is not in the connection's statement cache.
   */
  prepare(sql: string): Promise<PreparedStatement> {
    if (this.options.echo) echo(`PREPARE ${sql}`);
    return prepareStatement(this.session, sql);
  }

  /** @internal Runs a cursor statement as a prepared statement of the cache, created on first use with the server's limit. */
  async executePrepared(
    sql: string,
    params: readonly SqlParam[],
    shape: RowShape,
    streaming: boolean,
    barrier = false,
  ): Promise<QueryCommand> {
    if (this.session.closed) throw this.closedError();
    if (this.options.echo) echo(sql);
    if (this.statementCache === null) {
      this.statementCache = (async () => {
        const limit = Number(await this.selectValue("SELECT @@max_prepared_stmt_count"));
        const size = Number.isFinite(limit) && limit >= 0 ? Math.min(this.statementCacheSize, limit) : this.statementCacheSize;
        return new StatementCache(this.session, Math.max(1, size));
      })();
      this.statementCache.catch(() => (this.statementCache = null));
    }
    const stmt = await (await this.statementCache).get(sql);
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
