// The SQL text and operation name aiomysql/otel puts on spans.
import assert from "node:assert/strict";
import { it } from "node:test";
import { operationName, sanitizeSql } from "../../src/otel/index.js";

it("replaces every kind of literal by ?", () => {
  assert.equal(
    sanitizeSql("SELECT 'a', \"b\", 'it''s', 'back\\'slash', 12, 1.5, .5, 1e-3, 0x1F, X'1F', b'01', 0b11"),
    "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?",
  );
  assert.equal(sanitizeSql("INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y')"), "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)");
  assert.equal(sanitizeSql("UPDATE t SET a = -5 WHERE id IN (1,2)"), "UPDATE t SET a = -? WHERE id IN (?,?)");
});

it("keeps identifiers, placeholders and comments, and knows MySQL's quoting", () => {
  assert.equal(
    sanitizeSql("SELECT t1.c2, `we'ird 1` FROM db1.t1 WHERE x = ? -- note 'a'\n AND y = 3"),
    "SELECT t1.c2, `we'ird 1` FROM db1.t1 WHERE x = ? -- note 'a'\n AND y = ?",
  );
  assert.equal(sanitizeSql("SELECT 1abc, abc1 /* 'k' */ # 'z'"), "SELECT 1abc, abc1 /* 'k' */ # 'z'");
  // With NO_BACKSLASH_ESCAPES a backslash ends nothing: 'a\' is a whole literal.
  assert.equal(sanitizeSql("SELECT 'a\\', 'c'", true), "SELECT ?, ?");
  assert.equal(sanitizeSql("SELECT 'a\\', 'c'"), "SELECT ?c?", "here the backslash escapes the quote");
  assert.equal(sanitizeSql("SELECT 'unterminated"), "SELECT ?");
});

it("names the operation by the first keyword", () => {
  assert.equal(operationName("  select 1"), "SELECT");
  assert.equal(operationName("/* hint */ -- x\n(SELECT 1) UNION (SELECT 2)"), "SELECT");
  assert.equal(operationName("insert into t values (1)"), "INSERT");
  assert.equal(operationName("BEGIN;"), "BEGIN");
  assert.equal(operationName("  "), null);
});
