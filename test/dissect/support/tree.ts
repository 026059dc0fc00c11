// Views of a DecodedPacket's tree that tests compare against: a depth-first row projection, byte
// coverage and the structural invariants every tree must keep on any input.
import type { DecodedPacket, FieldNode } from '../../../src/shared/packet.js';

type Value = string | number | boolean;

/**
 * One node as [depth, filter, offset, length, value?, display?]. Groups have no value; a display is
 * only compared where the expected row names one (reason codes, payload views).
 */
export type Row =
  | readonly [number, string, number, number]
  | readonly [number, string, number, number, Value]
  | readonly [number, string, number, number, Value | undefined, string];

export function walk(nodes: readonly FieldNode[], visit: (n: FieldNode, depth: number, parent: FieldNode | null) => void,
  depth = 0, parent: FieldNode | null = null): void {
  for (const n of nodes) {
    visit(n, depth, parent);
    if (n.children !== undefined) walk(n.children, visit, depth + 1, n);
  }
}

/** The tree as rows in depth-first order, shaped like `expected` so toEqual shows a readable diff. */
export function project(fields: readonly FieldNode[], expected: readonly Row[] = []): Row[] {
  const rows: Row[] = [];
  walk(fields, (n, depth) => {
    const want = expected[rows.length];
    if (want !== undefined && want.length === 6) rows.push([depth, n.filter, n.offset, n.length, n.value, n.display ?? '(none)']);
    else if (n.value !== undefined) rows.push([depth, n.filter, n.offset, n.length, n.value]);
    else rows.push([depth, n.filter, n.offset, n.length]);
  });
  return rows;
}

/** Every node with the given filter, in tree order. */
export function findAll(d: DecodedPacket | readonly FieldNode[], filter: string): FieldNode[] {
  const out: FieldNode[] = [];
  walk('fields' in d ? d.fields : d, (n) => {
    if (n.filter === filter) out.push(n);
  });
  return out;
}

/** Offsets of input bytes that no leaf node covers (a node without children is a leaf). */
export function uncoveredBytes(bytes: Uint8Array, d: DecodedPacket): number[] {
  const covered = new Uint8Array(bytes.length);
  walk(d.fields, (n) => {
    if (n.children !== undefined && n.children.length > 0) return;
    const end = Math.min(n.offset + n.length, bytes.length);
    for (let i = Math.max(n.offset, 0); i < end; i++) covered[i] = 1;
  });
  const out: number[] = [];
  for (let i = 0; i < covered.length; i++) if (covered[i] === 0) out.push(i);
  return out;
}

/**
 * Structural problems of a tree, as messages (empty when sound): node ranges inside the input and the
 * parent, integer offsets, well-formed issues, and a flat issue list that matches the tree.
 */
export function treeProblems(bytes: Uint8Array, d: DecodedPacket): string[] {
  const problems: string[] = [];
  let treeIssues = 0;
  const carried = new Set<string>();
  walk(d.fields, (n, _depth, parent) => {
    const where = `${n.filter}@${n.offset}+${n.length}`;
    if (!Number.isInteger(n.offset) || !Number.isInteger(n.length) || n.offset < 0 || n.length < 0) {
      problems.push(`${where}: offset and length must be non-negative integers`);
    }
    if (n.offset + n.length > bytes.length) problems.push(`${where}: ends past the input (${bytes.length} bytes)`);
    if (parent !== null && (n.offset < parent.offset || n.offset + n.length > parent.offset + parent.length)) {
      problems.push(`${where}: outside its parent ${parent.filter}@${parent.offset}+${parent.length}`);
    }
    if (typeof n.filter !== 'string' || !n.filter.startsWith('mqtt.') || typeof n.name !== 'string' || n.name === '') {
      problems.push(`${where}: needs an mqtt.* filter and a name`);
    }
    if (n.mask !== undefined && n.length !== 1) problems.push(`${where}: a bit field spans one byte`);
    for (const i of n.issues ?? []) {
      treeIssues++;
      carried.add(`${n.filter}@${n.offset}\u0000${i.severity}\u0000${i.message}`);
      if (i.severity !== 'error' && i.severity !== 'warning' && i.severity !== 'note') problems.push(`${where}: bad severity ${String(i.severity)}`);
      if (typeof i.message !== 'string' || i.message.length === 0) problems.push(`${where}: issue without a message`);
      if (i.specRef !== undefined && (typeof i.specRef !== 'string' || i.specRef === '')) problems.push(`${where}: empty specRef`);
    }
  });
  if (d.issues.length !== treeIssues) problems.push(`issues lists ${d.issues.length} but the tree carries ${treeIssues}`);
  for (const i of d.issues) {
    if (!carried.has(`${i.filter}@${i.offset}\u0000${i.severity}\u0000${i.message}`)) {
      problems.push(`flattened issue '${i.message}' names no node ${i.filter}@${i.offset} carrying it`);
    }
  }
  if (typeof d.summary !== 'string' || d.summary === '') problems.push('summary must be a non-empty string');
  if (d.length < 0 || d.length > bytes.length) problems.push(`length ${d.length} outside 0..${bytes.length}`);
  return problems;
}
