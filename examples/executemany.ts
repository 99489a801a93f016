// Seed 7.7.1: inserting rows one by one, then several at once with executeMany.
import * as aiomysql from "aiomysql";
import { config, runIfMain } from "./config.js";

export async function main(): Promise<void> {
  const conn = await aiomysql.connect({ ...config, db: "test_pymysql" });

  {
    await using cur = await conn.cursor();
    await cur.execute("DROP TABLE IF EXISTS music_style;");
    await cur.execute(`CREATE TABLE music_style
                       (id INT,
                        name VARCHAR(255),
                        PRIMARY KEY (id));`);
    await conn.commit();

    // insert 3 rows one by one
    await cur.execute("INSERT INTO music_style VALUES(1,'heavy metal')");
    await cur.execute("INSERT INTO music_style VALUES(2,'death metal');");
    await cur.execute("INSERT INTO music_style VALUES(3,'power metal');");
    await conn.commit();

    // insert 3 rows by one long query using the executeMany method
    const data = [
      [4, "gothic metal"],
      [5, "doom metal"],
      [6, "post metal"],
    ];
    await cur.executeMany("INSERT INTO music_style (id, name)" + "values (%s,%s)", data);
    await conn.commit();

    // fetch all inserted rows from table music_style
    await cur.execute("SELECT * FROM music_style;");
    const result = await cur.fetchAll();
    console.log(result);
  }
  conn.close();
}

runIfMain(import.meta.url, main);
