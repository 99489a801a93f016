// Protocol fuzzing: server bytes recorded from a real session (test/fixtures/session-mariadb.json),
// mutated and truncated with a seeded PRNG, fed to the protocol layer and to a connection through
// a scripted peer. Only typed errors may come out; nothing may hang or allocate ahead of its bytes.
//
// CI runs a bounded number of cases; a longer run: FUZZ_ITERATIONS=200000 FUZZ_SEED=7 npm run test:fuzz
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as net from "node:net";
import { after, before, describe, it } from "node:test";
import type { CommandHost } from "../../src/session/commands/command.js";
import { QueryCommand } from "../../src/session/commands/query.js";
import { makeDecoders } from "../../src/converters.js";
import { connect, MySQLError } from "../../src/index.js";
import { charsetByName } from "../../src/protocol/charsets.js";
import { CLIENT } from "../../src/protocol/constants.js";
import { PacketParser } from "../../src/protocol/framing.js";
import { parseHandshakeV10, parseAuthSwitchRequest } from "../../src/protocol/handshake.js";
import { MalformedPacketError } from "../../src/protocol/reader.js";
import { parseColumnDefinition, parseErr, parseOk } from "../../src/protocol/results.js";
import { ARRAY_ROWS } from "../../src/protocol/rows.js";
import { FUZZ_CONNECT_OPTIONS, FUZZ_STATEMENTS } from "./fuzz-session.js";
import { prng } from "../support/prng.js";

const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 3000);
const SEED = Number(process.env.FUZZ_SEED ?? 20240229);
const PEER_CASES = Math.max(20, Math.round(ITERATIONS / 30));
/** Capabilities of the recorded session, as the command state machines read them. */
const BASE_TEST_CAPABILITIES =
  CLIENT.PROTOCOL_41 | CLIENT.DEPRECATE_EOF | CLIENT.SECURE_CONNECTION | CLIENT.TRANSACTIONS | CLIENT.MULTI_RESULTS | CLIENT.PLUGIN_AUTH;

interface Session {
  turns: Array<{ client: string; server: string }>;
}
const session = JSON.parse(readFileSync(new URL("../../../test/fixtures/session-mariadb.json", import.meta.url), "utf8")) as Session;
const serverTurns = session.turns.map((t) => Buffer.from(t.server, "hex"));

const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xfb, 0xfc, 0xfd, 0xfe, 0xff];

/** One to four random mutations of `input`. */
function mutate(input: Buffer, rnd: () => number): Buffer {
  let b = Buffer.from(input);
  const pick = (n: number): number => Math.floor(rnd() * n);
  const rounds = 1 + pick(4);
  for (let r = 0; r < rounds && b.length > 0; r++) {
    switch (pick(7)) {
      case 0:
        b[pick(b.length)] ^= 1 << pick(8);
        break;
      case 1:
        b[pick(b.length)] = INTERESTING[pick(INTERESTING.length)]!;
        break;
      case 2:
        b = b.subarray(0, pick(b.length));
        break;
      case 3: {
        const at = pick(b.length);
        const junk = Buffer.from(Array.from({ length: 1 + pick(8) }, () => pick(256)));
        b = Buffer.concat([b.subarray(0, at), junk, b.subarray(at)]);
        break;
      }
      case 4: {
        const at = pick(b.length);
        b = Buffer.concat([b.subarray(0, at), b.subarray(pick(b.length))]);
        break;
      }
      case 5: {
        // A lenenc prefix claiming a huge length (0xfc/0xfd/0xfe) somewhere.
        const at = pick(b.length);
        b[at] = 0xfc + pick(3);
        break;
      }
      default: {
        // A packet header claiming up to 16 MiB.
        if (b.length < 3) break;
        b.writeUIntLE(pick(0xffffff + 1), pick(b.length - 2), 3);
        break;
      }
    }
  }
  return b;
}

function assertTyped(e: unknown, where: string): void {
  assert.ok(
    e instanceof MalformedPacketError || e instanceof MySQLError,
    `${where}: untyped error ${(e as Error)?.constructor?.name}: ${(e as Error)?.stack ?? String(e)}`,
  );
}

function fakeHost(): CommandHost {
  return {
    capabilities: BASE_TEST_CAPABILITIES,
    decodeContext: { charset: charsetByName("utf8mb4"), timeZone: "local", defaults: makeDecoders("local"), conv: null, useUnicode: true },
    extendedTypeInfo: true,
    noteStatus: () => {},
    sendLocalInfile: () => {},
    pauseReading: () => {},
    resumeReading: () => {},
  } as unknown as CommandHost;
}

/** Feeds a (mutated) result turn to a buffered or streaming QueryCommand; only typed errors may escape. */
async function feedQuery(bytes: Buffer, streaming: boolean, where: string): Promise<void> {
  const cmd = new QueryCommand("fuzz", ARRAY_ROWS, streaming);
  cmd.attach(fakeHost());
  let done = false;
  const parser = new PacketParser((payload) => {
    if (done) return;
    done = cmd.onPacket(payload);
  });
  try {
    parser.push(bytes);
  } catch (e) {
    assertTyped(e, where);
    cmd.fail(new MalformedPacketError("stop"));
  }
  if (!done && !cmd.settled) cmd.fail(new MalformedPacketError("truncated"));
  if (streaming) {
    if (!cmd.finished) cmd.fail(new MalformedPacketError("truncated"));
    for (let i = 0; i < 1e6; i++) if ((await cmd.read()) === undefined) break;
  }
  await cmd.promise.then(
    (outcome) => {
      if (outcome.error) assertTyped(outcome.error, where);
    },
    (e: unknown) => assertTyped(e, where),
  );
}

describe(`protocol fuzzing (seed ${SEED}, ${ITERATIONS} cases)`, () => {
  it("mutated handshake, OK, ERR and column packets give typed errors only", { timeout: 120_000 }, () => {
    const rnd = prng(SEED);
    const payloads: Buffer[] = [];
    for (const turn of serverTurns) new PacketParser((p) => payloads.push(Buffer.from(p))).push(turn);
    const greeting = payloads[0]!;
    for (let i = 0; i < ITERATIONS; i++) {
      const g = mutate(greeting, rnd);
      const p = mutate(payloads[1 + Math.floor(rnd() * (payloads.length - 1))]!, rnd);
      for (const [name, fn] of [
        ["parseHandshakeV10", () => parseHandshakeV10(g)],
        ["parseOk", () => parseOk(p, BASE_TEST_CAPABILITIES)],
        ["parseErr", () => parseErr(p)],
        ["parseColumnDefinition", () => parseColumnDefinition(p, true)],
        ["parseAuthSwitchRequest", () => parseAuthSwitchRequest(p)],
      ] as const) {
        try {
          fn();
        } catch (e) {
          assertTyped(e, `${name} case ${i}`);
        }
      }
    }
  });

  it("mutated result sets through PacketParser, QueryCommand and TextRowDecoder give typed errors only", { timeout: 120_000 }, async () => {
    const rnd = prng(SEED + 1);
    const results = serverTurns.slice(2);
    for (let i = 0; i < ITERATIONS; i++) {
      const turn = results[i % results.length]!;
      await feedQuery(mutate(turn, rnd), i % 3 === 0, `result case ${i}`);
    }
  });

  it("a header announcing 16 MiB allocates nothing until the bytes arrive", () => {
    const parsers: PacketParser[] = [];
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 256; i++) {
      const p = new PacketParser(() => assert.fail("no packet is complete"));
      p.push(Buffer.from([0xff, 0xff, 0xfe, 0x00, 1, 2, 3]));
      parsers.push(p);
    }
    const grown = process.memoryUsage().arrayBuffers - before;
    // 256 eager allocations would be 4 GiB; lazily they are a few bytes each.
    assert.ok(grown < 64 * 1024 * 1024, `grew by ${grown} bytes`);
    assert.ok(parsers.every((p) => p.midPacket));
  });
});

describe(`a connection to a scripted peer replaying mutated sessions (${PEER_CASES} cases)`, () => {
  let server: net.Server;
  let port = 0;
  let caseNo = 0;
  const unhandled: unknown[] = [];
  const onUnhandled = (r: unknown): void => {
    unhandled.push(r);
  };
  before(async () => {
    process.on("unhandledRejection", onUnhandled);
    server = net.createServer((socket) => {
      const rnd = prng(SEED * 31 + caseNo);
      const mutateTurn = Math.floor(rnd() * serverTurns.length);
      let turn = 0;
      let idle: NodeJS.Timeout | undefined;
      const sendNext = (): void => {
        clearTimeout(idle);
        const bytes = serverTurns[turn];
        if (bytes === undefined) {
          socket.end();
          return;
        }
        socket.write(turn === mutateTurn ? mutate(bytes, rnd) : bytes);
        turn++;
        // A peer waiting for a client that waits for it: hang up, as a real server would time out.
        idle = setTimeout(() => socket.end(), 50);
      };
      socket.on("error", () => {});
      socket.on("close", () => clearTimeout(idle));
      socket.on("data", sendNext);
      sendNext();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    process.off("unhandledRejection", onUnhandled);
  });

  it("connect and every statement settle with a result or a typed error", { timeout: 300_000 }, async () => {
    let succeeded = 0;
    for (caseNo = 0; caseNo < PEER_CASES; caseNo++) {
      let conn;
      try {
        conn = await connect({ ...FUZZ_CONNECT_OPTIONS, host: "127.0.0.1", port, user: "root", password: "" });
      } catch (e) {
        assertTyped(e, `connect case ${caseNo}`);
        continue;
      }
      try {
        for (const sql of FUZZ_STATEMENTS) {
          try {
            const cur = conn.cursor();
            await cur.execute(sql, undefined, { timeout: 5 });
            while (await cur.nextSet()) {}
            succeeded++;
          } catch (e) {
            assertTyped(e, `statement case ${caseNo}: ${sql}`);
          }
        }
      } finally {
        conn.close();
      }
    }
    assert.ok(succeeded > 0, "unmutated turns still succeed");
    assert.deepEqual(unhandled, []);
  });
});
