// A hostile server answers a plain SELECT with a LOCAL INFILE request for a file the
// statement never named: the client must send an empty packet (no file data) and fail
// the statement with a clear error, with or without localInfile.
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { connect, OperationalError, type Connection } from "../../src/index.js";
import { PEER_CAPABILITIES, startPeer, type Peer, type PeerSession } from "./mysql-peer.js";

let peer: Peer | null = null;
let conn: Connection | null = null;
afterEach(async () => {
  conn?.close();
  conn = null;
  await peer?.close();
  peer = null;
});

/**
 * The hostile script: log the client in, read its statement, ask for /etc/passwd whatever the
 * statement said, record every packet the client sends until the empty one that ends a file,
 * then answer OK as a real server does. Returns the statement packet.
 */
async function askForPasswd(s: PeerSession, received: Buffer[]): Promise<Buffer> {
  s.greet("mysql_native_password", PEER_CAPABILITIES);
  await s.readHandshakeResponse();
  s.ok();
  const query = (await s.read())!;
  s.write(Buffer.concat([Buffer.from([0xfb]), Buffer.from("/etc/passwd")]));
  for (let i = 0; i < 1000; i++) {
    const p = (await s.read())!;
    received.push(p);
    if (p.length === 0) break;
  }
  s.ok();
  return query;
}

for (const localInfile of [false, true]) {
  describe(`unrequested LOCAL INFILE (localInfile: ${localInfile})`, () => {
    it("sends an empty packet, rejects clearly, and the connection stays usable", async () => {
      const received: Buffer[] = [];
      peer = await startPeer(async (s) => {
        const query = await askForPasswd(s, received);
        assert.equal(query.toString("utf8", 1), "SELECT 1");
        const ping = (await s.read())!;
        assert.equal(ping[0], 0x0e, "COM_PING follows on the same connection");
        s.ok();
      });
      conn = await connect({ host: "127.0.0.1", port: peer.port, user: "app", connectTimeout: 20, localInfile });
      const cur = conn.cursor();
      await assert.rejects(cur.execute("SELECT 1"), (e: unknown) => {
        assert.ok(e instanceof OperationalError, String(e));
        assert.match(e.message, /LOAD DATA LOCAL INFILE was refused/);
        assert.match(e.message, localInfile ? /did not name/ : /disabled/);
        return true;
      });
      await conn.ping(false);
      await peer.done;
      assert.deepEqual(received, [Buffer.alloc(0)], "no file data, only the empty terminator");
    });
  });
}

// The statement names a file, but only inside a comment or a string literal, which the server
// does not run: a hostile server that asks for that file must get nothing. MySQL reads `--`
// followed by a tab (or any control character) as a comment, like `-- `.
const NAMED_ONLY_IN_COMMENT_OR_STRING = [
  "SELECT 1 --\tLOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE t",
  "SELECT 1 --\x0bLOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE t",
  "SELECT 1 --\rLOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE t",
  "SELECT 1 -- LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE t",
  "SELECT 1 # LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE t",
  "SELECT 1 /* LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE t */",
  "SELECT 1 /*!99999 LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE t */",
  "SELECT 'LOAD DATA LOCAL INFILE ''/etc/passwd'' INTO TABLE t'",
  "SELECT 'x\\' LOAD DATA LOCAL INFILE ''/etc/passwd'' INTO TABLE t'",
  "SELECT \"LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE t\"",
  "SELECT `LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE t`",
];

describe("a file named only inside a comment or string literal (localInfile: true)", () => {
  for (const sql of NAMED_ONLY_IN_COMMENT_OR_STRING) {
    it(`is not served for ${JSON.stringify(sql)}`, async () => {
      const received: Buffer[] = [];
      let served = 0;
      peer = await startPeer(async (s) => {
        const query = await askForPasswd(s, received);
        assert.equal(query[0], 0x03, "COM_QUERY");
      });
      // The handler counts what it would serve, so nothing is read from disk either way.
      conn = await connect({
        host: "127.0.0.1",
        port: peer.port,
        user: "app",
        connectTimeout: 20,
        localInfile: () => {
          served++;
          return "root:x:0:0::/root:/bin/sh\n";
        },
      });
      await assert.rejects(conn.cursor().execute(sql), (e: unknown) => {
        assert.ok(e instanceof OperationalError, String(e));
        assert.match(e.message, /did not name/);
        return true;
      });
      await peer.done;
      assert.equal(served, 0, "the handler was never asked for the file");
      assert.deepEqual(received, [Buffer.alloc(0)], "no file data, only the empty terminator");
    });
  }

  it("is served when the statement's own code names it (the control case)", async () => {
    const received: Buffer[] = [];
    peer = await startPeer(async (s) => {
      await askForPasswd(s, received);
    });
    conn = await connect({ host: "127.0.0.1", port: peer.port, user: "app", connectTimeout: 20, localInfile: () => "data\n" });
    await conn.cursor().execute("SELECT 1; -- load it\nLOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE t");
    await peer.done;
    assert.deepEqual(received, [Buffer.from("data\n"), Buffer.alloc(0)]);
  });
});
