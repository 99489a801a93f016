// An SVG chart of a benchmark report: per workload, each driver's throughput (longer is better)
// and, when the report has it, its client CPU time per operation (shorter is better). Plain SVG
// text, no charting library or service. `node build/bench/chart.js [report.json] [out.svg]`
// redraws it (default: bench/results/published.json -> bench/results/published.svg).
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The parts of a runner report (bench/run.ts) the chart reads. */
export interface ChartReport {
  date: string;
  drivers: string[];
  server?: string;
  machine?: { cpus?: number; cpu?: string; node?: string };
  results: {
    id: string;
    title: string;
    unit: string;
    medians: Record<string, number>;
    /** Client CPU microseconds per operation, by driver (reports that measure it). */
    cpuUsPerOp?: Record<string, number>;
  }[];
}

const COLORS: Readonly<Record<string, string>> = { aiomysql: "#2b7bba", mysql2: "#e08a1e", mariadb: "#6a9f3a" };
const FALLBACK_COLORS = ["#8e5ea2", "#c4473a", "#3cba9f"];
const BAR = 12;
const GAP = 3;
const GROUP_GAP = 14;
const LABEL_W = 330;
const PANEL_W = 330;
const VALUE_W = 110;
const TOP = 78;

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function fmt(n: number): string {
  if (n >= 100) return Math.round(n).toLocaleString("en-US");
  if (n >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

function shorten(title: string, max = 52): string {
  return title.length <= max ? title : `${title.slice(0, max - 1)}…`;
}

/** One panel of bars: per workload, one bar per driver scaled to that workload's largest value. */
function panel(
  report: ChartReport,
  x: number,
  heading: string,
  values: (r: ChartReport["results"][number]) => Record<string, number> | undefined,
  unit: (r: ChartReport["results"][number]) => string,
  color: (d: string) => string,
): string[] {
  const out = [`<text x="${x}" y="${TOP - 14}" class="h">${esc(heading)}</text>`];
  let y = TOP;
  for (const r of report.results) {
    const v = values(r);
    const present = report.drivers.filter((d) => v !== undefined && Number.isFinite(v[d]));
    const max = Math.max(...present.map((d) => v![d]!), 0);
    for (const d of report.drivers) {
      const value = v?.[d];
      if (value !== undefined && Number.isFinite(value) && max > 0) {
        const w = Math.max(1, (value / max) * (PANEL_W - VALUE_W));
        out.push(
          `<rect x="${x}" y="${y}" width="${w.toFixed(1)}" height="${BAR}" fill="${color(d)}"><title>${esc(`${d}: ${fmt(value)} ${unit(r)}`)}</title></rect>`,
        );
        out.push(`<text x="${(x + w + 4).toFixed(1)}" y="${y + BAR - 2}" class="v">${esc(fmt(value))}</text>`);
      }
      y += BAR + GAP;
    }
    y += GROUP_GAP - GAP;
  }
  return out;
}

/** The chart of `report` as an SVG document. */
export function renderChart(report: ChartReport): string {
  const drivers = report.drivers;
  const color = (d: string): string => COLORS[d] ?? FALLBACK_COLORS[drivers.indexOf(d) % FALLBACK_COLORS.length]!;
  const hasCpu = report.results.some((r) => r.cpuUsPerOp !== undefined && Object.keys(r.cpuUsPerOp).length > 0);
  const groupH = drivers.length * (BAR + GAP) - GAP + GROUP_GAP;
  const height = TOP + report.results.length * groupH + 40;
  const width = LABEL_W + PANEL_W + (hasCpu ? PANEL_W + 20 : 0) + 20;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
    `<style>.t{font-size:15px;font-weight:bold}.h{font-weight:bold}.v{fill:#333;font-size:10px}.l{fill:#222}.u{fill:#777;font-size:10px}</style>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="22" class="t">aiomysql, mysql2 and mariadb: benchmark medians</text>`,
  ];
  const machine = report.machine;
  const sub = [report.date.slice(0, 10), report.server, machine ? `${machine.cpus ?? "?"} vCPU, Node ${machine.node ?? "?"}` : undefined]
    .filter((s) => s !== undefined && s !== "")
    .join(" · ");
  parts.push(`<text x="10" y="40" class="u">${esc(sub)}</text>`);
  // Legend.
  let lx = LABEL_W;
  for (const d of drivers) {
    parts.push(`<rect x="${lx}" y="31" width="10" height="10" fill="${color(d)}"/><text x="${lx + 14}" y="40" class="l">${esc(d)}</text>`);
    lx += 90;
  }
  // Workload labels.
  let y = TOP;
  for (const r of report.results) {
    parts.push(`<text x="10" y="${y + BAR}" class="l">${esc(`${r.id} ${shorten(r.title)}`)}</text>`);
    parts.push(`<text x="10" y="${y + BAR + 14}" class="u">${esc(r.unit)}</text>`);
    y += groupH;
  }
  parts.push(
    ...panel(
      report,
      LABEL_W,
      "Throughput (longer is better)",
      (r) => r.medians,
      (r) => r.unit,
      color,
    ),
  );
  if (hasCpu) {
    parts.push(
      ...panel(
        report,
        LABEL_W + PANEL_W + 20,
        "Client CPU per operation, µs (shorter is better)",
        (r) => r.cpuUsPerOp,
        () => "µs/op",
        color,
      ),
    );
  }
  parts.push(
    `<text x="10" y="${height - 12}" class="u">Bars are scaled per workload to its largest value; hover a bar for its figure. Generated by bench/chart.ts.</text>`,
  );
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}

/** Reads a report and writes its chart. */
export function writeChart(reportPath: string, svgPath: string): void {
  const report = JSON.parse(readFileSync(reportPath, "utf8")) as ChartReport;
  writeFileSync(svgPath, renderChart(report));
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const results = fileURLToPath(new URL("../../bench/results/", import.meta.url));
  const input = process.argv[2] ?? `${results}published.json`;
  const output = process.argv[3] ?? input.replace(/\.json$/, ".svg");
  writeChart(input, output);
  process.stdout.write(`wrote ${output}\n`);
}
