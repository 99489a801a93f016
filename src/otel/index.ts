// aiomysql/otel: OpenTelemetry spans for connects, statements and pool acquires, built on the
// diagnostics_channel tracing channels. @opentelemetry/api is an optional peer dependency.
export { instrumentAiomysql, TRACER_NAME } from "./instrument.js";
export type { InstrumentOptions } from "./instrument.js";
export { operationName, sanitizeSql } from "./sanitize.js";
