// A hostile server: malformed greetings and values, a result announcing 200,000 columns, and a
// result that never ends. Each ends in a library error (or the right rows), never a crash,
// a blown stack or heap exhaustion.
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { connect, Cursor, CR, DictCursor, MySQLError, OperationalError, type ConnectOptions } from "../../src/index.js";
import { PEER_CAPABILITIES, startPeer, type Peer, type PeerSession } from "./mysql-peer.js";

let peer: Peer | null = null;
afterEach(async () => {
  await peer?.close();
  peer = null;
});

function lenenc(n: number): Buffer {
  if (n < 0xfb) return Buffer.from([n]);
  if (n <= 0xffff) return Buffer.from([0xfc, n & 0xff, n >> 8]);
  const b = Buffer.alloc(4);
  b[0] = 0xfd;
  b.writeUIntLE(n, 1, 3);
  return b;
}

function lenencString(s: string | Buffer): Buffer {
  const b = typeof s === "string" ? Buffer.from(s) : s;
  return Buffer.concat([lenenc(b.length), b]);
}

/** One framed packet with the session's next sequence id. */
function frame(s: PeerSession, payload: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUIntLE(payload.length, 0, 3);
  header[3] = s.seq;
  s.seq = (s.seq + 1) & 0xff;
  return Buffer.concat([header, payload]);
}

/** ColumnDefinition41 of a column `name` of MySQL type `type` (utf8mb4). */
function columnDef(name: string, type: number): Buffer {
  const fixed = Buffer.alloc(13);
  fixed[0] = 0x0c;
  fixed.writeUInt16LE(45, 1);
  fixed.writeUInt32LE(255, 3);
  fixed[7] = type;
  return Buffer.concat([
    lenencString("def"),
    lenencString("db"),
    lenencString("t"),
    lenencString("t"),
    lenencString(name),
    lenencString(name),
    fixed,
  ]);
}

/** The OK packet (0xFE header) that ends rows under CLIENT_DEPRECATE_EOF. */
const END_OF_ROWS = Buffer.from([0xfe, 0, 0, 0, 0, 0, 0]);

/** Greets, accepts the login, and waits for one COM_QUERY. */
async function login(s: PeerSession): Promise<void> {
  s.greet("mysql_native_password", PEER_CAPABILITIES);
  await s.readHandshakeResponse();
  s.ok();
  const query = await s.read();
  assert.ok(query !== null && query[0] === 0x03, "a COM_QUERY");
  s.seq = 1;
}

async function connectTo(options: ConnectOptions = {}): Promise<ReturnType<typeof connect>> {
  return connect({ host: "127.0.0.1", port: peer!.port, user: "app", connectTimeout: 20, ...options });
}

describe("hostile results", () => {
  it("a malformed greeting is a library error with errno 2027", async () => {
    peer = await startPeer(async (s) => {
      s.seq = 0;
      s.write(Buffer.from([10, 0x35, 0x2e])); // protocol 10, then a server version with no terminator
      await s.read();
    });
    await assert.rejects(connectTo(), (e: unknown) => e instanceof MySQLError && e.errno === CR.MALFORMED_PACKET);
  });

  it("a non-numeric INT is a library error with errno 2027", async () => {
    peer = await startPeer(async (s) => {
      await login(s);
      s.socket.write(
        Buffer.concat([frame(s, lenenc(1)), frame(s, columnDef("n", 3)), frame(s, lenencString("12ab")), frame(s, END_OF_ROWS)]),
      );
      await s.read();
    });
    const conn = await connectTo();
    try {
      await assert.rejects(conn.cursor().execute("SELECT n"), (e: unknown) => e instanceof MySQLError && e.errno === CR.MALFORMED_PACKET);
    } finally {
      conn.close();
    }
  });

  for (const cls of [Cursor, DictCursor]) {
    it(`200,000 columns decode correctly (${cls.name})`, async () => {
      const width = 200_000;
      peer = await startPeer(async (s) => {
        await login(s);
        const parts: Buffer[] = [frame(s, lenenc(width))];
        for (let i = 0; i < width; i++) parts.push(frame(s, columnDef(`c${i}`, 253)));
        const row = Buffer.concat(
          Array.from({ length: width }, (_, i) => (i % 7 === 0 ? Buffer.from([0xfb]) : lenencString(String(i % 10)))),
        );
        parts.push(frame(s, row), frame(s, END_OF_ROWS));
        s.socket.write(Buffer.concat(parts));
        await s.read();
      });
      const conn = await connectTo();
      try {
        const cur = conn.cursor(cls);
        await cur.execute("SELECT *");
        const rows = await cur.fetchAll();
        assert.equal(rows.length, 1);
        const values: unknown[] = Array.isArray(rows[0]) ? (rows[0] as unknown[]) : Object.values(rows[0] as object);
        assert.equal(values.length, width);
        for (const i of [0, 1, 9, 7 * 1000, width - 1]) assert.equal(values[i], i % 7 === 0 ? null : String(i % 10), `column ${i}`);
      } finally {
        conn.close();
      }
    });
  }

  it("a result that never ends stops at maxResultBytes with a clear error and a closed connection", async () => {
    let sentRows = 0;
    peer = await startPeer(async (s) => {
      await login(s);
      s.socket.write(Buffer.concat([frame(s, lenenc(1)), frame(s, columnDef("blob", 253))]));
      const chunk = "x".repeat(64 * 1024);
      // Bounded, but far beyond the client's limit: the client must stop it, not the peer.
      for (let i = 0; i < 2000 && !s.socket.destroyed; i++) {
        sentRows++;
        if (!s.socket.write(frame(s, lenencString(chunk)))) {
          await new Promise<void>((resolve) => {
            s.socket.once("drain", resolve);
            s.socket.once("close", resolve);
          });
        }
      }
    });
    const conn = await connectTo({ maxResultBytes: 1024 * 1024 });
    const err = await conn
      .cursor()
      .execute("SELECT blob FROM forever")
      .then(
        () => assert.fail("should have failed"),
        (e: unknown) => e,
      );
    assert.ok(err instanceof OperationalError, String(err));
    assert.equal(err.errno, CR.OUT_OF_MEMORY);
    assert.match(err.message, /maxResultBytes \(1048576 bytes\)/);
    assert.equal(conn.closed, true, "the connection is clearly closed");
    await peer.done;
    assert.ok(sentRows < 2000, "the client hung up long before the peer ran out");
  });
});
