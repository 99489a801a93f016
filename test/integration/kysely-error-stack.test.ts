// Errors from the Kysely dialect name the caller: the stack continues past the socket
// callback into the code that awaited the query (this file), as with Kysely's mysql2 driver.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { Kysely, sql } from "kysely";
import { createPool, OperationalError } from "../../src/index.js";
import { AiomysqlDialect } from "../../src/kysely/index.js";
import { testOptions } from "../support/config.js";

const THIS_FILE = fileURLToPath(import.meta.url);
let db: Kysely<{ ky_stack: { id: number } }>;

/** The error `fn` rejects with, which must be an OperationalError (1054, an unknown column). */
async function failure(fn: () => Promise<unknown>): Promise<OperationalError> {
  try {
    await fn();
  } catch (e) {
    assert.ok(e instanceof OperationalError, `expected an OperationalError, got ${String(e)}`);
    return e;
  }
  assert.fail("the query should have failed");
}

async function selectMissingColumn(): Promise<unknown> {
  return await db
    .selectFrom("ky_stack")
    .select(sql`no_such_column`.as("x"))
    .execute();
}

describe("aiomysql/kysely error stacks", () => {
  before(async () => {
    db = new Kysely({ dialect: new AiomysqlDialect({ pool: await createPool(testOptions({ autocommit: true, maxSize: 2 })) }) });
    await sql`CREATE TABLE IF NOT EXISTS ky_stack (id INT PRIMARY KEY)`.execute(db);
  });
  after(async () => {
    await sql`DROP TABLE IF EXISTS ky_stack`.execute(db);
    await db.destroy();
  });

  it("a failed query's stack reaches the caller's function in this file", async () => {
    const e = await failure(() => selectMissingColumn());
    assert.match(e.stack ?? "", /selectMissingColumn/);
    assert.ok(e.stack?.includes(THIS_FILE), e.stack);
  });

  it("inside a transaction too", async () => {
    const e = await failure(() =>
      db.transaction().execute(async (trx) => {
        await trx
          .deleteFrom("ky_stack")
          .where(sql`no_such_column`, "=", 1)
          .execute();
      }),
    );
    assert.ok(e.stack?.includes(THIS_FILE), e.stack);
  });

  it("and while streaming", async () => {
    const e = await failure(async () => {
      for await (const row of db
        .selectFrom("ky_stack")
        .select(sql`no_such_column`.as("x"))
        .stream())
        void row;
    });
    assert.ok(e.stack?.includes(THIS_FILE), e.stack);
  });
});
