// aiomysql/sa without a server: how execute() arguments become statements, RowProxy access,
// and the rule that the core never loads the optional builders.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { ProgrammingError } from "../../src/errors.js";
import { plan } from "../../src/sa/query.js";
import { RowLayout, RowProxy } from "../../src/sa/rowproxy.js";

describe("sa: execute() parameters (SQLAlchemy's rule)", () => {
  it("separate values and one array are positional; one object is named", () => {
    assert.deepEqual(plan("SELECT %s, %s", [1, "a"]), { kind: "format", sql: "SELECT %s, %s", args: [1, "a"] });
    assert.deepEqual(plan("SELECT %s, %s", [[1, "a"]]), { kind: "format", sql: "SELECT %s, %s", args: [1, "a"] });
    assert.deepEqual(plan("SELECT %s", [5]), { kind: "format", sql: "SELECT %s", args: [5] });
    assert.deepEqual(plan("SELECT %(a)s", [{ a: 1 }]), { kind: "format", sql: "SELECT %(a)s", args: { a: 1 } });
    assert.deepEqual(plan("SELECT 1", []), { kind: "format", sql: "SELECT 1", args: undefined });
    const d = new Date(0);
    assert.deepEqual(plan("SELECT %s", [d]), { kind: "format", sql: "SELECT %s", args: [d] }, "a Date is one value, not named arguments");
  });

  it("one array of arrays or objects runs the statement once per item", () => {
    assert.deepEqual(plan("INSERT %s", [[[1], [2]]]), { kind: "formatMany", sql: "INSERT %s", list: [[1], [2]] });
    assert.deepEqual(plan("INSERT %(a)s", [[{ a: 1 }, { a: 2 }]]), { kind: "formatMany", sql: "INSERT %(a)s", list: [{ a: 1 }, { a: 2 }] });
    assert.deepEqual(plan("SELECT %s", [[]]), { kind: "format", sql: "SELECT %s", args: [] });
  });

  it("builders: compile(), toSQL() with params or bindings, lists of statements, compiled objects", () => {
    const kysely = { compile: () => ({ sql: "SELECT ?", parameters: [1] }) };
    const drizzle = { toSQL: () => ({ sql: "SELECT ?", params: [2] }) };
    const knex = { toSQL: () => ({ sql: "SELECT ?", bindings: [3], toNative: () => ({ sql: "SELECT ?", bindings: [3] }) }) };
    const schema = {
      toSQL: () => [
        { sql: "CREATE TABLE a (x INT)", bindings: [] },
        { sql: "CREATE INDEX i ON a (x)", bindings: [] },
      ],
    };
    assert.deepEqual(plan(kysely, []), { kind: "qmark", statements: [{ sql: "SELECT ?", params: [1] }] });
    assert.deepEqual(plan(drizzle, []), { kind: "qmark", statements: [{ sql: "SELECT ?", params: [2] }] });
    assert.deepEqual(plan(knex, []), { kind: "qmark", statements: [{ sql: "SELECT ?", params: [3] }] });
    assert.deepEqual(plan(knex.toSQL().toNative(), []), { kind: "qmark", statements: [{ sql: "SELECT ?", params: [3] }] });
    assert.equal((plan(schema, []) as { statements: unknown[] }).statements.length, 2);
    const bare = { sql: "INSERT INTO t VALUES (?, ?)", params: [] };
    assert.deepEqual(plan(bare, [1, 2]), { kind: "qmark", statements: [{ sql: bare.sql, params: [1, 2] }] });
    assert.deepEqual(
      plan(bare, [
        [
          [1, 2],
          [3, 4],
        ],
      ]),
      {
        kind: "qmarkMany",
        sql: bare.sql,
        list: [
          [1, 2],
          [3, 4],
        ],
      },
    );
  });

  it("refuses what it cannot run, with a ProgrammingError", () => {
    assert.throws(() => plan(42, []), ProgrammingError);
    assert.throws(() => plan(null, []), ProgrammingError);
    assert.throws(() => plan({ compile: () => ({ nope: 1 }) }, []), ProgrammingError);
    assert.throws(() => plan({ sql: "SELECT ?", params: "x" }, []), ProgrammingError);
    assert.throws(() => plan({ sql: "SELECT ?", params: [1] }, [2]), /already carries its parameters/);
    assert.throws(() => plan({ sql: "SELECT ?", params: [] }, [{ a: 1 }]), /positional/);
    assert.throws(() => plan({ sql: "SELECT ?", params: [] }, [[{ a: 1 }]]), /array of arrays/);
  });
});

describe("sa: RowProxy", () => {
  const layout = new RowLayout(["id", "val", "keys"]);
  const row = RowProxy.wrap<{ id: number; val: string }>([1, "a", "k"], layout);

  it("reads by position, name and column object; methods win over same-named columns", () => {
    assert.equal(row[0], 1);
    assert.equal(row[-1], "k");
    assert.equal(row[3], undefined);
    assert.equal(row.id, 1);
    assert.equal(typeof row.keys, "function");
    assert.equal(row.get("keys"), "k");
    assert.equal(row.get({ name: "val" }), "a");
    assert.equal(row.has("val"), true);
    assert.equal(row.has(7), false);
    assert.throws(() => row.get(1.5 as unknown as number), ProgrammingError);
    assert.throws(() => row.get({} as { name: string }), ProgrammingError);
    assert.equal("0" in row, true);
    assert.equal("5" in row, false);
    assert.ok(row instanceof RowProxy);
    assert.deepEqual(row.entries(), [
      ["id", 1],
      ["val", "a"],
      ["keys", "k"],
    ]);
  });

  it("is read-only", () => {
    const r = row as unknown as Record<string, unknown>;
    assert.throws(() => {
      r.val = "b";
    }, ProgrammingError);
    assert.throws(() => {
      delete r.val;
    }, ProgrammingError);
    assert.equal(row.val, "a");
  });
});

describe("the core does not load the optional builders", () => {
  it("no module reachable from src/index.ts imports kysely, drizzle-orm or knex", () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const seen = new Set<string>();
    const offenders: string[] = [];
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
        const spec = m[1]!;
        if (/^(kysely|drizzle-orm|knex)(\/|$)/.test(spec)) offenders.push(`${file}: ${spec}`);
        if (spec.startsWith(".")) visit(resolve(dirname(file), spec));
      }
    };
    visit(join(here, "../../src/index.js"));
    assert.ok(seen.size > 5);
    assert.deepEqual(offenders, []);
  });
});
