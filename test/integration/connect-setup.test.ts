// The statements connect() sends after the login: one SET for all the settings unless an init
// command sits between them, and every setting still applied.
import assert from "node:assert/strict";
import { tracingChannel } from "node:diagnostics_channel";
import { it } from "node:test";
import { connect, type Connection, type ConnectOptions, type QueryTrace } from "../../src/index.js";
import { testOptions } from "../support/config.js";

/** Connects with `options`; returns the connection and the SQL of the statements connect() ran. */
async function connectTraced(options: ConnectOptions): Promise<{ conn: Connection; setup: string[] }> {
  const setup: string[] = [];
  const ch = tracingChannel("aiomysql:query");
  const handlers = {
    start: (ctx: object) => setup.push((ctx as QueryTrace).sql),
    end: () => {},
    asyncStart: () => {},
    asyncEnd: () => {},
    error: () => {},
  };
  ch.subscribe(handlers);
  try {
    return { conn: await connect(options), setup };
  } finally {
    ch.unsubscribe(handlers);
  }
}

async function sessionValues(conn: Connection): Promise<unknown[]> {
  await using cur = conn.cursor();
  await cur.execute("SELECT @@session.sql_mode, @@session.autocommit, @@session.session_track_system_variables");
  return (await cur.fetchAll())[0]!;
}

it("sql_mode, charset tracking and autocommit are set by one statement", async () => {
  const { conn, setup } = await connectTraced(testOptions({ sqlMode: "ANSI_QUOTES", autocommit: false }));
  try {
    assert.equal(setup.length, 1, setup.join(" | "));
    assert.match(setup[0]!, /^SET sql_mode=/);
    const [mode, autocommit, tracked] = await sessionValues(conn);
    assert.equal(mode, "ANSI_QUOTES");
    assert.equal(Number(autocommit), 0);
    assert.equal(conn.getAutocommit(), false);
    const names = String(tracked).split(",");
    assert.ok(names.includes("character_set_client") && names.includes("character_set_results"), names.join(","));
  } finally {
    conn.close();
  }
});

it("an init command splits the settings: sql_mode before it, tracking and autocommit after it", async () => {
  const { conn, setup } = await connectTraced(
    testOptions({ sqlMode: "ANSI_QUOTES", autocommit: false, initCommand: "SET session_track_system_variables = 'time_zone'" }),
  );
  try {
    assert.equal(setup.length, 4, setup.join(" | "));
    assert.match(setup[0]!, /^SET sql_mode=/);
    assert.equal(setup[1], "SET session_track_system_variables = 'time_zone'");
    assert.equal(setup[2], "COMMIT");
    assert.match(setup[3]!, /^SET @@session\.session_track_system_variables = .*, AUTOCOMMIT = 0$/);
    const [mode, autocommit, tracked] = await sessionValues(conn);
    assert.equal(mode, "ANSI_QUOTES");
    assert.equal(Number(autocommit), 0);
    assert.deepEqual(String(tracked).split(",").sort(), ["character_set_client", "character_set_results", "time_zone"]);
  } finally {
    conn.close();
  }
});

it("with nothing else to set, the tracking SET goes ahead of the first statement, and a SET NAMES right behind it is followed", async () => {
  // autocommit: true is the server's default, so only the tracking is left to send.
  const { conn, setup } = await connectTraced(testOptions({ autocommit: true, initCommand: "SET session_track_system_variables = ''" }));
  try {
    assert.deepEqual(setup, ["SET session_track_system_variables = ''", "COMMIT"]);
    const later: string[] = [];
    const ch = tracingChannel("aiomysql:query");
    const handlers = { start: (ctx: object) => later.push((ctx as QueryTrace).sql), end() {}, asyncStart() {}, asyncEnd() {}, error() {} };
    ch.subscribe(handlers);
    try {
      // Both queued at once: the SET NAMES is written behind the tracking SET, without waiting.
      const probe = conn.cursor();
      const switched = conn.cursor().execute("SET NAMES gbk");
      const selected = probe.execute("SELECT %s", ["丁' OR 1=1 -- "]);
      await switched;
      await selected;
      assert.equal(conn.encoding, "gbk");
      assert.deepEqual(await probe.fetchAll(), [["丁' OR 1=1 -- "]]);
    } finally {
      ch.unsubscribe(handlers);
    }
    assert.match(later[0]!, /^SET @@session\.session_track_system_variables = IF\(/);
    assert.equal(later[1], "SET NAMES gbk");
    assert.equal(later.length, 3);
  } finally {
    conn.close();
  }
});

it("a connection closed before any statement never sends the tracking SET", async () => {
  const { conn, setup } = await connectTraced(testOptions({ autocommit: true }));
  assert.deepEqual(setup, []);
  await conn.ensureClosed();
  assert.equal(conn.closed, true);
});
