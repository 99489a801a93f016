// The `people` table that the seed's DictCursor examples read from.
import type { Connection } from "aiomysql";

export async function createPeople(conn: Connection): Promise<void> {
  await using cur = conn.cursor();
  await cur.execute("DROP TABLE IF EXISTS people");
  await cur.execute("CREATE TABLE people (name VARCHAR(255), age INT, DOB DATETIME)");
  await cur.executeMany("INSERT INTO people (name, age, DOB) VALUES (%s, %s, %s)", [
    ["bob", 20, new Date(1990, 1, 6, 23, 4, 56)],
    ["jim", 56, new Date(1955, 4, 9, 13, 12, 45)],
    ["fred", 100, new Date(1911, 8, 12, 1, 1, 1)],
  ]);
}
