// The store keeps bytes, not trees, and builds a tree again when asked. A few producers add to the tree
// what its bytes alone do not say (the tap's connection-level findings, a CONNACK judged against its
// CONNECT, a framing error, a gap in a capture file's TCP stream): those additions are kept here, as the
// difference between the tree recorded and the tree the dissector makes of the same bytes, and put back.
import type { DecodedPacket, FieldIssue, FieldNode } from '../../shared/packet.js';

interface NodePatch {
  /** Child indexes from the top of the tree down to the node. */
  path: number[];
  issues: FieldIssue[];
}

export interface TreePatch {
  nodes: NodePatch[];
  issues: DecodedPacket['issues'];
  summary: string;
}

/** What `recorded` adds to `fresh` (the same bytes dissected again), or null when nothing does. */
export function diffTrees(recorded: DecodedPacket, fresh: DecodedPacket): TreePatch | null {
  if (recorded.issues.length === fresh.issues.length && recorded.summary === fresh.summary) return null;
  const nodes: NodePatch[] = [];
  walk(recorded.fields, fresh.fields, [], nodes);
  return { nodes, issues: recorded.issues.slice(), summary: recorded.summary };
}

function walk(a: FieldNode[], b: FieldNode[], path: number[], out: NodePatch[]): void {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if ((x.issues?.length ?? 0) !== (y.issues?.length ?? 0)) out.push({ path: [...path, i], issues: x.issues?.slice() ?? [] });
    if (x.children !== undefined && y.children !== undefined) walk(x.children, y.children, [...path, i], out);
  }
}

/** Puts the recorded additions back on a freshly built tree. */
export function applyPatch(tree: DecodedPacket, p: TreePatch): DecodedPacket {
  for (const n of p.nodes) {
    let nodes: FieldNode[] | undefined = tree.fields;
    let node: FieldNode | undefined;
    for (const i of n.path) {
      node = nodes?.[i];
      nodes = node?.children;
    }
    if (node !== undefined) node.issues = n.issues.map((i) => ({ ...i }));
  }
  tree.issues = p.issues.map((i) => ({ ...i }));
  tree.summary = p.summary;
  return tree;
}
