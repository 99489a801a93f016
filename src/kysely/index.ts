// aiomysql/kysely: a Kysely Dialect running on an aiomysql Pool. Kysely's own MySQL adapter,
// introspector and query compiler are reused; only the driver is ours.
import {
  MysqlAdapter,
  MysqlIntrospector,
  MysqlQueryCompiler,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
} from "kysely";
import { AiomysqlDriver, type AiomysqlDialectConfig } from "./driver.js";

export { AiomysqlConnection, AiomysqlDriver } from "./driver.js";
export { RoutedConnection } from "./routed.js";
export type { AiomysqlDialectConfig } from "./driver.js";

/**
 * Kysely's Dialect for aiomysql: switch from Kysely's mysql2 dialect by changing one line.
 * ```ts
 * import { Kysely } from "kysely";
 * import { createPool } from "aiomysql";
 * import { AiomysqlDialect } from "aiomysql/kysely";
 *
 * const db = new Kysely<Database>({
 *   dialect: new AiomysqlDialect({ pool: () => createPool({ host, user, password, db: "app", autocommit: true }) }),
 * });
 * ```
 * Parameters are bound client-side (escaped into the SQL text); `stream()` reads rows from the
 * server with bounded memory; `db.destroy()` closes the pool.
 */
export class AiomysqlDialect implements Dialect {
  private readonly config: AiomysqlDialectConfig;

  constructor(config: AiomysqlDialectConfig) {
    this.config = config;
  }

  createDriver(): Driver {
    return new AiomysqlDriver(this.config);
  }

  createQueryCompiler(): QueryCompiler {
    return new MysqlQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new MysqlAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new MysqlIntrospector(db);
  }
}
