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
