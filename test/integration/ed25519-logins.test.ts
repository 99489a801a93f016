// Many client_ed25519 logins in a row against the real MariaDB: each login signs a fresh
// 32-byte random nonce, and about one in 256 ends in 0x00. Every login must succeed, and
// each loop runs until it has seen several such nonces (bounded far above what that needs).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { connect, type Connection } from "../../src/index.js";
import { authPlugins } from "../../src/authenticate.js";
import type { AuthPlugin } from "../../src/auth/types.js";
import { testOptions } from "../support/config.js";

const ED_USER = "aiomysql_ed25519";
const ED_PASSWORD = "ed_pw";

/** Counts the client_ed25519 nonces that end in 0x00 while `fn` runs. */
async function countingZeroNonces(fn: (zeros: () => number) => Promise<void>): Promise<void> {
  const original = authPlugins.get("client_ed25519")!;
  let zeros = 0;
  const counting: AuthPlugin = {
    ...original,
    start: (settings, scramble, io) => {
      if (scramble.length === 32 && scramble[31] === 0) zeros++;
      return original.start(settings, scramble, io);
    },
  };
  authPlugins.set("client_ed25519", counting);
  try {
    await fn(() => zeros);
  } finally {
    authPlugins.set("client_ed25519", original);
  }
}

async function currentUser(conn: Connection): Promise<unknown> {
  const cur = conn.cursor();
  await cur.execute("SELECT CURRENT_USER()");
  return ((await cur.fetchOne()) as unknown[])[0];
}

describe("client_ed25519 under many logins", () => {
  it("changeUser succeeds every time, including nonces that end in 0x00", async () => {
    const conn = await connect(testOptions());
    try {
      await countingZeroNonces(async (zeros) => {
        let logins = 0;
        // Expected: one such nonce per 256 logins; stop after 4 of them and 1000 logins.
        while (logins < 20_000 && (zeros() < 4 || logins < 1000)) {
          await conn.changeUser(ED_USER, ED_PASSWORD);
          logins++;
        }
        assert.ok(zeros() >= 4, `saw ${zeros()} nonces ending in 0x00 in ${logins} logins`);
      });
      assert.equal(await currentUser(conn), `${ED_USER}@%`);
    } finally {
      conn.close();
    }
  });

  it("connect() succeeds every time, including nonces that end in 0x00", async () => {
    await countingZeroNonces(async (zeros) => {
      let logins = 0;
      while (logins < 10_000 && zeros() < 2) {
        const conn = await connect(testOptions({ user: ED_USER, password: ED_PASSWORD }));
        conn.close();
        logins++;
      }
      assert.ok(zeros() >= 2, `saw ${zeros()} nonces ending in 0x00 in ${logins} connects`);
    });
  });
});
