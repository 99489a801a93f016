// Options of a cluster pool over a test cluster: every node by name, the test user, short
// timeouts so that failures are noticed quickly (bounds, not expectations).
import type { PoolOptions } from "../../src/index.js";
import type { ClusterBase, ClusterNode } from "./cluster.js";

/** createPool() options over `nodes` (default: every node of `cluster`, in its order). */
export function clusterPoolOptions(
  cluster: ClusterBase,
  extra: PoolOptions = {},
  nodes: readonly ClusterNode[] = cluster.nodes,
): PoolOptions {
  return {
    hosts: nodes.map((n) => ({ host: n.host, port: n.port, name: n.name })),
    user: cluster.user,
    password: cluster.password,
    db: cluster.database,
    autocommit: true,
    connectTimeout: 2,
    acquireTimeout: 10,
    healthCheckInterval: 0.3,
    ...extra,
  };
}
