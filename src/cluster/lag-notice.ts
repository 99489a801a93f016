// The one `aiomysql:node` message that says every replica is over `maxReplicaLag` (so reads go
// to the primary), and the one that says it ended.
import { OperationalError } from "../errors.js";
import { nodeChannel, type ClusterNode, type NodeChangeMessage } from "./node.js";

/** @internal Tracks whether every live replica lags over the bound; announces each change once. */
export class LagNotice {
  private active = false;

  /** True while every live replica is over the bound (and there is at least one). */
  get allLagging(): boolean {
    return this.active;
  }

  /** Looks at the nodes again; `maxLagS` is the bound (null: none), `fallback` option `replicaFallback`. */
  update(nodes: readonly ClusterNode[], maxLagS: number | null, fallback: boolean): void {
    const replicas = nodes.filter((n) => n.role === "replica" && n.state !== "down");
    const now = maxLagS !== null && replicas.length > 0 && replicas.every((n) => n.lagging);
    if (now === this.active) return;
    this.active = now;
    const primary = nodes.find((n) => n.role === "primary" && n.state !== "down") ?? nodes[0]!;
    if (!nodeChannel.hasSubscribers) return;
    const lags = replicas.map((n) => `${n.name} ${n.lag === Infinity ? "stopped" : `${n.lag} s`}`).join(", ");
    const message: NodeChangeMessage = {
      node: primary.name,
      host: primary.spec.host,
      port: primary.spec.port,
      role: primary.role,
      previousRole: primary.role,
      state: primary.state,
      previousState: primary.state,
      error: now
        ? new OperationalError(
            `every replica lags more than maxReplicaLag ${maxLagS} s (${lags}): ${fallback ? "reads go to the primary" : "reads fail, since replicaFallback is off"}`,
          )
        : null,
      event: now ? "all-replicas-lagging" : "replicas-caught-up",
    };
    nodeChannel.publish(message);
  }
}
