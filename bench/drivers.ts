// One adapter per driver, so that every workload runs the same operation through each of them.
// Like is compared with like: our array rows against the peers' `rowsAsArray`, our DictCursor
// against their object rows, our server-side prepared statements against theirs.
// The peers are loaded only when used, so that a W7 child process holds one driver's code only.
import type * as mariadb from "mariadb";
import type * as mysql2 from "mysql2/promise";
import * as aiomysql from "../src/index.js";

/** Where the benchmark server is. */
export interface ServerConfig {
  host: string;
  port: number;
  user: string;
  password: string;
  db: string;
}

export type Row = unknown[] | Record<string, unknown>;

/** The operations the workloads need, on one open connection. */
export interface BenchConnection {
  /** Runs `sql` and returns its rows, as arrays or as objects. */
  query(sql: string, dict: boolean): Promise<Row[]>;
  /** A server-side prepared statement: executes it with `args` and returns its rows. */
  execute(sql: string, args: unknown[]): Promise<Row[]>;
  /** Inserts rows into `table` (columns in order) the driver's fastest documented way. */
  insertMany(table: string, columns: string[], rows: unknown[][]): Promise<void>;
  /** Streams the rows of `sql` with bounded memory; returns how many there were. */
  stream(sql: string): Promise<number>;
  close(): Promise<void>;
}

/** A pool of connections that runs single statements. */
export interface BenchPool {
  query(sql: string): Promise<Row[]>;
  close(): Promise<void>;
}

export interface Driver {
  readonly name: string;
  connect(): Promise<BenchConnection>;
  pool(size: number): Promise<BenchPool>;
}

const STREAM_BATCH = 1000;

// ---- aiomysql (this library) ----

class OursConnection implements BenchConnection {
  private readonly statements = new Map<string, aiomysql.PreparedStatement>();
  constructor(readonly conn: aiomysql.Connection) {}

  async query(sql: string, dict: boolean): Promise<Row[]> {
    const cur = dict ? this.conn.cursor(aiomysql.DictCursor) : this.conn.cursor();
    await cur.execute(sql);
    return (await cur.fetchAll()) as Row[];
  }

  async execute(sql: string, args: unknown[]): Promise<Row[]> {
    let stmt = this.statements.get(sql);
    if (stmt === undefined) {
      stmt = await this.conn.prepare(sql);
      this.statements.set(sql, stmt);
    }
    const result = await stmt.execute(args as aiomysql.SqlParam[]);
    return result.rows as Row[];
  }

  async insertMany(table: string, columns: string[], rows: unknown[][]): Promise<void> {
    const cur = this.conn.cursor();
    const marks = columns.map(() => "%s").join(",");
    await cur.executeMany(`INSERT INTO ${table} (${columns.join(",")}) VALUES (${marks})`, rows as aiomysql.SqlParam[][]);
  }

  async stream(sql: string): Promise<number> {
    const cur = this.conn.cursor(aiomysql.SSCursor);
    await cur.execute(sql);
    let n = 0;
    for (;;) {
      const batch = await cur.fetchMany(STREAM_BATCH);
      if (batch.length === 0) break;
      n += batch.length;
    }
    await cur.close();
    return n;
  }

  async close(): Promise<void> {
    await this.conn.ensureClosed();
  }
}

export function oursDriver(cfg: ServerConfig): Driver {
  return {
    name: "aiomysql",
    async connect() {
      return new OursConnection(await aiomysql.connect({ ...cfg, autocommit: true }));
    },
    async pool(size) {
      const pool = await aiomysql.createPool({ ...cfg, autocommit: true, minSize: size, maxSize: size });
      return {
        async query(sql) {
          // The one-call helper, as the peers' pool.query(): it pipelines when every connection is busy.
          return pool.query<Row>(sql);
        },
        async close() {
          pool.close();
          await pool.waitClosed();
        },
      };
    },
  };
}

// ---- mysql2 ----

class Mysql2Connection implements BenchConnection {
  constructor(readonly conn: mysql2.Connection) {}

  async query(sql: string, dict: boolean): Promise<Row[]> {
    const [rows] = await this.conn.query({ sql, rowsAsArray: !dict });
    return rows as Row[];
  }

  async execute(sql: string, args: unknown[]): Promise<Row[]> {
    const [rows] = await this.conn.execute({ sql, rowsAsArray: true }, args as never[]);
    return rows as Row[];
  }

  async insertMany(table: string, columns: string[], rows: unknown[][]): Promise<void> {
    // mysql2's documented bulk insert: one multi-row INSERT with `VALUES ?`, in chunks.
    const chunk = 10000;
    for (let i = 0; i < rows.length; i += chunk) {
      await this.conn.query(`INSERT INTO ${table} (${columns.join(",")}) VALUES ?`, [rows.slice(i, i + chunk)]);
    }
  }

  stream(sql: string): Promise<number> {
    return new Promise((resolve, reject) => {
      let n = 0;
      // The callback core of mysql2: 'result' per row, the socket paused while it is busy.
      const core = (this.conn as unknown as { connection: { query(o: object): NodeJS.EventEmitter } }).connection;
      core
        .query({ sql, rowsAsArray: true })
        .on("result", () => {
          n++;
        })
        .on("error", reject)
        .on("end", () => resolve(n));
    });
  }

  async close(): Promise<void> {
    await this.conn.end();
  }
}

export function mysql2Driver(cfg: ServerConfig): Driver {
  const opts = { host: cfg.host, port: cfg.port, user: cfg.user, password: cfg.password, database: cfg.db };
  return {
    name: "mysql2",
    async connect() {
      const m = await import("mysql2/promise");
      return new Mysql2Connection(await m.createConnection(opts));
    },
    async pool(size) {
      const m = await import("mysql2/promise");
      const pool = m.createPool({ ...opts, connectionLimit: size });
      return {
        async query(sql) {
          const [rows] = await pool.query({ sql, rowsAsArray: true });
          return rows as Row[];
        },
        async close() {
          await pool.end();
        },
      };
    },
  };
}

// ---- mariadb (MariaDB's own Node.js connector) ----

class MariadbConnection implements BenchConnection {
  constructor(readonly conn: mariadb.Connection) {}

  async query(sql: string, dict: boolean): Promise<Row[]> {
    const rows = (await this.conn.query({ sql, rowsAsArray: !dict })) as Row[];
    return Array.from(rows);
  }

  async execute(sql: string, args: unknown[]): Promise<Row[]> {
    return (await this.conn.execute({ sql, rowsAsArray: true }, args)) as Row[];
  }

  async insertMany(table: string, columns: string[], rows: unknown[][]): Promise<void> {
    const marks = columns.map(() => "?").join(",");
    await this.conn.batch(`INSERT INTO ${table} (${columns.join(",")}) VALUES (${marks})`, rows);
  }

  async stream(sql: string): Promise<number> {
    let n = 0;
    for await (const row of this.conn.queryStream({ sql, rowsAsArray: true })) {
      void row;
      n++;
    }
    return n;
  }

  async close(): Promise<void> {
    await this.conn.end();
  }
}

export function mariadbDriver(cfg: ServerConfig): Driver {
  const opts = { host: cfg.host, port: cfg.port, user: cfg.user, password: cfg.password, database: cfg.db };
  return {
    name: "mariadb",
    async connect() {
      const m = await import("mariadb");
      return new MariadbConnection(await m.createConnection(opts));
    },
    async pool(size) {
      const m = await import("mariadb");
      const pool = m.createPool({ ...opts, connectionLimit: size, minimumIdle: size });
      return {
        async query(sql) {
          return (await pool.query({ sql, rowsAsArray: true })) as Row[];
        },
        async close() {
          await pool.end();
        },
      };
    },
  };
}

/** Every driver by name, ours first. */
export function allDrivers(cfg: ServerConfig): Driver[] {
  return [oursDriver(cfg), mysql2Driver(cfg), mariadbDriver(cfg)];
}
