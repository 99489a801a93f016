// Kysely's Driver and DatabaseConnection on an aiomysql Pool.
import {
  CompiledQuery,
  IdentifierNode,
  RawNode,
  createQueryId,
  type DatabaseConnection,
  type Driver,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from "kysely";
import { ClusterPool } from "../cluster/pool.js";
import type { Connection } from "../connection.js";
import { SSDictCursor } from "../ss-cursors.js";
import { ProgrammingError } from "../errors.js";
import { withCallerFrames } from "../caller-frames.js";
import type { SqlText } from "../sql/escape.js";
import { qmarkText } from "../sql/qmark.js";
import { pooledConnection } from "../pool-lease.js";
import type { Pool } from "../pool.js";
import type { SqlParam } from "../types.js";
import { RoutedConnection } from "./routed.js";

/** Options of `new AiomysqlDialect()`. */
export interface AiomysqlDialectConfig {
  /** The pool to run queries on, or a function resolving to it (called once, at the first query). */
  pool: Pool | (() => Promise<Pool>);
  /** Called once for each pooled connection, the first time Kysely uses it. */
  onCreateConnection?: (connection: DatabaseConnection) => Promise<void>;
  /** Called each time Kysely takes a connection from the pool. */
  onReserveConnection?: (connection: DatabaseConnection) => Promise<void>;
}

const OBJECT_ROWS = { kind: "object" } as const;
// An UPDATE's info message: "Rows matched: 1  Changed: 0  Warnings: 0".
const MATCHED_RE = /\bRows matched:\s*(\d+)/;
const CHANGED_RE = /\bChanged:\s*(\d+)/;

/** The isolation levels and access modes MySQL accepts, in Kysely's (and MySQL's) spelling. */
const ISOLATION_LEVELS: ReadonlySet<string> = new Set(["read uncommitted", "read committed", "repeatable read", "serializable"]);
const ACCESS_MODES: ReadonlySet<string> = new Set(["read only", "read write"]);

/** A SAVEPOINT-family statement naming `savepointName`, compiled by Kysely (which quotes the name). */
function savepointCommand(command: string, savepointName: string, compileQuery: QueryCompiler["compileQuery"]): CompiledQuery {
  return compileQuery(
    RawNode.createWithChildren([RawNode.createWithSql(`${command} `), IdentifierNode.create(savepointName)]),
    createQueryId(),
  );
}

/** One pooled connection as Kysely sees it. */
export class AiomysqlConnection implements DatabaseConnection {
  /** The aiomysql connection underneath. */
  readonly connection: Connection;
  /** @internal Autocommit was off when Kysely took the connection: turn it off again on release. */
  restoreAutocommit = false;
  /** @internal The pool the connection came from, which it goes back to even while the driver is destroyed. */
  readonly pool: Pool;

  /** @internal */
  constructor(connection: Connection, pool: Pool) {
    this.connection = connection;
    this.pool = pool;
  }

  /** The query with its `?` bound, formatted when it is written if its text depends on the sql_mode. */
  private bind(query: CompiledQuery): SqlText {
    return qmarkText(query.sql, query.parameters as readonly SqlParam[], this.connection.options.timezone);
  }

  /**
   * Runs a compiled query, binding its `?` parameters client-side. Rows are objects keyed by
   * column name; `insertId`, `numAffectedRows` and `numChangedRows` are bigints. For an UPDATE,
   * `numAffectedRows` counts the rows matched, even if not changed (as Kysely documents it),
   * and `numChangedRows` those changed. When the SQL holds several statements, the first
   * result is returned. Errors carry the caller's stack frames.
   */
  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const sql = this.bind(compiledQuery);
    let outcome;
    try {
      outcome = await this.connection.session.query(sql, { shape: OBJECT_ROWS, drainAll: true });
    } catch (e) {
      throw withCallerFrames(e);
    }
    const result = outcome.results[0];
    if (result === undefined) throw new ProgrammingError("The query returned no result");
    if (result.columns !== null) return { rows: result.rows as R[] };
    const matched = MATCHED_RE.exec(result.info);
    const changed = CHANGED_RE.exec(result.info);
    const insertId = BigInt(result.insertId);
    return {
      rows: [],
      numAffectedRows: BigInt(matched ? matched[1]! : result.affectedRows),
      ...(insertId !== 0n ? { insertId } : {}),
      ...(changed ? { numChangedRows: BigInt(changed[1]!) } : {}),
    };
  }

  /**
   * Streams the rows of a query from the server (an SSDictCursor), `chunkSize` rows at a time,
   * with bounded memory. Stopping early discards the rest of the result.
   */
  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize = 100): AsyncIterableIterator<QueryResult<R>> {
    if (!Number.isInteger(chunkSize) || chunkSize <= 0) throw new ProgrammingError("streamQuery(): chunkSize must be a positive integer");
    const sql = this.bind(compiledQuery);
    const cursor = this.connection.cursor(SSDictCursor);
    try {
      await cursor.executeText(sql);
      for (;;) {
        const rows = await cursor.fetchMany<R>(chunkSize);
        if (rows.length === 0) return;
        yield { rows };
      }
    } catch (e) {
      throw withCallerFrames(e);
    } finally {
      await cursor.close();
    }
  }

  /** @internal Runs one statement without parameters. */
  async run(sql: string): Promise<void> {
    await this.connection.session.query(sql, { drainAll: true });
  }
}

/** Kysely's Driver on an aiomysql Pool. */
export class AiomysqlDriver implements Driver {
  private readonly config: AiomysqlDialectConfig;
  private readonly connections = new WeakMap<Connection, AiomysqlConnection>();
  private pool: Pool | null = null;
  private destroyed = false;
  private closing: Promise<void> | null = null;

  constructor(config: AiomysqlDialectConfig) {
    this.config = { ...config };
  }

  async init(): Promise<void> {
    const source = this.config.pool;
    this.pool = typeof source === "function" ? await source() : source;
    if (this.pool === null || typeof this.pool !== "object" || typeof this.pool.acquire !== "function") {
      throw new ProgrammingError("AiomysqlDialect: `pool` must be an aiomysql Pool or a function resolving to one");
    }
  }

  private live(): Pool {
    if (this.destroyed) throw new ProgrammingError("AiomysqlDialect: the Kysely instance was destroyed");
    if (this.pool === null) throw new ProgrammingError("AiomysqlDialect: the driver was not initialised");
    return this.pool;
  }

  /**
   * Takes a connection from the pool. Kysely expects each query outside a transaction to be
   * committed, so a connection whose autocommit is off has it turned on while Kysely holds it
   * (create the pool with `autocommit: true` to spare those two statements).
   */
  async acquireConnection(): Promise<DatabaseConnection> {
    const pool = this.live();
    if (pool instanceof ClusterPool) {
      // A cluster pool: reads outside a transaction go to replicas, statement by statement.
      const routed = new RoutedConnection(pool, (raw) => new AiomysqlConnection(raw, pool));
      if (this.config.onReserveConnection) await this.config.onReserveConnection(routed);
      return routed;
    }
    const raw = await pool.acquire();
    try {
      // Each acquire() is a new one-shot lease of the pooled connection: key by the connection.
      const key = pooledConnection(raw);
      let conn = this.connections.get(key);
      if (conn === undefined) {
        conn = new AiomysqlConnection(raw, pool);
        this.connections.set(key, conn);
        if (this.config.onCreateConnection) await this.config.onCreateConnection(conn);
      } else {
        (conn as { connection: Connection }).connection = raw;
      }
      if (!raw.getAutocommit()) {
        await raw.autocommit(true);
        conn.restoreAutocommit = true;
      }
      if (this.config.onReserveConnection) await this.config.onReserveConnection(conn);
      return conn;
    } catch (e) {
      pool.release(raw);
      throw e;
    }
  }

  /**
   * BEGIN, after SET TRANSACTION for an isolation level or access mode (which MySQL applies to
   * the next transaction only). Every transaction statement goes through `executeQuery`, so
   * Kysely's `log` sees it, in the SQL Kysely's mysql2 driver sends.
   */
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const parts: string[] = [];
    if (settings.isolationLevel !== undefined) {
      if (!ISOLATION_LEVELS.has(settings.isolationLevel)) {
        throw new ProgrammingError(`MySQL has no isolation level ${JSON.stringify(settings.isolationLevel)}`);
      }
      parts.push(`isolation level ${settings.isolationLevel}`);
    }
    if (settings.accessMode !== undefined) {
      if (!ACCESS_MODES.has(settings.accessMode)) {
        throw new ProgrammingError(`Unknown transaction access mode ${JSON.stringify(settings.accessMode)}`);
      }
      parts.push(settings.accessMode);
    }
    if (parts.length > 0) await connection.executeQuery(CompiledQuery.raw(`set transaction ${parts.join(", ")}`));
    await connection.executeQuery(CompiledQuery.raw("begin"));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("commit"));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("rollback"));
  }

  async savepoint(connection: DatabaseConnection, savepointName: string, compileQuery: QueryCompiler["compileQuery"]): Promise<void> {
    await connection.executeQuery(savepointCommand("savepoint", savepointName, compileQuery));
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    savepointName: string,
    compileQuery: QueryCompiler["compileQuery"],
  ): Promise<void> {
    await connection.executeQuery(savepointCommand("rollback to", savepointName, compileQuery));
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    savepointName: string,
    compileQuery: QueryCompiler["compileQuery"],
  ): Promise<void> {
    await connection.executeQuery(savepointCommand("release savepoint", savepointName, compileQuery));
  }

  /**
   * Gives the connection back to the pool it came from (which rolls back anything left open),
   * also while `destroy()` waits for it: the pool then closes it.
   */
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    if (connection instanceof RoutedConnection) return connection.release();
    const conn = connection as AiomysqlConnection;
    const raw = conn.connection;
    if (conn.restoreAutocommit) {
      conn.restoreAutocommit = false;
      // A connection whose autocommit cannot be restored must not go back to other borrowers.
      if (!raw.closed && !conn.pool.closed) await raw.autocommit(false).catch(() => raw.close());
    }
    conn.pool.release(raw);
  }

  /**
   * Closes the pool as Kysely's mysql2 driver ends its pool: no new work starts, queries and
   * streams still running finish (and report their own outcome), and the returned promise
   * resolves once their connections are back and closed.
   */
  destroy(): Promise<void> {
    if (this.closing === null) {
      this.destroyed = true;
      const pool = this.pool;
      if (pool !== null) pool.close();
      this.closing = pool === null ? Promise.resolve() : pool.waitClosed();
    }
    return this.closing;
  }
}
