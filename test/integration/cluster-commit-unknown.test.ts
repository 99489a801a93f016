// TransactionResolutionUnknownError: a connection lost while COMMIT is in flight leaves the
// outcome unknown, and commit() says so instead of a plain "lost connection" that reads as
// "not committed". Shown through a fault proxy that cuts the server's answer to COMMIT (the
// server did commit: the row is there).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect, OperationalError, TransactionResolutionUnknownError, type Connection } from "../../src/index.js";
import { testOptions } from "../support/config.js";
import { FaultProxy } from "../support/fault-proxy.js";

describe("commit() when the connection is lost", () => {
  let proxy: FaultProxy;
  let admin: Connection;
  before(async () => {
    const o = testOptions();
    proxy = await FaultProxy.start(o.host, o.port);
    admin = await connect(testOptions({ autocommit: true }));
    await admin.session.query("CREATE TABLE IF NOT EXISTS commit_unknown (id INT PRIMARY KEY) ENGINE=InnoDB");
    await admin.session.query("DELETE FROM commit_unknown");
  });
  after(async () => {
    await admin?.session.query("DROP TABLE IF EXISTS commit_unknown");
    admin?.close();
    await proxy?.close();
  });

  it("rejects with TransactionResolutionUnknownError when the answer to COMMIT is lost", async () => {
    const conn = await connect(testOptions({ host: "127.0.0.1", port: proxy.port, unixSocket: undefined }));
    try {
      await conn.begin();
      await conn.session.query("INSERT INTO commit_unknown VALUES (1)", { drainAll: true });
      proxy.arm({ action: "cut", direction: "toClient", afterBytes: 0 });
      await assert.rejects(conn.commit(), (e: unknown) => {
        assert.ok(e instanceof TransactionResolutionUnknownError, String(e));
        assert.ok(e instanceof OperationalError);
        assert.ok(e.errno === 2013 || e.errno === 2006, String(e.errno));
        assert.ok(e.cause instanceof OperationalError);
        return true;
      });
    } finally {
      conn.close();
      proxy.heal();
    }
    // The server had committed: that is why the outcome must not be reported as a failure.
    const {
      results: [r],
    } = await admin.session.query("SELECT id FROM commit_unknown");
    assert.ok(r !== undefined);
    assert.deepEqual(r.rows, [[1]]);
  });

  it("keeps the plain error when the connection was already closed before COMMIT", async () => {
    const conn = await connect(testOptions());
    conn.close();
    await assert.rejects(conn.commit(), (e: unknown) => !(e instanceof TransactionResolutionUnknownError));
  });
});
