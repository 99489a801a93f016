// The benchmark runner: every workload against this library, mysql2 and mariadb on the same
// server in one run, the drivers interleaved round by round. Prints medians and the ratio of
// ours to the best peer, and writes the figures as JSON.
//
//   npm run bench                       full run (about 5 minutes on 2 cores)
//   npm run bench -- --quick            a smoke run: fewer rounds, sizes divided by 20
//   node build/bench/run.js [--quick] [--scale F] [--rounds N] [--only W1,W3] [--out file.json]
//
// The server comes from MYSQL_HOST/MYSQL_PORT/MYSQL_USER/MYSQL_PASSWORD (scripts/with-server.mjs
// sets them for the throwaway server); the tables go to MYSQL_DB or test_pymysql.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { writeChart } from "./chart.js";
import * as os from "node:os";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import * as aiomysql from "../src/index.js";
import { allDrivers, type ServerConfig } from "./drivers.js";
import { FULL_SIZES, WORKLOADS, scaleSizes, setupSql, streamInChild, type Sizes } from "./workloads.js";

interface Args {
  quick: boolean;
  scale: number;
  rounds: number | null;
  only: string[] | null;
  out: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    quick: false,
    scale: 1,
    rounds: null,
    only: null,
    out: fileURLToPath(new URL("../../bench/results/latest.json", import.meta.url)),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--quick") args.quick = true;
    else if (a === "--scale") args.scale = Number(value());
    else if (a === "--rounds") args.rounds = Number(value());
    else if (a === "--only") args.only = value().split(",");
    else if (a === "--out") args.out = value();
    else throw new Error(`unknown argument ${a}`);
  }
  return args;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Rounds per workload: the big ones (W2, W6, W7) fewer, since each measurement is long. */
function roundsFor(id: string, args: Args): number {
  if (args.rounds !== null) return args.rounds;
  if (args.quick) return 2;
  return id === "W6" || id === "W7" ? 3 : 5;
}

/** `mariadb-slap`, the C client, as the practical limit of W1; null when it is not installed. */
function slap(cfg: ServerConfig, queries: number): number | null {
  const bin = ["mariadb-slap", "mysqlslap"].find((b) => spawnSync(b, ["--version"], { stdio: "ignore" }).status === 0);
  if (!bin) return null;
  const r = spawnSync(
    bin,
    [
      `--host=${cfg.host}`,
      `--port=${cfg.port}`,
      `--user=${cfg.user}`,
      `--password=${cfg.password}`,
      "--protocol=tcp",
      "--concurrency=1",
      "--iterations=3",
      `--number-of-queries=${queries}`,
      "--query=SELECT 1",
      "--create-schema=" + cfg.db,
    ],
    { encoding: "utf8" },
  );
  const m = /Average number of seconds to run all queries:\s*([\d.]+)/.exec(r.stdout ?? "");
  if (!m) return null;
  const seconds = Number(m[1]);
  return seconds > 0 ? queries / seconds : null;
}

function fmt(n: number): string {
  if (n >= 100) return Math.round(n).toLocaleString("en-US");
  return n.toFixed(1);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const cfg: ServerConfig = {
    host: process.env.MYSQL_HOST ?? "127.0.0.1",
    port: Number(process.env.MYSQL_PORT ?? 3306),
    user: process.env.MYSQL_USER ?? "root",
    password: process.env.MYSQL_PASSWORD ?? "",
    db: process.env.MYSQL_DB ?? "test_pymysql",
  };
  const sizes: Sizes = scaleSizes(FULL_SIZES, args.scale * (args.quick ? 0.05 : 1));
  const drivers = allDrivers(cfg);
  const workloads = WORKLOADS.filter((w) => args.only === null || args.only.includes(w.id) || args.only.includes(w.id.slice(0, 2)));

  const setup = await aiomysql.connect({ ...cfg, autocommit: true });
  for (const sql of setupSql(Math.max(sizes.selectRows, 1000))) await setup.cursor().execute(sql);
  await setup.ensureClosed();

  const started = Date.now();
  const results: Record<string, unknown>[] = [];
  const lines: string[] = [];
  const header = `| workload | ${drivers.map((d) => d.name).join(" | ")} | ours / best peer |`;
  lines.push(header, `|---|${drivers.map(() => "---:").join("|")}|---:|`);
  for (const w of workloads) {
    const samples = new Map<string, number[]>(drivers.map((d) => [d.name, []]));
    const extras = new Map<string, Record<string, number>[]>(drivers.map((d) => [d.name, []]));
    const rounds = roundsFor(w.id, args);
    for (let r = 0; r < rounds; r++) {
      // Rotate the order every round so that no driver always runs first (or last).
      const order = drivers.map((_, i) => drivers[(i + r) % drivers.length]!);
      for (const d of order) {
        const m = await w.run(d, sizes, cfg);
        samples.get(d.name)!.push(m.value);
        if (m.extra) extras.get(d.name)!.push(m.extra);
      }
    }
    const medians: Record<string, number> = {};
    for (const d of drivers) medians[d.name] = median(samples.get(d.name)!);
    const ours = medians[drivers[0]!.name]!;
    const best = Math.max(...drivers.slice(1).map((d) => medians[d.name]!));
    const ratio = ours / best;
    const peakRss: Record<string, number> = {};
    for (const d of drivers) {
      const e = extras.get(d.name)!;
      if (e.length > 0) peakRss[d.name] = Math.max(...e.map((x) => x.peakRssMB ?? 0));
    }
    const row: Record<string, unknown> = {
      id: w.id,
      title: w.title,
      unit: w.unit,
      rounds,
      medians,
      samples: Object.fromEntries(samples),
      ratio,
    };
    let cells = drivers.map((d) => fmt(medians[d.name]!)).join(" | ");
    if (Object.keys(peakRss).length > 0) {
      row.peakRssMB = peakRss;
      cells = drivers.map((d) => `${fmt(medians[d.name]!)} (${fmt(peakRss[d.name]!)} MB)`).join(" | ");
    }
    if (w.id === "W1") {
      const limit = slap(cfg, sizes.roundTrips);
      if (limit !== null) row.mariadbSlap = limit;
      if (limit !== null) cells += ` (mariadb-slap, C: ${fmt(limit)})`;
    }
    results.push(row);
    const line = `| ${w.id} ${w.title} (${w.unit}) | ${cells} | ${ratio.toFixed(2)}x |`;
    lines.push(line);
    process.stdout.write(line + "\n");
  }

  // Rows/s of our SSCursor from 1k rows to the full W7 size: should stay flat. Each size runs in
  // a fresh process: once cold (the first statement of the process, as W7 measures it), and in
  // steady state (after one untimed run, repeated to about the full W7 size in total).
  const scaling: Record<string, number> = {};
  const coldScaling: Record<string, number> = {};
  if (workloads.some((w) => w.id === "W7")) {
    for (let n = 1000; n <= sizes.streamRows; n *= 10) {
      coldScaling[String(n)] = (await streamInChild("aiomysql", n, cfg)).value;
      const repeats = Math.max(1, Math.min(200, Math.round(sizes.streamRows / n)));
      scaling[String(n)] = (await streamInChild("aiomysql", n, cfg, repeats)).value;
    }
    const show = (r: Record<string, number>): string =>
      Object.entries(r)
        .map(([n, v]) => `${n}: ${fmt(v)}`)
        .join(", ");
    lines.push("", `aiomysql SSCursor rows/s by result size, steady state: ${show(scaling)}`);
    lines.push(`aiomysql SSCursor rows/s by result size, first statement of a fresh process: ${show(coldScaling)}`);
  }

  const report = {
    date: new Date().toISOString(),
    seconds: (Date.now() - started) / 1000,
    quick: args.quick,
    scale: args.scale,
    sizes,
    machine: {
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model ?? "",
      memoryGB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
    },
    server: await serverVersion(cfg),
    drivers: drivers.map((d) => d.name),
    results,
    streamScaling: scaling,
    streamScalingCold: coldScaling,
    table: lines.join("\n"),
  };
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, JSON.stringify(report, null, 2) + "\n");
  writeChart(args.out, args.out.replace(/\.json$/, "") + ".svg");
  process.stdout.write(`\n${report.table}\n\nwrote ${args.out} (${report.seconds.toFixed(0)} s)\n`);
}

async function serverVersion(cfg: ServerConfig): Promise<string> {
  const conn = await aiomysql.connect(cfg);
  const v = conn.serverVersion;
  await conn.ensureClosed();
  return v;
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
