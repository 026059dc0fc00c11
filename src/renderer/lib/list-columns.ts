// What each packet-list column shows, and the columns a lecturer can resize. The Info column names what a
// packet is about (topic, filters, client id, return code) without repeating the type; Payload previews a
// PUBLISH's message; Flags spells out QoS, DUP and retain so a resend after a lost PUBACK stands out.
import type { PacketSummary } from '../../shared/api.js';

export type ColumnId = 'seq' | 'time' | 'client' | 'dir' | 'type' | 'info' | 'payload' | 'flags';

export interface Column {
  id: ColumnId;
  label: string;
  /** Default width in em; `fr` columns share what is left. */
  width: number;
  fr?: boolean;
  min: number;
}

export const COLUMNS: Column[] = [
  { id: 'seq', label: '#', width: 3.6, min: 2.5 },
  { id: 'time', label: 'Time', width: 5.6, min: 4 },
  { id: 'client', label: 'Client', width: 7.5, min: 4 },
  { id: 'dir', label: 'Dir', width: 2.4, min: 2.4 },
  // Wide enough for UNSUBSCRIBE in bold, the longest type name.
  { id: 'type', label: 'Type', width: 7.6, min: 7.6 },
  { id: 'info', label: 'Topic / info', width: 3, fr: true, min: 6 },
  { id: 'payload', label: 'Payload', width: 2, fr: true, min: 5 },
  { id: 'flags', label: 'Flags', width: 9, min: 5 },
];

/** Narrower defaults for a narrow list (small window, big zoom): every column still reads whole. */
const COMPACT: Partial<Record<ColumnId, number>> = { seq: 2.8, time: 5, client: 5.5, dir: 2.2, flags: 5 };
/** Columns given up, in this order, when even the compact ones do not fit; #, Time, Type and Info always stay. */
const DROP_ORDER: ColumnId[] = ['payload', 'dir', 'flags', 'client'];
/** Gap between columns, in em, as the list's CSS has it (wide, compact). */
export const GAP = { wide: 0.6, compact: 0.4 };
/** Row padding left + right, in em. */
const PAD = 1.2;

export interface ColumnFit {
  hidden: Set<ColumnId>;
  /** Widths to lay out with: the user's own where set, else the default (or the compact default). */
  widths: Partial<Record<ColumnId, number>>;
  compact: boolean;
}

function needed(widths: Partial<Record<ColumnId, number>>, hidden: ReadonlySet<ColumnId>, gap: number): number {
  const shown = COLUMNS.filter((c) => !hidden.has(c.id));
  const cols = shown.reduce((n, c) => n + (c.fr ? c.min : Math.max(c.min, widths[c.id] ?? c.width)), 0);
  return cols + gap * (shown.length - 1) + PAD;
}

/**
 * The columns a list `availEm` wide shows: all at their widths when they fit; else compact widths; else
 * columns dropped in DROP_ORDER until the rest fit. The packet number, its time and its type are what a
 * lecturer points at ("look at #14, 2 s later"), so they are never the ones to go.
 */
export function fitColumns(availEm: number, user: Partial<Record<ColumnId, number>>): ColumnFit {
  const hidden = new Set<ColumnId>();
  if (needed(user, hidden, GAP.wide) <= availEm) return { hidden, widths: user, compact: false };
  const widths = { ...COMPACT, ...user };
  for (const id of DROP_ORDER) {
    if (needed(widths, hidden, GAP.compact) <= availEm) break;
    hidden.add(id);
  }
  return { hidden, widths, compact: true };
}

/** CSS grid-template-columns for the given widths (em, or fr for the flexible columns). */
export function gridTemplate(widths: Partial<Record<ColumnId, number>>, hidden: ReadonlySet<ColumnId> = new Set()): string {
  return COLUMNS.filter((c) => !hidden.has(c.id))
    .map((c) => {
      const w = widths[c.id] ?? c.width;
      return c.fr ? `minmax(${c.min}em, ${w}fr)` : `${Math.max(c.min, w)}em`;
    })
    .join(' ');
}

/** The Info column: topic for PUBLISH, filters for (UN)SUBSCRIBE, the id or code for the rest. */
export function infoText(p: PacketSummary): string {
  const d = p;
  const i = d.info;
  const id = i.packetId !== undefined ? `m${i.packetId}` : '';
  switch (d.type) {
    case 'PUBLISH':
      return [id, i.topic ?? ''].filter(Boolean).join('  ');
    case 'SUBSCRIBE':
    case 'UNSUBSCRIBE':
      return [id, (i.topics ?? []).join(', ')].filter(Boolean).join('  ');
    case 'CONNECT':
      return `client id "${i.clientId ?? ''}"${i.keepalive !== undefined ? `, keepalive ${i.keepalive}s` : ''}`;
    default: {
      // mosquitto -v style summary without the type name: "(m7)", "(0, Connection Accepted)".
      const rest = d.summary.startsWith(d.type) ? d.summary.slice(d.type.length).trim() : d.summary;
      return rest.replace(/^\((.*)\)$/, '$1');
    }
  }
}

export function payloadPreview(p: PacketSummary, max = 120): string {
  if (p.type !== 'PUBLISH') return '';
  const t = p.payloadText;
  if (t === undefined) return p.payloadCut ? `${p.info.payloadLength ?? 0} bytes (binary)` : '';
  const one = t.replace(/\s+/g, ' ');
  // The summary carries the payload's first characters only: a cut preview says so, and how long the whole is.
  if (one.length > max) return `${one.slice(0, max - 1)}…`;
  return p.payloadCut ? `${one}… (${p.info.payloadLength ?? 0} bytes)` : one;
}

export interface FlagBadge {
  text: string;
  kind: 'qos' | 'dup' | 'retain';
  title: string;
}

/** QoS, DUP and retain of a PUBLISH as badges; other packets have none. */
export function publishFlags(p: PacketSummary): FlagBadge[] {
  if (p.type !== 'PUBLISH') return [];
  const i = p.info;
  const out: FlagBadge[] = [{ text: `Q${i.qos ?? 0}`, kind: 'qos', title: `QoS ${i.qos ?? 0}` }];
  if (i.dup) out.push({ text: 'DUP', kind: 'dup', title: 'DUP = 1: a resend of a message the receiver may already have' });
  if (i.retain) out.push({ text: 'RET', kind: 'retain', title: 'Retain = 1: the broker keeps it for future subscribers' });
  return out;
}
