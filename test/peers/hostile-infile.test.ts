// A hostile server answers a plain SELECT with a LOCAL INFILE request for a file the
// statement never named: the client must send an empty packet (no file data) and fail
// the statement with a clear error, with or without localInfile.
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { connect, OperationalError, type Connection } from "../../src/index.js";
import { PEER_CAPABILITIES, startPeer, type Peer } from "./mysql-peer.js";

let peer: Peer | null = null;
let conn: Connection | null = null;
afterEach(async () => {
  conn?.close();
  conn = null;
  await peer?.close();
  peer = null;
});

for (const localInfile of [false, true]) {
  describe(`unrequested LOCAL INFILE (localInfile: ${localInfile})`, () => {
    it("sends an empty packet, rejects clearly, and the connection stays usable", async () => {
      const received: Buffer[] = [];
      peer = await startPeer(async (s) => {
        s.greet("mysql_native_password", PEER_CAPABILITIES);
        await s.readHandshakeResponse();
        s.ok();
        const query = (await s.read())!;
        assert.equal(query.toString("utf8", 1), "SELECT 1");
        s.write(Buffer.concat([Buffer.from([0xfb]), Buffer.from("/etc/passwd")]));
        // Everything the client sends until it ends the file (an empty packet).
        for (;;) {
          const p = (await s.read())!;
          received.push(p);
          if (p.length === 0) break;
        }
        // A real server answers the empty file with OK (0 rows loaded).
        s.ok();
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
