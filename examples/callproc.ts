// Seed 7.7.1: a stored procedure that just increments its input value.
import assert from "node:assert/strict";
import * as aiomysql from "aiomysql";
import { config, runIfMain } from "./config.js";

export async function main(): Promise<void> {
  const conn = await aiomysql.connect({ ...config, db: "test_pymysql" });

  {
    await using cur = await conn.cursor();
    await cur.execute("DROP PROCEDURE IF EXISTS myinc;");
    await cur.execute(`CREATE PROCEDURE myinc(p1 INT)
                       BEGIN
                           SELECT p1 + 1;
                       END`);

    await cur.callProc("myinc", [1]);
    const [ret] = (await cur.fetchOne()) ?? [];
    assert.equal(ret, 2);
    console.log(ret);
  }
  conn.close();
}

runIfMain(import.meta.url, main);
