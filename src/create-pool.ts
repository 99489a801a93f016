// createPool(): a single-server Pool, or a ClusterPool when the options (or the URL) list
// several hosts or name a topology.
import { ClusterPool } from "./cluster/pool.js";
import { parseHostPort, wantsCluster } from "./cluster/options.js";
import { parseConnectionUrl } from "./options.js";
import { Pool } from "./pool.js";
import type { PoolOptions } from "./pool-options.js";

/**
 * Creates a pool and opens its first `minSize` connections. Accepts every connect() option,
 * or a connection URL. Rejects (an `OperationalError` when the server cannot be reached)
 * leaving nothing open when one of those connections fails.
 *
 * With `hosts` listing several servers, or a `topology`, or a URL with a host list
 * (`mysql://u:p@h1:3306,h2:3306/db`), the pool is a cluster pool: the same `Pool` members,
 * routed to the servers' roles (see the cluster guide). It rejects only when no node answers.
 */
export async function createPool(options: PoolOptions | string = {}): Promise<Pool> {
  const o: PoolOptions = typeof options === "string" ? (parseConnectionUrl(options) as PoolOptions) : options;
  if (typeof o !== "object" || o === null || !wantsCluster(o)) return openPool(options);
  const hosts = o.hosts;
  if (Array.isArray(hosts) && hosts.length === 1 && (o.topology === undefined || o.topology === null)) {
    // One host: an ordinary pool on it.
    const { hosts: _, ...rest } = o;
    const h = hosts[0]!;
    const single: PoolOptions =
      typeof h === "string"
        ? { ...rest, ...parseHostPort(h, o.port ?? 3306) }
        : {
            ...rest,
            ...(h.host === undefined ? {} : { host: h.host }),
            ...(h.port === undefined ? {} : { port: h.port }),
            ...(h.socket === undefined ? {} : { unixSocket: h.socket }),
          };
    if (o.password !== undefined) single.password = o.password;
    return openPool(single);
  }
  const pool = new ClusterPool(o);
  try {
    await pool.start();
  } catch (e) {
    pool.terminate();
    throw e;
  }
  return pool;
}

/** Creates a single-server pool and opens its first `minSize` connections; nothing stays open when one fails. */
async function openPool(options: PoolOptions | string): Promise<Pool> {
  const pool = new Pool(options);
  try {
    await pool.fill();
  } catch (e) {
    pool.close();
    throw e;
  }
  return pool;
}
