// DNS SRV discovery (RFC 2782): `_mysql._tcp.<name>` lists the servers of a cluster. The
// records are checked (a target must be a host name or an address, a port 1..65535), sorted by
// priority (lowest first) and, within one priority, put in a weighted random order: that order
// is the cluster's `hosts` order (the `"ordered"` selector and the writer preference).
import { promises as dns } from "node:dns";
import { isIP } from "node:net";
import { OperationalError } from "../errors.js";
import type { SrvRecord, SrvResolver } from "./options.js";

/** Most records one answer may contribute: a hostile or broken zone cannot make thousands of pools. */
export const MAX_SRV_RECORDS = 64;

/** The DNS name that holds a cluster's SRV records. */
export function srvQueryName(name: string): string {
  return `_mysql._tcp.${name}`;
}

/** Node's resolver: `dns.promises.resolveSrv`. */
export const defaultSrvResolver: SrvResolver = (name) => dns.resolveSrv(name);

/** A DNS host name (letters, digits, `-`, `_`, dots), an IPv4 address, or an IPv6 address. */
const HOST_NAME_RE =
  /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

/** True when `host` is a plausible host name or address (nothing that could smuggle a path or an option). */
export function isValidHost(host: string): boolean {
  return isIP(host) !== 0 || HOST_NAME_RE.test(host);
}

function isUint16(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 65535;
}

/**
 * The records as (host, port) in RFC 2782 order: ascending priority; within a priority, each
 * next record is drawn with a probability proportional to its weight. Records of weight 0 are
 * put first before each draw, as the RFC says, so they are picked only when the draw is 0 (or
 * when every remaining weight is 0, in a uniformly random order). A target of "." (the service
 * is decidedly not available) and malformed records are left out; duplicates keep their first
 * place. `random` returns [0, 1).
 */
export function orderSrvRecords(records: readonly SrvRecord[], random: () => number = Math.random): { host: string; port: number }[] {
  const valid = records.filter(
    (r) =>
      typeof r === "object" &&
      r !== null &&
      typeof r.name === "string" &&
      r.name !== "." &&
      r.name !== "" &&
      isUint16(r.port) &&
      r.port > 0 &&
      isUint16(r.priority) &&
      isUint16(r.weight),
  );
  const priorities = [...new Set(valid.map((r) => r.priority))].sort((a, b) => a - b);
  const out: { host: string; port: number }[] = [];
  const seen = new Set<string>();
  for (const p of priorities) {
    // Zero weights first, in random order, then the others.
    const group = valid.filter((r) => r.priority === p);
    const zero = shuffle(
      group.filter((r) => r.weight === 0),
      random,
    );
    let left = [...zero, ...group.filter((r) => r.weight > 0)];
    while (left.length > 0) {
      const total = left.reduce((s, r) => s + r.weight, 0);
      let chosen = 0;
      if (total > 0) {
        // The RFC's draw: a number in [0, total]; the first record whose running sum reaches it.
        const x = Math.min(total, Math.floor(random() * (total + 1)));
        let sum = 0;
        for (let i = 0; i < left.length; i++) {
          sum += left[i]!.weight;
          if (sum >= x) {
            chosen = i;
            break;
          }
        }
      }
      const r = left[chosen]!;
      left = left.filter((_, i) => i !== chosen);
      const host = r.name.endsWith(".") ? r.name.slice(0, -1) : r.name;
      const key = `${host.toLowerCase()}:${r.port}`;
      if (!isValidHost(host) || seen.has(key)) continue;
      seen.add(key);
      out.push({ host, port: r.port });
      if (out.length >= MAX_SRV_RECORDS) return out;
    }
  }
  return out;
}

function shuffle<T>(xs: T[], random: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

/**
 * Resolves `_mysql._tcp.<name>` with `resolver`, bounded by `timeoutMs`; the nodes in RFC 2782
 * order. Rejects with an `OperationalError` naming the query when the lookup fails or times out.
 * An empty answer resolves to an empty list (the caller decides what that means).
 */
export async function resolveSrvNodes(
  name: string,
  resolver: SrvResolver,
  timeoutMs: number,
  random: () => number = Math.random,
): Promise<{ host: string; port: number }[]> {
  const query = srvQueryName(name);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new OperationalError(`DNS SRV lookup of ${query} gave no answer within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
  });
  let records: unknown;
  try {
    records = await Promise.race([Promise.resolve().then(() => resolver(query)), deadline]);
  } catch (e) {
    if (e instanceof OperationalError) throw e;
    const code = (e as { code?: unknown } | null)?.code;
    // ENOTFOUND / ENODATA: the name has no SRV records; an empty answer, not a failure of DNS.
    if (code === "ENOTFOUND" || code === "ENODATA") return [];
    throw new OperationalError(`DNS SRV lookup of ${query} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  } finally {
    clearTimeout(timer);
  }
  if (!Array.isArray(records))
    throw new OperationalError(`DNS SRV lookup of ${query}: the resolver returned ${typeof records}, not an array`);
  return orderSrvRecords(records as SrvRecord[], random);
}
