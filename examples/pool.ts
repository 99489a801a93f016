// Seed 7.7.1, "Example of using connection pool", and 7.4's basic usage.
import assert from "node:assert/strict";
import * as aiomysql from "aiomysql";
import { config, runIfMain } from "./config.js";

export async function main(): Promise<void> {
  const pool = await aiomysql.createPool({ ...config, db: "mysql" });

  {
    await using conn = await pool.acquire();
    await using cur = await conn.cursor();
    await cur.execute("SELECT 42;");
    console.log(cur.description);
    const [r] = (await cur.fetchOne()) ?? [];
    assert.equal(r, 42);
  }
  pool.close();
  await pool.waitClosed();

  // 7.4: autocommit: false, SELECT 10.
  const pool2 = await aiomysql.createPool({ ...config, db: "mysql", autocommit: false });
  {
    await using conn = await pool2.acquire();
    await using cur = await conn.cursor();
    await cur.execute("SELECT 10");
    const [r] = (await cur.fetchOne()) ?? [];
    assert.equal(r, 10);
  }
  pool2.close();
  await pool2.waitClosed();
}

runIfMain(import.meta.url, main);
