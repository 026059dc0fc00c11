// Evaluates a parsed display filter against a packet's field tree, by Wireshark filter name. As in
// Wireshark, a field may occur several times (a SUBSCRIBE's topics): `==` holds when any occurrence matches,
// `!=` when the field occurs and no occurrence equals the value.
import type { FaultRecord, Direction } from '../lab.js';
import type { DecodedPacket, FieldNode } from '../packet.js';
import type { CompareOp, Expr, Literal } from './parse.js';

export type Scalar = string | number | boolean;

/** What a filter reads: a WirePacket in the page, a store record (with its client id) in the core. */
export interface FilterSubject {
  seq: number;
  connId: number;
  clientId?: string;
  direction: Direction;
  fault?: FaultRecord;
  decoded: DecodedPacket;
  /**
   * The values of a field when the subject knows them without reading `decoded` (the core's store answers
   * type, flags, topic and the lab.* fields from its columns, so such filters build no tree); undefined: read
   * the tree. Must answer exactly what the tree would.
   */
  known?(field: string): Array<Scalar | null> | undefined;
}

/** Lab facts that are not in the bytes, under names that cannot clash with Wireshark's. */
const PSEUDO: Record<string, (p: FilterSubject) => Scalar | undefined> = {
  'lab.client': (p) => p.clientId,
  'lab.direction': (p) => p.direction,
  'lab.dir': (p) => p.direction,
  'lab.fault': (p) => p.fault?.action,
  'lab.type': (p) => p.decoded.type,
  'lab.seq': (p) => p.seq,
  'lab.conn': (p) => p.connId,
  'lab.len': (p) => p.decoded.length,
  'lab.issues': (p) => (p.decoded.issues.length > 0 ? p.decoded.issues.length : undefined),
};

export const PSEUDO_FIELDS = Object.keys(PSEUDO);

function collect(nodes: FieldNode[] | undefined, name: string, out: FieldNode[]): void {
  if (!nodes) return;
  for (const n of nodes) {
    if (n.filter === name) out.push(n);
    if (n.children) collect(n.children, name, out);
  }
}

/** The values a field takes in a packet: none when absent; `null` for a present node without a value. */
function valuesOf(p: FilterSubject, field: string): Array<Scalar | null> {
  const known = p.known?.(field);
  if (known !== undefined) return known;
  const pseudo = PSEUDO[field];
  if (pseudo) {
    const v = pseudo(p);
    return v === undefined ? [] : [v];
  }
  if (field === 'mqtt') return p.decoded.typeCode >= 0 ? [null] : [];
  const nodes: FieldNode[] = [];
  collect(p.decoded.fields, field, nodes);
  return nodes.map((n) => n.value ?? null);
}

function asNumber(v: Scalar): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v.trim() !== '' && /^-?(0x[0-9a-f]+|\d+(\.\d+)?)$/i.test(v.trim())) return Number(v);
  return undefined;
}

function literalText(l: Literal): string {
  return l.type === 'number' ? l.text : String(l.value);
}

function equals(v: Scalar, l: Literal): boolean {
  if (l.type === 'bool') return typeof v === 'boolean' ? v === l.value : asNumber(v) === (l.value ? 1 : 0);
  if (typeof v === 'boolean') {
    if (l.type === 'number') return (v ? 1 : 0) === l.value;
    const w = l.value.toLowerCase();
    return (w === 'true' || w === '1') === v && ['true', 'false', '1', '0'].includes(w);
  }
  if (l.type === 'number') {
    const n = asNumber(v);
    return n !== undefined && n === l.value;
  }
  if (typeof v === 'number') {
    const n = asNumber(l.value);
    return n !== undefined && n === v;
  }
  return v === l.value;
}

function order(v: Scalar, l: Literal): number | undefined {
  const a = asNumber(v);
  const b = l.type === 'number' ? l.value : l.type === 'bool' ? (l.value ? 1 : 0) : asNumber(l.value);
  if (a !== undefined && b !== undefined) return a - b;
  if (typeof v === 'string' && (l.type === 'string' || l.type === 'word')) return v < l.value ? -1 : v > l.value ? 1 : 0;
  return undefined;
}

/** Compiled `matches` patterns, one per parsed literal (an expression is evaluated over many packets). */
const patterns = new WeakMap<Literal, RegExp>();

function pattern(l: Literal): RegExp {
  let re = patterns.get(l);
  if (re === undefined) patterns.set(l, (re = new RegExp(literalText(l), 'u')));
  return re;
}

function test(v: Scalar | null, op: CompareOp, l: Literal): boolean {
  if (v === null) return false;
  switch (op) {
    case '==': return equals(v, l);
    case '!=': return !equals(v, l);
    case 'contains': return String(v).includes(literalText(l));
    case 'matches': return pattern(l).test(String(v));
    default: {
      const d = order(v, l);
      if (d === undefined) return false;
      return op === '>' ? d > 0 : op === '<' ? d < 0 : op === '>=' ? d >= 0 : d <= 0;
    }
  }
}

export function evaluate(e: Expr, p: FilterSubject): boolean {
  switch (e.kind) {
    case 'and': return evaluate(e.left, p) && evaluate(e.right, p);
    case 'or': return evaluate(e.left, p) || evaluate(e.right, p);
    case 'not': return !evaluate(e.expr, p);
    case 'present': return valuesOf(p, e.field).length > 0;
    case 'compare': {
      const vs = valuesOf(p, e.field);
      if (e.op === '!=') return vs.length > 0 && vs.every((v) => test(v, '!=', e.value));
      return vs.some((v) => test(v, e.op, e.value));
    }
  }
}

/** Every filter name that occurs in a tree (for "did you mean" hints and the field-name completion list). */
export function filterNames(nodes: FieldNode[], into: Set<string>): Set<string> {
  for (const n of nodes) {
    into.add(n.filter);
    if (n.children) filterNames(n.children, into);
  }
  return into;
}
