// Replica lag without extra privileges: from GTID positions alone.
//
// The health probe reads every node's @@gtid_current_pos (MariaDB) or @@gtid_executed (MySQL).
// This file keeps a short history of the primary's positions, each with the time it was first
// seen, and measures a replica's lag as the age of the oldest primary position its own position
// has not reached: 0 when it has applied everything the primary had at the replica's probe.
//
// Precision: the primary is sampled once per health-check interval, so a position first seen at
// time t may have been written up to one interval earlier; the lag read here can be up to one
// interval (plus the probes' own skew) lower than the true staleness, never higher. A replica
// that applies nothing while the primary takes no writes has lag 0: it is not stale.

/** One position per replication stream: MariaDB domain id, or MySQL source uuid, to a sequence number. */
export type GtidVector = Map<string, bigint>;

const MARIADB_GTID = /^(\d+)-(\d+)-(\d+)$/;
/** A MySQL interval set entry: uuid (with optional tag), then `:n` or `:a-b` intervals. */
const MYSQL_PART = /^([0-9a-fA-F-]{36}(?::[A-Za-z_][A-Za-z0-9_]*)?)((?::\d+(?:-\d+)?)+)$/;

/**
 * Parses a server's GTID position: MariaDB `0-1-42,1-2-7` (one GTID per domain) or MySQL
 * `uuid:1-42:50-60,...` (the highest transaction number of each source stands for all of them,
 * since a primary numbers its transactions without gaps). Parts it cannot read are skipped.
 */
export function parseGtidVector(position: string): GtidVector {
  const v: GtidVector = new Map();
  for (const raw of position.replace(/\s+/g, "").split(",")) {
    if (raw === "") continue;
    const m = MARIADB_GTID.exec(raw);
    if (m !== null) {
      note(v, m[1]!, BigInt(m[3]!));
      continue;
    }
    const my = MYSQL_PART.exec(raw);
    if (my === null) continue;
    for (const interval of my[2]!.slice(1).split(":")) {
      const high = interval.split("-").pop()!;
      note(v, my[1]!.toLowerCase(), BigInt(high));
    }
  }
  return v;
}

function note(v: GtidVector, stream: string, seq: bigint): void {
  const known = v.get(stream);
  if (known === undefined || known < seq) v.set(stream, seq);
}

/** True when `replica` has applied, in every stream of `target`, at least its sequence number. */
export function reaches(replica: GtidVector, target: GtidVector): boolean {
  for (const [stream, seq] of target) {
    const have = replica.get(stream);
    if (have === undefined || have < seq) return false;
  }
  return true;
}

/** Positions kept: at one per health-check interval (2 s by default) this is several minutes. */
const HISTORY_LIMIT = 256;

/** @internal The primary's recent GTID positions, and the lag of a replica's position against them. */
export class PrimaryHistory {
  /** Oldest first: each position with the time (ms) it was first seen. */
  private readonly entries: { at: number; position: GtidVector }[] = [];
  /** The node the history belongs to: a new primary starts a new history. */
  private primary: string | null = null;

  /** Notes the primary's position as its probe read it at `at` (ms). */
  note(primary: string, position: string, at: number): void {
    if (primary !== this.primary) {
      this.primary = primary;
      this.entries.length = 0;
    }
    const v = parseGtidVector(position);
    if (v.size === 0) return;
    const last = this.entries[this.entries.length - 1];
    if (last !== undefined && reaches(last.position, v)) return; // no new write since
    this.entries.push({ at, position: v });
    if (this.entries.length > HISTORY_LIMIT) this.entries.shift();
  }

  /**
   * Seconds the replica at `position`, read at `at` (ms), is behind: the age at `at` of the
   * oldest primary position seen by then that it has not reached; 0 when it reached them all;
   * null before the primary was seen. A replica behind the oldest position kept is at least
   * that old: the answer is then a lower bound.
   */
  lagOf(position: string, at: number): number | null {
    if (this.primary === null) return null;
    const v = parseGtidVector(position);
    for (const e of this.entries) {
      if (e.at > at) break; // seen after the replica was read: says nothing about it yet
      if (!reaches(v, e.position)) return Math.max(0, (at - e.at) / 1000);
    }
    return 0;
  }
}
