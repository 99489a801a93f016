// diagnostics_channel tracing and the echo logger.
import assert from "node:assert/strict";
import { tracingChannel } from "node:diagnostics_channel";
import { describe, it } from "node:test";
import { connect, getLogger, ProgrammingError, redactSql, setLogger, type QueryTrace } from "../../src/index.js";
import { testOptions } from "../support/config.js";

describe("tracing channels", () => {
  it("publishes connect and query start/end/error with the SQL", async () => {
    const events: string[] = [];
    const queries: QueryTrace[] = [];
    const handlers = (name: string) => ({
      start: (ctx: object) => {
        events.push(`${name}:start`);
        if (name === "query") queries.push(ctx as QueryTrace);
      },
      end: () => {},
      asyncStart: () => {},
      asyncEnd: () => events.push(`${name}:asyncEnd`),
      error: () => events.push(`${name}:error`),
    });
    const connectCh = tracingChannel("aiomysql:connect");
    const queryCh = tracingChannel("aiomysql:query");
    const c = handlers("connect");
    const q = handlers("query");
    connectCh.subscribe(c);
    queryCh.subscribe(q);
    try {
      const conn = await connect(testOptions());
      await using cur = conn.cursor();
      await cur.execute("SELECT %s", [42]);
      await assert.rejects(cur.execute("SELECT * FROM no_such_table_trace"), ProgrammingError);
      conn.close();
    } finally {
      connectCh.unsubscribe(c);
      queryCh.unsubscribe(q);
    }
    // connect's span includes its own setup statements (SET AUTOCOMMIT = 0), then ends.
    assert.equal(events[0], "connect:start");
    const connected = events.indexOf("connect:asyncEnd");
    assert.ok(connected > 0);
    assert.ok(queries.findIndex((x) => x.sql === "SELECT 42") >= events.slice(0, connected).filter((e) => e === "query:start").length);
    const sqls = queries.map((x) => x.sql);
    assert.ok(sqls.includes("SELECT 42"), sqls.join(" | "));
    assert.ok(sqls.includes("SELECT * FROM no_such_table_trace"));
    assert.ok(events.includes("query:error"), "the failed statement is reported as an error");
    assert.ok(queries.every((x) => x.threadId > 0));
  });

  it("masks password literals in traces and echo output", async () => {
    assert.equal(redactSql("CREATE USER 'u'@'%' IDENTIFIED BY 's3cret'"), "CREATE USER 'u'@'%' IDENTIFIED BY '***'");
    assert.equal(redactSql("SET PASSWORD FOR u = PASSWORD('it''s')"), "SET PASSWORD FOR u = PASSWORD('***')");
    assert.equal(
      redactSql("ALTER USER x IDENTIFIED VIA ed25519 USING PASSWORD('pw')"),
      "ALTER USER x IDENTIFIED VIA ed25519 USING PASSWORD('***')",
    );
    assert.equal(redactSql("SELECT 'IDENTIFIED'"), "SELECT 'IDENTIFIED'");
    const lines: string[] = [];
    const previous = getLogger();
    setLogger({ info: (m) => lines.push(m), warn: (m) => lines.push(m) });
    try {
      const conn = await connect(testOptions({ echo: true, autocommit: true }));
      await using cur = conn.cursor();
      await cur.execute("DROP USER IF EXISTS 'trace_u'@'localhost'");
      await cur.execute("CREATE USER 'trace_u'@'localhost' IDENTIFIED BY %s", ["hunter2-secret"]);
      await cur.execute("DROP USER 'trace_u'@'localhost'");
      conn.close();
    } finally {
      setLogger(previous);
    }
    assert.ok(
      lines.some((l) => l.includes("IDENTIFIED BY '***'")),
      lines.join("\n"),
    );
    assert.ok(!lines.some((l) => l.includes("hunter2-secret")));
  });
});
