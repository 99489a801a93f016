// Runs the benchmark runner in quick mode on tiny sizes so that it never rots. It checks that
// every workload ran for every driver and that the report is complete; it asserts no timings.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const RUNNER = fileURLToPath(new URL("../../bench/run.js", import.meta.url));

describe("bench runner", () => {
  it("runs every workload against every driver in --quick mode", { timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), "aiomysql-bench-"));
    try {
      const out = join(dir, "latest.json");
      const r = spawnSync(process.execPath, [RUNNER, "--quick", "--scale", "0.02", "--rounds", "1", "--out", out], {
        encoding: "utf8",
        env: process.env,
      });
      assert.equal(r.status, 0, r.stderr);
      const report = JSON.parse(readFileSync(out, "utf8")) as {
        drivers: string[];
        results: {
          id: string;
          medians: Record<string, number>;
          cpuUsPerOp: Record<string, number>;
          ratio: number;
          cpuRatio: number;
          peakRssMB?: Record<string, number>;
        }[];
        growth: { id: string; medians: Record<string, number>; cpuUsPerOp: Record<string, number> }[];
        table: string;
      };
      assert.deepEqual(report.drivers, ["aiomysql", "mysql2", "mariadb"]);
      assert.deepEqual(
        report.results.map((x) => x.id),
        ["W1", "W2a", "W2d", "W3", "W4", "W5", "W6", "W7", "W8"],
      );
      for (const res of report.results) {
        for (const d of report.drivers) {
          assert.ok(res.medians[d]! > 0, `${res.id} ${d}`);
          assert.ok(res.cpuUsPerOp[d]! > 0 && Number.isFinite(res.cpuUsPerOp[d]), `${res.id} ${d} CPU per op`);
        }
        assert.ok(Number.isFinite(res.ratio) && res.ratio > 0);
        assert.ok(Number.isFinite(res.cpuRatio) && res.cpuRatio > 0);
      }
      // The growth tables at this size: 1k rows buffered and streamed, the pool at 1 to 1,000 tasks.
      assert.deepEqual(
        report.growth.map((g) => g.id),
        ["B1000", "S1000", "P1", "P10", "P100", "P1000"],
      );
      for (const g of report.growth) for (const d of report.drivers) assert.ok(g.medians[d]! > 0 && g.cpuUsPerOp[d]! > 0, `${g.id} ${d}`);
      const w7 = report.results.find((x) => x.id === "W7")!;
      for (const d of report.drivers) assert.ok(w7.peakRssMB![d]! > 0);
      assert.match(report.table, /\| W2a /);
      assert.match(r.stdout, /ours \/ best peer/);
      assert.match(report.table, /CPU, best peer \/ ours/);
      assert.match(report.table, /by concurrent tasks/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
