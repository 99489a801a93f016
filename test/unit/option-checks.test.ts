// Bad connect()/createPool() input is refused with a clear error before anything is sent, and
// every error is one of the library's classes.
import assert from "node:assert/strict";
import * as net from "node:net";
import { after, before, describe, it } from "node:test";
import { connect, createPool, DataError, InterfaceError, MySQLError } from "../../src/index.js";
import { parseConnectionUrl, resolveOptions } from "../../src/options.js";
import { CONNECT_OPTION_NAMES } from "../../src/options-check.js";
import { POOL_OPTION_NAMES } from "../../src/pool-options.js";
import { CLUSTER_KEYS } from "../../src/cluster/options.js";
import { decoders, FIELD_TYPE, CR } from "../../src/index.js";

/** A listener that counts connection attempts: refused options must never reach it. */
let listener: net.Server;
let port = 0;
let attempts = 0;
before(async () => {
  listener = net.createServer((s) => {
    attempts++;
    s.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  port = (listener.address() as net.AddressInfo).port;
});
after(async () => {
  await new Promise<void>((resolve) => listener.close(() => resolve()));
});

const base = (): { host: string; port: number; connectTimeout: number } => ({ host: "127.0.0.1", port, connectTimeout: 5 });

describe("connect() input", () => {
  for (const [what, value] of [
    ["null", null],
    ["a number", 5],
    ["an array", []],
    ["a boolean", true],
  ] as const) {
    it(`connect(${what}) is an InterfaceError, not a connection to localhost`, async () => {
      await assert.rejects(
        connect(value as never),
        (e: unknown) => e instanceof InterfaceError && /options must be an object/.test(e.message),
      );
      await assert.rejects(createPool(value as never), InterfaceError);
    });
  }

  it("an unknown option is refused, naming it and the closest known one", async () => {
    await assert.rejects(
      connect({ ...base(), passwrod: "secret" } as never),
      (e: unknown) =>
        e instanceof InterfaceError && /unknown option 'passwrod'/.test(e.message) && /did you mean 'password'/.test(e.message),
    );
    await assert.rejects(
      createPool({ ...base(), minsize: 2 } as never),
      (e: unknown) => e instanceof InterfaceError && /unknown option 'minsize'/.test(e.message) && /'minSize'/.test(e.message),
    );
    assert.throws(() => resolveOptions({ colour: "blue" } as never), /unknown option 'colour'$/);
    assert.equal(attempts, 0, "nothing was sent");
  });

  it("a NUL in db, user or host is refused (the handshake would truncate it)", async () => {
    for (const bad of [{ db: "app\0other" }, { user: "root\0x" }, { host: "127.0.0.1\0evil" }]) {
      await assert.rejects(connect({ ...base(), ...bad }), (e: unknown) => e instanceof InterfaceError && /NUL/.test(e.message));
    }
    assert.equal(attempts, 0);
  });

  it("text the handshake cannot carry is a DataError", async () => {
    await assert.rejects(connect({ ...base(), user: "bad\ud800" }), DataError);
    await assert.rejects(connect({ ...base(), password: "pw\udc00" }), DataError);
    await assert.rejects(connect({ ...base(), db: "😀", charset: "utf8mb3" }), DataError);
    await assert.rejects(connect({ ...base(), user: "日本", charset: "latin1" }), DataError);
    assert.equal(attempts, 0);
  });

  it("pool sizes and other ranges are checked", async () => {
    await assert.rejects(
      createPool({ ...base(), minSize: 1e9, maxSize: 0 }),
      (e: unknown) => e instanceof InterfaceError && /minSize/.test(e.message),
    );
    await assert.rejects(createPool({ ...base(), maxSize: -1 }), InterfaceError);
    await assert.rejects(connect({ ...base(), maxResultBytes: -5 }), InterfaceError);
    await assert.rejects(connect({ ...base(), port: 70000 }), InterfaceError);
    await assert.rejects(connect({ ...base(), db: "a", database: "b" }), InterfaceError);
    assert.equal(attempts, 0);
  });

  it("a bad percent-escape in a URL is an InterfaceError, not a URIError, and does not echo the password", async () => {
    await assert.rejects(connect(`mysql://root:pa%ZZss-x@127.0.0.1:${port}/db`), (e: unknown) => {
      assert.ok(e instanceof InterfaceError, String(e));
      assert.ok(!e.message.includes("pa%ZZss-x"));
      return true;
    });
    assert.equal(attempts, 0);
  });
});

describe("library errors only", () => {
  it("a non-numeric integer from the server is a malformed-packet error (2027)", () => {
    const decodeInt = decoders[FIELD_TYPE.LONGLONG]!;
    assert.throws(
      () => decodeInt("12x45678901234567"),
      (e: unknown) => e instanceof MySQLError && e.errno === CR.MALFORMED_PACKET,
    );
  });
});

describe("connection URL option types", () => {
  // Every option createPool() accepts must either parse from a URL with its own type or be
  // refused as not expressible there; none may fall through as "unknown" (that is how
  // pipelineDepth once could not be set from a URL).
  const notInUrl = new Set(["conv", "cursorClass", "hosts", "monitor", "srv", "srvResolver"]);
  const sample: Record<string, string> = { ssl: "true" };
  const names = [...CONNECT_OPTION_NAMES, ...POOL_OPTION_NAMES, ...CLUSTER_KEYS];
  it("each option name is typed for URLs or named as object-only", () => {
    for (const name of names) {
      const url = `mysql://u@127.0.0.1/db?${name}=${sample[name] ?? "1"}`;
      if (notInUrl.has(name)) {
        assert.throws(() => parseConnectionUrl(url), /cannot be given in a URL/, name);
        continue;
      }
      let parsed: Record<string, unknown>;
      try {
        parsed = parseConnectionUrl(url);
      } catch (e) {
        // A string option given "1" parses; a number or boolean option given "1" parses too.
        assert.fail(`${name}: ${(e as Error).message}`);
      }
      assert.ok(name in parsed, name);
    }
  });
  it("pool options keep their types from a URL", () => {
    const o = parseConnectionUrl("mysql://u@127.0.0.1/db?pipeline=false&pipeline_depth=4&resetOnRelease=true");
    assert.equal(o.pipeline, false);
    assert.equal(o.pipelineDepth, 4);
    assert.equal(o.resetOnRelease, true);
    assert.throws(() => parseConnectionUrl("mysql://u@127.0.0.1/db?pipelineDepth=many"), /must be a number/);
  });
});
