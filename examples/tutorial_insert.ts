// Seed 7.5.3, "Inserting Data": explicit commit, then the same with autocommit: true.
import * as aiomysql from "aiomysql";
import { config, runIfMain } from "./config.js";

async function createAndFill(conn: aiomysql.Connection, commit: boolean): Promise<void> {
  await using cur = await conn.cursor();
  await cur.execute("DROP TABLE IF EXISTS music_style;");
  await cur.execute(`CREATE TABLE music_style
                     (id INT,
                      name VARCHAR(255),
                      PRIMARY KEY (id));`);
  if (commit) await conn.commit();

  // insert 3 rows one by one
  await cur.execute("INSERT INTO music_style VALUES(1,'heavy metal')");
  await cur.execute("INSERT INTO music_style VALUES(2,'death metal');");
  await cur.execute("INSERT INTO music_style VALUES(3,'power metal');");
  if (commit) await conn.commit();

  await cur.execute("SELECT * FROM music_style ORDER BY id");
  console.log(await cur.fetchAll());
}

export async function main(): Promise<void> {
  // autocommit is false by default: commit() by hand.
  const conn = await aiomysql.connect({ ...config, db: "test_pymysql" });
  await createAndFill(conn, true);
  conn.close();

  // Example with autocommit: true.
  const conn2 = await aiomysql.connect({ ...config, db: "test_pymysql", autocommit: true });
  await createAndFill(conn2, false);
  conn2.close();
}

runIfMain(import.meta.url, main);
