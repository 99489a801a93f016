// An AbortSignal's reason is the caller's value: one that cannot be turned into text must
// neither crash the process (a throw inside the abort listener) nor keep the statement running.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect, OperationalError, type Connection } from "../../src/index.js";
import { testOptions } from "../support/config.js";

const uncaught: unknown[] = [];
const onUncaught = (e: unknown): void => {
  uncaught.push(e);
};

const messageThrows = new Error("x");
Object.defineProperty(messageThrows, "message", {
  get() {
    throw new Error("message getter throws");
  },
});

const HOSTILE: [string, () => unknown][] = [
  ["a toString() that throws", () => ({ toString: () => assert.fail("toString called and threw") })],
  ["a null-prototype object", () => Object.create(null) as object],
  ["a Symbol", () => Symbol("why")],
  ["an Error whose message getter throws", () => messageThrows],
  [
    "a revoked Proxy",
    () => {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return proxy;
    },
  ],
];

describe("hostile abort reasons", () => {
  let conn: Connection;
  before(async () => {
    process.on("uncaughtException", onUncaught);
    conn = await connect(testOptions({ autocommit: true }));
  });
  after(() => {
    process.off("uncaughtException", onUncaught);
    conn.close();
  });

  for (const [name, make] of HOSTILE) {
    it(`${name}: the statement is cancelled, nothing escapes, the connection stays usable`, async () => {
      const ac = new AbortController();
      const cur = conn.cursor();
      const running = cur.execute("SELECT SLEEP(30)", undefined, { signal: ac.signal });
      // Abort once the statement is on the server.
      await new Promise((resolve) => setTimeout(resolve, 100));
      ac.abort(make());
      const err = await running.then(
        () => assert.fail("the statement should have been cancelled"),
        (e: unknown) => e,
      );
      assert.ok(err instanceof OperationalError, String(err));
      assert.equal(err.errno, 1317, err.message);
      assert.deepEqual(uncaught, [], "nothing was thrown out of the abort listener");
      await cur.execute("SELECT 1");
      assert.deepEqual(await cur.fetchAll(), [[1]]);
    });
  }
});
