// The benchmark chart (bench/chart.ts): an SVG drawn from a runner report.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { renderChart, writeChart, type ChartReport } from "../../bench/chart.js";

const report: ChartReport = {
  date: "2026-11-24T09:57:45.523Z",
  drivers: ["aiomysql", "mysql2", "mariadb"],
  server: "10.11.19-MariaDB",
  machine: { cpus: 2, node: "v20.20.2" },
  results: [
    { id: "W1", title: "round <trips> & more", unit: "ops/s", medians: { aiomysql: 200, mysql2: 100, mariadb: 50 } },
    { id: "W2", title: "rows", unit: "rows/s", medians: { aiomysql: 10, mysql2: 40, mariadb: 20 } },
  ],
};

const bars = (svg: string): number[] =>
  [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="12"/g)].map((m) => Number(m[1]));

it("draws one bar per driver and workload, scaled to the workload's largest value", () => {
  const svg = renderChart(report);
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.ok(svg.trimEnd().endsWith("</svg>"));
  const w = bars(svg);
  assert.equal(w.length, 6);
  assert.equal(w[0], w[4], "the largest value of each workload gets the full width");
  assert.equal(w[1], w[0]! / 2);
  assert.equal(w[3], w[0]! / 4);
  assert.match(svg, /round &lt;trips&gt; &amp; more/, "titles are escaped");
  assert.doesNotMatch(svg, /CPU per operation/, "no CPU panel without CPU figures");
});

it("adds the CPU-per-operation panel when the report has it", () => {
  const withCpu: ChartReport = {
    ...report,
    results: report.results.map((r) => ({ ...r, cpuUsPerOp: { aiomysql: 3, mysql2: 6, mariadb: 4 } })),
  };
  const svg = renderChart(withCpu);
  assert.match(svg, /Client CPU per operation/);
  assert.equal(bars(svg).length, 12);
  assert.match(svg, /<title>mysql2: 6\.00 µs\/op<\/title>/);
});

it("writeChart() turns a report file into an SVG file", () => {
  const dir = mkdtempSync(join(tmpdir(), "chart-"));
  try {
    writeFileSync(join(dir, "r.json"), JSON.stringify(report));
    writeChart(join(dir, "r.json"), join(dir, "r.svg"));
    assert.equal(readFileSync(join(dir, "r.svg"), "utf8"), renderChart(report));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it("the committed chart is the one of the committed report (redraw: node build/bench/chart.js)", () => {
  const results = join(process.cwd(), "bench", "results");
  const report = JSON.parse(readFileSync(join(results, "published.json"), "utf8")) as ChartReport;
  assert.equal(
    readFileSync(join(results, "published.svg"), "utf8"),
    renderChart(report),
    "bench/results/published.svg is stale: run node build/bench/chart.js",
  );
});
