// W7's child process: streams `rows` rows through one driver and prints, as JSON, the rate and
// client CPU time per row, and the peak resident set size of this process (sampled while it runs,
// and at the end; the sampling timer's own CPU is part of the CPU figure, for every driver alike).
//
//   node build/bench/stream-child.js <driver> <rows> [repeats]   (BENCH_CONFIG: the server, as JSON)
//
// With repeats > 1 the stream runs once untimed (JIT warm-up, first-statement setup), then
// `repeats` times timed: the steady-state rate at that result size.
import { allDrivers, type ServerConfig } from "./drivers.js";
import { streamSql } from "./workloads.js";

async function main(): Promise<void> {
  const [name, rowsText, repeatsText] = process.argv.slice(2);
  const rows = Number(rowsText);
  const repeats = repeatsText === undefined ? 1 : Number(repeatsText);
  const cfg = JSON.parse(process.env.BENCH_CONFIG ?? "{}") as ServerConfig;
  const driver = allDrivers(cfg).find((d) => d.name === name);
  if (!driver || !Number.isInteger(rows) || rows <= 0 || !Number.isInteger(repeats) || repeats <= 0) {
    throw new Error(`usage: stream-child <driver> <rows> [repeats]`);
  }
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  const conn = await driver.connect();
  if (repeats > 1) await conn.stream(streamSql(rows));
  const cpu = process.cpuUsage();
  const t = process.hrtime.bigint();
  let total = 0;
  for (let i = 0; i < repeats; i++) total += await conn.stream(streamSql(rows));
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const used = process.cpuUsage(cpu);
  const n = total / repeats;
  peak = Math.max(peak, process.memoryUsage.rss());
  clearInterval(timer);
  await conn.close();
  process.stdout.write(
    JSON.stringify({
      rows: n,
      rowsPerSecond: total / seconds,
      cpuUsPerRow: (used.user + used.system) / total,
      peakRssMB: peak / (1024 * 1024),
    }),
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`stream-child: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
