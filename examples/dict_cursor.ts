// Seed 7.3, DictCursor: rows as objects keyed by column name.
import * as aiomysql from "aiomysql";
import { config, runIfMain } from "./config.js";
import { createPeople } from "./people.js";

export async function main(): Promise<void> {
  const conn = await aiomysql.connect({ ...config, db: "test_pymysql", autocommit: true });
  await createPeople(conn);

  // create dict cursor
  const cursor = await conn.cursor(aiomysql.DictCursor);

  // execute sql query
  await cursor.execute("SELECT * from people where name='bob'");

  // fetch all results
  const r = await cursor.fetchOne();
  console.log(r);
  // { name: 'bob', age: 20, DOB: 1990-02-06T23:04:56.000Z }
  conn.close();
}

runIfMain(import.meta.url, main);
