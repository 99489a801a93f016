// The public entry point of aiomysql.
export { connect, Connection } from "./connection.js";
export type { ConnectionOwner } from "./connection.js";
export { Cursor, DictCursor } from "./cursors.js";
export { SSCursor, SSDictCursor } from "./ss-cursors.js";
export type { ColumnDescription, CursorClass, ExecuteOptions } from "./cursors.js";
export type { ConnectOptions, LocalInfileHandler, SslMode } from "./options.js";
export type { CommandOptions } from "./deadline.js";
export {
  MySQLError,
  Warning,
  Warning as MySQLWarning,
  Error,
  InterfaceError,
  DatabaseError,
  DataError,
  OperationalError,
  IntegrityError,
  InternalError,
  ProgrammingError,
  NotSupportedError,
  FailoverError,
  BackendError,
  TransactionResolutionUnknownError,
  CertificationConflictError,
} from "./errors.js";
export type { NodeFailure } from "./errors.js";
export { escape, escapeString, escapeId, interpolate } from "./sql/escape.js";
export { decoders, makeDecoders } from "./converters.js";
export type { Decoder, Decoders } from "./converters.js";
export { CLIENT, COM, CR, FIELD_TYPE, FIELD_FLAG, SERVER_STATUS } from "./protocol/constants.js";
export { ER } from "./protocol/er.js";
export { getLogger, setLogger } from "./log.js";
export type { Logger } from "./log.js";
export type { SqlValue, SqlParam, SqlArgs, Row, DictRow, ColumnDefinition, TimeZone } from "./types.js";
export { Pool } from "./pool.js";
export { createPool } from "./create-pool.js";
export { ClusterPool } from "./cluster/pool.js";
export { classifyStatement } from "./cluster/classify.js";
export { nodeChannel } from "./cluster/node.js";
export type { TransactionOptions } from "./pool-transaction.js";
export type { NodeChangeMessage } from "./cluster/node.js";
export { discoveryChannel } from "./cluster/discovery.js";
export type { DiscoveryMessage } from "./cluster/discovery.js";
export type {
  ClusterOptions,
  HostSpec,
  Topology,
  Selector,
  CausalReads,
  NodeRole,
  NodeState,
  NodeStats,
  MonitorCredentials,
  SrvRecord,
  SrvResolver,
  NodeSource,
  DiscoveryStats,
} from "./cluster/options.js";
export type { PoolOptions, AcquireOptions, PoolStats, PoolQueryOptions, PoolExecuteResult } from "./pool.js";
export { PreparedStatement } from "./statement.js";
export type { StatementResult } from "./statement.js";
export { redactSql } from "./tracing.js";
export type { ConnectTrace, QueryTrace, AcquireTrace } from "./tracing.js";
export { mysql2Decoders } from "./value-mapping.js";
export type { ValueMapping } from "./value-mapping.js";
export { parseGeometry } from "./wkb.js";
export type { Geometry, GeometryPoint } from "./wkb.js";
