// Seed 7.7.1, "Low-level API": fetch host and user information from the internal table `user`.
import * as aiomysql from "aiomysql";
import { config, runIfMain } from "./config.js";

export async function main(): Promise<void> {
  const conn = await aiomysql.connect({ ...config, db: "mysql" });

  {
    await using cur = await conn.cursor();
    await cur.execute("SELECT Host,User FROM user");
    console.log(cur.description);
    const r = await cur.fetchAll();
    console.log(r);
  }
  conn.close();
}

runIfMain(import.meta.url, main);
