// Server-side prepared statements as commands: COM_STMT_PREPARE, COM_STMT_EXECUTE (binary
// result rows) and COM_STMT_CLOSE.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_stmt_prepare.html
import type { ColumnCache } from "../../protocol/column-cache.js";
import { clientError } from "../../errors.js";
import {
  BinaryRowDecoder,
  parseStmtPrepareOk,
  writeComStmtClose,
  writeComStmtExecute,
  writeComStmtPrepare,
  type StmtPrepareOk,
} from "../../protocol/binary.js";
import { CLIENT, CR, PACKET } from "../../protocol/constants.js";
import { parseColumnDefinition } from "../../protocol/results.js";
import type { DecodeContext, RowShape } from "../../protocol/rows.js";
import type { ColumnDefinition, SqlParam } from "../../types.js";
import { Command, hasNonAscii, type CommandHost } from "./command.js";
import { QueryCommand, type RowDecoder } from "./query.js";

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

  constructor(sql: string) {
    super();
    this.sql = sql;
    this.awaitsCharset = hasNonAscii(sql);
  }

  encode(host: CommandHost): Buffer {
    writeComStmtPrepare(host.writer, host.encodeSql(this.sql!));
    return host.writer.finish(0)[0];
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
  constructor(
    private readonly statementId: number,
    private readonly args: readonly SqlParam[],
    sql: string,
    shape: RowShape,
    streaming: boolean,
    private readonly metadata: ColumnCache,
  ) {
    super(sql, shape, streaming);
  }

  /** The statement's own: it sends the same column definitions every time it runs. */
  protected override columnCache(): ColumnCache {
    return this.metadata;
  }

  override encode(host: CommandHost): Buffer {
    writeComStmtExecute(host.writer, this.statementId, this.args, host.paramEncoding);
    return host.writer.finish(0)[0];
  }

  protected override createDecoder(columns: ColumnDefinition[], ctx: DecodeContext, shape: RowShape): RowDecoder {
    return new BinaryRowDecoder(columns, ctx, shape);
  }
}

/** COM_STMT_CLOSE, which the server does not answer. */
export class CloseStatementCommand extends Command<void> {
  override noReply = true;
  constructor(private readonly statementId: number) {
    super();
  }
  encode(host: CommandHost): Buffer {
    writeComStmtClose(host.writer, this.statementId);
    return host.writer.finish(0)[0];
  }
  onPacket(): boolean {
    return true;
  }
  override written(): void {
    this.resolve();
  }
}
