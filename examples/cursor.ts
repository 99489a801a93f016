// Seed 7.3, Cursor: create a cursor, execute, fetch all, close the cursor, close the connection.
import * as aiomysql from "aiomysql";
import { config, runIfMain } from "./config.js";

export async function main(): Promise<void> {
  const conn = await aiomysql.connect({ ...config, db: "mysql" });

  // create default cursor
  const cursor = await conn.cursor();

  // execute sql query
  await cursor.execute("SELECT Host, User FROM user");

  // fetch all results
  const r = await cursor.fetchAll();
  console.log(r);

  // detach cursor from connection
  await cursor.close();

  // close connection
  conn.close();
}

runIfMain(import.meta.url, main);
