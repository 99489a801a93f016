// A TCP peer on 127.0.0.1 in front of a real server that can freeze: while frozen it accepts
// new connections and never greets them, and stops forwarding on the connections it already
// has (their sockets stay open, like a server under SIGSTOP or a hung host). It counts every
// connection it accepted.
import * as net from "node:net";

/** A forwarding peer that can be frozen and thawed. */
export interface FrozenPeer {
  /** Its port on 127.0.0.1. */
  readonly port: number;
  /** Connections accepted so far, frozen or not. */
  readonly accepted: number;
  /** Freezes: new connections get no greeting, open ones forward nothing more. */
  freeze(): void;
  /** New connections are forwarded again (the frozen ones stay frozen). */
  thaw(): void;
  /** Closes the peer and every socket it holds. */
  close(): Promise<void>;
}

/** Starts a peer forwarding to `port` on 127.0.0.1. */
export async function startFrozenPeer(port: number): Promise<FrozenPeer> {
  const sockets = new Set<net.Socket>();
  const links: { client: net.Socket; server: net.Socket }[] = [];
  let frozen = false;
  let accepted = 0;
  const track = (s: net.Socket): void => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => s.destroy());
  };
  const server = net.createServer((client) => {
    accepted++;
    track(client);
    if (frozen) return; // accepted, never answered
    const upstream = net.connect(port, "127.0.0.1");
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    links.push({ client, server: upstream });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    get accepted() {
      return accepted;
    },
    freeze() {
      frozen = true;
      for (const { client, server: upstream } of links.splice(0)) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    thaw() {
      frozen = false;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
