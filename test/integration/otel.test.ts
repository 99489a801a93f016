// aiomysql/otel on the real server, spans collected with the SDK's in-memory exporter.
import assert from "node:assert/strict";
import { tracingChannel } from "node:diagnostics_channel";
import { after, before, beforeEach, describe, it } from "node:test";
import { context, SpanKind, SpanStatusCode, type Span } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { Kysely, type Generated } from "kysely";
import { connect, createPool, ProgrammingError } from "../../src/index.js";
import { AiomysqlDialect } from "../../src/kysely/index.js";
import { instrumentAiomysql } from "../../src/otel/index.js";
import { TEST_DB, testOptions } from "../support/config.js";

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer("test");
const contextManager = new AsyncLocalStorageContextManager();

/** Runs `fn` inside an active span "parent" and returns that span's id. */
async function underParent(fn: () => Promise<void>): Promise<string> {
  return tracer.startActiveSpan("parent", async (span: Span) => {
    try {
      await fn();
    } finally {
      span.end();
    }
    return span.spanContext().spanId;
  });
}

function children(parentId: string): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((s) => s.parentSpanContext?.spanId === parentId);
}

const statements = (spans: ReadableSpan[]): unknown[] =>
  spans.filter((s) => s.attributes["db.operation.name"] !== undefined).map((s) => s.attributes["db.query.text"]);

describe("aiomysql/otel", () => {
  let stop: () => void;
  before(() => {
    context.setGlobalContextManager(contextManager.enable());
    stop = instrumentAiomysql({ tracerProvider: provider });
  });
  after(() => {
    stop();
    context.disable();
  });
  beforeEach(() => exporter.reset());

  it("gives each statement a CLIENT span with the database semantic conventions, child of the active span", async () => {
    const conn = await connect(testOptions());
    try {
      const parent = await underParent(async () => {
        await using cur = conn.cursor();
        await cur.execute("SELECT %s AS n, 'it''s secret' AS s, 0x1F AS h FROM DUAL WHERE 1.5 > -2e3", [42]);
      });
      const [span, ...rest] = children(parent);
      assert.equal(rest.length, 0);
      assert.ok(span);
      assert.equal(span.name, `SELECT ${TEST_DB}`);
      assert.equal(span.kind, SpanKind.CLIENT);
      const o = testOptions();
      assert.deepEqual(span.attributes, {
        "db.system.name": "mysql",
        "db.namespace": TEST_DB,
        "db.operation.name": "SELECT",
        "db.query.text": "SELECT ? AS n, ? AS s, ? AS h FROM DUAL WHERE ? > -?",
        "server.address": o.host,
        "server.port": o.port,
      });
      assert.equal(span.status.code, SpanStatusCode.UNSET);
    } finally {
      conn.close();
    }
  });

  it("marks failed statements with error.type and the exception", async () => {
    const conn = await connect(testOptions());
    try {
      const parent = await underParent(async () => {
        await using cur = conn.cursor();
        await assert.rejects(cur.execute("SELECT * FROM no_such_table_otel"), ProgrammingError);
      });
      const [span] = children(parent);
      assert.ok(span);
      assert.equal(span.attributes["error.type"], "ER_NO_SUCH_TABLE");
      assert.equal(span.status.code, SpanStatusCode.ERROR);
      assert.match(span.status.message ?? "", /no_such_table_otel/);
      assert.equal(span.events[0]?.name, "exception");
    } finally {
      conn.close();
    }
  });

  it("gives each statement of a pipelined batch its own span", async () => {
    const conn = await connect(testOptions());
    try {
      const parent = await underParent(async () => {
        const curs = [conn.cursor(), conn.cursor(), conn.cursor()];
        // Issued together without awaiting: written back to back on the one connection.
        await Promise.all(curs.map((c, i) => c.execute(`SELECT ${i + 1} AS n${i}`)));
        await Promise.all(curs.map((c) => c.close()));
      });
      assert.deepEqual(statements(children(parent)).sort(), ["SELECT ? AS n0", "SELECT ? AS n1", "SELECT ? AS n2"]);
    } finally {
      conn.close();
    }
  });

  it("gives each statement of a Kysely transaction a span under the caller's span, and a span to the pool acquire", async () => {
    interface Db {
      otel_t: { id: Generated<number>; v: string };
    }
    const db = new Kysely<Db>({
      dialect: new AiomysqlDialect({ pool: () => createPool(testOptions({ autocommit: true, minSize: 0, maxSize: 1 })) }),
    });
    try {
      await db.schema.dropTable("otel_t").ifExists().execute();
      await db.schema
        .createTable("otel_t")
        .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
        .addColumn("v", "varchar(20)")
        .execute();
      exporter.reset();
      const parent = await underParent(async () => {
        await db.transaction().execute(async (trx) => {
          await trx.insertInto("otel_t").values({ v: "a" }).execute();
          await trx.selectFrom("otel_t").selectAll().execute();
        });
      });
      const spans = children(parent);
      assert.deepEqual(statements(spans), ["begin", "insert into `otel_t` (`v`) values (?)", "select * from `otel_t`", "commit"]);
      assert.ok(
        spans.some((s) => s.name === "pool acquire"),
        spans.map((s) => s.name).join(", "),
      );
    } finally {
      await db.schema.dropTable("otel_t").ifExists().execute();
      await db.destroy();
    }
  });

  it("spans connects, and puts nothing on the channels once stopped", async () => {
    const parent = await underParent(async () => {
      const conn = await connect(testOptions());
      conn.close();
    });
    const connectSpan = children(parent).find((s) => s.name === "connect");
    assert.ok(connectSpan);
    assert.equal(connectSpan.attributes["db.namespace"], TEST_DB);

    const extra = instrumentAiomysql({ tracerProvider: provider, queryText: "full", connectSpans: false, acquireSpans: false });
    extra();
    extra();
    stop();
    assert.equal(tracingChannel("aiomysql:query").hasSubscribers, false, "stopping unsubscribes: the core does no tracing work");
    assert.equal(tracingChannel("aiomysql:connect").hasSubscribers, false);
    exporter.reset();
    const conn = await connect(testOptions());
    await using cur = conn.cursor();
    await cur.execute("SELECT 1");
    conn.close();
    assert.equal(exporter.getFinishedSpans().length, 0);
    stop = instrumentAiomysql({ tracerProvider: provider });
  });

  it("queryText: 'full' keeps the statement (passwords still masked), 'none' leaves it out", async () => {
    stop();
    try {
      for (const [queryText, expected] of [
        ["full", "SELECT 'x' AS a"],
        ["none", undefined],
      ] as const) {
        const s = instrumentAiomysql({ tracerProvider: provider, queryText, connectSpans: false });
        exporter.reset();
        const conn = await connect(testOptions());
        try {
          await using cur = conn.cursor();
          await cur.execute("SELECT 'x' AS a");
        } finally {
          conn.close();
          s();
        }
        const span = exporter.getFinishedSpans().find((x) => x.attributes["db.operation.name"] === "SELECT");
        assert.ok(span);
        assert.equal(span.attributes["db.query.text"], expected);
      }
    } finally {
      stop = instrumentAiomysql({ tracerProvider: provider });
    }
  });
});
