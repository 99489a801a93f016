// The workloads W1-W8. Each one runs a fixed amount of work through one driver and returns a
// rate (higher is better); the runner repeats it round by round, interleaving the drivers.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Driver, ServerConfig } from "./drivers.js";

/** How much work one measurement does. `--quick` and `--scale` shrink these. */
export interface Sizes {
  /** W1 round trips per measurement. */
  roundTrips: number;
  /** W2 rows in the SELECT. */
  selectRows: number;
  /** W3 point SELECTs per measurement. */
  pointSelects: number;
  /** W4 batches of 100 statements. */
  pipelineBatches: number;
  /** W5 batches of 200 statements over the pool. */
  poolBatches: number;
  /** W6 rows inserted. */
  insertRows: number;
  /** W7 rows streamed. */
  streamRows: number;
  /** W8 connections opened and closed. */
  connects: number;
  /** Growth tables: rows read per measurement (a result is repeated up to this many rows). */
  growthRows: number;
  /** Growth tables: statements per pool measurement. */
  growthPoolOps: number;
}

export const FULL_SIZES: Sizes = {
  roundTrips: 4000,
  selectRows: 100_000,
  pointSelects: 4000,
  pipelineBatches: 40,
  poolBatches: 20,
  insertRows: 100_000,
  streamRows: 1_000_000,
  connects: 150,
  growthRows: 1_000_000,
  growthPoolOps: 4000,
};

export function scaleSizes(s: Sizes, factor: number): Sizes {
  const f = (n: number): number => Math.max(2, Math.round(n * factor));
  return {
    roundTrips: f(s.roundTrips),
    selectRows: f(s.selectRows),
    pointSelects: f(s.pointSelects),
    pipelineBatches: f(s.pipelineBatches),
    poolBatches: f(s.poolBatches),
    insertRows: f(s.insertRows),
    streamRows: f(s.streamRows),
    connects: f(s.connects),
    growthRows: f(s.growthRows),
    growthPoolOps: f(s.growthPoolOps),
  };
}

/**
 * One measurement: a rate, the client CPU time (user + system of this process) per operation
 * in microseconds, and anything else worth recording (peak RSS). Workloads run in a process
 * that holds one driver only (bench/worker.ts), so the CPU time is that driver's alone; the
 * server runs in its own process and is not counted.
 */
export interface Measurement {
  value: number;
  cpuUsPerOp: number;
  extra?: Record<string, number>;
}

export interface Workload {
  readonly id: string;
  /** true: the workload starts a fresh child process per measurement itself (W7). */
  readonly ownProcess?: boolean;
  readonly title: string;
  /** "ops/s" or "rows/s". */
  readonly unit: string;
  run(driver: Driver, sizes: Sizes, cfg: ServerConfig): Promise<Measurement>;
}

/** The 10-column table of W2 and W3, and the target of W6. */
export const SELECT_TABLE = "bench_select";
export const INSERT_TABLE = "bench_insert";
export const SELECT_COLUMNS = "id, big, dbl, price, name, body, created, day, flag, maybe";

const INSERT_COLUMNS = ["id", "big", "dbl", "price", "name", "body", "created", "day", "flag", "maybe"];

/** A started measurement: wall clock and this process's CPU time. */
export interface Clock {
  ns: bigint;
  cpu: NodeJS.CpuUsage;
}

export function startClock(): Clock {
  return { cpu: process.cpuUsage(), ns: process.hrtime.bigint() };
}

/** `count` operations done since `c`: their rate per wall-clock second and CPU microseconds each. */
export function stopClock(count: number, c: Clock): Measurement {
  const seconds = Number(process.hrtime.bigint() - c.ns) / 1e9;
  const cpu = process.cpuUsage(c.cpu);
  return { value: count / seconds, cpuUsPerOp: (cpu.user + cpu.system) / count };
}

const W1: Workload = {
  id: "W1",
  title: "sequential SELECT 1 round trips, one connection",
  unit: "ops/s",
  async run(driver, sizes) {
    const conn = await driver.connect();
    try {
      const t = startClock();
      for (let i = 0; i < sizes.roundTrips; i++) await conn.query("SELECT 1", false);
      return stopClock(sizes.roundTrips, t);
    } finally {
      await conn.close();
    }
  },
};

function selectWorkload(id: string, dict: boolean): Workload {
  return {
    id,
    title: `${dict ? "object" : "array"} rows: SELECT of 100k rows x 10 mixed-type columns`,
    unit: "rows/s",
    async run(driver, sizes) {
      const conn = await driver.connect();
      try {
        const t = startClock();
        const rows = await conn.query(`SELECT ${SELECT_COLUMNS} FROM ${SELECT_TABLE} LIMIT ${sizes.selectRows}`, dict);
        const m = stopClock(rows.length, t);
        if (rows.length !== sizes.selectRows) throw new Error(`${driver.name}: ${rows.length} rows, expected ${sizes.selectRows}`);
        return m;
      } finally {
        await conn.close();
      }
    },
  };
}

const W3: Workload = {
  id: "W3",
  title: "prepared point SELECT by primary key (server-side prepared, cached)",
  unit: "ops/s",
  async run(driver, sizes) {
    const conn = await driver.connect();
    try {
      const sql = `SELECT ${SELECT_COLUMNS} FROM ${SELECT_TABLE} WHERE id = ?`;
      await conn.execute(sql, [1]);
      const t = startClock();
      for (let i = 0; i < sizes.pointSelects; i++) {
        const rows = await conn.execute(sql, [1 + ((i * 7919) % 1000)]);
        if (rows.length !== 1) throw new Error(`${driver.name}: point select returned ${rows.length} rows`);
      }
      return stopClock(sizes.pointSelects, t);
    } finally {
      await conn.close();
    }
  },
};

const W4: Workload = {
  id: "W4",
  title: "100 statements in flight on one connection",
  unit: "ops/s",
  async run(driver, sizes) {
    const conn = await driver.connect();
    try {
      const t = startClock();
      for (let b = 0; b < sizes.pipelineBatches; b++) {
        const all: Promise<unknown>[] = [];
        for (let i = 0; i < 100; i++) all.push(conn.query(`SELECT ${i}`, false));
        await Promise.all(all);
      }
      return stopClock(sizes.pipelineBatches * 100, t);
    } finally {
      await conn.close();
    }
  },
};

const W5: Workload = {
  id: "W5",
  title: "pool of 10 connections, 200 statements in flight",
  unit: "ops/s",
  async run(driver, sizes) {
    const pool = await driver.pool(10);
    try {
      // Warm the pool so that connecting is not measured.
      await Promise.all(Array.from({ length: 20 }, () => pool.query("SELECT 1")));
      const t = startClock();
      for (let b = 0; b < sizes.poolBatches; b++) {
        const all: Promise<unknown>[] = [];
        for (let i = 0; i < 200; i++) all.push(pool.query(`SELECT ${i}`));
        await Promise.all(all);
      }
      return stopClock(sizes.poolBatches * 200, t);
    } finally {
      await pool.close();
    }
  },
};

/** Rows for W6, generated once per size. */
let insertData: { n: number; rows: unknown[][] } | null = null;
function rowsToInsert(n: number): unknown[][] {
  if (insertData?.n === n) return insertData.rows;
  const rows: unknown[][] = [];
  const base = Date.UTC(2024, 0, 1);
  for (let i = 1; i <= n; i++) {
    rows.push([
      i,
      i * 1000003,
      i / 7,
      (i / 3).toFixed(2),
      `name-${i}`,
      "x".repeat(20 + (i % 50)),
      new Date(base + i * 1000),
      "2024-01-02",
      i % 2,
      i % 5 === 0 ? null : i,
    ]);
  }
  insertData = { n, rows };
  return rows;
}

const W6: Workload = {
  id: "W6",
  title: "insert 100k rows (executeMany vs mysql2 multi-row INSERT vs mariadb batch())",
  unit: "rows/s",
  async run(driver, sizes) {
    const rows = rowsToInsert(sizes.insertRows);
    const conn = await driver.connect();
    try {
      await conn.query(`TRUNCATE TABLE ${INSERT_TABLE}`, false);
      const t = startClock();
      await conn.insertMany(INSERT_TABLE, INSERT_COLUMNS, rows);
      const m = stopClock(rows.length, t);
      const check = (await conn.query(`SELECT COUNT(*) FROM ${INSERT_TABLE}`, false))[0] as unknown[];
      if (Number(check[0]) !== rows.length) throw new Error(`${driver.name}: inserted ${String(check[0])} rows, expected ${rows.length}`);
      return m;
    } finally {
      await conn.close();
    }
  },
};

/** Three columns per row: an integer, a bigger integer and a short string, made by the server. */
export function streamSql(rows: number): string {
  return `SELECT seq, seq * 3, CONCAT('row-', seq) FROM seq_1_to_${rows}`;
}

const CHILD = fileURLToPath(new URL("./stream-child.js", import.meta.url));

/** Runs the stream in a child process of its own so that its peak RSS is the driver's alone. */
export function streamInChild(driver: string, rows: number, cfg: ServerConfig, repeats = 1): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, driver, String(rows), String(repeats)], {
      env: { ...process.env, BENCH_CONFIG: JSON.stringify(cfg) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (s: string) => (out += s));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`stream child for ${driver} exited with ${code}`));
      const r = JSON.parse(out) as { rowsPerSecond: number; cpuUsPerRow: number; peakRssMB: number; rows: number };
      if (r.rows !== rows) return reject(new Error(`${driver}: streamed ${r.rows} rows, expected ${rows}`));
      resolve({ value: r.rowsPerSecond, cpuUsPerOp: r.cpuUsPerRow, extra: { peakRssMB: r.peakRssMB } });
    });
  });
}

const W7: Workload = {
  id: "W7",
  title: "stream 1M rows (SSCursor / mysql2 stream / mariadb queryStream), child process",
  unit: "rows/s",
  ownProcess: true,
  run(driver, sizes, cfg) {
    return streamInChild(driver.name, sizes.streamRows, cfg);
  },
};

const W8: Workload = {
  id: "W8",
  title: "connect + close",
  unit: "ops/s",
  async run(driver, sizes) {
    const t = startClock();
    for (let i = 0; i < sizes.connects; i++) {
      const conn = await driver.connect();
      await conn.close();
    }
    return stopClock(sizes.connects, t);
  },
};

export const WORKLOADS: Workload[] = [W1, selectWorkload("W2a", false), selectWorkload("W2d", true), W3, W4, W5, W6, W7, W8];

/** SQL that (re)creates the benchmark tables with `rows` rows (MariaDB's SEQUENCE engine). */
export function setupSql(rows: number): string[] {
  const columns =
    "id INT NOT NULL PRIMARY KEY, big BIGINT NOT NULL, dbl DOUBLE NOT NULL, price DECIMAL(12,2) NOT NULL, " +
    "name VARCHAR(64) NOT NULL, body TEXT NOT NULL, created DATETIME(6) NOT NULL, day DATE NOT NULL, " +
    "flag TINYINT NOT NULL, maybe INT NULL";
  return [
    `DROP TABLE IF EXISTS ${SELECT_TABLE}, ${INSERT_TABLE}`,
    `CREATE TABLE ${SELECT_TABLE} (${columns}) ENGINE=InnoDB`,
    `CREATE TABLE ${INSERT_TABLE} (${columns}) ENGINE=InnoDB`,
    `INSERT INTO ${SELECT_TABLE} SELECT seq, seq * 1000003, seq / 7, seq / 3, CONCAT('name-', seq), ` +
      `REPEAT('x', 20 + seq % 50), TIMESTAMP'2024-01-01 00:00:00' + INTERVAL seq SECOND + INTERVAL seq % 1000000 MICROSECOND, ` +
      `DATE'2024-01-01' + INTERVAL seq % 365 DAY, seq % 2, IF(seq % 5 = 0, NULL, seq) FROM seq_1_to_${rows}`,
  ];
}
