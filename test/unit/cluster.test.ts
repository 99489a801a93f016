import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classifyStatement, leavesSessionState } from "../../src/cluster/classify.js";
import { GtidPosition } from "../../src/cluster/gtid.js";
import { ClusterNode } from "../../src/cluster/node.js";
import { resolveClusterSettings, resolveNodes, splitUrlHosts } from "../../src/cluster/options.js";
import { isNodeFailure, judge, type ProbeResult } from "../../src/cluster/probe.js";
import { pickNode, RoundRobin } from "../../src/cluster/select.js";
import {
  commitOutcomeUnknown,
  FailoverError,
  InterfaceError,
  OperationalError,
  ProgrammingError,
  TransactionResolutionUnknownError,
} from "../../src/errors.js";
import { parseConnectionUrl, resolveOptions } from "../../src/options.js";
import { Pool } from "../../src/pool.js";
import { resolvePoolOptions } from "../../src/pool-options.js";

describe("cluster: statement classifier", () => {
  const reads = [
    "SELECT 1",
    "  select * from t where a = %s",
    "(SELECT a FROM t) UNION (SELECT b FROM u)",
    "WITH x AS (SELECT 1) SELECT * FROM x",
    "SHOW TABLES",
    "/* comment */ SELECT 'it''s @home; FOR UPDATE' FROM t -- FOR UPDATE\n",
    'SELECT `into`, "lock" FROM t;',
    "SELECT @@server_id",
    "# note\nSELECT 1",
  ];
  const writes = [
    "INSERT INTO t VALUES (1)",
    "UPDATE t SET a = 1",
    "SELECT * FROM t FOR UPDATE",
    "SELECT * FROM t LOCK IN SHARE MODE",
    "SELECT * FROM t FOR SHARE",
    "SELECT a INTO @x FROM t",
    "SELECT a FROM t INTO OUTFILE '/tmp/x'",
    "SELECT @x",
    "SELECT GET_LOCK('a', 1)",
    "SELECT LAST_INSERT_ID()",
    "SELECT NEXTVAL(s)",
    "SELECT NEXT VALUE FOR s",
    "WITH x AS (SELECT 1) UPDATE t JOIN x SET a = 1",
    "WITH x AS (SELECT 1) DELETE FROM t",
    "SELECT 1; DELETE FROM t",
    "SELECT 1; SELECT 2",
    "/*! FOR UPDATE */ SELECT 1",
    "SELECT 'unterminated",
    "SET @a = 1",
    "CALL p()",
    "",
    "   ",
    "BEGIN",
  ];
  for (const sql of reads) it(`read: ${JSON.stringify(sql)}`, () => assert.equal(classifyStatement(sql), "read"));
  for (const sql of writes) it(`write: ${JSON.stringify(sql)}`, () => assert.equal(classifyStatement(sql), "write"));
});

describe("cluster: statements that may leave session state (they pin an sa connection's reads)", () => {
  const stateless = [
    "SELECT * FROM t WHERE email = 'a@b.c'", // '@' only inside a string
    "INSERT INTO t (a) VALUES (%s)",
    "UPDATE t SET a = 1 WHERE id = 2",
    "DELETE FROM t WHERE id = 2",
    "REPLACE INTO t VALUES (1); -- done",
    "SELECT * FROM t FOR UPDATE",
  ];
  const stateful = [
    "SET time_zone = '+01:00'",
    "CREATE TEMPORARY TABLE tmp (a INT)",
    "LOCK TABLES t WRITE",
    "INSERT INTO t VALUES (@x)",
    "SELECT GET_LOCK('a', 1)",
    "SELECT 1; SET @a = 1",
    "USE other",
    "PREPARE s FROM 'SELECT 1'",
    "UPDATE t SET a = '\\' WHERE b = ' @x' -- '", // a user variable when backslashes are plain text
  ];
  for (const sql of stateless) it(`stateless: ${JSON.stringify(sql)}`, () => assert.equal(leavesSessionState(sql), false));
  for (const sql of stateful) it(`stateful: ${JSON.stringify(sql)}`, () => assert.equal(leavesSessionState(sql), true));
});

describe("cluster: options and URLs", () => {
  it("splits a URL's host list before the URL parser", () => {
    const split = splitUrlHosts("mysql://u:p%40ss@h1:3306,h2:3307,[::1]:3308/db?topology=replication");
    assert.deepEqual((split as { hosts?: string[] } | null)?.hosts, ["h1:3306", "h2:3307", "[::1]:3308"]);
    assert.equal(split?.url, "mysql://u:p%40ss@h1:3306/db?topology=replication");
    assert.equal(splitUrlHosts("mysql://u:p@h1:3306/db"), null);
    const o = parseConnectionUrl("mysql://u:p%40ss@h1:3306,h2,[::1]:3308/db?topology=replication&maxReplicaLag=5&replicaFallback=false");
    assert.deepEqual(o["hosts"], ["h1:3306", "h2", "[::1]:3308"]);
    assert.equal(o.password, "p@ss");
    assert.equal(o.db, "db");
    assert.equal(o["topology"], "replication");
    assert.equal(o["maxReplicaLag"], 5);
    assert.equal(o["replicaFallback"], false);
    assert.throws(() => parseConnectionUrl("mysql://u@h1,,h2/db"), InterfaceError);
    assert.throws(() => parseConnectionUrl("mysql://u@h1,h2:99999/db"), InterfaceError);
  });

  it("resolves hosts: strings, objects, defaults, names, and refuses duplicates", () => {
    const nodes = resolveNodes(["a:1", "b", "[::1]:3", { host: "c", weight: 2, name: "big" }, { socket: "/s" }], { port: 3307 });
    assert.deepEqual(
      nodes.map((n) => [n.name, n.host, n.port, n.socket, n.weight]),
      [
        ["a:1", "a", 1, null, 1],
        ["b:3307", "b", 3307, null, 1],
        ["::1:3", "::1", 3, null, 1],
        ["big", "c", 3307, null, 2],
        ["/s", "localhost", 3307, "/s", 1],
      ],
    );
    assert.throws(() => resolveNodes(["a:1", "a:1"], {}), /twice/);
    assert.throws(() => resolveNodes([], {}), InterfaceError);
    assert.throws(() => resolveNodes([{ host: "a", weight: 0 }], {}), /weight/);
  });

  it("checks the cluster settings", () => {
    const s = resolveClusterSettings({});
    assert.equal(s.topology, "auto");
    assert.equal(s.causalReads, "pool");
    assert.equal(s.healthCheckMs, 2000);
    assert.equal(s.causalReadTimeoutS, 1);
    assert.equal(s.selector, "least-busy");
    assert.throws(() => resolveClusterSettings({ topology: "ring" as never }), InterfaceError);
    assert.throws(() => resolveClusterSettings({ healthCheckInterval: 0 }), InterfaceError);
    assert.throws(() => resolveClusterSettings({ causalReads: "all" as never }), InterfaceError);
  });

  it("refuses hosts in connect(): one server only", () => {
    assert.throws(() => resolveOptions("mysql://u@h1,h2/db"), /createPool/);
  });
});

describe("cluster: GTID positions", () => {
  it("keeps the highest sequence number per MariaDB domain", () => {
    const p = new GtidPosition();
    assert.ok(p.empty);
    assert.equal(p.waitStatement(true, 1), null);
    p.noteMariaDb("0-1-5");
    p.noteMariaDb("0-1-3");
    p.noteMariaDb("1-2-9,0-1-7");
    assert.equal(p.mariaDb(), "0-1-7,1-2-9");
    assert.equal(p.waitStatement(true, 0.5), "SELECT MASTER_GTID_WAIT('0-1-7,1-2-9', 0.5)");
    const v = p.version;
    p.noteMariaDb("0-1-6");
    assert.equal(p.version, v, "an older GTID does not advance the position");
  });

  it("keeps the highest transaction per MySQL source", () => {
    const p = new GtidPosition();
    p.noteMySql("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7");
    p.noteMySql("3e11fa47-71ca-11e1-9e33-c80aa9429562:6");
    assert.equal(p.mySql(), "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-7");
    assert.match(p.waitStatement(false, 1)!, /^SELECT WAIT_FOR_EXECUTED_GTID_SET\('3e11fa47.*:1-7', 1\)$/);
  });
});

describe("cluster: roles, health and errors", () => {
  const base: ProbeResult = {
    readOnly: false,
    serverId: 1,
    wsrepOn: false,
    gtidPosition: "0-1-1",
    wsrepReady: false,
    wsrepLocalState: 0,
    wsrepClusterStatus: "",
    wsrepDesync: false,
  };
  it("reads roles from the probe, never wsrep_ready alone", () => {
    assert.deepEqual(judge(base, null, null).role, "primary");
    assert.equal(judge({ ...base, readOnly: true }, null, null).role, "replica");
    // Plain MariaDB reports wsrep_ready=OFF: that is not a down Galera node.
    assert.equal(judge({ ...base, readOnly: true, wsrepReady: false }, null, null).state, "up");
    assert.equal(judge({ ...base, readOnly: true }, 10, 5).state, "degraded");
    const galera = { ...base, wsrepOn: true, wsrepReady: true, wsrepLocalState: 4, wsrepClusterStatus: "Primary" };
    assert.deepEqual([judge(galera, null, null).role, judge(galera, null, null).state], ["galera", "up"]);
    assert.equal(judge({ ...galera, wsrepLocalState: 2 }, null, null).state, "degraded");
    assert.equal(judge({ ...galera, wsrepDesync: true }, null, null).state, "degraded");
    assert.equal(judge({ ...galera, wsrepClusterStatus: "non-Primary", wsrepReady: false }, null, null).state, "down");
  });

  it("tells node failures from errors every node would give", () => {
    const lost = new OperationalError("lost", { errno: 2013 });
    assert.ok(isNodeFailure(lost));
    assert.ok(isNodeFailure(new OperationalError("refused", { errno: 2003 })));
    assert.ok(isNodeFailure(new OperationalError("wsrep", { errno: 1047, sqlState: "08S01" })));
    assert.ok(!isNodeFailure(new OperationalError("denied", { errno: 1045, sqlState: "28000" })));
    assert.ok(!isNodeFailure(new OperationalError("unknown db", { errno: 1049, sqlState: "42000" })));
    assert.ok(!isNodeFailure(new OperationalError("deadlock", { errno: 1213, sqlState: "40001" })));
    assert.ok(!isNodeFailure(new ProgrammingError("syntax", { errno: 1064, sqlState: "42000" })));
  });

  it("turns a COMMIT lost in flight into TransactionResolutionUnknownError", () => {
    const lost = new OperationalError("Lost connection", { errno: 2013 });
    const e = commitOutcomeUnknown(lost);
    assert.ok(e instanceof TransactionResolutionUnknownError);
    assert.ok(e instanceof OperationalError);
    assert.equal(e.errno, 2013);
    assert.equal(e.cause, lost);
    const deadlock = new OperationalError("deadlock", { errno: 1213 });
    assert.equal(commitOutcomeUnknown(deadlock), deadlock);
    assert.ok(new FailoverError("x", []) instanceof OperationalError);
  });
});

describe("cluster: selectors", () => {
  function nodes(weights: number[], states: Array<"up" | "degraded" | "down"> = weights.map(() => "up")): ClusterNode[] {
    return weights.map((weight, i) => {
      const opts = { host: "127.0.0.1", port: 1000 + i };
      const n = new ClusterNode(
        { name: `n${i}`, host: opts.host, port: opts.port, socket: null, weight },
        new Pool(opts),
        resolvePoolOptions(opts).connect,
      );
      n.state = states[i]!;
      return n;
    });
  }
  it("round-robin follows the weights", () => {
    const ns = nodes([1, 3]);
    const rr = new RoundRobin();
    const counts = [0, 0];
    for (let i = 0; i < 40; i++) counts[ns.indexOf(pickNode(ns, "round-robin", rr)!)]!++;
    assert.deepEqual(counts, [10, 30]);
  });
  it("prefers up nodes over degraded ones, never picks a down one", () => {
    const ns = nodes([1, 1, 1], ["degraded", "up", "down"]);
    for (let i = 0; i < 5; i++) assert.equal(pickNode(ns, "random", new RoundRobin())!.name, "n1");
    assert.equal(pickNode(nodes([1], ["down"]), "ordered", new RoundRobin()), null);
    assert.equal(pickNode(nodes([1, 1], ["degraded", "down"]), "least-busy", new RoundRobin())!.name, "n0");
  });
  it("ordered takes the first; random follows the weights", () => {
    const ns = nodes([1, 1, 2]);
    assert.equal(pickNode(ns, "ordered", new RoundRobin())!.name, "n0");
    const values = [0.1, 0.3, 0.6, 0.9];
    const picked = values.map((v) => pickNode(ns, "random", new RoundRobin(), () => v)!.name);
    assert.deepEqual(picked, ["n0", "n1", "n2", "n2"]);
  });
});
