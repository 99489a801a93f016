// Cancellation sends KILL QUERY on a side connection to the same host and port. Behind a load
// balancer that side connection may reach another server, where the same thread id belongs to
// someone else: the client checks the side connection's server identity first and sends no
// KILL there; the cancel then fails and the connection is closed (its statement may still run).
//
// A loopback proxy plays the load balancer: the first connection goes to the test server, every
// later one to a second throwaway MariaDB started for this test.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { connect, OperationalError } from "../../src/index.js";
import { testOptions } from "../support/config.js";

const SCRIPT = fileURLToPath(new URL("../../../scripts/mariadb-test-server.sh", import.meta.url));

/** Runs the test-server script for the second server's directory; bounded by a timeout. */
function serverScript(dir: string, ...args: string[]): string {
  const env: NodeJS.ProcessEnv = { ...process.env, AIOMYSQL_SERVER_DIR: dir };
  delete env.AIOMYSQL_TEST_PORT;
  const r = spawnSync("bash", [SCRIPT, ...args], { env, encoding: "utf8", timeout: 180_000 });
  if (r.status !== 0) throw new Error(`mariadb-test-server.sh ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout;
}

/** A TCP proxy: connection n goes to targets[min(n, last)]; records the bytes sent to each target. */
class Balancer {
  private server!: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private accepted = 0;
  port = 0;
  /** Bytes the clients sent, per target index. */
  readonly sent: Buffer[][] = [];
  route: (n: number) => number = (n) => n;

  constructor(private readonly targets: number[]) {
    for (let i = 0; i < targets.length; i++) this.sent.push([]);
  }

  async start(): Promise<void> {
    this.server = net.createServer((client) => {
      const index = Math.min(this.route(this.accepted++), this.targets.length - 1);
      const upstream = net.connect({ host: "127.0.0.1", port: this.targets[index]! });
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
        s.on("error", () => {});
      }
      client.on("data", (chunk: Buffer) => {
        this.sent[index]!.push(Buffer.from(chunk));
        upstream.write(chunk);
      });
      upstream.on("data", (chunk: Buffer) => client.write(chunk));
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  sentTo(index: number): string {
    return Buffer.concat(this.sent[index]!).toString("latin1");
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe("KILL QUERY checks which server it reached", () => {
  let dir: string;
  let otherPort: number;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "aiomysql-second-"));
    serverScript(dir, "start");
    const port = /MYSQL_PORT=(\d+)/.exec(serverScript(dir, "env"))?.[1];
    assert.ok(port, "the second server reports its port");
    otherPort = Number(port);
  });
  after(() => {
    try {
      serverScript(dir, "stop", "--clean");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a side connection that lands on another server sends no KILL; the cancel fails and closes the connection", async () => {
    const balancer = new Balancer([testOptions().port, otherPort]);
    await balancer.start();
    const conn = await connect(testOptions({ host: "127.0.0.1", port: balancer.port, autocommit: true }));
    try {
      const err = await conn
        .cursor()
        .execute("SELECT SLEEP(30)", undefined, { timeout: 0.3 })
        .then(
          () => assert.fail("the statement should have been cancelled"),
          (e: unknown) => e,
        );
      assert.ok(err instanceof OperationalError, String(err));
      assert.equal(conn.closed, true, "the connection whose statement could not be stopped is closed");
      assert.match(String((err.cause as Error | undefined)?.message ?? ""), /different server/);
      assert.ok(balancer.sent[1]!.length > 0, "the side connection did reach the other server");
      assert.ok(!balancer.sentTo(1).includes("KILL"), "no KILL was sent to the other server");
    } finally {
      conn.close();
      await balancer.close();
    }
  });

  it("through the same proxy to the same server, the KILL is sent and the connection stays usable", async () => {
    const balancer = new Balancer([testOptions().port, otherPort]);
    balancer.route = () => 0;
    await balancer.start();
    const conn = await connect(testOptions({ host: "127.0.0.1", port: balancer.port, autocommit: true }));
    try {
      await assert.rejects(conn.cursor().execute("SELECT SLEEP(30)", undefined, { timeout: 0.3 }), (e: unknown) => {
        assert.ok(e instanceof OperationalError);
        assert.equal(e.errno, 1317);
        return true;
      });
      assert.ok(balancer.sentTo(0).includes(`KILL QUERY ${conn.threadId}`));
      assert.equal(conn.closed, false);
      const cur = conn.cursor();
      await cur.execute("SELECT 7");
      assert.deepEqual(await cur.fetchAll(), [[7]]);
    } finally {
      conn.close();
      await balancer.close();
    }
  });
});
