// Server-side prepared statements: COM_STMT_PREPARE / EXECUTE / CLOSE as commands, the
// PreparedStatement that `conn.prepare(sql)` returns, and the per-connection LRU cache that
// cursors use with `execute(sql, args, { prepare: true })`.
import { Command, QueryCommand, type ResultSet, type RowDecoder } from "./command.js";
import { clientError, InterfaceError, ProgrammingError } from "./errors.js";
import {
  BinaryRowDecoder,
  parseStmtPrepareOk,
  writeComStmtClose,
  writeComStmtExecute,
  writeComStmtPrepare,
  type ParamEncoding,
  type StmtPrepareOk,
} from "./protocol/binary.js";
import { CLIENT, CR, PACKET } from "./protocol/constants.js";
import { parseColumnDefinition } from "./protocol/results.js";
import { ARRAY_ROWS, type DecodeContext, type RowShape } from "./protocol/rows.js";
import type { PacketWriter } from "./protocol/writer.js";
import type { ColumnDefinition, Row, SqlArgs, SqlParam } from "./types.js";

/** ER_MAX_PREPARED_STMT_COUNT_REACHED: the server's max_prepared_stmt_count is exhausted. */
const ER_MAX_PREPARED_STMT_COUNT_REACHED = 1461;

/** What statements need from their connection. */
export interface StatementHost {
  readonly writer: PacketWriter;
  readonly paramEncoding: ParamEncoding;
  readonly closed: boolean;
  closedError(): Error;
  frame(): Buffer;
  encodeSql(sql: string): string | Buffer;
  enqueue<T>(cmd: Command<T>): Promise<T>;
}

/** The result of `PreparedStatement.execute()`. */
export interface StatementResult<R = Row> {
  /** Column definitions, or null for a statement that returns no rows. */
  columns: ColumnDefinition[] | null;
  rows: R[];
  /** Rows affected (INSERT/UPDATE/DELETE) or returned (SELECT). */
  affectedRows: number | bigint;
  insertId: number | bigint;
  warnings: number;
}

const enum PrepareState {
  Header,
  Params,
  ParamsEof,
  Columns,
  ColumnsEof,
}

/** COM_STMT_PREPARE: the OK, then the parameter and column definitions (each list ended by EOF unless CLIENT_DEPRECATE_EOF). */
export class PrepareCommand extends Command<{ ok: StmtPrepareOk; params: ColumnDefinition[]; columns: ColumnDefinition[] }> {
  private state = PrepareState.Header;
  private ok: StmtPrepareOk | null = null;
  private readonly params: ColumnDefinition[] = [];
  private readonly columns: ColumnDefinition[] = [];

  constructor(
    readonly request: Buffer,
    sql: string,
  ) {
    super();
    this.sql = sql;
  }

  onPacket(payload: Buffer): boolean {
    const eof = (this.host.capabilities & CLIENT.DEPRECATE_EOF) === 0;
    switch (this.state) {
      case PrepareState.Header:
        if (payload[0] === PACKET.ERR) {
          this.fail(this.serverError(payload));
          return true;
        }
        if (payload[0] !== PACKET.OK) {
          this.fail(clientError(CR.MALFORMED_PACKET, `expected COM_STMT_PREPARE_OK, got packet 0x${payload[0]?.toString(16)}`));
          return true;
        }
        this.ok = parseStmtPrepareOk(payload);
        this.state = PrepareState.Params;
        return this.next(eof);
      case PrepareState.Params:
        this.params.push(parseColumnDefinition(payload, this.host.extendedTypeInfo));
        return this.next(eof);
      case PrepareState.ParamsEof:
        this.state = PrepareState.Columns;
        return this.next(eof);
      case PrepareState.Columns:
        this.columns.push(parseColumnDefinition(payload, this.host.extendedTypeInfo));
        return this.next(eof);
      case PrepareState.ColumnsEof:
        return this.done();
    }
  }

  /** Moves past finished lists; returns true when nothing more is expected. */
  private next(eof: boolean): boolean {
    const ok = this.ok!;
    if (this.state === PrepareState.Params && this.params.length === ok.numParams) {
      this.state = ok.numParams > 0 && eof ? PrepareState.ParamsEof : PrepareState.Columns;
    }
    if (this.state === PrepareState.Columns && this.columns.length === ok.numColumns) {
      if (ok.numColumns > 0 && eof) this.state = PrepareState.ColumnsEof;
      else return this.done();
    }
    return false;
  }

  private done(): boolean {
    this.resolve({ ok: this.ok!, params: this.params, columns: this.columns });
    return true;
  }
}

/** COM_STMT_EXECUTE: the same result sets as COM_QUERY, with binary rows. */
export class ExecuteCommand extends QueryCommand {
  protected override createDecoder(columns: ColumnDefinition[], ctx: DecodeContext, shape: RowShape): RowDecoder {
    return new BinaryRowDecoder(columns, ctx, shape);
  }
}

/** COM_STMT_CLOSE, which the server does not answer. */
export class CloseStatementCommand extends Command<void> {
  override noReply = true;
  constructor(readonly request: Buffer) {
    super();
  }
  onPacket(): boolean {
    return true;
  }
  override written(): void {
    this.resolve();
  }
}

/**
 * A server-side prepared statement, from `conn.prepare(sql)`. Placeholders are `?`; each
 * argument is bound with its real type, so `LIMIT ?` takes a number and nothing is
 * interpolated into the SQL text. Rows come back exactly as the text protocol gives them.
 */
export class PreparedStatement implements AsyncDisposable {
  private closedValue = false;
  /** @internal The owning cache, if the statement is cached. */
  cached = false;

  /** @internal Use `conn.prepare()`. */
  constructor(
    private readonly host: StatementHost,
    /** The SQL text, with `?` placeholders. */
    readonly sql: string,
    /** The server's id of the statement. */
    readonly id: number,
    /** How many `?` parameters `execute()` needs. */
    readonly paramCount: number,
    /** The columns the statement returns (empty for statements without rows). */
    readonly columns: readonly ColumnDefinition[],
  ) {}

  /** True once `close()` was called or the connection closed. */
  get closed(): boolean {
    return this.closedValue || this.host.closed;
  }

  /** @internal Queues a COM_STMT_EXECUTE and returns its command. */
  command(args: readonly SqlParam[], shape: RowShape, streaming: boolean, barrier = false): QueryCommand {
    if (this.closedValue) throw new InterfaceError("The prepared statement is closed");
    if (this.host.closed) throw this.host.closedError();
    if (!Array.isArray(args)) throw new ProgrammingError("execute(): args must be an array of values for the ? placeholders");
    if (args.length !== this.paramCount) {
      throw new ProgrammingError(
        `The statement has ${this.paramCount} "?" placeholder${this.paramCount === 1 ? "" : "s"} but ${args.length} argument${args.length === 1 ? " was" : "s were"} given`,
      );
    }
    writeComStmtExecute(this.host.writer, this.id, args, this.host.paramEncoding);
    const cmd = new ExecuteCommand(this.host.frame(), this.sql, shape, streaming);
    // A cancellable execution is a pipeline barrier, like a cancellable COM_QUERY.
    if (barrier) cmd.pipelinable = false;
    void this.host.enqueue(cmd);
    return cmd;
  }

  /**
   * Executes the statement with one argument per `?` and resolves to its rows (arrays, or
   * objects keyed by column name with `{ dict: true }`) and counts.
   * @throws ProgrammingError when the argument count is wrong or a value cannot be bound.
   */
  async execute<R = Row>(args: readonly SqlParam[] = [], options: { dict?: boolean } = {}): Promise<StatementResult<R>> {
    const shape: RowShape = options.dict ? { kind: "object" } : ARRAY_ROWS;
    const results = await this.command(args, shape, false).promise;
    const first = results[0] as ResultSet;
    for (const r of results) if (r instanceof Error) throw r;
    return {
      columns: first.columns,
      rows: first.rows as R[],
      affectedRows: first.affectedRows,
      insertId: first.insertId,
      warnings: first.warnings,
    };
  }

  /** Deallocates the statement on the server (COM_STMT_CLOSE, after anything already queued). */
  async close(): Promise<void> {
    if (this.closedValue) return;
    this.closedValue = true;
    if (this.host.closed) return;
    writeComStmtClose(this.host.writer, this.id);
    await this.host.enqueue(new CloseStatementCommand(this.host.frame()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Prepares `sql` on `host` (COM_STMT_PREPARE). */
export async function prepareStatement(host: StatementHost, sql: string): Promise<PreparedStatement> {
  if (typeof sql !== "string") throw new ProgrammingError("prepare(): sql must be a string");
  if (host.closed) throw host.closedError();
  writeComStmtPrepare(host.writer, host.encodeSql(sql));
  const { ok, columns } = await host.enqueue(new PrepareCommand(host.frame(), sql));
  return new PreparedStatement(host, sql, ok.statementId, ok.numParams, columns);
}

/**
 * The prepared statements of one connection, by SQL text, least recently used first. The
 * bound is `size` and never more than the server's max_prepared_stmt_count; a statement
 * pushed out is closed on the server (after whatever is already queued for it).
 */
export class StatementCache {
  private readonly entries = new Map<string, { promise: Promise<PreparedStatement>; stmt: PreparedStatement | null }>();

  constructor(
    private readonly host: StatementHost,
    /** Most statements kept open. */
    public size: number,
  ) {}

  /** How many statements are cached (or being prepared). */
  get length(): number {
    return this.entries.size;
  }

  /** The cached statement for `sql`, prepared on first use. */
  get(sql: string): Promise<PreparedStatement> {
    const hit = this.entries.get(sql);
    if (hit !== undefined) {
      this.entries.delete(sql);
      this.entries.set(sql, hit);
      return hit.promise;
    }
    const p = this.prepare(sql);
    const entry = { promise: p, stmt: null as PreparedStatement | null };
    this.entries.set(sql, entry);
    p.then(
      (stmt) => {
        stmt.cached = true;
        entry.stmt = stmt;
        if (this.entries.get(sql) !== entry) void stmt.close();
      },
      () => {
        if (this.entries.get(sql) === entry) this.entries.delete(sql);
      },
    );
    this.trim(this.size);
    return p;
  }

  private async prepare(sql: string): Promise<PreparedStatement> {
    try {
      return await prepareStatement(this.host, sql);
    } catch (e) {
      // The server-wide limit was reached: give back half of ours and try once more.
      if ((e as { errno?: number }).errno !== ER_MAX_PREPARED_STMT_COUNT_REACHED || this.entries.size <= 1) throw e;
      this.trim(Math.floor(this.entries.size / 2));
      return prepareStatement(this.host, sql);
    }
  }

  /** Closes the least recently used statements until at most `keep` remain. */
  private trim(keep: number): void {
    for (const [sql, entry] of this.entries) {
      if (this.entries.size <= Math.max(keep, 0)) break;
      this.entries.delete(sql);
      // Closed now, so that COM_STMT_CLOSE is queued before whatever comes next; a statement
      // still being prepared is closed when it arrives (see get()).
      if (entry.stmt !== null) entry.stmt.close().catch(() => {});
    }
  }

  /** Forgets every statement (the connection closed: the server freed them). */
  clear(): void {
    this.entries.clear();
  }
}

/**
 * Turns a cursor's `%s` / `%(name)s` statement (also `%d`, `%f`) into `?` placeholders and the
 * positional arguments for them; `%%` becomes `%` everywhere, as in the text path. Placeholders
 * inside quoted strings or comments cannot be bound and are refused, and so is a bare `?`
 * outside them, which the server would read as a placeholder of its own.
 * @throws ProgrammingError for a mismatch between placeholders and arguments.
 */
export function toQmark(query: string, args: SqlArgs | SqlParam | null | undefined): { sql: string; params: SqlParam[] } {
  if (args === null || args === undefined) return { sql: query, params: [] };
  const positional = Array.isArray(args) ? (args as readonly SqlParam[]) : null;
  const named =
    positional === null && typeof args === "object" && !(args instanceof Date) && !(args instanceof Uint8Array)
      ? (args as Record<string, SqlParam>)
      : null;
  const list = positional ?? (named === null ? [args as SqlParam] : null);
  const params: SqlParam[] = [];
  let out = "";
  /** The quote or comment we are inside: ', ", `, "-" (line comment), "*" (block comment), or "". */
  let inside = "";
  const n = query.length;
  for (let i = 0; i < n; i++) {
    const c = query[i]!;
    if (c === "%") {
      const d = query[i + 1];
      if (d === "%") {
        out += "%";
        i++;
        continue;
      }
      if (inside !== "") throw new ProgrammingError(`a placeholder inside a quoted string or comment (offset ${i}) cannot be prepared`);
      if ((d === "s" || d === "d" || d === "f") && list !== null) {
        if (params.length >= list.length) throw new ProgrammingError(`Not enough arguments for the placeholders: ${list.length} given`);
        params.push(list[params.length]);
        out += "?";
        i++;
        continue;
      }
      const close = d === "(" ? query.indexOf(")", i + 2) : -1;
      if (close !== -1 && named !== null && "sdf".includes(query[close + 1] ?? "")) {
        const name = query.slice(i + 2, close);
        if (!Object.hasOwn(named, name)) throw new ProgrammingError(`Missing named argument ${JSON.stringify(name)}`);
        params.push(named[name]);
        out += "?";
        i = close + 1;
        continue;
      }
      throw new ProgrammingError(
        `Unsupported or mismatched placeholder at index ${i}: use %s with an array, %(name)s with an object, %% for %`,
      );
    }
    out += c;
    if (inside === "") {
      if (c === "'" || c === '"' || c === "`") inside = c;
      else if (c === "#" || (c === "-" && query.startsWith("-- ", i))) inside = "-";
      else if (c === "/" && query[i + 1] === "*") inside = "*";
      else if (c === "?")
        throw new ProgrammingError("a prepared cursor statement uses %s placeholders; a bare ? would be a placeholder too");
    } else if (inside === "-") {
      if (c === "\n") inside = "";
    } else if (inside === "*") {
      if (c === "*" && query[i + 1] === "/") {
        out += "/";
        i++;
        inside = "";
      }
    } else if (c === "\\" && inside !== "`" && i + 1 < n && query[i + 1] !== "%") {
      out += query[++i];
    } else if (c === inside) {
      inside = "";
    }
  }
  if (list !== null && params.length !== list.length) {
    throw new ProgrammingError(`Not all arguments converted: ${list.length} given, the query uses ${params.length}`);
  }
  return { sql: out, params };
}
