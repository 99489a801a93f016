// The benchmark runner: every workload against this library, mysql2 and mariadb on the same
// server in one run, the drivers interleaved round by round. Each driver runs in a worker
// process of its own (bench/worker.ts), so that the client CPU time per operation it reports is
// that driver's alone. Prints medians of wall-clock rates and of CPU per operation, the ratios of
// ours to the best peer, the cost-growth tables, and writes the figures as JSON.
//
//   npm run bench                       full run (about 5 minutes on 2 cores)
//   npm run bench -- --quick            a smoke run: fewer rounds, sizes divided by 20
//   node build/bench/run.js [--quick] [--scale F] [--rounds N] [--only W1,W3] [--out file.json]
//
// The server comes from MYSQL_HOST/MYSQL_PORT/MYSQL_USER/MYSQL_PASSWORD (scripts/with-server.mjs
// sets them for the throwaway server); the tables go to MYSQL_DB or test_pymysql.
import { fork, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { writeChart } from "./chart.js";
import * as os from "node:os";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import * as aiomysql from "../src/index.js";
import { allDrivers, type Driver, type ServerConfig } from "./drivers.js";
import { POOL_TASKS, growthSizes, growthWorkloads } from "./growth.js";
import type { WorkerReply, WorkerRequest } from "./worker.js";
import { FULL_SIZES, WORKLOADS, scaleSizes, setupSql, type Measurement, type Sizes, type Workload } from "./workloads.js";

interface Args {
  quick: boolean;
  scale: number;
  rounds: number | null;
  only: string[] | null;
  growth: boolean;
  out: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    quick: false,
    scale: 1,
    rounds: null,
    only: null,
    growth: true,
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
    else if (a === "--no-growth") args.growth = false;
    else throw new Error(`unknown argument ${a}`);
  }
  return args;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Rounds per workload: the big ones (W6, W7, growth) fewer, since each measurement is long. */
function roundsFor(id: string, args: Args): number {
  if (args.rounds !== null) return args.rounds;
  if (args.quick) return 2;
  return id === "W6" || id === "W7" || !id.startsWith("W") ? 3 : 5;
}

const WORKER = fileURLToPath(new URL("./worker.js", import.meta.url));

/** One worker process per driver; requests go one at a time. */
class Worker {
  private readonly child: ChildProcess;
  private pending: { resolve(m: Measurement): void; reject(e: Error): void } | null = null;

  constructor(
    readonly name: string,
    cfg: ServerConfig,
  ) {
    this.child = fork(WORKER, [name], { env: { ...process.env, BENCH_CONFIG: JSON.stringify(cfg) }, stdio: "inherit" });
    this.child.on("message", (reply: WorkerReply) => {
      const p = this.pending;
      this.pending = null;
      if (p === null) return;
      if ("error" in reply) p.reject(new Error(reply.error));
      else p.resolve(reply.measurement);
    });
    this.child.on("exit", (code) => {
      this.pending?.reject(new Error(`bench worker ${name} exited with ${code}`));
      this.pending = null;
    });
  }

  run(id: string, sizes: Sizes): Promise<Measurement> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.child.send({ id, sizes } satisfies WorkerRequest);
    });
  }

  close(): void {
    this.child.disconnect();
  }
}

/** Medians over rounds of one workload, every driver interleaved. */
interface Figures {
  medians: Record<string, number>;
  cpuUsPerOp: Record<string, number>;
  samples: Record<string, number[]>;
  cpuSamples: Record<string, number[]>;
  extras: Record<string, Record<string, number>[]>;
  /** ours / best peer, wall-clock rate. */
  ratio: number;
  /** best peer / ours, CPU per operation (above 1: we use less). */
  cpuRatio: number;
}

async function measure(
  w: Workload,
  rounds: number,
  drivers: Driver[],
  workers: Map<string, Worker>,
  sizes: Sizes,
  cfg: ServerConfig,
): Promise<Figures> {
  const samples = new Map<string, Measurement[]>(drivers.map((d) => [d.name, []]));
  for (let r = 0; r < rounds; r++) {
    // Rotate the order every round so that no driver always runs first (or last).
    const order = drivers.map((_, i) => drivers[(i + r) % drivers.length]!);
    for (const d of order) {
      const m = w.ownProcess ? await w.run(d, sizes, cfg) : await workers.get(d.name)!.run(w.id, sizes);
      samples.get(d.name)!.push(m);
    }
  }
  const f: Figures = { medians: {}, cpuUsPerOp: {}, samples: {}, cpuSamples: {}, extras: {}, ratio: 0, cpuRatio: 0 };
  for (const d of drivers) {
    const ms = samples.get(d.name)!;
    f.samples[d.name] = ms.map((m) => m.value);
    f.cpuSamples[d.name] = ms.map((m) => m.cpuUsPerOp);
    f.medians[d.name] = median(f.samples[d.name]!);
    f.cpuUsPerOp[d.name] = median(f.cpuSamples[d.name]!);
    f.extras[d.name] = ms.flatMap((m) => (m.extra ? [m.extra] : []));
  }
  const ours = drivers[0]!.name;
  const peers = drivers.slice(1).map((d) => d.name);
  f.ratio = f.medians[ours]! / Math.max(...peers.map((p) => f.medians[p]!));
  f.cpuRatio = Math.min(...peers.map((p) => f.cpuUsPerOp[p]!)) / f.cpuUsPerOp[ours]!;
  return f;
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

/** CPU microseconds per operation: three significant digits. */
function fmtUs(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString("en-US") : n >= 10 ? n.toFixed(1) : n.toFixed(2);
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
  const growthResults: Record<string, unknown>[] = [];
  const workloads = WORKLOADS.filter((w) => args.only === null || args.only.includes(w.id) || args.only.includes(w.id.slice(0, 2)));

  const setup = await aiomysql.connect({ ...cfg, autocommit: true });
  for (const sql of setupSql(Math.max(sizes.selectRows, 1000))) await setup.cursor().execute(sql);
  await setup.ensureClosed();

  const workers = new Map(drivers.map((d) => [d.name, new Worker(d.name, cfg)]));
  const started = Date.now();
  const results: Record<string, unknown>[] = [];
  const lines: string[] = [];
  const names = drivers.map((d) => d.name);
  lines.push(
    `| workload | ${names.join(" | ")} | wall, ours / best peer | CPU us/op: ${names.join(" / ")} | CPU, best peer / ours |`,
    `|---|${names.map(() => "---:").join("|")}|---:|---:|---:|`,
  );
  try {
    for (const w of workloads) {
      const rounds = roundsFor(w.id, args);
      const f = await measure(w, rounds, drivers, workers, sizes, cfg);
      const row: Record<string, unknown> = {
        id: w.id,
        title: w.title,
        unit: w.unit,
        rounds,
        medians: f.medians,
        cpuUsPerOp: f.cpuUsPerOp,
        samples: f.samples,
        cpuSamples: f.cpuSamples,
        ratio: f.ratio,
        cpuRatio: f.cpuRatio,
      };
      let cells = names.map((n) => fmt(f.medians[n]!)).join(" | ");
      if (f.extras[names[0]!]!.some((e) => e.peakRssMB !== undefined)) {
        const peakRss = Object.fromEntries(names.map((n) => [n, Math.max(...f.extras[n]!.map((x) => x.peakRssMB ?? 0))]));
        row.peakRssMB = peakRss;
        cells = names.map((n) => `${fmt(f.medians[n]!)} (${fmt(peakRss[n]!)} MB)`).join(" | ");
      }
      if (w.id === "W1") {
        const limit = slap(cfg, sizes.roundTrips);
        if (limit !== null) row.mariadbSlap = limit;
        if (limit !== null) cells += ` (mariadb-slap, C: ${fmt(limit)})`;
      }
      results.push(row);
      const cpu = names.map((n) => fmtUs(f.cpuUsPerOp[n]!)).join(" / ");
      const line = `| ${w.id} ${w.title} (${w.unit}) | ${cells} | ${f.ratio.toFixed(2)}x | ${cpu} | ${f.cpuRatio.toFixed(2)}x |`;
      lines.push(line);
      process.stdout.write(line + "\n");
    }

    if (args.growth && args.only === null) {
      const growth = await growthTables(args, drivers, workers, sizes, cfg);
      lines.push("", ...growth.lines);
      growthResults.push(...growth.results);
    }
  } finally {
    for (const wk of workers.values()) wk.close();
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
    growth: growthResults,
    table: lines.join("\n"),
  };
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, JSON.stringify(report, null, 2) + "\n");
  writeChart(args.out, args.out.replace(/\.json$/, "") + ".svg");
  process.stdout.write(`\n${report.table}\n\nwrote ${args.out} (${report.seconds.toFixed(0)} s)\n`);
}

/**
 * The cost-growth tables: rows/s of buffered and streamed results from 1k rows up, q/s of a
 * pool of 10 from 1 to 1,000 concurrent tasks; CPU per row / per statement beside them.
 */
async function growthTables(
  args: Args,
  drivers: Driver[],
  workers: Map<string, Worker>,
  sizes: Sizes,
  cfg: ServerConfig,
): Promise<{ lines: string[]; results: Record<string, unknown>[] }> {
  const names = drivers.map((d) => d.name);
  const byId = new Map(growthWorkloads(sizes).map((w) => [w.id, w]));
  const results: Record<string, unknown>[] = [];
  const lines: string[] = [];
  const table = async (title: string, unit: string, ids: [string, string][]): Promise<void> => {
    lines.push(
      `${title} (${unit}; CPU us per ${unit === "rows/s" ? "row" : "statement"} in parentheses)`,
      "",
      `| | ${names.join(" | ")} | ours / best peer |`,
      `|---|${names.map(() => "---:").join("|")}|---:|`,
    );
    for (const [label, id] of ids) {
      const w = byId.get(id)!;
      const f = await measure(w, roundsFor(id, args), drivers, workers, sizes, cfg);
      results.push({
        id,
        title: w.title,
        unit,
        medians: f.medians,
        cpuUsPerOp: f.cpuUsPerOp,
        samples: f.samples,
        ratio: f.ratio,
        cpuRatio: f.cpuRatio,
      });
      const cells = names.map((n) => `${fmt(f.medians[n]!)} (${fmtUs(f.cpuUsPerOp[n]!)})`).join(" | ");
      const line = `| ${label} | ${cells} | ${f.ratio.toFixed(2)}x |`;
      lines.push(line);
      process.stdout.write(line + "\n");
    }
    lines.push("");
  };
  const ns = growthSizes(sizes);
  const label = (n: number): string => (n >= 1e6 ? `${n / 1e6}M rows` : `${n / 1e3}k rows`);
  await table(
    "Buffered SELECT, 3 columns, by result size",
    "rows/s",
    ns.map((n) => [label(n), `B${n}`]),
  );
  await table(
    "Streamed SELECT, 3 columns, by result size",
    "rows/s",
    ns.map((n) => [label(n), `S${n}`]),
  );
  await table(
    "`SELECT 1` over a pool of 10, by concurrent tasks",
    "q/s",
    POOL_TASKS.map((c) => [`${c} task${c === 1 ? "" : "s"}`, `P${c}`]),
  );
  return { lines, results };
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
