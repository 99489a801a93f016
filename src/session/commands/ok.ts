// Commands answered by a single OK or ERR packet: COM_PING, COM_INIT_DB, COM_RESET_CONNECTION.
import { clientError } from "../../errors.js";
import { writeComInitDb, writeSimpleCommand } from "../../protocol/commands.js";
import { CR, PACKET } from "../../protocol/constants.js";
import { parseOk, type OkPacket } from "../../protocol/results.js";
import { Command, type CommandHost } from "./command.js";

/** A command that is its command byte (and, for COM_INIT_DB, a schema name), answered by OK or ERR. */
export class OkCommand extends Command<OkPacket> {
  /** `argument`: the schema name of COM_INIT_DB. */
  constructor(
    private readonly command: number,
    private readonly argument: string | null = null,
  ) {
    super();
  }

  encode(host: CommandHost): Buffer {
    if (this.argument !== null) writeComInitDb(host.writer, host.encodeSql(this.argument));
    else writeSimpleCommand(host.writer, this.command);
    return host.writer.finish(0)[0];
  }

  onPacket(payload: Buffer): boolean {
    if (payload[0] === PACKET.ERR) {
      this.fail(this.serverError(payload));
    } else if (payload[0] === PACKET.OK) {
      const ok = parseOk(payload, this.host.capabilities);
      this.host.noteStatus(ok.statusFlags, ok.sessionState);
      this.resolve(ok);
    } else {
      this.fail(clientError(CR.MALFORMED_PACKET, `expected OK or ERR, got packet 0x${payload[0]?.toString(16)}`));
    }
    return true;
  }
}
