// Field-by-field comparison of our dissector's tree with tshark's, and the report printed when they differ.
import type { DecodedPacket, FieldNode, MqttVersion } from '../../src/shared/packet.js';
import { compared, type TsharkField } from './pdml.js';

export type Dissect = (bytes: Uint8Array, opts?: { version?: MqttVersion }) => DecodedPacket;

/** What the comparison needs of one tshark MQTT packet; both the live PDML and the fixture provide it. */
export interface OraclePdu {
  frame: number;
  index: number;
  stream: number;
  bytes: Uint8Array;
  /** PDML size of the mqtt proto: the packet's total length. */
  size: number;
  msgtype: number;
  fields: Array<Pick<TsharkField, 'name' | 'offset' | 'size' | 'show'>>;
}

/** tshark's msgtype → our PacketTypeName. */
export const TYPE_NAMES = [
  'RESERVED', 'CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP',
  'SUBSCRIBE', 'SUBACK', 'UNSUBSCRIBE', 'UNSUBACK', 'PINGREQ', 'PINGRESP', 'DISCONNECT', 'AUTH',
] as const;

export interface FlatNode {
  filter: string;
  offset: number;
  length: number;
}

export function flatten(fields: readonly FieldNode[], out: FlatNode[] = []): FlatNode[] {
  for (const f of fields) {
    out.push({ filter: f.filter, offset: f.offset, length: f.length });
    if (f.children !== undefined) flatten(f.children, out);
  }
  return out;
}

export interface Mismatch {
  /** A tshark field name, or `(length)` / `(type)` / `(exception)` for packet-level checks. */
  field: string;
  frame: number;
  index: number;
  packetType: string;
  version: MqttVersion | undefined;
  tshark: string;
  ours: string;
}

export interface Report {
  packets: number;
  matched: number;
  total: number;
  /** Per tshark field name: how often compared, how often matched. */
  perField: Map<string, { total: number; matched: number }>;
  mismatches: Mismatch[];
}

/**
 * Tracks the protocol version per TCP stream the way tshark does: the CONNECT's protocol level sets it
 * for every later packet of the stream, both directions.
 */
export class VersionTracker {
  private readonly byStream = new Map<number, MqttVersion>();

  /** Call in capture order; returns the version to decode `pdu` with (undefined before any CONNECT). */
  next(pdu: OraclePdu): MqttVersion | undefined {
    if (pdu.msgtype === 1) {
      const ver = Number(pdu.fields.find((f) => f.name === 'mqtt.ver')?.show);
      if (ver === 3 || ver === 4 || ver === 5) this.byStream.set(pdu.stream, ver);
    }
    return this.byStream.get(pdu.stream);
  }
}

const key = (filter: string, offset: number, length: number): string => `${filter}@${offset}+${length}`;

/** Compare every packet (in capture order) and collect all differences. */
export function compareAll(pdus: Iterable<OraclePdu>, dissect: Dissect): Report {
  const report: Report = { packets: 0, matched: 0, total: 0, perField: new Map(), mismatches: [] };
  const versions = new VersionTracker();
  for (const pdu of pdus) {
    report.packets++;
    comparePdu(pdu, versions.next(pdu), dissect, report);
  }
  return report;
}

function comparePdu(pdu: OraclePdu, version: MqttVersion | undefined, dissect: Dissect, report: Report): void {
  // 15 is AUTH only in MQTT 5; before that it is reserved.
  const packetType = pdu.msgtype === 15 && version !== 5 ? 'RESERVED' : (TYPE_NAMES[pdu.msgtype] ?? `type ${pdu.msgtype}`);
  const miss = (field: string, tshark: string, ours: string): void => {
    report.mismatches.push({ field, frame: pdu.frame, index: pdu.index, packetType, version, tshark, ours });
  };
  let decoded: DecodedPacket;
  try {
    decoded = dissect(pdu.bytes, version === undefined ? {} : { version });
  } catch (err) {
    // Counted against every field of the packet: none of them was produced.
    for (const f of pdu.fields.filter(compared)) {
      report.total++;
      tally(report, f.name, false);
    }
    miss('(exception)', `${pdu.fields.length} fields`, String(err instanceof Error ? err.message : err));
    return;
  }
  if (decoded.length !== pdu.size) miss('(length)', String(pdu.size), String(decoded.length));
  if (decoded.typeCode !== pdu.msgtype || decoded.type !== packetType) {
    miss('(type)', `${pdu.msgtype} ${packetType}`, `${decoded.typeCode} ${decoded.type}`);
  }

  const ours = flatten(decoded.fields);
  const available = new Map<string, number>();
  for (const n of ours) {
    const k = key(n.filter, n.offset, n.length);
    available.set(k, (available.get(k) ?? 0) + 1);
  }
  for (const f of pdu.fields) {
    if (!compared(f)) continue;
    report.total++;
    const k = key(f.name, f.offset, f.size);
    const left = available.get(k) ?? 0;
    if (left > 0) {
      available.set(k, left - 1);
      report.matched++;
      tally(report, f.name, true);
      continue;
    }
    tally(report, f.name, false);
    const same = ours.filter((n) => n.filter === f.name).map((n) => `${n.offset}+${n.length}`);
    miss(f.name, `${f.offset}+${f.size} show=${JSON.stringify(clip(f.show))}`, same.length === 0 ? 'no node' : same.join(', '));
  }
}

function tally(report: Report, name: string, ok: boolean): void {
  const t = report.perField.get(name) ?? { total: 0, matched: 0 };
  t.total++;
  if (ok) t.matched++;
  report.perField.set(name, t);
}

function clip(s: string, max = 40): string {
  return s.length <= max ? s : s.slice(0, max) + '…';
}

/** Human summary: totals, then mismatches grouped by field with one example each. */
export function formatReport(r: Report, title: string): string {
  const pct = r.total === 0 ? 100 : (100 * r.matched) / r.total;
  const lines = [`${title}: ${r.matched}/${r.total} tshark fields matched (${pct.toFixed(2)} %) in ${r.packets} MQTT packets`];
  const groups = new Map<string, Mismatch[]>();
  for (const m of r.mismatches) groups.set(m.field, [...(groups.get(m.field) ?? []), m]);
  if (groups.size > 0) lines.push(`mismatches by field (offsets relative to the packet; ours = nodes with that filter):`);
  for (const [field, ms] of [...groups].sort((a, b) => b[1].length - a[1].length)) {
    const ex = ms[0]!;
    const types = [...new Set(ms.map((m) => `${m.packetType}/v${m.version ?? '?'}`))].join(' ');
    lines.push(`  ${field} ×${ms.length} [${types}]`);
    lines.push(`    e.g. frame ${ex.frame} #${ex.index} ${ex.packetType} v${ex.version ?? '?'}: tshark ${ex.tshark}; ours ${ex.ours}`);
  }
  return lines.join('\n');
}
