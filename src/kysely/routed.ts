// Kysely over a cluster pool: a DatabaseConnection that takes a pooled connection per statement,
// routed as pool.query() routes (a recognisable read to a replica, anything else to the writable
// node), until a transaction or a non-read pins it to one connection for the rest of its life.
import type { CompiledQuery, DatabaseConnection, QueryResult } from "kysely";
import { classifyStatement } from "../cluster/classify.js";
import type { Connection } from "../connection.js";
import type { Pool } from "../pool.js";
import type { AiomysqlConnection } from "./driver.js";

const READ_ONLY_TRANSACTION = /^SET TRANSACTION\b.*\bREAD ONLY\b/i;

/** A Kysely connection on a cluster pool: each read outside a transaction goes to a replica. */
export class RoutedConnection implements DatabaseConnection {
  private readonly pool: Pool;
  private readonly wrap: (raw: Connection) => AiomysqlConnection;
  private pinned: { raw: Connection; conn: AiomysqlConnection; restoreAutocommit: boolean } | null = null;

  /** @internal */
  constructor(pool: Pool, wrap: (raw: Connection) => AiomysqlConnection) {
    this.pool = pool;
    this.wrap = wrap;
  }

  /** The connection this one is pinned to (by a transaction or a write), or null while it routes each read. */
  get connection(): Connection | null {
    return this.pinned?.raw ?? null;
  }

  private async take(readOnly: boolean): Promise<{ raw: Connection; conn: AiomysqlConnection; restoreAutocommit: boolean }> {
    const raw = await this.pool.acquire({ readOnly });
    try {
      // Kysely expects each statement outside a transaction to be committed.
      const restoreAutocommit = !raw.getAutocommit();
      if (restoreAutocommit) await raw.autocommit(true);
      return { raw, conn: this.wrap(raw), restoreAutocommit };
    } catch (e) {
      this.pool.release(raw);
      throw e;
    }
  }

  private async give(held: { raw: Connection; restoreAutocommit: boolean }): Promise<void> {
    if (held.restoreAutocommit && !held.raw.closed) await held.raw.autocommit(false).catch(() => held.raw.close());
    this.pool.release(held.raw);
  }

  private async pin(readOnly: boolean): Promise<AiomysqlConnection> {
    if (this.pinned === null) this.pinned = await this.take(readOnly);
    return this.pinned.conn;
  }

  /** Runs a compiled query: a read on a replica (one statement), anything else on the pinned writer. */
  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    // The driver's "set transaction read only" starts a transaction a replica can run.
    if (this.pinned === null && READ_ONLY_TRANSACTION.test(compiledQuery.sql)) return (await this.pin(true)).executeQuery<R>(compiledQuery);
    if (this.pinned !== null || classifyStatement(compiledQuery.sql) === "write") {
      return (await this.pin(false)).executeQuery<R>(compiledQuery);
    }
    const held = await this.take(true);
    try {
      return await held.conn.executeQuery<R>(compiledQuery);
    } finally {
      await this.give(held);
    }
  }

  /** Streams a query's rows, routed as `executeQuery()` routes it. */
  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    if (this.pinned !== null || classifyStatement(compiledQuery.sql) === "write") {
      yield* (await this.pin(false)).streamQuery<R>(compiledQuery, chunkSize);
      return;
    }
    const held = await this.take(true);
    try {
      yield* held.conn.streamQuery<R>(compiledQuery, chunkSize);
    } finally {
      await this.give(held);
    }
  }

  /**
   * @internal Runs a transaction statement: the first pins the connection, to a replica when it
   * sets a READ ONLY transaction, else to the writable node.
   */
  async run(sql: string): Promise<void> {
    await (await this.pin(this.pinned === null && READ_ONLY_TRANSACTION.test(sql))).run(sql);
  }

  /** @internal Gives the pinned connection back. */
  async release(): Promise<void> {
    const held = this.pinned;
    this.pinned = null;
    if (held !== null) await this.give(held);
  }
}
