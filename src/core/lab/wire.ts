// Conversions of core records to the JSON shapes of the API contract (bytes as hex).
import { PAYLOAD_PREVIEW, type PacketSummary, type WireMessage, type WirePacket } from '../../shared/api.js';
import type { PacketRecord, ReceivedMessage } from '../../shared/lab.js';
import type { DecodedPacket, FieldNode } from '../../shared/packet.js';
import { recordIssues, recordSummary, worstSeverity } from '../../shared/record-issues.js';
import { isTextPayload } from '../dissect/payload.js';
import { findField } from '../dissect/tree.js';
import { toHex } from '../dissect/utf8.js';

const fatal = new TextDecoder('utf-8', { fatal: true });

export function wirePacket(r: PacketRecord, clientId: string | undefined): WirePacket {
  const w: WirePacket = { seq: r.seq, time: r.time, connId: r.connId, direction: r.direction, bytes: toHex(r.bytes), decoded: r.decoded };
  if (clientId !== undefined) w.clientId = clientId;
  if (r.fault !== undefined) w.fault = r.fault;
  if (r.fullLength !== undefined) w.fullLength = r.fullLength;
  if (r.findings !== undefined) w.findings = r.findings;
  return w;
}

/**
 * What the live stream and the list pages carry for a record: its dissector facts without the tree or the
 * bytes. Building it reads the record's tree (the store caches the few recent ones), keeps none of it.
 */
export function summaryOf(r: PacketRecord, clientId: string | undefined): PacketSummary {
  const d = r.decoded;
  const s: PacketSummary = {
    seq: r.seq, time: r.time, connId: r.connId, direction: r.direction,
    type: d.type, typeCode: d.typeCode, version: d.version, length: r.fullLength ?? d.length, summary: recordSummary(r), info: d.info,
  };
  if (clientId !== undefined) s.clientId = clientId;
  if (d.typeCode === 3) preview(s, r, findField(d.fields, 'mqtt.msg'), (text, cut) => {
    if (text !== undefined) s.payloadText = text;
    if (cut) s.payloadCut = true;
  });
  if (d.typeCode === 1) will(s, r, d);
  if (r.fault !== undefined) s.fault = r.fault;
  // Connection-level findings the tap keeps beside the tree count like the tree's own (record-issues.ts).
  const count = recordIssues(r).length;
  if (count > 0) {
    s.issues = count;
    s.severity = worstSeverity(r)!;
  }
  return s;
}

/** A payload node's text, cut to PAYLOAD_PREVIEW characters; undefined when binary (then always `cut`). */
function preview(s: PacketSummary, r: PacketRecord, n: FieldNode | undefined, out: (text: string | undefined, cut: boolean) => void): void {
  if (n === undefined) return;
  const kept = r.fullLength !== undefined;
  const end = Math.min(n.offset + n.length, r.bytes.length);
  if (n.length === 0) return out(kept ? undefined : '', kept);
  if (typeof n.value !== 'string' || !isTextPayload(r.bytes, n.offset, end)) return out(undefined, true);
  const text = n.value;
  if (text.length <= PAYLOAD_PREVIEW) return out(text, kept || n.offset + n.length > end);
  // Never half of a surrogate pair.
  let cutAt = PAYLOAD_PREVIEW;
  const last = text.charCodeAt(cutAt - 1);
  if (last >= 0xd800 && last <= 0xdbff) cutAt--;
  out(text.slice(0, cutAt), true);
}

function will(s: PacketSummary, r: PacketRecord, d: DecodedPacket): void {
  const topic = findField(d.fields, 'mqtt.willtopic');
  if (typeof topic?.value !== 'string') return;
  const w: { topic: string; text?: string } = { topic: topic.value };
  preview(s, r, findField(d.fields, 'mqtt.willmsg'), (text) => {
    if (text !== undefined) w.text = text;
  });
  s.will = w;
}

export function wireMessage(m: ReceivedMessage): WireMessage {
  const w: WireMessage = { time: m.time, topic: m.topic, payload: toHex(m.payload), qos: m.qos, retain: m.retain, dup: m.dup };
  try {
    w.text = fatal.decode(m.payload);
  } catch {
    // binary payload: hex only
  }
  return w;
}

export function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}
