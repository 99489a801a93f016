// The pool's latest write position, from the GTIDs the servers report in OK packets, and the
// statement that makes a replica wait for it.
//
// MariaDB GTIDs are domain-server-sequence ("0-1-42"); a position is one GTID per domain, and a
// replica has reached it once, in each domain, it applied that sequence number (MASTER_GTID_WAIT
// compares sequence numbers per domain). MySQL GTIDs are uuid:interval sets; a primary numbers
// its transactions without gaps, so "uuid:1-N" for the highest N seen stands for them all.
import { escapeString } from "../sql/escape.js";

const MARIADB_GTID = /^(\d+)-(\d+)-(\d+)$/;
const MYSQL_GTID = /^([0-9a-fA-F-]{36}(?::[A-Za-z0-9_]+)?):(\d+)(?:-(\d+))?$/;

/** The latest write position this pool knows of: per MariaDB domain, or per MySQL source uuid. */
export class GtidPosition {
  /** MariaDB domain id -> [server id, sequence number]. */
  private readonly domains = new Map<string, [string, bigint]>();
  /** MySQL source uuid (with tag) -> highest transaction number. */
  private readonly sources = new Map<string, bigint>();
  /** Bumped on every advance, so a node can remember which position it was seen to reach. */
  version = 0;

  /** True when no write has been seen yet. */
  get empty(): boolean {
    return this.domains.size === 0 && this.sources.size === 0;
  }

  /** Notes MariaDB's `last_gtid` value (one GTID, or a comma-separated list). */
  noteMariaDb(value: string): void {
    for (const part of value.split(",")) {
      const m = MARIADB_GTID.exec(part.trim());
      if (m === null) continue;
      const seq = BigInt(m[3]!);
      const known = this.domains.get(m[1]!);
      if (known === undefined || known[1] < seq) {
        this.domains.set(m[1]!, [m[2]!, seq]);
        this.version++;
      }
    }
  }

  /** Notes a MySQL GTID set from `session_track_gtids`. */
  noteMySql(set: string): void {
    for (const part of set.replace(/\s+/g, "").split(",")) {
      // uuid:1-5:7 is uuid with the intervals 1-5 and 7: keep the highest number.
      const pieces = part.split(":");
      if (pieces.length < 2) continue;
      const uuid = pieces[0]!;
      for (const interval of pieces.slice(1)) {
        const m = MYSQL_GTID.exec(`${uuid}:${interval}`);
        if (m === null) continue;
        const high = BigInt(m[3] ?? m[2]!);
        const known = this.sources.get(uuid);
        if (known === undefined || known < high) {
          this.sources.set(uuid, high);
          this.version++;
        }
      }
    }
  }

  /** The MariaDB position, as MASTER_GTID_WAIT takes it ("0-1-42,1-2-7"), or "" for none. */
  mariaDb(): string {
    return [...this.domains].map(([d, [s, n]]) => `${d}-${s}-${n}`).join(",");
  }

  /** The MySQL GTID set, as WAIT_FOR_EXECUTED_GTID_SET takes it, or "" for none. */
  mySql(): string {
    return [...this.sources].map(([u, n]) => `${u}:1-${n}`).join(",");
  }

  /**
   * The statement that waits, on a replica, for this position: it returns one row whose one
   * value is 0 when reached and not 0 (-1 or 1) when `timeoutS` ran out. Null when there is no
   * position to wait for.
   */
  waitStatement(isMariaDb: boolean, timeoutS: number): string | null {
    const pos = isMariaDb ? this.mariaDb() : this.mySql();
    if (pos === "") return null;
    const fn = isMariaDb ? "MASTER_GTID_WAIT" : "WAIT_FOR_EXECUTED_GTID_SET";
    return `SELECT ${fn}(${escapeString(pos)}, ${timeoutS})`;
  }
}
