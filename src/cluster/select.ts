// Picking one node among the eligible ones: least-busy (default), weighted round-robin,
// weighted random, or the first in `hosts` order. Up nodes always win over degraded ones.
import type { ClusterNode } from "./node.js";
import type { Selector } from "./options.js";

/** @internal Smooth weighted round-robin state (nginx's): one current weight per node. */
export class RoundRobin {
  private readonly current = new Map<ClusterNode, number>();

  next(nodes: readonly ClusterNode[]): ClusterNode {
    let total = 0;
    let best: ClusterNode | null = null;
    let bestWeight = -Infinity;
    for (const n of nodes) {
      const w = (this.current.get(n) ?? 0) + n.spec.weight;
      this.current.set(n, w);
      total += n.spec.weight;
      if (w > bestWeight) {
        bestWeight = w;
        best = n;
      }
    }
    this.current.set(best!, bestWeight - total);
    return best!;
  }
}

/** @internal Picks a node from `nodes` (in `hosts` order), or null when there is none. */
export function pickNode(
  nodes: readonly ClusterNode[],
  selector: Selector,
  rr: RoundRobin,
  random: () => number = Math.random,
): ClusterNode | null {
  const up = nodes.filter((n) => n.state === "up");
  const pool = up.length > 0 ? up : nodes.filter((n) => n.state === "degraded");
  if (pool.length === 0) return null;
  if (pool.length === 1) return pool[0]!;
  switch (selector) {
    case "ordered":
      return pool[0]!;
    case "round-robin":
      return rr.next(pool);
    case "random": {
      const total = pool.reduce((s, n) => s + n.spec.weight, 0);
      let x = random() * total;
      for (const n of pool) {
        x -= n.spec.weight;
        if (x < 0) return n;
      }
      return pool[pool.length - 1]!;
    }
    case "least-busy":
    default: {
      // Fewest connections in use per unit of weight; ties are broken by weighted
      // round-robin, so an idle cluster still spreads its load.
      let min = Infinity;
      for (const n of pool) min = Math.min(min, n.busy / n.spec.weight);
      const least = pool.filter((n) => n.busy / n.spec.weight === min);
      return least.length === 1 ? least[0]! : rr.next(least);
    }
  }
}
