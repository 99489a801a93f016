// commit(), rollback(), ping(), selectDb(), resetConnection() and changeUser() take a last
// { timeout?, signal? }: on a stalled link they end in a typed error instead of hanging.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect, CR, OperationalError, ProgrammingError, type Connection } from "../../src/index.js";
import { TEST_DB, testOptions } from "../support/config.js";
import { FaultProxy } from "../support/fault-proxy.js";

type Call = [string, (c: Connection, o: { timeout?: number; signal?: AbortSignal }) => Promise<void>];

const CALLS: Call[] = [
  ["commit()", (c, o) => c.commit(o)],
  ["rollback()", (c, o) => c.rollback(o)],
  ["ping()", (c, o) => c.ping(false, o)],
  ["ping(options)", (c, o) => c.ping(o)],
  ["selectDb()", (c, o) => c.selectDb(TEST_DB, o)],
  ["resetConnection()", (c, o) => c.resetConnection(o)],
  ["changeUser()", (c, o) => c.changeUser(testOptions().user, testOptions().password, TEST_DB, o)],
];

function isLost(what: RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof OperationalError, `expected an OperationalError, got ${String(e)}`);
    assert.equal(e.errno, CR.SERVER_LOST);
    assert.match(e.message, what);
    return true;
  };
}

describe("deadlines on connection commands", () => {
  let proxy: FaultProxy;
  before(async () => {
    const o = testOptions();
    proxy = await FaultProxy.start(o.host, o.port);
  });
  after(async () => {
    await proxy.close();
  });

  const via = (): ReturnType<typeof testOptions> => testOptions({ host: "127.0.0.1", port: proxy.port });

  for (const [name, call] of CALLS) {
    it(`${name} with a timeout on a stalled link rejects and closes the connection`, async () => {
      const conn = await connect(via());
      try {
        proxy.arm({ action: "stall", direction: "toClient", afterBytes: 0 });
        await assert.rejects(call(conn, { timeout: 0.2 }), isLost(/timed out after 0\.2 s/));
        assert.equal(conn.closed, true);
        assert.equal(conn.hasPendingWork, false);
      } finally {
        proxy.heal();
        conn.close();
      }
    });

    it(`${name} with an abort signal on a stalled link rejects and closes the connection`, async () => {
      const conn = await connect(via());
      try {
        proxy.arm({ action: "stall", direction: "toClient", afterBytes: 0 });
        const ac = new AbortController();
        const p = call(conn, { signal: ac.signal });
        ac.abort(new Error("user gave up"));
        await assert.rejects(p, isLost(/aborted \(user gave up\)/));
        assert.equal(conn.closed, true);
      } finally {
        proxy.heal();
        conn.close();
      }
    });
  }

  it("an already aborted signal rejects before anything is sent; the connection stays usable", async () => {
    await using conn = await connect(testOptions());
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(conn.commit({ signal: ac.signal }), OperationalError);
    assert.equal(conn.closed, false);
    await conn.ping(false, { timeout: 5 });
    await conn.commit({ timeout: 5 });
  });

  it("a lost COMMIT says its outcome is unknown; bad options are a ProgrammingError", async () => {
    const conn = await connect(via());
    try {
      proxy.arm({ action: "stall", direction: "toClient", afterBytes: 0 });
      await assert.rejects(conn.commit({ timeout: 0.1 }), isLost(/whether the COMMIT took effect is unknown/));
    } finally {
      proxy.heal();
      conn.close();
    }
    await using ok = await connect(testOptions());
    await assert.rejects(ok.rollback({ timeout: -1 }), ProgrammingError);
    await assert.rejects(ok.ping(false, { signal: "no" as never }), ProgrammingError);
  });
});
