// The byte link to one server: the socket (TCP or unix), the TLS upgrade, the compressed
// protocol's frames and their sequence ids, write batching (cork) and read back-pressure
// (pause/resume). It knows packets only as framed bytes; what they mean is the session's.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_compression.html
import * as net from "node:net";
import * as tls from "node:tls";
import { clientError } from "../errors.js";
import type { ResolvedOptions } from "../options.js";
import { CR } from "../protocol/constants.js";
import { CompressedParser, compressFrames } from "../protocol/compress.js";
import { PacketParser } from "../protocol/framing.js";
import { frameLargePayload } from "../protocol/writer.js";

/** What the transport reports to the layer above it. */
export interface TransportSink {
  /** One packet, as the range `buf[start, end)`, valid only during the call. */
  onPacket(buf: Buffer, start: number, end: number, sequenceId: number): void;
  /** A malformed byte stream (thrown by the framing) while handling incoming bytes. */
  onBadBytes(err: unknown): void;
  /** The socket failed or closed; `cause` is the socket error, if any. */
  onLost(cause?: Error): void;
}

/** The options of ResolvedOptions that the transport reads. */
type LinkOptions = Pick<ResolvedOptions, "host" | "port" | "unixSocket" | "ssl" | "sslMode">;

export class Transport {
  private socket: net.Socket | null = null;
  private parser: PacketParser;
  /** Set once the compressed protocol is on: unwraps frames before the packet parser. */
  private inflater: CompressedParser | null = null;
  /** Next compressed sequence id of a reply within the current command (LOCAL INFILE data). */
  private compressSeq = 0;
  private framesAnswered = 0;
  private corked = false;
  /** Sequence id of the next packet written within the current exchange. */
  sequenceId = 0;
  /** TLS is on, or the link is a unix socket: a clear-text password is not exposed. */
  /** The link is a unix socket or TLS with a verified certificate. */
  secure = false;
  /** The link is TLS, verified or not. */
  encrypted = false;

  constructor(private readonly sink: TransportSink) {
    this.parser = this.newParser();
  }

  private newParser(): PacketParser {
    return new PacketParser((buf, start, end, seq) => {
      this.sequenceId = (seq + 1) & 0xff;
      this.sink.onPacket(buf, start, end, seq);
    });
  }

  /** True while a socket is attached. */
  get open(): boolean {
    return this.socket !== null;
  }

  /** Dials the server named by `o`. Connection errors arrive through `onLost`. */
  connect(o: LinkOptions): void {
    // A fresh start: nothing of an earlier link's bytes or frames carries over.
    this.parser = this.newParser();
    this.inflater = null;
    this.compressSeq = 0;
    const socket = o.unixSocket ? net.connect({ path: o.unixSocket }) : net.connect({ host: o.host, port: o.port });
    this.secure = Boolean(o.unixSocket);
    this.encrypted = false;
    this.attach(socket);
  }

  private attach(socket: net.Socket): void {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      if (this.socket !== socket) return;
      try {
        (this.inflater ?? this.parser).push(chunk);
      } catch (e) {
        this.sink.onBadBytes(e);
      }
    });
    socket.on("error", (err) => {
      if (this.socket === socket) this.sink.onLost(err);
    });
    socket.on("close", () => {
      if (this.socket === socket) this.sink.onLost();
    });
  }

  /** Upgrades the link to TLS (after an SSLRequest), checking the certificate as `sslMode` says. */
  async upgradeToTls(o: LinkOptions): Promise<void> {
    const raw = this.socket!;
    raw.removeAllListeners("data");
    const ssl = o.ssl ?? {};
    const tlsOptions: tls.ConnectionOptions =
      "context" in ssl && !("ca" in ssl) ? { secureContext: ssl as tls.SecureContext } : { ...(ssl as tls.ConnectionOptions) };
    // "required"/"preferred" encrypt without checking the certificate (MySQL's meaning);
    // "verify-ca" checks the chain but not the name; "verify-full" checks both.
    if ((o.sslMode === "required" || o.sslMode === "preferred") && tlsOptions.rejectUnauthorized === undefined) {
      tlsOptions.rejectUnauthorized = false;
    }
    if (o.sslMode === "verify-ca" && tlsOptions.checkServerIdentity === undefined) tlsOptions.checkServerIdentity = () => undefined;
    if (tlsOptions.servername === undefined && !net.isIP(o.host) && !o.unixSocket) tlsOptions.servername = o.host;
    if (tlsOptions.checkServerIdentity === undefined) {
      // Verify the certificate against the host we dialled (IP SANs included), or the servername given.
      const expected = tlsOptions.servername || (o.unixSocket ? "localhost" : o.host);
      tlsOptions.checkServerIdentity = (_name, cert) => tls.checkServerIdentity(expected, cert);
    }
    await new Promise<void>((resolve, reject) => {
      const secure = tls.connect({ ...tlsOptions, socket: raw }, () => {
        secure.removeListener("error", onError);
        this.attach(secure);
        resolve();
      });
      const onError = (err: Error): void => {
        // Report the TLS failure itself (2026), not the lost connection that follows it.
        reject(clientError(CR.SSL_CONNECTION_ERROR, `TLS handshake with the server failed: ${err.message}`, err));
      };
      secure.once("error", onError);
    });
    // Only a verified certificate keeps a man in the middle out: unverified TLS ("required",
    // "preferred") encrypts, but is no place for a clear-text password.
    this.secure = tlsOptions.rejectUnauthorized !== false;
    this.encrypted = true;
  }

  /** Everything after the handshake's OK travels in compressed frames. */
  startCompression(): void {
    this.inflater = new CompressedParser((bytes) => this.parser.push(bytes));
    this.framesAnswered = 0;
  }

  /**
   * Writes the framed request of a new command (sequence id 0). Every request written in one
   * turn of the event loop leaves in one write: the socket is uncorked in process.nextTick,
   * which runs before the event loop polls again, so a lone request is not delayed to a later
   * turn (see bench/README.md for why it is not written on its own at once).
   */
  writeCommand(bytes: Buffer): void {
    const socket = this.socket;
    if (socket === null) return;
    if (!this.corked) {
      this.corked = true;
      socket.cork();
      process.nextTick(() => {
        this.corked = false;
        socket.uncork();
      });
    }
    this.sequenceId = 1;
    this.output(socket, bytes, true);
  }

  /** Writes one packet payload within the current exchange, continuing its sequence ids. */
  writePayload(payload: Buffer): void {
    const [bytes, next] = frameLargePayload(payload, this.sequenceId);
    this.sequenceId = next;
    if (this.socket) this.output(this.socket, bytes, false);
  }

  /**
   * Writes framed packets, inside compressed frames once compression is on. A command
   * starts a new compressed sequence at 0; replies within a command (auth data, LOCAL INFILE
   * data) continue the server's.
   */
  private output(socket: net.Socket, bytes: Buffer, startsCommand: boolean): void {
    const inflater = this.inflater;
    if (inflater === null) {
      socket.write(bytes);
      return;
    }
    let seq = this.compressSeq;
    if (startsCommand) {
      seq = 0;
    } else if (inflater.framesReceived !== this.framesAnswered) {
      // The first reply to the server's latest frame continues its sequence.
      this.framesAnswered = inflater.framesReceived;
      seq = (inflater.lastSequenceId + 1) & 0xff;
    }
    const [frames, next] = compressFrames(bytes, seq);
    this.compressSeq = next;
    socket.write(frames);
  }

  /** Stops reading from the socket (a streaming reader fell behind). */
  pause(): void {
    this.socket?.pause();
  }

  /** Reads from the socket again. */
  resume(): void {
    this.socket?.resume();
  }

  /** Writes `lastRequest` (COM_QUIT), then ends the socket; resolves once it is closed. */
  end(lastRequest: Buffer): Promise<void> {
    const socket = this.socket;
    this.socket = null;
    if (socket === null || socket.destroyed) return Promise.resolve();
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.end(this.inflater === null ? lastRequest : compressFrames(lastRequest, 0)[0]);
    socket.destroySoon?.();
    return closed;
  }

  /** Drops the socket at once. */
  destroy(): void {
    const socket = this.socket;
    this.socket = null;
    socket?.destroy();
  }
}
