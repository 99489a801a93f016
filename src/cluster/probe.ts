// The probe: what a node says about itself (writable, server id, Galera state, GTID position),
// read by one statement pipelined after the handshake of every connection and by the health
// loop, and what role and health that makes.
import type { Connection } from "../connection.js";
import type { ResultSet } from "../session/commands/query.js";
import type { QueryOptions } from "../session/session.js";
import { MySQLError } from "../errors.js";
import { CR } from "../protocol/constants.js";
import type { NodeRole, NodeState } from "./options.js";

/** @internal What one probe read. */
export interface ProbeResult {
  readOnly: boolean;
  serverId: number;
  wsrepOn: boolean;
  /** MariaDB @@gtid_current_pos, MySQL @@gtid_executed. */
  gtidPosition: string;
  wsrepReady: boolean;
  /** wsrep_local_state: 4 Synced, 2 Donor/Desynced, 1 Joining, 3 Joined. */
  wsrepLocalState: number;
  wsrepClusterStatus: string;
  wsrepDesync: boolean;
}

// Only variables here, no status: reading status variables waits on a replica's replication
// locks, which a STOP SLAVE (a promotion, a re-pointing) can hold for many seconds. @@wsrep_on
// is read through information_schema, where a server built without wsrep just has no row.
// Plain MariaDB reports wsrep_ready=OFF, so wsrep_on is what tells a Galera node.

/** @internal The probe statement for a server flavour. */
export function probeSql(isMariaDb: boolean): string {
  if (!isMariaDb) return "SELECT @@global.read_only OR @@global.super_read_only, @@global.server_id, 0, @@global.gtid_executed";
  return (
    "SELECT @@global.read_only, @@global.server_id, " +
    "(SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_VARIABLES WHERE VARIABLE_NAME = 'WSREP_ON'), @@global.gtid_current_pos"
  );
}

/**
 * @internal The second statement of a Galera node's probe: SHOW is answered even outside the
 * Primary component (where a SELECT gets 1047).
 */
export const GALERA_STATUS_SQL =
  "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_ready', 'wsrep_local_state', 'wsrep_cluster_status', 'wsrep_desync_count')";

/** @internal Fills in a Galera node's state from GALERA_STATUS_SQL's rows (name, value). */
/** Runs `sql` on `conn`'s session; the results, followed by the error that ended them, if any. */
export async function runQuery(conn: Connection, sql: string, opts: QueryOptions = {}): Promise<(ResultSet | Error)[]> {
  const { results, error } = await conn.session.query(sql, opts);
  return error ? [...results, error] : results;
}

export function applyGaleraStatus(p: ProbeResult, results: (ResultSet | Error)[]): void {
  const r = results[0];
  if (r instanceof Error) throw r;
  for (const row of (r?.rows ?? []) as unknown[][]) {
    const name = String(row[0]).toLowerCase();
    const value = row[1];
    if (name === "wsrep_ready") p.wsrepReady = truthy(value);
    else if (name === "wsrep_local_state") p.wsrepLocalState = Number(value);
    else if (name === "wsrep_cluster_status") p.wsrepClusterStatus = String(value);
    else if (name === "wsrep_desync_count") p.wsrepDesync = Number(value) > 0;
  }
}

function truthy(v: unknown): boolean {
  if (typeof v === "number" || typeof v === "bigint") return Number(v) !== 0;
  if (typeof v === "string") return v === "1" || v.toUpperCase() === "ON";
  return false;
}

/** @internal Reads the probe's one row. */
export function parseProbe(results: (ResultSet | Error)[]): ProbeResult {
  const r = results[0];
  if (r instanceof Error) throw r;
  const row = r?.rows[0] as unknown[] | undefined;
  if (row === undefined || row.length < 4) throw new MySQLError("The node's probe returned no row", { errno: CR.MALFORMED_PACKET });
  return {
    readOnly: truthy(row[0]),
    serverId: Number(row[1]),
    wsrepOn: truthy(row[2]),
    gtidPosition: typeof row[3] === "string" ? row[3] : "",
    wsrepReady: false,
    wsrepLocalState: 0,
    wsrepClusterStatus: "",
    wsrepDesync: false,
  };
}

/** @internal The role and health a probe means; `lagS` is the replica's delay when known. */
export function judge(
  p: ProbeResult,
  lagS: number | null,
  maxLagS: number | null,
): { role: NodeRole; state: NodeState; why: string | null } {
  if (p.wsrepOn) {
    if (p.wsrepClusterStatus !== "Primary" || !p.wsrepReady) {
      return {
        role: "galera",
        state: "down",
        why: `Galera node is not in the Primary component (wsrep_cluster_status=${p.wsrepClusterStatus || "?"}, wsrep_ready=${p.wsrepReady ? "ON" : "OFF"})`,
      };
    }
    if (p.wsrepLocalState !== 4 || p.wsrepDesync) {
      return {
        role: "galera",
        state: "degraded",
        why: `Galera node is not Synced (wsrep_local_state=${p.wsrepLocalState}${p.wsrepDesync ? ", wsrep_desync=ON" : ""})`,
      };
    }
    return { role: "galera", state: "up", why: null };
  }
  if (!p.readOnly) return { role: "primary", state: "up", why: null };
  if (maxLagS !== null && lagS !== null && lagS > maxLagS) {
    const how = lagS === Infinity ? "replication is stopped (Seconds_Behind_Master is NULL)" : `replica lags ${lagS} s behind its primary`;
    return { role: "replica", state: "degraded", why: `${how}: over maxReplicaLag ${maxLagS} s, so it gets no reads` };
  }
  return { role: "replica", state: "up", why: null };
}

/**
 * @internal Reads a replica's delay from SHOW SLAVE STATUS (Seconds_Behind_Master, the worst
 * over its sources), or null when it cannot be read (the user lacks the privilege, or the node
 * replicates from nobody). A NULL Seconds_Behind_Master (replication stopped or broken) is
 * Infinity: the replica is as far behind as it can be.
 */
export async function readLag(conn: Connection): Promise<number | null> {
  let results: (ResultSet | Error)[];
  try {
    results = await runQuery(conn, conn.isMariaDB ? "SHOW ALL SLAVES STATUS" : "SHOW REPLICA STATUS", { shape: { kind: "object" } });
  } catch {
    return null;
  }
  const r = results[0];
  if (r === undefined || r instanceof Error || r.columns === null) return null;
  let worst: number | null = null;
  for (const row of r.rows as Array<Record<string, unknown>>) {
    const v = "Seconds_Behind_Master" in row ? row["Seconds_Behind_Master"] : row["Seconds_Behind_Source"];
    if (v === undefined) continue;
    const n = v === null ? Infinity : Number(v);
    if (!Number.isNaN(n)) worst = worst === null ? n : Math.max(worst, n);
  }
  return worst;
}

/** Server errors every node would give the same way: they say nothing about the node's health. */
const GLOBAL_ERRNOS = new Set([1044, 1045, 1049, 1213, 1205, 1429, 1227, 1142, 1143, 1698]);

/**
 * @internal True when `err` means the node itself failed (it is down): a refused or timed-out
 * connect, a lost connection (2006, 2013), SQLSTATE class 08 (1047 on a Galera node outside the
 * Primary component). False for errors every node would give (bad password, unknown database,
 * a statement error, a deadlock, too many connections for the user).
 */
export function isNodeFailure(err: unknown): boolean {
  if (!(err instanceof MySQLError)) return true; // not a server's answer: treat as unreachable
  const errno = err.errno;
  if (errno !== null && GLOBAL_ERRNOS.has(errno)) return false;
  if (errno === 1047 || err.sqlState?.startsWith("08")) return true;
  // Client-side codes: cannot connect (2002, 2003), gone away (2006), lost (2013), timeouts.
  return errno !== null && errno >= 2000 && errno < 3000;
}

/** The errnos of a write refused because the server is read-only (a demoted or replica node). */
export const READ_ONLY_ERRNOS: ReadonlySet<number> = new Set([1290, 1792, 1836]);
