// Queries over a decoded field tree, shared by summaries, fault rules, lessons and views.
import type { FieldNode } from '../../shared/packet.js';

/** The first node with this filter name, depth first. */
export function findField(nodes: FieldNode[], filter: string): FieldNode | undefined {
  for (const n of nodes) {
    if (n.filter === filter) return n;
    const hit = n.children === undefined ? undefined : findField(n.children, filter);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/** Every node with this filter name, depth first. */
export function findAll(nodes: FieldNode[], filter: string, out: FieldNode[] = []): FieldNode[] {
  for (const n of nodes) {
    if (n.filter === filter) out.push(n);
    if (n.children !== undefined) findAll(n.children, filter, out);
  }
  return out;
}
