// Records the bytes of a real session (handshake and a few result sets) through the test
// fault proxy, as fixtures for the protocol fuzz tests. Run against a test server:
//   npm run build:test && node scripts/with-server.mjs node scripts/record-fixtures.mjs
import { writeFileSync } from "node:fs";
import { connect } from "../build/src/index.js";
import { FaultProxy } from "../build/test/support/fault-proxy.js";
import { FUZZ_STATEMENTS, FUZZ_CONNECT_OPTIONS } from "../build/test/unit/fuzz-session.js";

const host = process.env.MYSQL_HOST ?? "127.0.0.1";
const port = Number(process.env.MYSQL_PORT ?? 3306);
const proxy = await FaultProxy.start(host, port);
proxy.recording = true;
const conn = await connect({
  ...FUZZ_CONNECT_OPTIONS,
  host: "127.0.0.1",
  port: proxy.port,
  user: process.env.MYSQL_USER ?? "root",
  password: process.env.MYSQL_PASSWORD ?? "",
});
for (const sql of FUZZ_STATEMENTS) {
  const cur = conn.cursor();
  try {
    await cur.execute(sql);
    while (await cur.nextSet()) {}
  } catch (e) {
    console.log(`(expected) ${sql}: ${e.message}`);
  }
}
await conn.ensureClosed();
await proxy.close();
const turns = proxy.sessions[0].map((t) => ({ client: t.client.toString("hex"), server: t.server.toString("hex") }));
const out = new URL("../test/fixtures/session-mariadb.json", import.meta.url);
writeFileSync(out, JSON.stringify({ server: conn.serverVersion, statements: FUZZ_STATEMENTS, turns }, null, 1) + "\n");
console.log(`recorded ${turns.length} turns`);
