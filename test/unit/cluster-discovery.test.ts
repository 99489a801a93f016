// Discovery without servers: RFC 2782 ordering of SRV records, the mysql+srv:// URL, the
// option checks, and the parsing of what servers announce (hostile input included).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseAnnounced, parseIncomingAddresses } from "../../src/cluster/discovery.js";
import { resolveClusterSettings, splitUrlHosts } from "../../src/cluster/options.js";
import { MAX_SRV_RECORDS, orderSrvRecords, resolveSrvNodes } from "../../src/cluster/srv.js";
import { connect, createPool, InterfaceError, OperationalError, type SrvRecord } from "../../src/index.js";
import { parseConnectionUrl } from "../../src/options.js";

function rec(name: string, port: number, priority: number, weight: number): SrvRecord {
  return { name, port, priority, weight };
}

/** A deterministic [0, 1) sequence. */
function seq(...xs: number[]): () => number {
  let i = 0;
  return () => xs[i++ % xs.length]!;
}

describe("SRV records: RFC 2782 order", () => {
  it("sorts by priority, lowest first, whatever the answer's order", () => {
    const out = orderSrvRecords([rec("c", 3, 30, 1), rec("a", 1, 10, 1), rec("b", 2, 20, 1)]);
    assert.deepEqual(
      out.map((x) => x.host),
      ["a", "b", "c"],
    );
  });

  it("within a priority, draws by weight: a heavier record comes first in proportion", () => {
    const first = new Map<string, number>();
    let state = 12345;
    const random = (): number => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
    for (let i = 0; i < 4000; i++) {
      const h = orderSrvRecords([rec("light", 1, 0, 10), rec("heavy", 2, 0, 30)], random)[0]!.host;
      first.set(h, (first.get(h) ?? 0) + 1);
    }
    // Expected 3:1; the bound only says the weights are used at all (and the right way round).
    assert.ok(first.get("heavy")! > 2 * first.get("light")!, JSON.stringify([...first]));
    assert.ok(first.get("light")! > 0);
  });

  it("weight 0 records come first only when the draw is 0, else after the weighted ones", () => {
    // Draw of 0 (random() = 0): the zero-weight record, put at the front, is chosen.
    assert.equal(orderSrvRecords([rec("w", 1, 0, 5), rec("zero", 2, 0, 0)], seq(0))[0]!.host, "zero");
    // Any other draw: the weighted record; the zero one still comes, last.
    assert.deepEqual(
      orderSrvRecords([rec("w", 1, 0, 5), rec("zero", 2, 0, 0)], seq(0.5)).map((x) => x.host),
      ["w", "zero"],
    );
    // All weights 0: every record comes, in some order.
    assert.deepEqual(
      orderSrvRecords([rec("a", 1, 0, 0), rec("b", 2, 0, 0), rec("c", 3, 0, 0)], seq(0.99, 0.5))
        .map((x) => x.host)
        .sort(),
      ["a", "b", "c"],
    );
  });

  it("drops '.', malformed and duplicate records, strips the trailing dot, and caps the count", () => {
    const out = orderSrvRecords([
      rec(".", 3306, 0, 1),
      rec("db1.example.", 3306, 0, 1),
      rec("db1.example", 3306, 0, 1),
      rec("bad host", 3306, 0, 1),
      rec("x/../y", 3306, 0, 1),
      rec("ok", 0, 0, 1),
      rec("ok", 70000, 0, 1),
      rec("ok", 3306, -1, 1),
      { name: 5, port: 1, priority: 0, weight: 0 } as unknown as SrvRecord,
      null as unknown as SrvRecord,
      rec("::1", 3307, 0, 1),
    ]);
    assert.deepEqual(out.map((x) => `${x.host}:${x.port}`).sort(), ["::1:3307", "db1.example:3306"]);
    const many = Array.from({ length: 1000 }, (_, i) => rec(`h${i}`, 3306, i % 7, 1));
    assert.equal(orderSrvRecords(many).length, MAX_SRV_RECORDS);
  });

  it("resolveSrvNodes: asks for _mysql._tcp.<name>, bounds a hung resolver, types its failures", async () => {
    const asked: string[] = [];
    const nodes = await resolveSrvNodes("db.example", async (n) => (asked.push(n), [rec("h", 1, 0, 1)]), 1000);
    assert.deepEqual(asked, ["_mysql._tcp.db.example"]);
    assert.deepEqual(nodes, [{ host: "h", port: 1 }]);
    await assert.rejects(
      resolveSrvNodes("db.example", () => new Promise(() => {}), 50),
      (e: unknown) => e instanceof OperationalError && /no answer within/.test(e.message),
    );
    await assert.rejects(
      resolveSrvNodes("db.example", () => Promise.reject(Object.assign(new Error("queryA ESERVFAIL"), { code: "ESERVFAIL" })), 1000),
      (e: unknown) => e instanceof OperationalError && /_mysql\._tcp\.db\.example failed/.test(e.message),
    );
    // A name with no SRV records is an empty answer, not a DNS failure.
    assert.deepEqual(
      await resolveSrvNodes("db.example", () => Promise.reject(Object.assign(new Error("x"), { code: "ENOTFOUND" })), 1000),
      [],
    );
    // A resolver that throws synchronously or returns garbage.
    await assert.rejects(
      resolveSrvNodes(
        "db.example",
        () => {
          throw new Error("boom");
        },
        1000,
      ),
      OperationalError,
    );
    await assert.rejects(
      resolveSrvNodes("db.example", async () => "nope" as unknown as SrvRecord[], 1000),
      OperationalError,
    );
  });
});

describe("SRV options and URLs", () => {
  it("mysql+srv:// gives srv and no host; a port or a host list is an error", () => {
    const o = parseConnectionUrl("mysql+srv://u:p%40ss@db.example/app?selector=ordered&discoveryInterval=5");
    assert.equal(o["srv"], "db.example");
    assert.equal(o.host, undefined);
    assert.equal(o.password, "p@ss");
    assert.equal(o.db, "app");
    assert.equal(o["selector"], "ordered");
    assert.equal(o["discoveryInterval"], 5);
    assert.equal(parseConnectionUrl("mariadb+srv://db.example/x")["srv"], "db.example");
    assert.throws(() => splitUrlHosts("mysql+srv://u@db.example:3306/app"), /takes no port/);
    assert.throws(() => splitUrlHosts("mysql+srv://u@a.example,b.example/app"), /not a host list/);
    assert.throws(() => splitUrlHosts("mysql+srv://u@/app"), InterfaceError);
    assert.throws(() => parseConnectionUrl("mysql+srv://u@db.example:3306/app"), InterfaceError);
  });

  it("checks srv, srvResolver and discoveryInterval", () => {
    assert.equal(resolveClusterSettings({ srv: "db.example" }).discoveryMs, 30_000);
    assert.equal(resolveClusterSettings({ srv: "db.example", discoveryInterval: 0.5 }).discoveryMs, 500);
    assert.throws(() => resolveClusterSettings({ srv: "db.example", hosts: ["a:1"] }), /exclude each other/);
    assert.throws(() => resolveClusterSettings({ srv: "bad name/x" }), /must be a DNS name/);
    assert.throws(() => resolveClusterSettings({ srv: "db.example", srvResolver: 5 as never }), /must be a function/);
    assert.throws(() => resolveClusterSettings({ srv: "db.example", discoveryInterval: 0 }), /discoveryInterval/);
  });

  it("connect() refuses srv; createPool() with no usable record fails clearly and leaves nothing open", async () => {
    await assert.rejects(connect("mysql+srv://u@db.example/app"), /pass it to createPool\(\)/);
    await assert.rejects(
      createPool({ srv: "db.example", srvResolver: async () => [rec(".", 0, 0, 0)] }),
      (e: unknown) => e instanceof OperationalError && /_mysql\._tcp\.db\.example found no usable record/.test(e.message),
    );
    await assert.rejects(
      createPool({ srv: "db.example", srvResolver: async () => Promise.reject(Object.assign(new Error("x"), { code: "ECONNREFUSED" })) }),
      (e: unknown) => e instanceof OperationalError && /lookup of _mysql\._tcp\.db\.example failed/.test(e.message),
    );
  });
});

describe("announced nodes", () => {
  it("parses wsrep_incoming_addresses, skipping AUTO, empty and malformed entries", () => {
    assert.deepEqual(parseIncomingAddresses("127.0.0.1:3306,AUTO,,[::1]:3307, h.example:1 ,x:0,y:99999,evil/../:3,z:abc"), [
      { host: "127.0.0.1", port: 3306 },
      { host: "::1", port: 3307 },
      { host: "h.example", port: 1 },
    ]);
    const flood = Array.from({ length: 500 }, (_, i) => `10.0.${i >> 8}.${i & 255}:3306`).join(",");
    assert.equal(parseIncomingAddresses(flood).length, MAX_SRV_RECORDS);
  });

  it("validates a SHOW SLAVE HOSTS row's host and port", () => {
    assert.deepEqual(parseAnnounced("127.0.0.1", 3307), { host: "127.0.0.1", port: 3307 });
    assert.deepEqual(parseAnnounced("db2", "3307"), { host: "db2", port: 3307 });
    for (const [h, p] of [
      ["", 3306],
      ["a b", 3306],
      ["h;DROP", 3306],
      ["h", 0],
      ["h", 65536],
      ["h", "12x"],
      [null, 3306],
      ["h", null],
    ] as const) {
      assert.equal(parseAnnounced(h, p), null, `${String(h)}:${String(p)}`);
    }
  });
});
