// Runs the cluster figures (bench/cluster.ts) in --quick mode so that they never rot: it checks
// that every figure was measured for every driver that has the feature; it asserts no timings.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const RUNNER = fileURLToPath(new URL("../../bench/cluster.js", import.meta.url));

describe("cluster figures", () => {
  it("measures every figure in --quick mode", { timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), "aiomysql-bench-cluster-"));
    try {
      const out = join(dir, "cluster.json");
      const r = spawnSync(process.execPath, [RUNNER, "--quick", "--out", out], { encoding: "utf8", env: process.env, timeout: 280_000 });
      assert.equal(r.status, 0, r.stderr);
      const report = JSON.parse(readFileSync(out, "utf8")) as {
        rows: { figure: string; aiomysql: string; mysql2: string; mariadb: string }[];
        figures: Record<string, unknown>;
      };
      assert.deepEqual(
        report.rows.map((x) => x.figure.replace(/[:,].*$/, "")),
        [
          "routed reads/s over 1 replica",
          "routed reads/s over 2 replicas",
          "routed reads/s over 3 replicas",
          "acquire+read",
          "acquire+read",
          "acquire+read",
          "write",
          "failover",
        ],
      );
      for (const k of [1, 2, 3]) {
        for (const d of ["aiomysql", "mysql2", "mariadb"]) {
          const qps = report.figures[`throughput${k}.${d}`];
          assert.ok(typeof qps === "number" && qps > 0, `throughput over ${k} for ${d}`);
        }
      }
      const failover = report.figures["failover"] as { afterPromote: number; afterKill: number };
      assert.ok(failover.afterKill >= failover.afterPromote);
      assert.match(r.stdout, /\| figure \| aiomysql \| mysql2 PoolCluster \| mariadb PoolCluster \|/);
      assert.match(r.stdout, /load average before/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
