// A record of an opened capture file as the live stream's PacketSummary, so the viewer's in-page lab answers
// list pages in the same shape the core does.
import { PAYLOAD_PREVIEW, type PacketSummary } from '../../../shared/api.js';
import type { PacketRecord } from '../../../shared/lab.js';
import type { FieldNode, Severity } from '../../../shared/packet.js';

const fatal = new TextDecoder('utf-8', { fatal: true });
const RANK: Record<Severity, number> = { note: 0, warning: 1, error: 2 };

function find(nodes: readonly FieldNode[] | undefined, filter: string): FieldNode | undefined {
  for (const n of nodes ?? []) {
    if (n.filter === filter) return n;
    const inner = find(n.children, filter);
    if (inner) return inner;
  }
  return undefined;
}

/** The text of a field's bytes when they are UTF-8, cut to the preview length; `cut` when there is more. */
function textOf(r: PacketRecord, n: FieldNode): { text?: string; cut: boolean } {
  const held = r.bytes.subarray(n.offset, n.offset + n.length);
  const whole = held.length === n.length;
  try {
    const t = fatal.decode(held);
    return t.length > PAYLOAD_PREVIEW ? { text: t.slice(0, PAYLOAD_PREVIEW), cut: true } : { text: t, cut: !whole };
  } catch {
    return { cut: true };
  }
}

export function recordSummary(r: PacketRecord, clientId: string | undefined): PacketSummary {
  const d = r.decoded;
  const s: PacketSummary = {
    seq: r.seq, time: r.time, connId: r.connId, direction: r.direction, type: d.type, typeCode: d.typeCode,
    version: d.version, length: r.fullLength ?? d.length, summary: d.summary, info: d.info,
  };
  if (clientId !== undefined) s.clientId = clientId;
  if (r.fault !== undefined) s.fault = r.fault;
  if (d.type === 'PUBLISH') {
    const msg = find(d.fields, 'mqtt.msg');
    if (msg !== undefined) {
      const t = textOf(r, msg);
      if (t.text !== undefined) s.payloadText = t.text;
      if (t.cut) s.payloadCut = true;
    } else s.payloadText = '';
  } else if (d.type === 'CONNECT') {
    const topic = find(d.fields, 'mqtt.willtopic')?.value;
    const msg = find(d.fields, 'mqtt.willmsg');
    if (typeof topic === 'string') {
      s.will = { topic };
      const t = msg && textOf(r, msg);
      if (t?.text !== undefined) s.will.text = t.text;
    }
  }
  if (d.issues.length) {
    s.issues = d.issues.length;
    s.severity = d.issues.reduce<Severity>((w, i) => (RANK[i.severity] > RANK[w] ? i.severity : w), 'note');
  }
  return s;
}
