// Compile-time checks of the public types: `npm run build:test` fails when one regresses.
// The test at the bottom only makes the runner count this file.
import assert from "node:assert/strict";
import { it } from "node:test";
import type { Connection, ColumnDescription, DictRow, Pool, Row, SqlValue } from "../../src/index.js";
import { Kysely, type Generated, type Selectable } from "kysely";
import { AiomysqlDialect } from "../../src/kysely/index.js";
import { createEngine, Engine, ResultProxy, RowProxy, SAConnection, type RowOf } from "../../src/sa/index.js";
import {
  connect,
  createPool,
  Cursor,
  DatabaseError,
  DictCursor,
  IntegrityError,
  MySQLWarning,
  SSCursor,
  SSDictCursor,
  Warning,
} from "../../src/index.js";

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | undefined {
  return undefined;
}

// Only type-checked, never run: the function is not called.
export async function typeChecks(conn: Connection, pool: Pool): Promise<void> {
  expectType<Equals<ReturnType<typeof connect>, Promise<Connection>>>();
  expectType<Equals<ReturnType<typeof createPool>, Promise<Pool>>>();

  const cur = conn.cursor();
  expectType<Equals<typeof cur, Cursor>>();
  const first = await cur.fetchOne();
  expectType<Equals<typeof first, Row | null>>();
  expectType<Equals<Row, SqlValue[]>>();
  const dict = conn.cursor(DictCursor);
  expectType<Equals<typeof dict, DictCursor<DictRow>>>();
  const all = await dict.fetchAll();
  expectType<Equals<typeof all, DictRow[]>>();
  const ss = conn.cursor(SSCursor);
  expectType<Equals<typeof ss, SSCursor<Row>>>();
  const ssd = conn.cursor(SSDictCursor);
  expectType<Equals<typeof ssd, SSDictCursor<DictRow>>>();

  // Row types through generics.
  interface User {
    id: number;
    name: string;
  }
  const users = await dict.fetchAll<User>();
  expectType<Equals<typeof users, User[]>>();
  const one = await dict.fetchOne<User>();
  expectType<Equals<typeof one, User | null>>();
  for await (const row of cur) expectType<Equals<typeof row, Row>>();

  // Description entries are named tuples.
  const d = cur.description;
  expectType<Equals<typeof d, ColumnDescription[] | null>>();
  if (d) {
    expectType<Equals<(typeof d)[0]["name"], string>>();
    expectType<Equals<(typeof d)[0][1], number>>();
  }

  // Synchronous where the seed says "not a coroutine".
  expectType<Equals<ReturnType<Connection["close"]>, void>>();
  expectType<Equals<ReturnType<Pool["close"]>, void>>();
  expectType<Equals<ReturnType<Pool["release"]>, void>>();
  expectType<Equals<ReturnType<Cursor["execute"]>, Promise<number>>>();
  expectType<Equals<Cursor["lastRowId"], number | bigint | null>>();

  // Parameters: objects are not values.
  // @ts-expect-error a plain object cannot be bound to %s
  await cur.execute("SELECT %s", [{ a: 1 }]);
  await cur.execute("SELECT %s, %s, %s, %s", [1, 2n, new Date(), Buffer.from("x")]);
  await cur.execute("SELECT %(a)s", { a: [1, 2, 3] });
  // @ts-expect-error cursor() takes a cursor class
  conn.cursor("DictCursor");

  // Disposal is available to plain JavaScript too.
  expectType<Equals<ReturnType<Connection[typeof Symbol.asyncDispose]>, Promise<void>>>();
  await using acquired = await pool.acquire();
  expectType<Equals<typeof acquired, Connection>>();
}

// A DictCursor subclass whose rows are instances of a class, typed by the class.
class Person {
  [column: string]: unknown;
  name = "";
}
class PersonCursor extends DictCursor<Person> {
  override dictType = Person;
}

// Only type-checked, never run: typed DictCursor subclasses, aiomysql/sa and aiomysql/kysely.
export async function typedRowChecks(conn: Connection, pool: Pool, sa: SAConnection): Promise<void> {
  const people = conn.cursor(PersonCursor);
  expectType<Equals<typeof people, PersonCursor>>();
  const person = await people.fetchOne();
  expectType<Equals<typeof person, Person | null>>();
  const everyone = await people.fetchAll();
  expectType<Equals<typeof everyone, Person[]>>();
  for await (const p of people) expectType<Equals<typeof p, Person>>();

  // aiomysql/sa: execute<Row>() types the rows; without it they are column records.
  expectType<Equals<ReturnType<typeof createEngine>, Promise<Engine>>>();
  interface Tbl {
    id: number;
    val: string | null;
  }
  const res = await sa.execute<Tbl>("SELECT id, val FROM tbl");
  expectType<Equals<typeof res, ResultProxy<Tbl>>>();
  const rows = await res.fetchAll();
  expectType<Equals<typeof rows, RowOf<Tbl>[]>>();
  const first = await res.first();
  expectType<Equals<typeof first, RowOf<Tbl> | null>>();
  if (first) {
    expectType<Equals<typeof first.id, number>>();
    expectType<Equals<typeof first.val, string | null>>();
    const asRow: RowProxy<Tbl> = first;
    void asRow;
    // @ts-expect-error rows are read-only
    first.id = 2;
    // @ts-expect-error no such column in the row type
    void first.missing;
  }
  for await (const row of res) expectType<Equals<typeof row.val, string | null>>();
  const count = await sa.scalar<number>("SELECT COUNT(*) FROM tbl");
  expectType<Equals<typeof count, number | null>>();
  const untyped = await (await sa.execute("SELECT 1 AS one")).fetchOne();
  expectType<Equals<typeof untyped, RowOf<Record<string, SqlValue>> | null>>();

  // aiomysql/kysely: Kysely's own row types through our dialect, on a Pool or a pool factory.
  interface Database {
    person: { id: Generated<number>; name: string; age: number | null };
  }
  const db = new Kysely<Database>({ dialect: new AiomysqlDialect({ pool }) });
  new Kysely<Database>({ dialect: new AiomysqlDialect({ pool: () => createPool({ autocommit: true }) }) });
  const adults = await db.selectFrom("person").select(["id", "name"]).where("age", ">=", 18).execute();
  expectType<Equals<typeof adults, { id: number; name: string }[]>>();
  const one = await db.selectFrom("person").selectAll().executeTakeFirst();
  expectType<Equals<typeof one, Selectable<Database["person"]> | undefined>>();
  const inserted = await db.insertInto("person").values({ name: "x", age: null }).executeTakeFirstOrThrow();
  expectType<Equals<typeof inserted.insertId, bigint | undefined>>();
  // @ts-expect-error unknown column
  await db.selectFrom("person").select("nope").execute();
}

it("error classes keep the PEP 249 hierarchy, and Warning is exported twice", () => {
  const e = new IntegrityError("dup", { errno: 1062 });
  assert.ok(e instanceof DatabaseError);
  assert.equal(MySQLWarning, Warning);
});
