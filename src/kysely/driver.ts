// Kysely's Driver and DatabaseConnection on an aiomysql Pool.
import type { CompiledQuery, DatabaseConnection, Driver, QueryResult, TransactionSettings } from "kysely";
import { ClusterPool } from "../cluster/pool.js";
import type { Connection } from "../connection.js";
import { SSDictCursor } from "../ss-cursors.js";
import { ProgrammingError } from "../errors.js";
import { escapeId } from "../sql/escape.js";
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
const CHANGED_RE = /\bChanged:\s*(\d+)/;

/** Kysely's isolation levels, as MySQL spells them. */
const ISOLATION_LEVELS: Readonly<Record<string, string>> = {
  "read uncommitted": "READ UNCOMMITTED",
  "read committed": "READ COMMITTED",
  "repeatable read": "REPEATABLE READ",
  serializable: "SERIALIZABLE",
};
const ACCESS_MODES: Readonly<Record<string, string>> = { "read only": "READ ONLY", "read write": "READ WRITE" };

/** One pooled connection as Kysely sees it. */
export class AiomysqlConnection implements DatabaseConnection {
  /** The aiomysql connection underneath. */
  readonly connection: Connection;
  /** @internal Autocommit was off when Kysely took the connection: turn it off again on release. */
  restoreAutocommit = false;

  /** @internal */
  constructor(connection: Connection) {
    this.connection = connection;
  }

  /** The query with its `?` bound, formatted when it is written if its text depends on the sql_mode. */
  private bind(query: CompiledQuery): SqlText {
    return qmarkText(query.sql, query.parameters as readonly SqlParam[], this.connection.options.timezone);
  }

  /**
   * Runs a compiled query, binding its `?` parameters client-side. Rows are objects keyed by
   * column name; `insertId`, `numAffectedRows` and `numChangedRows` are bigints. When the SQL
   * holds several statements, the first result is returned.
   */
  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const sql = this.bind(compiledQuery);
    const {
      results: [result],
    } = await this.connection.session.query(sql, { shape: OBJECT_ROWS, drainAll: true });
    if (result === undefined) throw new ProgrammingError("The query returned no result");
    if (result.columns !== null) return { rows: result.rows as R[] };
    const changed = CHANGED_RE.exec(result.info);
    const insertId = BigInt(result.insertId);
    return {
      rows: [],
      numAffectedRows: BigInt(result.affectedRows),
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
      const routed = new RoutedConnection(pool, (raw) => new AiomysqlConnection(raw));
      if (this.config.onReserveConnection) await this.config.onReserveConnection(routed);
      return routed;
    }
    const raw = await pool.acquire();
    try {
      // Each acquire() is a new one-shot lease of the pooled connection: key by the connection.
      const key = pooledConnection(raw);
      let conn = this.connections.get(key);
      if (conn === undefined) {
        conn = new AiomysqlConnection(raw);
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

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const conn = connection as AiomysqlConnection;
    const parts: string[] = [];
    if (settings.isolationLevel !== undefined) {
      const level = ISOLATION_LEVELS[settings.isolationLevel];
      if (level === undefined) throw new ProgrammingError(`MySQL has no isolation level ${JSON.stringify(settings.isolationLevel)}`);
      parts.push(`ISOLATION LEVEL ${level}`);
    }
    if (settings.accessMode !== undefined) {
      const mode = ACCESS_MODES[settings.accessMode];
      if (mode === undefined) throw new ProgrammingError(`Unknown transaction access mode ${JSON.stringify(settings.accessMode)}`);
      parts.push(mode);
    }
    // SET TRANSACTION applies to the next transaction only.
    if (parts.length > 0) await conn.run(`SET TRANSACTION ${parts.join(", ")}`);
    await conn.run("BEGIN");
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as AiomysqlConnection).run("COMMIT");
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as AiomysqlConnection).run("ROLLBACK");
  }

  async savepoint(connection: DatabaseConnection, savepointName: string): Promise<void> {
    await (connection as AiomysqlConnection).run(`SAVEPOINT ${escapeId(savepointName)}`);
  }

  async rollbackToSavepoint(connection: DatabaseConnection, savepointName: string): Promise<void> {
    await (connection as AiomysqlConnection).run(`ROLLBACK TO SAVEPOINT ${escapeId(savepointName)}`);
  }

  async releaseSavepoint(connection: DatabaseConnection, savepointName: string): Promise<void> {
    await (connection as AiomysqlConnection).run(`RELEASE SAVEPOINT ${escapeId(savepointName)}`);
  }

  /** Gives the connection back to the pool (which rolls back anything left open). */
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    if (connection instanceof RoutedConnection) return connection.release();
    const conn = connection as AiomysqlConnection;
    const raw = conn.connection;
    if (conn.restoreAutocommit) {
      conn.restoreAutocommit = false;
      // A connection whose autocommit cannot be restored must not go back to other borrowers.
      if (!raw.closed) await raw.autocommit(false).catch(() => raw.close());
    }
    this.live().release(raw);
  }

  /** Closes the pool and waits for its connections, as Kysely's mysql2 driver ends its pool. */
  async destroy(): Promise<void> {
    const pool = this.pool;
    if (pool === null) return;
    this.pool = null;
    pool.close();
    await pool.waitClosed();
  }
}
