// The field tree as the flat list of rows the detail view shows, given which nodes are expanded.
import type { FieldNode } from '../../shared/packet.js';
import { pathKey, type FieldPath } from './fields.js';

export interface FieldRow {
  node: FieldNode;
  path: FieldPath;
  depth: number;
  open: boolean;
  hasChildren: boolean;
  /** Top-level group the row belongs to, for its colour. */
  region: string;
}

/** Expansion is remembered by filter name, so opening "Connect Flags" once keeps it open for the next CONNECT. */
export function flattenFields(fields: FieldNode[], expanded: ReadonlySet<string>): FieldRow[] {
  const out: FieldRow[] = [];
  const walk = (nodes: FieldNode[], prefix: number[], depth: number, region: string): void => {
    nodes.forEach((n, i) => {
      const p = [...prefix, i];
      const hasChildren = !!n.children?.length;
      const open = hasChildren && expanded.has(n.filter);
      const r = depth === 0 ? n.filter : region;
      out.push({ node: n, path: pathKey(p), depth, open, hasChildren, region: r });
      if (open) walk(n.children!, p, depth + 1, r);
    });
  };
  walk(fields, [], 0, '');
  return out;
}

/** Ancestors' filter names of a path, to expand them when a byte click selects a deep field. */
export function ancestorFilters(fields: FieldNode[], path: FieldPath): string[] {
  const out: string[] = [];
  let list: FieldNode[] | undefined = fields;
  const parts = path.split('.').map(Number);
  for (let k = 0; k < parts.length - 1; k++) {
    const n: FieldNode | undefined = list?.[parts[k]!];
    if (!n) break;
    out.push(n.filter);
    list = n.children;
  }
  return out;
}

/** Wireshark's bit notation for a masked field: `.... .01.` for QoS 1 under mask 0x06. */
export function bitPattern(byte: number, mask: number): string {
  let s = '';
  for (let b = 7; b >= 0; b--) {
    s += mask & (1 << b) ? ((byte >> b) & 1 ? '1' : '0') : '.';
    if (b === 4) s += ' ';
  }
  return s;
}

/** Shows a node's value as a person reads it: display text when the dissector gave one, strings quoted. */
export function valueText(n: FieldNode): string {
  if (n.display !== undefined) return n.display;
  if (n.value === undefined) return '';
  if (typeof n.value === 'string') return JSON.stringify(n.value);
  if (typeof n.value === 'boolean') return n.value ? 'Set (1)' : 'Not set (0)';
  return String(n.value);
}
