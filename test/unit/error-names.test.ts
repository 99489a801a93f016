// Every server error number has its name in `code`, MariaDB's or MySQL's by the server that
// sent it; `sqlMessage` is the server's message, as mysql2 users expect.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MySQLError, OperationalError } from "../../src/index.js";
import { serverError } from "../../src/errors.js";
import { ER } from "../../src/protocol/er.js";
import { MARIADB_ER_NAMES, MYSQL_ER_NAMES } from "../../src/protocol/er-names.js";
import { serverErrorName } from "../../src/protocol/error-names.js";

function count(lines: readonly string[]): number {
  return lines.flatMap((l) => l.split(" ")).filter((t) => !/^\d/.test(t)).length;
}

describe("server error names", () => {
  it("names the numbers that used to fall back to ER_<n>", () => {
    assert.equal(serverError(1792, "25006", "read only", undefined, true).code, "ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION");
    assert.equal(serverError(1644, "45000", "signalled", undefined, true).code, "ER_SIGNAL_EXCEPTION");
    assert.equal(serverError(1213, "40001", "deadlock", undefined, false).code, "ER_LOCK_DEADLOCK");
  });

  it("uses the sending server's name where MariaDB and MySQL differ", () => {
    assert.equal(serverError(4025, "23000", "m", undefined, true).code, "ER_CONSTRAINT_FAILED");
    assert.equal(serverError(4025, "HY000", "m", undefined, false).code, "ER_INNODB_AUTOEXTEND_SIZE_OUT_OF_RANGE");
    // A number only MySQL names still gets its name from a MariaDB connection.
    assert.equal(serverErrorName(3819, true), "ER_CHECK_CONSTRAINT_VIOLATED");
  });

  it("keeps the WARN_ names both servers use without the ER_ prefix", () => {
    assert.equal(serverError(1265, "01000", "m", undefined, true).code, "WARN_DATA_TRUNCATED");
  });

  it("covers both servers' lists, and agrees with the ER constants", () => {
    assert.ok(count(MARIADB_ER_NAMES) > 1100, "MariaDB's names");
    assert.ok(count(MYSQL_ER_NAMES) > 800, "MySQL's names that differ from MariaDB's");
    for (const [name, errno] of Object.entries(ER)) {
      const names = [serverErrorName(errno, true), serverErrorName(errno, false)];
      assert.ok(names.includes(`ER_${name}`) || names.includes(name), `ER.${name} (${errno}) is ${names.join(" / ")}`);
    }
  });

  it("falls back to ER_<n> only for numbers neither server names, and keeps client codes", () => {
    assert.equal(serverError(1900, "HY000", "m", undefined, true).code, "ER_1900");
    assert.equal(new OperationalError("lost", { errno: 2013 }).code, "CR_SERVER_LOST");
    assert.equal(new MySQLError("x").code, "AIOMYSQL_ERROR");
  });

  it("sets sqlMessage to the server's message", () => {
    const e = serverError(1062, "23000", "Duplicate entry '1' for key 'PRIMARY'", "INSERT ...", true);
    assert.equal(e.sqlMessage, "Duplicate entry '1' for key 'PRIMARY'");
    assert.equal(e.message, e.sqlMessage);
    assert.equal(new OperationalError("client side").sqlMessage, undefined);
  });
});
