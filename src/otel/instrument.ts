// OpenTelemetry spans from aiomysql's diagnostics_channel tracing channels. Nothing here runs
// until instrumentAiomysql() subscribes; the core package never loads @opentelemetry/api.
import { tracingChannel, type TracingChannelSubscribers } from "node:diagnostics_channel";
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer, type TracerProvider } from "@opentelemetry/api";
import type { AcquireTrace, ConnectTrace, QueryTrace } from "../tracing.js";
import { operationName, sanitizeSql } from "./sanitize.js";

/** Options of `instrumentAiomysql()`. */
export interface InstrumentOptions {
  /** Where spans go (default: the global tracer provider of `@opentelemetry/api`). */
  tracerProvider?: TracerProvider;
  /**
   * What `db.query.text` holds: `"sanitized"` (default: every literal replaced by `?`), `"full"`
   * (the statement as sent, password literals still masked) or `"none"` (no query text).
   */
  queryText?: "sanitized" | "full" | "none";
  /** `db.system.name`: `"mysql"` (default) or `"mariadb"`. */
  dbSystem?: "mysql" | "mariadb";
  /** Spans for opening connections (default true). */
  connectSpans?: boolean;
  /** Spans for waiting on a pool's `acquire()` (default true). */
  acquireSpans?: boolean;
}

/** The name this library's tracer has. */
export const TRACER_NAME = "aiomysql";

type Context<T> = T & { error?: unknown };

function errorType(err: unknown): string {
  if (err !== null && typeof err === "object") {
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string" && code !== "") return code;
    const name = (err as { name?: unknown }).name;
    if (typeof name === "string" && name !== "") return name;
  }
  return "_OTHER";
}

/** Span handlers for one tracing channel: a span per traced call, ended when its promise settles. */
function spanHandlers<T extends object>(
  tracer: Tracer,
  describe: (ctx: T) => { name: string; attributes: Attributes },
): TracingChannelSubscribers<Context<T>> {
  const spans = new WeakMap<object, Span>();
  const finish = (ctx: Context<T>): void => {
    const span = spans.get(ctx);
    if (span === undefined) return;
    spans.delete(ctx);
    span.end();
  };
  return {
    start(ctx) {
      const { name, attributes } = describe(ctx);
      // start is published synchronously inside the caller's call: its active span is the parent.
      spans.set(ctx, tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, context.active()));
    },
    end(ctx) {
      // A call that threw synchronously has no asyncEnd.
      if ("error" in ctx) finish(ctx);
    },
    asyncStart() {},
    asyncEnd: finish,
    error(ctx) {
      const span = spans.get(ctx);
      if (span === undefined) return;
      const err = ctx.error;
      span.setAttribute("error.type", errorType(err));
      if (err instanceof Error) span.recordException(err);
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    },
  };
}

/**
 * Starts emitting OpenTelemetry spans for aiomysql: one per statement (`db.system.name`,
 * `db.namespace`, `db.operation.name`, `db.query.text` with literals replaced by `?`,
 * `server.address`, `server.port`, `error.type` on failure), one per connect and one per pool
 * acquire, each a child of the span active where the call was made. Statements pipelined
 * together get a span each. Returns a function that stops it.
 */
export function instrumentAiomysql(options: InstrumentOptions = {}): () => void {
  const provider = options.tracerProvider ?? trace.getTracerProvider();
  const tracer = provider.getTracer(TRACER_NAME);
  const system = options.dbSystem ?? "mysql";
  const queryText = options.queryText ?? "sanitized";
  const stops: (() => void)[] = [];

  const query = spanHandlers<QueryTrace>(tracer, (ctx) => {
    const operation = operationName(ctx.sql);
    const attributes: Attributes = { "db.system.name": system, "server.address": ctx.host, "server.port": ctx.port };
    if (ctx.database !== null) attributes["db.namespace"] = ctx.database;
    if (operation !== null) attributes["db.operation.name"] = operation;
    if (queryText !== "none") attributes["db.query.text"] = queryText === "full" ? ctx.sql : sanitizeSql(ctx.sql);
    const name = [operation, ctx.database].filter((s) => s !== null).join(" ") || system;
    return { name, attributes };
  });
  const queryChannel = tracingChannel<unknown, Context<QueryTrace>>("aiomysql:query");
  queryChannel.subscribe(query);
  stops.push(() => queryChannel.unsubscribe(query));

  if (options.connectSpans ?? true) {
    const connect = spanHandlers<ConnectTrace>(tracer, (ctx) => {
      const attributes: Attributes = { "db.system.name": system, "server.address": ctx.unixSocket ?? ctx.host };
      if (ctx.unixSocket === null) attributes["server.port"] = ctx.port;
      if (ctx.database !== null) attributes["db.namespace"] = ctx.database;
      return { name: "connect", attributes };
    });
    const ch = tracingChannel<unknown, Context<ConnectTrace>>("aiomysql:connect");
    ch.subscribe(connect);
    stops.push(() => ch.unsubscribe(connect));
  }

  if (options.acquireSpans ?? true) {
    const acquire = spanHandlers<AcquireTrace>(tracer, (ctx) => ({
      name: "pool acquire",
      attributes: {
        "db.system.name": system,
        "aiomysql.pool.size": ctx.size,
        "aiomysql.pool.free": ctx.freeSize,
        "aiomysql.pool.waiting": ctx.waiting,
      },
    }));
    const ch = tracingChannel<unknown, Context<AcquireTrace>>("aiomysql:pool:acquire");
    ch.subscribe(acquire);
    stops.push(() => ch.unsubscribe(acquire));
  }

  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    for (const stop of stops) stop();
  };
}
