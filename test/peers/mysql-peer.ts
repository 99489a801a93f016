// A scripted MySQL protocol peer: a small TCP server that greets with a HandshakeV10 and
// then follows a test's script, for exchanges a real MariaDB cannot show (MySQL 8's
// caching_sha2_password, sha256_password, hostile servers).
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase.html
import { randomBytes } from "node:crypto";
import * as net from "node:net";
import { Duplex } from "node:stream";
import * as tls from "node:tls";
import { CLIENT } from "../../src/protocol/constants.js";

/** Capabilities a MySQL 8 server offers (CLIENT_SSL is added when the peer has a certificate). */
export const PEER_CAPABILITIES =
  CLIENT.LONG_PASSWORD |
  CLIENT.LONG_FLAG |
  CLIENT.CONNECT_WITH_DB |
  CLIENT.PROTOCOL_41 |
  CLIENT.TRANSACTIONS |
  CLIENT.SECURE_CONNECTION |
  CLIENT.MULTI_STATEMENTS |
  CLIENT.MULTI_RESULTS |
  CLIENT.PLUGIN_AUTH |
  CLIENT.PLUGIN_AUTH_LENENC_CLIENT_DATA |
  CLIENT.CONNECT_ATTRS |
  CLIENT.DEPRECATE_EOF |
  CLIENT.LOCAL_FILES;

/** The fields of a HandshakeResponse41 the peer received. */
export interface HandshakeResponse {
  capabilities: number;
  user: string;
  authResponse: Buffer;
  database: string | null;
  pluginName: string;
}

/** One client connection as the script sees it. */
export class PeerSession {
  private buffered = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  private ended = false;
  /** Sequence id of the next packet the peer writes. */
  seq = 0;
  /** The nonce sent in the greeting. */
  readonly scramble = randomBytes(20).map((b) => (b === 0 ? 1 : b)) as Buffer;

  constructor(public socket: net.Socket) {
    this.listen(socket);
  }

  private listen(socket: net.Socket): void {
    socket.on("data", (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.wake();
    });
    socket.on("close", () => {
      this.ended = true;
      this.wake();
    });
    socket.on("error", () => {});
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Next packet from the client; null when the client closed the connection. */
  async read(): Promise<Buffer | null> {
    for (;;) {
      if (this.buffered.length >= 4) {
        const len = this.buffered.readUIntLE(0, 3);
        if (this.buffered.length >= 4 + len) {
          const payload = this.buffered.subarray(4, 4 + len);
          this.seq = (this.buffered[3]! + 1) & 0xff;
          this.buffered = this.buffered.subarray(4 + len);
          return Buffer.from(payload);
        }
      }
      if (this.ended) return null;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Sends one packet with the next sequence id. */
  write(payload: Buffer): void {
    const header = Buffer.alloc(4);
    header.writeUIntLE(payload.length, 0, 3);
    header[3] = this.seq;
    this.seq = (this.seq + 1) & 0xff;
    this.socket.write(Buffer.concat([header, payload]));
  }

  /** Sends a MySQL 8-style HandshakeV10 naming `pluginName`. */
  greet(pluginName: string, capabilities: number): void {
    const head = Buffer.alloc(1);
    head[0] = 10;
    const caps = Buffer.alloc(2);
    const capsHigh = Buffer.alloc(2);
    caps.writeUInt16LE(capabilities & 0xffff);
    capsHigh.writeUInt16LE(capabilities >>> 16);
    const connId = Buffer.alloc(4);
    connId.writeUInt32LE(7);
    this.seq = 0;
    this.write(
      Buffer.concat([
        head,
        Buffer.from("8.4.0-peer\0"),
        connId,
        this.scramble.subarray(0, 8),
        Buffer.from([0]),
        caps,
        Buffer.from([255]), // utf8mb4_0900_ai_ci
        Buffer.from([0, 0]), // status: autocommit off
        capsHigh,
        Buffer.from([21]),
        Buffer.alloc(10),
        this.scramble.subarray(8),
        Buffer.from([0]),
        Buffer.from(pluginName + "\0"),
      ]),
    );
  }

  /** Reads the HandshakeResponse41, upgrading to TLS first when the client sends an SSLRequest. */
  async readHandshakeResponse(tlsOptions?: tls.TlsOptions): Promise<HandshakeResponse> {
    let payload = await this.read();
    if (payload === null) throw new Error("client went away before its handshake response");
    if (payload.length === 32 && payload.readUInt32LE(0) & CLIENT.SSL) {
      if (!tlsOptions) throw new Error("client asked for TLS, peer has no certificate");
      // The client's TLS hello may already sit in our buffer: feed TLS through a stream we
      // control, starting with those bytes, rather than handing it the raw socket.
      const raw = this.socket;
      raw.removeAllListeners("data");
      const carrier = new Duplex({
        read() {},
        write(chunk: Buffer, _enc, cb) {
          raw.write(chunk, cb);
        },
      });
      if (this.buffered.length > 0) carrier.push(this.buffered);
      this.buffered = Buffer.alloc(0);
      raw.on("data", (chunk: Buffer) => carrier.push(chunk));
      raw.on("close", () => carrier.push(null));
      const secure = new tls.TLSSocket(carrier as unknown as net.Socket, { ...tlsOptions, isServer: true });
      this.socket = secure;
      this.listen(secure);
      payload = await this.read();
      if (payload === null) throw new Error("client went away after the TLS upgrade");
    }
    return parseHandshakeResponse(payload);
  }

  /** OK packet (autocommit off, so the client needs no SET). */
  ok(): void {
    this.write(Buffer.from([0x00, 0, 0, 0, 0, 0, 0]));
  }

  /** ERR packet. */
  err(errno: number, message: string): void {
    const code = Buffer.alloc(2);
    code.writeUInt16LE(errno);
    this.write(Buffer.concat([Buffer.from([0xff]), code, Buffer.from("#28000" + message)]));
  }

  /** AuthMoreData: 0x01 + data. */
  moreData(data: Buffer): void {
    this.write(Buffer.concat([Buffer.from([0x01]), data]));
  }

  /**
   * AuthSwitchRequest: 0xFE, plugin name, a new nonce. The scramble plugins end the nonce
   * with a NUL (`terminated`, the default); MariaDB sends client_ed25519's 32 bytes as they are.
   */
  authSwitch(pluginName: string, nonce: Buffer, terminated = true): void {
    const tail = terminated ? Buffer.from([0]) : Buffer.alloc(0);
    this.write(Buffer.concat([Buffer.from([0xfe]), Buffer.from(pluginName + "\0"), nonce, tail]));
  }
}

function parseHandshakeResponse(p: Buffer): HandshakeResponse {
  const capabilities = p.readUInt32LE(0);
  let pos = 32;
  const nul = (): string => {
    const end = p.indexOf(0, pos);
    const s = p.toString("utf8", pos, end);
    pos = end + 1;
    return s;
  };
  const user = nul();
  // length-encoded auth response (short ones only in these tests)
  let len = p[pos]!;
  pos++;
  if (len === 0xfc) {
    len = p.readUInt16LE(pos);
    pos += 2;
  }
  const authResponse = Buffer.from(p.subarray(pos, pos + len));
  pos += len;
  const database = capabilities & CLIENT.CONNECT_WITH_DB ? nul() : null;
  const pluginName = capabilities & CLIENT.PLUGIN_AUTH ? nul() : "";
  return { capabilities, user, authResponse, database, pluginName };
}

/** A running peer: its port, the script's outcome, and close(). */
export interface Peer {
  port: number;
  /** Settles when the script has run for the first client (rejects with the script's error). */
  done: Promise<void>;
  close(): Promise<void>;
}

/** Starts a peer on 127.0.0.1 that runs `script` for the first client that connects. */
export async function startPeer(script: (s: PeerSession) => Promise<void>): Promise<Peer> {
  const sockets = new Set<net.Socket>();
  let finish!: (err?: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = (err?: unknown) => (err === undefined ? resolve() : reject(err));
  });
  done.catch(() => {});
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    script(new PeerSession(socket)).then(
      () => finish(),
      (e: unknown) => finish(e ?? new Error("script failed")),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    done,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
