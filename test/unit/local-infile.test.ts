// Which file a LOAD DATA LOCAL INFILE statement names.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { localInfileFileNames, statementNamesFile } from "../../src/sql/local-infile.js";

describe("localInfileFileNames", () => {
  it("reads the file name literal", () => {
    assert.deepEqual(localInfileFileNames("LOAD DATA LOCAL INFILE '/tmp/a.csv' INTO TABLE t"), ["/tmp/a.csv"]);
    assert.deepEqual(localInfileFileNames('load data low_priority local infile "b.txt" into table t'), ["b.txt"]);
    assert.deepEqual(localInfileFileNames("LOAD XML CONCURRENT LOCAL INFILE 'x.xml' INTO TABLE t"), ["x.xml"]);
  });

  it("undoes escapes and doubled quotes", () => {
    assert.deepEqual(localInfileFileNames("LOAD DATA LOCAL INFILE 'it''s\\\\a.csv' INTO TABLE t"), ["it's\\a.csv"]);
    assert.deepEqual(localInfileFileNames("LOAD DATA LOCAL INFILE 'c:\\\\x' INTO TABLE t", true), ["c:\\\\x"]);
  });

  it("ignores names inside other strings and comments", () => {
    assert.deepEqual(localInfileFileNames("SELECT 'LOAD DATA LOCAL INFILE ''/etc/passwd'''"), []);
    assert.deepEqual(localInfileFileNames("/* LOAD DATA LOCAL INFILE '/etc/passwd' */ SELECT 1"), []);
    assert.deepEqual(localInfileFileNames("SELECT 1 -- LOAD DATA LOCAL INFILE '/etc/passwd'\n"), []);
  });

  it("finds each statement's file with multi-statements", () => {
    const sql = "LOAD DATA LOCAL INFILE 'a' INTO TABLE t; LOAD DATA LOCAL INFILE 'b' INTO TABLE u";
    assert.deepEqual(localInfileFileNames(sql), ["a", "b"]);
  });

  it("matches only the exact name, not a substring of the statement", () => {
    const sql = "LOAD DATA LOCAL INFILE '/tmp/data.csv' INTO TABLE t";
    assert.equal(statementNamesFile(sql, "/tmp/data.csv"), true);
    assert.equal(statementNamesFile(sql, "/tmp/data"), false);
    assert.equal(statementNamesFile("SELECT '/etc/passwd'", "/etc/passwd"), false);
  });
});
