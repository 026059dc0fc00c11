// Helpers over a packet's FieldNode tree.
import type { FieldNode } from '../../shared/packet.js';

/** Where a node sits in the tree, as child indices from the top level: stable within one packet. */
export type FieldPath = string;

export function pathKey(indices: number[]): FieldPath {
  return indices.join('.');
}

export function nodeAt(fields: FieldNode[], path: FieldPath): FieldNode | undefined {
  let list: FieldNode[] | undefined = fields;
  let node: FieldNode | undefined;
  for (const part of path.split('.')) {
    node = list?.[Number(part)];
    list = node?.children;
  }
  return node;
}

export function findField(fields: FieldNode[], filter: string): FieldNode | undefined {
  for (const n of fields) {
    if (n.filter === filter) return n;
    const inner = n.children && findField(n.children, filter);
    if (inner) return inner;
  }
  return undefined;
}

/** Which top-level part of the packet (fixed header, variable header, payload) each byte belongs to. */
export type Region = 'fixed' | 'variable' | 'payload' | 'none';

const REGION_OF: Record<string, Region> = {
  'mqtt.fixed_header': 'fixed',
  'mqtt.variable_header': 'variable',
  'mqtt.payload': 'payload',
};

export function regionOf(filter: string): Region {
  return REGION_OF[filter] ?? 'none';
}

/**
 * For each byte, the path of the most specific field covering it, for hover-to-field. Bit fields (with a
 * mask) share their byte, so the byte maps to the whole-byte node that holds them.
 */
export function byteOwners(fields: FieldNode[], length: number): { owner: Array<FieldPath | null>; region: Region[] } {
  const owner: Array<FieldPath | null> = new Array(length).fill(null);
  const region: Region[] = new Array(length).fill('none');
  const walk = (nodes: FieldNode[], prefix: number[], top: Region | null): void => {
    nodes.forEach((n, i) => {
      if (n.mask !== undefined) return;
      const path = [...prefix, i];
      const r = top ?? regionOf(n.filter);
      const end = Math.min(length, n.offset + n.length);
      for (let b = Math.max(0, n.offset); b < end; b++) {
        owner[b] = pathKey(path);
        region[b] = r;
      }
      if (n.children) walk(n.children, path, r);
    });
  };
  walk(fields, [], null);
  return { owner, region };
}

/** Paths of every node, depth first, for keyboard navigation and expand-all. */
export function allPaths(fields: FieldNode[], prefix: number[] = [], out: FieldPath[] = []): FieldPath[] {
  fields.forEach((n, i) => {
    const p = [...prefix, i];
    out.push(pathKey(p));
    if (n.children) allPaths(n.children, p, out);
  });
  return out;
}
