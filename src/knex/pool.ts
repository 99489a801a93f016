// An aiomysql Pool in the shape Knex expects of an external pool (`connectionPool`).
import { ProgrammingError } from "../errors.js";
import type { Pool } from "../pool.js";
import { KnexConnection } from "./connection.js";

/**
 * An aiomysql `Pool` lent to Knex: `knex({ client: AiomysqlKnexClient, connectionPool:
 * knexPool(pool) })`. Knex does not own it: `knex.destroy()` leaves it open, close it yourself.
 * Connections whose autocommit is off get it turned on while Knex holds them (Knex expects
 * statements outside a transaction to be committed) and off again when they go back.
 */
export class AiomysqlKnexPool {
  /** The aiomysql pool connections come from. */
  readonly pool: Pool;

  /** @internal Use `knexPool()`. */
  constructor(pool: Pool) {
    this.pool = pool;
  }

  /** Takes a connection from the pool (tarn's `acquire()` shape: `{ promise }`). */
  acquire(): {
    /** Resolves to the connection once the pool hands one out. */
    promise: Promise<KnexConnection>;
  } {
    return { promise: this.take() };
  }

  private async take(): Promise<KnexConnection> {
    const raw = await this.pool.acquire();
    try {
      // One KnexConnection per borrowing, like the lease under it: one that Knex kept after
      // releasing it cannot drive the connection's next borrower.
      const conn = new KnexConnection(raw);
      if (!raw.getAutocommit()) {
        await raw.autocommit(true);
        conn.restoreAutocommit = true;
      }
      return conn;
    } catch (e) {
      this.pool.release(raw);
      throw e;
    }
  }

  /**
   * Gives a connection back: closed first when Knex marked it unusable (a query that timed
   * out without cancelling), its autocommit restored otherwise.
   */
  release(conn: KnexConnection): boolean {
    const raw = conn.connection;
    if (conn.__knex__disposed !== undefined) raw.close();
    if (conn.restoreAutocommit && !raw.closed) {
      conn.restoreAutocommit = false;
      // A connection whose autocommit cannot be restored must not go back to other borrowers.
      void raw.autocommit(false).then(
        () => this.pool.release(raw),
        () => {
          raw.close();
          this.pool.release(raw);
        },
      );
      return true;
    }
    conn.restoreAutocommit = false;
    this.pool.release(raw);
    return true;
  }

  /** Does nothing: the pool belongs to the caller. */
  async destroy(): Promise<void> {}
}

/**
 * Wraps an aiomysql pool for Knex's `connectionPool` option.
 * @throws ProgrammingError when `pool` is not an aiomysql Pool.
 */
export function knexPool(pool: Pool): AiomysqlKnexPool {
  const p = pool as Partial<Pool> | null;
  if (p === null || typeof p !== "object" || typeof p.acquire !== "function" || typeof p.release !== "function")
    throw new ProgrammingError("knexPool(): expected an aiomysql Pool (from createPool())");
  return new AiomysqlKnexPool(pool);
}
