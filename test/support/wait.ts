// Polling helpers for tests that wait on background work (pool refills, server kills).
// They wait for a condition, never assert on how long it took; the bound is generous and
// only there so that a broken condition fails instead of hanging.
import { connect, type Connection } from "../../src/index.js";
import { testOptions } from "./config.js";

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `condition` until it holds; throws, naming `what`, if it still does not after
 * `boundMs` (a safety net, not a performance requirement).
 */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, boundMs = 60_000): Promise<void> {
  const start = Date.now();
  for (;;) {
    if (await condition()) return;
    if (Date.now() - start > boundMs) throw new Error(`gave up waiting for: ${what}`);
    await sleep(20);
  }
}

/** A plain (non-pooled) root connection with autocommit on, for KILL and PROCESSLIST. */
export function adminConnection(): Promise<Connection> {
  return connect(testOptions({ autocommit: true }));
}

/** How many of the given server thread ids are still in the server's process list. */
export async function threadsAlive(admin: Connection, ids: readonly number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const cur = admin.cursor();
  await cur.execute(`SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID IN (${ids.map(Number).join(",")})`);
  const row = await cur.fetchOne();
  await cur.close();
  return Number(row?.[0]);
}

/** Kills a server thread (KILL CONNECTION) from `admin`. */
export async function killThread(admin: Connection, threadId: number): Promise<void> {
  const cur = admin.cursor();
  await cur.execute(`KILL ${Number(threadId)}`);
  await cur.close();
}
