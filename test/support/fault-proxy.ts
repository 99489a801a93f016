// A fault-injecting TCP proxy for the tests: it sits on 127.0.0.1 in front of the real server
// and, on command, cuts, resets, stalls or drips a connection after a given number of bytes in
// one direction. It can also record the bytes of each exchange to make fixtures.
import * as net from "node:net";

/** Which way a fault counts bytes: from the server to the client, or from the client to the server. */
export type Direction = "toClient" | "toServer";

/** What happens once a fault's byte budget is spent. */
export type FaultAction =
  /** Close both sockets (a FIN to the client). */
  | "cut"
  /** Reset the client's socket (a TCP RST) and close the server's. */
  | "reset"
  /** Forward nothing more in either direction, but keep the sockets open. */
  | "stall"
  /** Forward the rest in this direction one byte at a time. */
  | "drip";

/** A fault: `action` once `afterBytes` more bytes have gone `direction`. */
export interface Fault {
  action: FaultAction;
  direction: Direction;
  afterBytes: number;
}

/** One recorded turn of a session: what the client sent, then what the server answered. */
export interface RecordedTurn {
  client: Buffer;
  server: Buffer;
}

interface Link {
  client: net.Socket;
  server: net.Socket;
  fault: Fault | null;
  stalled: boolean;
  dripping: boolean;
  dripQueue: Buffer[];
  turns: RecordedTurn[];
}

/** The proxy. `start()` it, point a connection at its `port`, `arm()` faults, `close()` it. */
export class FaultProxy {
  private readonly links = new Set<Link>();
  private server: net.Server | null = null;
  /** The fault given to connections made from now on. */
  nextFault: Fault | null = null;
  /** Record each connection's turns (see `sessions`). */
  recording = false;
  /** The recorded sessions, one per connection, in order of connection. */
  readonly sessions: RecordedTurn[][] = [];
  port = 0;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Starts a proxy to `targetHost:targetPort` on a free port of 127.0.0.1. */
  static async start(targetHost: string, targetPort: number): Promise<FaultProxy> {
    const proxy = new FaultProxy(targetHost, targetPort);
    const server = net.createServer((client) => proxy.accept(client));
    proxy.server = server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    proxy.port = (server.address() as net.AddressInfo).port;
    return proxy;
  }

  /** Connections currently open through the proxy. */
  get openLinks(): number {
    return this.links.size;
  }

  /** Gives every open connection `fault`, counting bytes from now. */
  arm(fault: Fault): void {
    for (const link of this.links) link.fault = { ...fault };
  }

  /** Ends every stall and drip: later bytes pass normally. */
  heal(): void {
    for (const link of this.links) {
      link.fault = null;
      link.stalled = false;
    }
  }

  private accept(client: net.Socket): void {
    const server = net.connect({ host: this.targetHost, port: this.targetPort });
    const link: Link = {
      client,
      server,
      fault: this.nextFault ? { ...this.nextFault } : null,
      stalled: false,
      dripping: false,
      dripQueue: [],
      turns: [],
    };
    if (this.recording) this.sessions.push(link.turns);
    this.links.add(link);
    const drop = (): void => {
      if (!this.links.delete(link)) return;
      client.destroy();
      server.destroy();
    };
    client.on("error", drop);
    server.on("error", drop);
    client.on("close", drop);
    server.on("close", drop);
    client.on("data", (chunk: Buffer) => this.forward(link, "toServer", chunk));
    server.on("data", (chunk: Buffer) => this.forward(link, "toClient", chunk));
  }

  private record(link: Link, direction: Direction, chunk: Buffer): void {
    if (!this.recording) return;
    const last = link.turns[link.turns.length - 1];
    if (direction === "toClient") {
      if (last === undefined) link.turns.push({ client: Buffer.alloc(0), server: Buffer.from(chunk) });
      else last.server = Buffer.concat([last.server, chunk]);
    } else if (last === undefined || last.server.length > 0) {
      link.turns.push({ client: Buffer.from(chunk), server: Buffer.alloc(0) });
    } else {
      last.client = Buffer.concat([last.client, chunk]);
    }
  }

  private forward(link: Link, direction: Direction, chunk: Buffer): void {
    if (link.stalled) return;
    const out = direction === "toClient" ? link.client : link.server;
    const fault = link.fault;
    if (fault === null || fault.direction !== direction) {
      this.record(link, direction, chunk);
      out.write(chunk);
      return;
    }
    if (fault.action === "drip" && link.dripping) {
      this.drip(link, direction, out, chunk);
      return;
    }
    const pass = Math.min(fault.afterBytes, chunk.length);
    fault.afterBytes -= pass;
    if (pass > 0) {
      this.record(link, direction, chunk.subarray(0, pass));
      out.write(chunk.subarray(0, pass));
    }
    if (fault.afterBytes > 0) return;
    const rest = chunk.subarray(pass);
    switch (fault.action) {
      case "cut":
        this.links.delete(link);
        link.client.destroy();
        link.server.destroy();
        return;
      case "reset":
        this.links.delete(link);
        link.client.resetAndDestroy();
        link.server.destroy();
        return;
      case "stall":
        link.stalled = true;
        return;
      case "drip":
        link.dripping = true;
        if (rest.length > 0) this.drip(link, direction, out, rest);
        return;
    }
  }

  private drip(link: Link, direction: Direction, out: net.Socket, chunk: Buffer): void {
    this.record(link, direction, chunk);
    const idle = link.dripQueue.length === 0;
    for (const b of chunk) link.dripQueue.push(Buffer.from([b]));
    if (!idle) return;
    const step = (): void => {
      const next = link.dripQueue.shift();
      if (next === undefined || out.destroyed) return;
      out.write(next);
      if (link.dripQueue.length > 0) setImmediate(step);
    };
    setImmediate(step);
  }

  /** Closes the proxy and every connection through it. */
  async close(): Promise<void> {
    for (const link of this.links) {
      link.client.destroy();
      link.server.destroy();
    }
    this.links.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
