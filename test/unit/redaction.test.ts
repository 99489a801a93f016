// Password literals are masked in echo output, traces and errors: every form the server accepts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { redactSecrets, redactSql, scrubMessage } from "../../src/sql/redact.js";

// [statement, masked statement]
const FORMS: [string, string][] = [
  ["CREATE USER 'u'@'%' IDENTIFIED BY 's3cret'", "CREATE USER 'u'@'%' IDENTIFIED BY '***'"],
  ["ALTER USER u IDENTIFIED BY PASSWORD '*94BDCEBE19083CE2A1F959FD02F964C7AF4CFC29'", "ALTER USER u IDENTIFIED BY PASSWORD '***'"],
  ["ALTER USER u IDENTIFIED BY _utf8mb4'p4ss'", "ALTER USER u IDENTIFIED BY _utf8mb4'***'"],
  ["ALTER USER u IDENTIFIED BY _latin1 'p4ss'", "ALTER USER u IDENTIFIED BY _latin1 '***'"],
  ["ALTER USER u IDENTIFIED BY N'p4ss'", "ALTER USER u IDENTIFIED BY N'***'"],
  ["ALTER USER u IDENTIFIED WITH mysql_native_password BY 'p4ss'", "ALTER USER u IDENTIFIED WITH mysql_native_password BY '***'"],
  ["ALTER USER u IDENTIFIED WITH caching_sha2_password AS '$A$005$hash'", "ALTER USER u IDENTIFIED WITH caching_sha2_password AS '***'"],
  ["ALTER USER x IDENTIFIED VIA ed25519 USING PASSWORD('pw')", "ALTER USER x IDENTIFIED VIA ed25519 USING PASSWORD('***')"],
  ["ALTER USER x IDENTIFIED VIA ed25519 USING 'hash'", "ALTER USER x IDENTIFIED VIA ed25519 USING '***'"],
  ["SET PASSWORD FOR u = PASSWORD('it''s')", "SET PASSWORD FOR u = PASSWORD('***')"],
  ["SET PASSWORD = 'plain'", "SET PASSWORD = '***'"],
  ["CHANGE MASTER TO MASTER_HOST='h', MASTER_PASSWORD='repl-pw'", "CHANGE MASTER TO MASTER_HOST='h', MASTER_PASSWORD='***'"],
  ['CHANGE MASTER TO MASTER_PASSWORD = "dq-pw"', 'CHANGE MASTER TO MASTER_PASSWORD = "***"'],
  ["ALTER USER u IDENTIFIED BY'tight'", "ALTER USER u IDENTIFIED BY'***'"],
  ["CHANGE REPLICATION SOURCE TO SOURCE_PASSWORD='src-pw'", "CHANGE REPLICATION SOURCE TO SOURCE_PASSWORD='***'"],
  [
    "CREATE SERVER s FOREIGN DATA WRAPPER mysql OPTIONS (USER 'u', PASSWORD 'fed-pw', HOST 'h')",
    "CREATE SERVER s FOREIGN DATA WRAPPER mysql OPTIONS (USER 'u', PASSWORD '***', HOST 'h')",
  ],
  ["ALTER USER u IDENTIFIED BY 'a\\'b'", "ALTER USER u IDENTIFIED BY '***'"],
  ["SELECT 'IDENTIFIED'", "SELECT 'IDENTIFIED'"],
  ["SELECT password FROM accounts", "SELECT password FROM accounts"],
];

describe("redactSql", () => {
  for (const [sql, masked] of FORMS) {
    it(`masks ${sql.slice(0, 60)}`, () => {
      assert.equal(redactSql(sql), masked);
    });
  }

  it("reports what it masked, so server messages quoting the statement can be scrubbed", () => {
    const r = redactSecrets("ALTER USER nobody IDENTIFIED BY 'Hunter2-secret'");
    assert.deepEqual(r.secrets, ["Hunter2-secret"]);
    assert.equal(
      scrubMessage("You have an error in your SQL syntax near 'Hunter2-secret' at line 1", r),
      "You have an error in your SQL syntax near '***' at line 1",
    );
  });
});
