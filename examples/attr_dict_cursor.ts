// Seed 7.3: customising DictCursor rows with your own class, like the seed's AttrDictCursor.
import assert from "node:assert/strict";
import * as aiomysql from "aiomysql";
import { config, runIfMain } from "./config.js";
import { createPeople } from "./people.js";

/** Gives null instead of undefined for a missing column, like the seed's AttrDict. */
class AttrDict {
  [column: string]: unknown;
  constructor() {
    return new Proxy(this, { get: (target, key) => (key in target ? Reflect.get(target, key) : null) });
  }
}

class AttrDictCursor extends aiomysql.DictCursor<AttrDict> {
  override dictType = AttrDict;
}

export async function main(): Promise<void> {
  const conn = await aiomysql.connect({ ...config, db: "test_pymysql", autocommit: true });
  await createPeople(conn);

  // create your dict cursor
  const cursor = await conn.cursor(AttrDictCursor);

  // execute sql query
  await cursor.execute("SELECT * from people where name='bob'");

  // fetch all results
  const r = await cursor.fetchOne();
  console.log(r);
  console.log(r?.age);
  // 20
  console.log(r?.foo);
  // null
  assert.equal(r?.age, 20);
  assert.equal(r?.foo, null);
  conn.close();
}

runIfMain(import.meta.url, main);
