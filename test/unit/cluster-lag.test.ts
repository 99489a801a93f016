// Replica lag from GTID positions (src/cluster/lag.ts) and the typed certification conflict.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CertificationConflictError, OperationalError } from "../../src/index.js";
import { certificationConflict } from "../../src/cluster/conflict.js";
import { parseGtidVector, PrimaryHistory, reaches } from "../../src/cluster/lag.js";
import { ClusterNode } from "../../src/cluster/node.js";
import { Pool } from "../../src/pool.js";
import { resolvePoolOptions } from "../../src/pool-options.js";

const UUID = "3e11fa47-71ca-11e1-9e33-c80aa9429562";

describe("cluster: lag from GTID positions", () => {
  it("parses MariaDB and MySQL positions, one sequence number per stream", () => {
    assert.deepEqual(
      [...parseGtidVector("0-1-42, 1-2-7")],
      [
        ["0", 42n],
        ["1", 7n],
      ],
    );
    assert.deepEqual([...parseGtidVector(`${UUID}:1-5:7-9`)], [[UUID, 9n]]);
    assert.deepEqual([...parseGtidVector("")], []);
    assert.deepEqual([...parseGtidVector("garbage,0-1-3")], [["0", 3n]]);
  });

  it("a position reaches another only in every stream", () => {
    assert.ok(reaches(parseGtidVector("0-1-10,1-2-5"), parseGtidVector("0-1-10")));
    assert.ok(!reaches(parseGtidVector("0-1-9,1-2-5"), parseGtidVector("0-1-10")));
    assert.ok(!reaches(parseGtidVector("0-1-10"), parseGtidVector("0-1-10,1-2-1")));
  });

  it("a replica's lag is the age of the oldest primary position it has not reached", () => {
    const h = new PrimaryHistory();
    assert.equal(h.lagOf("0-1-1", 0), null); // no primary seen yet
    h.note("p", "0-1-10", 1_000);
    h.note("p", "0-1-10", 2_000); // no new write: the entry keeps its first time
    h.note("p", "0-1-20", 3_000);
    h.note("p", "0-1-30", 5_000);
    assert.equal(h.lagOf("0-1-30", 6_000), 0);
    assert.equal(h.lagOf("0-1-25", 6_000), 1); // missing 30, first seen at 5 s
    assert.equal(h.lagOf("0-1-15", 6_000), 3); // missing 20, first seen at 3 s
    assert.equal(h.lagOf("0-1-5", 6_000), 5);
    // Positions seen after the replica was read say nothing about it.
    assert.equal(h.lagOf("0-1-25", 4_000), 0);
  });

  it("a new primary starts a new history", () => {
    const h = new PrimaryHistory();
    h.note("p1", "0-1-10", 1_000);
    h.note("p2", "0-2-11", 9_000);
    assert.equal(h.lagOf("0-1-10", 10_000), 1);
    assert.equal(h.lagOf("0-2-11", 10_000), 0);
  });
});

describe("cluster: certification conflicts", () => {
  const opts = { host: "127.0.0.1", port: 1 };
  const node = new ClusterNode(
    { name: "g1", host: opts.host, port: opts.port, socket: null, weight: 1 },
    new Pool(opts),
    resolvePoolOptions(opts).connect,
  );

  it("a 1213 from a Galera node is a CertificationConflictError, still an OperationalError", () => {
    node.role = "galera";
    const deadlock = new OperationalError("Deadlock found when trying to get lock; try restarting transaction", { errno: 1213 });
    const e = certificationConflict(node, deadlock);
    assert.ok(e instanceof CertificationConflictError);
    assert.ok(e instanceof OperationalError);
    assert.equal(e.errno, 1213);
    assert.match(e.message, /g1: Galera certification conflict/);
    assert.equal(e.cause, deadlock);
  });

  it("a 1213 elsewhere, and other errors, are left as they are", () => {
    const deadlock = new OperationalError("deadlock", { errno: 1213 });
    node.role = "primary";
    assert.equal(certificationConflict(node, deadlock), deadlock);
    node.role = "galera";
    const other = new OperationalError("lock wait", { errno: 1205 });
    assert.equal(certificationConflict(node, other), other);
    assert.equal(certificationConflict(undefined, deadlock), deadlock);
  });
});
