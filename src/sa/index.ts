// aiomysql/sa: the seed's aiomysql.sa for TypeScript's SQL builders (Kysely, Drizzle, Knex):
// an Engine with an embedded pool, SAConnection, ResultProxy/RowProxy and transaction handles.
export { createEngine, Engine } from "./engine.js";
export type { EngineOptions } from "./engine.js";
export { SAConnection } from "./connection.js";
export type { PreparedOptions } from "./connection.js";
export { ResultProxy } from "./result.js";
export { RowProxy } from "./rowproxy.js";
export type { ColumnRef, RowOf } from "./rowproxy.js";
export { Transaction, NestedTransaction, TwoPhaseTransaction } from "./transaction.js";
export { Dialect, dialect } from "./dialect.js";
export type { Query, CompilableQuery, CompiledQueryLike, ToSQLQuery } from "./query.js";
export { drizzleCallback } from "./drizzle.js";
export type { DrizzleProxyCallback, DrizzleResultHeader } from "./drizzle.js";
