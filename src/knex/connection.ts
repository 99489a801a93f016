// One aiomysql connection as Knex holds it, and running Knex's compiled queries on it with the
// results shaped as Knex's mysql2 client receives them from mysql2.
import { Readable } from "node:stream";
import type { Connection } from "../connection.js";
import { DictCursor, type ColumnDescription } from "../cursors.js";
import { ProgrammingError } from "../errors.js";
import { formatQmark, qmarkText } from "../sql/qmark.js";
import type { SqlText } from "../sql/escape.js";
import { SSDictCursor } from "../ss-cursors.js";
import type { DictRow, SqlParam } from "../types.js";

/** What a statement without rows reports, with mysql2's property names. */
export interface KnexResultHeader {
  /** Always 0: the statement returned no columns. */
  fieldCount: 0;
  /** Rows affected (an UPDATE counts the rows it matched: CLIENT.FOUND_ROWS is on by default). */
  affectedRows: number;
  /** The first AUTO_INCREMENT value the statement generated, or 0. */
  insertId: number | bigint;
  /** Warnings the statement raised. */
  warningStatus: number;
}

/** One result as Knex's mysql dialect reads it: `[rows, fields]`, mysql2's callback arguments. */
export type KnexResponse = [DictRow[] | KnexResultHeader, ColumnDescription[] | undefined];

/** A compiled Knex query. */
export interface KnexQuery {
  /** SQL with `?` placeholders. */
  sql: string;
  /** Values of the placeholders. */
  bindings?: readonly unknown[] | undefined;
  /** Milliseconds before Knex gives up on it (`.timeout(ms)`). */
  timeout?: number | false | undefined;
  /** `.timeout(ms, { cancel: true })`: stop the statement on the server when it times out. */
  cancelOnTimeout?: boolean | undefined;
  /** Driver options of `.options({...})`: mysql2's, which this client refuses. */
  options?: Readonly<Record<string, unknown>> | undefined;
  /** Filled in by the client: the statement's result. */
  response?: KnexResponse | [KnexResponse[0][], (ColumnDescription[] | undefined)[]];
}

/** Knex's `.options({...})` are handed to mysql2 as they are; here they would be ignored, so they are refused. */
function refuseDriverOptions(query: KnexQuery): void {
  const names = query.options === undefined || query.options === null ? [] : Object.keys(query.options);
  if (names.length > 0) {
    throw new ProgrammingError(`AiomysqlKnexClient: query options (${names.join(", ")}) are mysql2 driver options and are not supported`);
  }
}

/** An aiomysql connection held by Knex (Knex adds its own bookkeeping properties to it). */
export class KnexConnection {
  /** The aiomysql connection underneath. */
  readonly connection: Connection;
  /** @internal Knex's id of this connection. */
  __knexUid?: string;
  /** @internal Knex's id of the transaction running on it. */
  __knexTxId?: string;
  /** @internal Set by Knex when the connection must not be reused. */
  __knex__disposed?: unknown;
  /** @internal Cancels the statement running with `.timeout(ms, { cancel: true })`. */
  cancel: AbortController | null = null;
  /** @internal That statement, settled or not. */
  running: Promise<unknown> | null = null;
  /** @internal Autocommit was off when Knex took it from an aiomysql pool: restore on release. */
  restoreAutocommit = false;

  /** @internal */
  constructor(connection: Connection) {
    this.connection = connection;
  }

  /** The server's id of the connection (`CONNECTION_ID()`), which KILL QUERY names. */
  get threadId(): number {
    return this.connection.threadId;
  }

  /** The compiled query's SQL with its `?` placeholders bound client-side. */
  bind(query: KnexQuery): string {
    const conn = this.connection;
    return formatQmark(query.sql, (query.bindings ?? []) as readonly SqlParam[], {
      noBackslashEscapes: conn.noBackslashEscapes,
      timeZone: conn.options.timezone,
    });
  }

  /** `bind()` as the session writes it: formatted at write time when its text depends on the sql_mode. */
  private bindText(query: KnexQuery): SqlText {
    return qmarkText(query.sql, (query.bindings ?? []) as readonly SqlParam[], this.connection.options.timezone);
  }

  /**
   * Runs the query and returns mysql2's `[rows, fields]`; for several statements (or a CALL),
   * `[[rows1, rows2, ...], [fields1, fields2, ...]]` as mysql2 gives them.
   */
  async run(query: KnexQuery): Promise<NonNullable<KnexQuery["response"]>> {
    refuseDriverOptions(query);
    const sql = this.bindText(query);
    const signal = typeof query.timeout === "number" && query.cancelOnTimeout === true ? this.startCancellable() : undefined;
    const running = this.runSql(sql, signal);
    if (signal !== undefined) this.running = running;
    try {
      return await running;
    } finally {
      if (signal !== undefined && this.running === running) {
        this.cancel = null;
        this.running = null;
      }
    }
  }

  private startCancellable(): AbortSignal {
    const controller = new AbortController();
    this.cancel = controller;
    return controller.signal;
  }

  private async runSql(sql: SqlText, signal: AbortSignal | undefined): Promise<NonNullable<KnexQuery["response"]>> {
    const cur = this.connection.cursor(DictCursor);
    try {
      await cur.executeText(sql, signal === undefined ? undefined : { signal });
      const results: KnexResponse[] = [];
      do {
        const fields = cur.description ?? undefined;
        if (fields !== undefined) {
          results.push([await cur.fetchAll(), fields]);
        } else {
          const header: KnexResultHeader = {
            fieldCount: 0,
            affectedRows: cur.rowCount,
            insertId: cur.lastRowId ?? 0,
            warningStatus: cur.warningCount,
          };
          results.push([header, undefined]);
        }
      } while ((await cur.nextSet()) === true);
      if (results.length === 1) return results[0]!;
      return [results.map((r) => r[0]), results.map((r) => r[1])];
    } finally {
      await cur.close();
    }
  }

  /**
   * The rows of the query as an object-mode stream, read from the server `chunkSize` at a
   * time (an SSDictCursor: memory stays bounded). Destroying the stream early discards the
   * rest of the result.
   */
  stream(query: KnexQuery, chunkSize: number): Readable {
    if (!Number.isInteger(chunkSize) || chunkSize <= 0) throw new ProgrammingError("stream(): highWaterMark must be a positive integer");
    refuseDriverOptions(query);
    const sql = this.bindText(query);
    const conn = this.connection;
    async function* rows(): AsyncGenerator<DictRow> {
      const cur = conn.cursor(SSDictCursor);
      try {
        await cur.executeText(sql);
        for (;;) {
          const batch = await cur.fetchMany(chunkSize);
          if (batch.length === 0) return;
          yield* batch;
        }
      } finally {
        await cur.close();
      }
    }
    return Readable.from(rows(), { objectMode: true, highWaterMark: chunkSize });
  }
}
