// aiomysql/knex: a Knex client on aiomysql connections. Knex is an optional peer dependency;
// the core package never loads it.
export { AiomysqlKnexClient } from "./client.js";
export { AiomysqlKnexPool, knexPool } from "./pool.js";
export { KnexConnection } from "./connection.js";
export type { KnexQuery, KnexResponse, KnexResultHeader } from "./connection.js";
export { knexConnection } from "./settings.js";
export type { KnexConnectionSettings } from "./settings.js";
