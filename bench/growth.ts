// Cost growth: rows/s of one SELECT as the result grows from 1k rows to the full W7 size, read
// buffered (all rows returned at once) and streamed, and q/s of `SELECT 1` over a pool of 10 as
// the number of concurrent tasks grows from 1 to 1,000. Every driver runs them in its own warm
// worker process (steady state: one untimed run first, then repeated to about `growthRows` rows
// per measurement).
import { startClock, stopClock, streamSql, type Sizes, type Workload } from "./workloads.js";

/** The result sizes of the growth tables: 1k, 10k, ... up to the W7 size. */
export function growthSizes(sizes: Sizes): number[] {
  const out: number[] = [];
  for (let n = 1000; n <= sizes.streamRows; n *= 10) out.push(n);
  return out;
}

/** The concurrency levels of the pool growth table. */
export const POOL_TASKS = [1, 10, 100, 1000];

function repeatsFor(n: number, sizes: Sizes): number {
  return Math.max(1, Math.min(200, Math.round(sizes.growthRows / n)));
}

function resultWorkload(n: number, streamed: boolean): Workload {
  return {
    id: `${streamed ? "S" : "B"}${n}`,
    title: `${n} rows x 3 columns, ${streamed ? "streamed" : "buffered"}`,
    unit: "rows/s",
    async run(driver, sizes) {
      const conn = await driver.connect();
      try {
        const sql = streamSql(n);
        const once = async (): Promise<number> => (streamed ? conn.stream(sql) : (await conn.query(sql, false)).length);
        await once();
        const repeats = repeatsFor(n, sizes);
        const t = startClock();
        let total = 0;
        for (let i = 0; i < repeats; i++) total += await once();
        const m = stopClock(total, t);
        if (total !== n * repeats) throw new Error(`${driver.name}: ${total} rows, expected ${n * repeats}`);
        return m;
      } finally {
        await conn.close();
      }
    },
  };
}

function poolWorkload(tasks: number): Workload {
  return {
    id: `P${tasks}`,
    title: `${tasks} concurrent tasks over a pool of 10`,
    unit: "ops/s",
    async run(driver, sizes) {
      const pool = await driver.pool(10);
      try {
        await Promise.all(Array.from({ length: 20 }, () => pool.query("SELECT 1")));
        const each = Math.max(1, Math.round(sizes.growthPoolOps / tasks));
        const t = startClock();
        await Promise.all(
          Array.from({ length: tasks }, async () => {
            for (let i = 0; i < each; i++) await pool.query("SELECT 1");
          }),
        );
        return stopClock(each * tasks, t);
      } finally {
        await pool.close();
      }
    },
  };
}

/** The growth workloads for these sizes: buffered, then streamed, then the pool. */
export function growthWorkloads(sizes: Sizes): Workload[] {
  const ns = growthSizes(sizes);
  return [...ns.map((n) => resultWorkload(n, false)), ...ns.map((n) => resultWorkload(n, true)), ...POOL_TASKS.map((c) => poolWorkload(c))];
}
