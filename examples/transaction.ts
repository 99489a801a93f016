// Seed 7.7.1: transactions, rollback and commit.
import assert from "node:assert/strict";
import * as aiomysql from "aiomysql";
import { config, runIfMain } from "./config.js";

export async function main(): Promise<void> {
  const conn = await aiomysql.connect({ ...config, db: "test_pymysql", autocommit: false });

  const cursor = await conn.cursor();
  const stmtDrop = "DROP TABLE IF EXISTS names";
  await cursor.execute(stmtDrop);
  await cursor.execute(`
      CREATE TABLE names (
          id TINYINT UNSIGNED NOT NULL AUTO_INCREMENT,
          name VARCHAR(30) DEFAULT '' NOT NULL,
          cnt TINYINT UNSIGNED DEFAULT 0,
          PRIMARY KEY (id))`);
  await conn.commit();

  // Insert 3 records
  const names = [["Geert"], ["Jan"], ["Michel"]];
  const stmtInsert = "INSERT INTO names (name) VALUES (%s)";
  await cursor.executeMany(stmtInsert, names);

  // Roll back!!!!
  await conn.rollback();

  // There should be no data!
  const stmtSelect = "SELECT id, name FROM names ORDER BY id";
  await cursor.execute(stmtSelect);
  let resp = await cursor.fetchAll();
  // Check there is no data
  assert.equal(resp.length, 0);

  // Do the insert again.
  await cursor.executeMany(stmtInsert, names);

  // Data should be already there
  await cursor.execute(stmtSelect);
  resp = await cursor.fetchAll();
  console.log(resp);
  // Do a commit
  await conn.commit();

  await cursor.execute(stmtSelect);
  console.log(resp);

  // Cleaning up, dropping the table again
  await cursor.execute(stmtDrop);
  await cursor.close();
  conn.close();
}

runIfMain(import.meta.url, main);
