// Knex's MySQL dialect (its query, schema and transaction compilers) running on aiomysql
// connections instead of the mysql2 driver.
import { createRequire } from "node:module";
import type { Duplex } from "node:stream";
import type { Knex } from "knex";
import { connect } from "../connection.js";
import { OperationalError, ProgrammingError } from "../errors.js";
import { KnexConnection, type KnexQuery } from "./connection.js";
import { AiomysqlKnexPool, knexPool } from "./pool.js";
import { knexConnectOptions } from "./settings.js";

/** The database of the connection each client last handed out (for `database()` without settings). */
const lastDatabase = new WeakMap<object, string | null>();

/** Rows a streaming query reads from the server at a time when `.stream()` is given no highWaterMark. */
const DEFAULT_STREAM_CHUNK = 100;

function loadMysqlClient(): typeof Knex.Client {
  try {
    // Knex is CommonJS and its dialects have no type declarations: its own Client type describes them.
    return createRequire(import.meta.url)("knex/lib/dialects/mysql/index.js") as typeof Knex.Client;
  } catch (e) {
    throw new ProgrammingError(`aiomysql/knex needs the knex package (npm install knex): ${(e as Error).message}`, { cause: e });
  }
}

/**
 * A Knex client on aiomysql: `knex({ client: AiomysqlKnexClient, connection })`, where
 * `connection` is an object of `connect()` options (mysql2's `database`, `socketPath` and
 * `multipleStatements` are understood too) or a `mysql://` URL. Knex's own pool (tarn, the
 * `pool` setting) opens the connections; to use an aiomysql pool instead, pass
 * `connectionPool: knexPool(pool)` and no `connection`.
 *
 * Everything of Knex's MySQL dialect works: queries, raw queries (`[rows, fields]`), inserts
 * with their insert id, transactions and savepoints, `.stream()` (an SSDictCursor, bounded
 * memory), `.timeout(ms, { cancel: true })` (KILL QUERY on a side connection), migrations and
 * seeds. Connections default to `autocommit: true`, `valueMapping: "mysql2"` and
 * CLIENT.FOUND_ROWS, so results are the ones Knex's mysql2 client gives.
 */
export class AiomysqlKnexClient extends loadMysqlClient() {
  /** Knex's mysql client reads the server version from here; MariaDB changes some DDL. */
  declare isMariaDB?: boolean;

  /** The driver is aiomysql itself: nothing to load. */
  override initializeDriver(): void {
    this.driver = { connect };
  }

  /** Opens one connection for Knex's pool. */
  override async acquireRawConnection(): Promise<KnexConnection> {
    const conn = await connect(knexConnectOptions(this.connectionSettings));
    if (this.isMariaDB === undefined) this.isMariaDB = conn.isMariaDB;
    if (this.version === undefined) this.version = /^\d+\.\d+\.\d+/.exec(conn.serverVersion)?.[0];
    return new KnexConnection(conn);
  }

  /** Takes a connection from the pool (Knex's or the aiomysql one), noting its database. */
  override async acquireConnection(): Promise<KnexConnection> {
    const conn = (await super.acquireConnection()) as KnexConnection;
    lastDatabase.set(this, conn.connection.db);
    return conn;
  }

  /**
   * The database Knex's schema queries (`columnInfo()`, ...) look in: the `database` (or
   * `db`) setting, else that of the connection in use (an aiomysql pool's `db`).
   */
  override database(): string | undefined {
    const settings = this.connectionSettings as { database?: unknown; db?: unknown };
    const named = settings.database ?? settings.db;
    if (typeof named === "string") return named;
    return lastDatabase.get(this) ?? undefined;
  }

  /** Closes a connection Knex's pool let go (COM_QUIT, or at once if that fails). */
  override async destroyRawConnection(connection: KnexConnection): Promise<void> {
    await connection.connection.ensureClosed().catch(() => connection.connection.close());
  }

  /** A connection is reusable while it is open and Knex has not marked it unusable. */
  override async validateConnection(connection: KnexConnection): Promise<boolean> {
    return !connection.connection.closed && connection.__knex__disposed === undefined;
  }

  /** Knex's external pool: an aiomysql Pool, or `knexPool(pool)`. */
  wrapNativePool(nativePool: unknown): AiomysqlKnexPool {
    if (nativePool instanceof AiomysqlKnexPool) return nativePool;
    return knexPool(nativePool as Parameters<typeof knexPool>[0]);
  }

  /** Runs one compiled query; `response` gets mysql2's `[rows, fields]`. */
  async _query(connection: KnexConnection, query: KnexQuery | string): Promise<KnexQuery> {
    const obj: KnexQuery = typeof query === "string" || query === undefined || query === null ? { sql: query ?? "" } : query;
    if (!obj.sql) throw new ProgrammingError("The query is empty");
    obj.response = await connection.run(obj);
    return obj;
  }

  /** Streams the rows of one query into Knex's stream, `options.highWaterMark` rows at a time. */
  _stream(connection: KnexConnection, query: KnexQuery, stream: Duplex, options?: { highWaterMark?: number }): Promise<void> {
    if (!query.sql) throw new ProgrammingError("The query is empty");
    const source = connection.stream(query, options?.highWaterMark ?? DEFAULT_STREAM_CHUNK);
    return new Promise((resolve, reject) => {
      stream.on("error", reject);
      stream.on("end", resolve);
      // A stream destroyed early ends with "close" only.
      stream.on("close", resolve);
      source.on("error", (err: Error) => {
        reject(err);
        stream.destroy(err);
      });
      source.pipe(stream);
    });
  }

  /**
   * Stops the statement of a `.timeout(ms, { cancel: true })` query on the server: aborts it,
   * which sends KILL QUERY for its thread on a side connection, and waits until it ended.
   * @throws OperationalError when it could not be stopped (the connection is then closed).
   */
  override async cancelQuery(connection?: KnexConnection): Promise<void> {
    const controller = connection?.cancel;
    const running = connection?.running;
    if (connection === undefined || controller == null || running == null) return;
    controller.abort("Knex query timeout");
    // Bounded: the statement ends after its KILL QUERY, or the connection is dropped.
    await running.catch(() => {});
    if (connection.connection.closed) {
      throw new OperationalError("KILL QUERY could not stop the timed-out statement; its connection was closed");
    }
  }
}

Object.defineProperty(AiomysqlKnexClient.prototype, "driverName", { value: "aiomysql", writable: true, configurable: true });
