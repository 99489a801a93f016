// The client's answer to a LOCAL INFILE request (0xFB + file name): the file's contents in
// packets, then an empty packet; or only the empty packet when the request is refused. A
// request is served only when `localInfile` allows it and the statement's own code named
// exactly that file (a hostile server may ask for any file, at any time).
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response_local_infile_request.html
import { createReadStream } from "node:fs";
import { OperationalError } from "../errors.js";
import type { LocalInfileHandler } from "../options.js";
import { statementNamesFile } from "../sql/local-infile.js";
import type { LocalInfileRequester } from "./commands/command.js";

/** Most bytes of file data per packet. */
const CHUNK = 0xfffff;

/** Sends the reply through `send` (one packet payload per call), recording a refusal on `cmd`. */
export function answerLocalInfile(
  handler: boolean | LocalInfileHandler,
  fileName: string,
  cmd: LocalInfileRequester,
  noBackslashEscapes: boolean,
  send: (payload: Buffer) => void,
): void {
  const refuse = (err: Error): void => {
    cmd.infileError = err;
    send(Buffer.alloc(0));
  };
  if (!handler) {
    refuse(
      new OperationalError(`LOAD DATA LOCAL INFILE was refused: it is disabled on this connection (pass localInfile: true to allow it)`, {
        errno: 2068,
      }),
    );
    return;
  }
  if (!cmd.sql || !statementNamesFile(cmd.sql, fileName, noBackslashEscapes)) {
    refuse(
      new OperationalError(`LOAD DATA LOCAL INFILE was refused: the server asked for '${fileName}', which the statement did not name`, {
        errno: 2068,
      }),
    );
    return;
  }
  void (async () => {
    try {
      const source = typeof handler === "function" ? await handler(fileName) : createReadStream(fileName);
      const chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string> =
        typeof source === "string" || source instanceof Uint8Array ? [source] : source;
      for await (const chunk of chunks) {
        const buf = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk);
        for (let i = 0; i < buf.length; i += CHUNK) send(buf.subarray(i, i + CHUNK));
      }
      send(Buffer.alloc(0));
    } catch (e) {
      refuse(new OperationalError(`LOAD DATA LOCAL INFILE '${fileName}' failed: ${(e as Error).message}`, { errno: 2068, cause: e }));
    }
  })();
}
