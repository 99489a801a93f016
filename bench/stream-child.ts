// W7's child process: streams `rows` rows through one driver and prints, as JSON, the rate and
// the peak resident set size of this process (sampled while it runs, and at the end).
//
//   node build/bench/stream-child.js <driver> <rows>      (BENCH_CONFIG: the server, as JSON)
import { allDrivers, type ServerConfig } from "./drivers.js";

/** Three columns per row: an integer, a bigger integer and a short string, made by the server. */
export function streamSql(rows: number): string {
  return `SELECT seq, seq * 3, CONCAT('row-', seq) FROM seq_1_to_${rows}`;
}

async function main(): Promise<void> {
  const [name, rowsText] = process.argv.slice(2);
  const rows = Number(rowsText);
  const cfg = JSON.parse(process.env.BENCH_CONFIG ?? "{}") as ServerConfig;
  const driver = allDrivers(cfg).find((d) => d.name === name);
  if (!driver || !Number.isInteger(rows) || rows <= 0) throw new Error(`usage: stream-child <driver> <rows>`);
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  const conn = await driver.connect();
  const t = process.hrtime.bigint();
  const n = await conn.stream(streamSql(rows));
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  peak = Math.max(peak, process.memoryUsage.rss());
  clearInterval(timer);
  await conn.close();
  process.stdout.write(JSON.stringify({ rows: n, rowsPerSecond: n / seconds, peakRssMB: peak / (1024 * 1024) }));
}

main().catch((e: unknown) => {
  process.stderr.write(`stream-child: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
