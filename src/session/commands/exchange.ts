// Commands whose reply is a conversation rather than a result: the connection phase and
// COM_CHANGE_USER. Their packets feed an authentication exchange through `io`, which answers
// on the same sequence of ids; the command is complete at the final OK or ERR and resolves
// with that packet. Nothing may be pipelined behind them.
import { PACKET } from "../../protocol/constants.js";
import type { AuthIo } from "../../auth/types.js";
import { Command, type CommandHost } from "./command.js";

export abstract class ExchangeCommand extends Command<Buffer> {
  private inbox: Buffer[] = [];
  private waiter: { resolve: (b: Buffer) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;
  /** The exchange's view of this command's packets. */
  readonly io: AuthIo;

  constructor() {
    super();
    this.pipelinable = false;
    const host = (): CommandHost => this.host;
    this.io = {
      read: () => {
        const next = this.inbox.shift();
        if (next) return Promise.resolve(next);
        if (this.failure) return Promise.reject(this.failure);
        return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
      },
      write: (payload) => host().writePayload(payload),
      // The link may become TLS during the exchange (the handshake's SSLRequest).
      get secure() {
        return host().secure;
      },
      get encrypted() {
        return host().encrypted;
      },
    };
  }

  /** True for the packet that ends the exchange. */
  protected isFinal(payload: Buffer): boolean {
    return payload[0] === PACKET.OK || payload[0] === PACKET.ERR;
  }

  onPacket(payload: Buffer): boolean {
    const copy = Buffer.from(payload);
    const w = this.waiter;
    this.waiter = null;
    if (w) w.resolve(copy);
    else this.inbox.push(copy);
    const final = this.isFinal(copy);
    if (final) this.resolve(copy);
    return final;
  }

  override fail(err: Error): void {
    this.failure = err;
    const w = this.waiter;
    this.waiter = null;
    w?.reject(err);
    super.fail(err);
  }
}

/**
 * The connection phase as the first command of the queue: it writes nothing first (the server
 * speaks first, with its greeting) and hands every packet to the handshake in ../connect.ts.
 */
export class HandshakeCommand extends ExchangeCommand {
  /** The greeting has been read: an OK or ERR from now on ends the exchange. */
  greeted = false;

  /** `onOk` runs as the final OK arrives, before any later byte is read (compression starts there). */
  constructor(private readonly onOk: () => void) {
    super();
  }

  encode(_host: CommandHost): null {
    return null;
  }

  protected override isFinal(payload: Buffer): boolean {
    // The first packet is the greeting (protocol version 10), or an ERR (too many connections).
    if (!this.greeted) {
      this.greeted = true;
      return payload[0] === PACKET.ERR;
    }
    const final = super.isFinal(payload);
    if (final && payload[0] === PACKET.OK) this.onOk();
    return final;
  }
}
