// A failing statement that carries a password keeps the statement in err.sql (useful), but never
// the password: not in err.sql, the message, util.inspect, JSON or the tracing error context.
import assert from "node:assert/strict";
import { tracingChannel } from "node:diagnostics_channel";
import { inspect } from "node:util";
import { describe, it } from "node:test";
import { connect, MySQLError } from "../../src/index.js";
import { testOptions } from "../support/config.js";

const SECRET = "Leaky-Pa55word-In-Error";

function everyRendering(e: unknown): string {
  const err = e as Error;
  return [String(err), err.stack ?? "", inspect(err, { depth: 10 }), JSON.stringify(err), JSON.stringify({ ...err })].join("\n");
}

describe("passwords in errors", () => {
  for (const sql of [
    `ALTER USER 'no_such_user_x'@'%' IDENTIFIED BY '${SECRET}'`,
    `ALTER USER 'no_such_user_x'@'%' IDENTIFIED BY _utf8mb4'${SECRET}'`,
    `CHANGE MASTER TO MASTER_PASSWORD='${SECRET}' MASTER_HOST=`,
    `ALTER USER 'no_such_user_x'@'%' IDENTIFIED BY '${SECRET}' garbage`,
  ]) {
    it(`err.sql of a failing '${sql.slice(0, 40)}...' is masked`, async () => {
      await using conn = await connect(testOptions());
      const seen: unknown[] = [];
      const channel = tracingChannel("aiomysql:query");
      const handlers = {
        start() {},
        end() {},
        asyncStart() {},
        asyncEnd() {},
        error(ctx: { error: unknown }) {
          seen.push(ctx);
        },
      };
      channel.subscribe(handlers);
      try {
        const err = await conn
          .cursor()
          .execute(sql)
          .then(
            () => assert.fail("the statement should fail"),
            (e: unknown) => e,
          );
        assert.ok(err instanceof MySQLError, String(err));
        assert.ok(err.sql !== undefined && /IDENTIFIED BY|MASTER_PASSWORD/.test(err.sql), "err.sql keeps the statement");
        assert.match(err.sql, /\*\*\*/);
        assert.ok(!everyRendering(err).includes(SECRET), "the password appears nowhere in the error");
        assert.equal(seen.length, 1);
        assert.ok(!inspect(seen[0], { depth: 10 }).includes(SECRET), "nor in the tracing error context");
      } finally {
        channel.unsubscribe(handlers);
      }
    });
  }
});
