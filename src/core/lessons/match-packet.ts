// Whether a captured packet or received message fits what a lesson expects, and, when it does not, the
// first criterion it misses, in words a student reads ("PUBLISH #7 had qos 0").
import type { WireMessage, WirePacket } from '../../shared/api.js';
import type { FieldNode } from '../../shared/packet.js';
import { findAll } from '../dissect/tree.js';
import { topicMatches } from '../dissect/topic-rules.js';
import type { MessageMatch, PacketMatch } from '../../shared/lesson.js';

/** Lesson client id → MQTT client identifier, and a packet → the MQTT client identifier of its connection. */
export interface Identities {
  mqttId(client: string): string;
  clientIdOf(p: WirePacket): string | undefined;
}

/** The first criterion `p` misses, or null when it matches. */
export function packetMismatch(m: PacketMatch, p: WirePacket, ids: Identities): string | null {
  const info = p.decoded.info;
  if (m.type !== undefined && p.decoded.type !== m.type) return `was ${p.decoded.type}`;
  if (m.from !== undefined && (p.direction !== 'toBroker' || ids.clientIdOf(p) !== ids.mqttId(m.from))) return `was not from ${m.from}`;
  if (m.to !== undefined && (p.direction !== 'toClient' || ids.clientIdOf(p) !== ids.mqttId(m.to))) return `was not to ${m.to}`;
  if (m.direction !== undefined && p.direction !== m.direction) return `went ${p.direction}`;
  if (m.qos !== undefined && info.qos !== m.qos) return `had qos ${info.qos ?? 'none'}`;
  if (m.retain !== undefined && (info.retain ?? false) !== m.retain) return `had retain ${info.retain ? 1 : 0}`;
  if (m.dup !== undefined && (info.dup ?? false) !== m.dup) return `had dup ${info.dup ? 1 : 0}`;
  if (m.topic !== undefined) {
    const topics = info.topic !== undefined ? [info.topic] : info.topics ?? [];
    if (!topics.some((t) => t === m.topic || topicMatches(m.topic!, t))) return topics.length === 0 ? 'had no topic' : `had topic '${topics.join("', '")}'`;
  }
  if (m.fault !== undefined && p.fault?.action !== m.fault) return p.fault === undefined ? 'passed the tap untouched' : `was ${p.fault.action}`;
  for (const f of m.fields) {
    const nodes = findAll(p.decoded.fields, f.filter);
    if (!nodes.some((n) => sameValue(n, f.value))) {
      return nodes.length === 0 ? `had no ${f.filter}` : `had ${f.filter} = ${nodes.map((n) => String(n.value)).join(', ')}`;
    }
  }
  return null;
}

export function packetMatches(m: PacketMatch, p: WirePacket, ids: Identities): boolean {
  return packetMismatch(m, p, ids) === null;
}

/**
 * Lesson values are typed by a lecturer in YAML, decoded values by the dissector: `true` matches a set flag
 * given as 1, `1` matches "1", and a value's display text counts too.
 */
function sameValue(n: FieldNode, want: string | number | boolean): boolean {
  const v = n.value;
  if (v === want) return true;
  if (typeof want === 'boolean') return v === (want ? 1 : 0);
  if (typeof want === 'number') return (typeof v === 'boolean' && (v ? 1 : 0) === want) || (typeof v === 'string' && v !== '' && Number(v) === want);
  return String(v) === want || n.display === want;
}

const FAULT_WORDS: Record<NonNullable<PacketMatch['fault']>, string> = {
  drop: 'dropped by the tap',
  delay: 'delayed by the tap',
  hold: 'held by the tap',
  corrupt: 'corrupted by the tap',
  sever: 'severing its connection',
  step: 'held by step mode',
};

/** "PUBACK to sensor", "PUBLISH from sensor with qos 1, topic 'a/b'". */
export function describePacket(m: PacketMatch): string {
  const head = [m.type ?? 'a packet'];
  if (m.from !== undefined) head.push(`from ${m.from}`);
  if (m.to !== undefined) head.push(`to ${m.to}`);
  if (m.direction !== undefined) head.push(m.direction === 'toBroker' ? 'to the broker' : 'to a client');
  const details: string[] = [];
  if (m.qos !== undefined) details.push(`qos ${m.qos}`);
  if (m.retain !== undefined) details.push(`retain ${m.retain ? 1 : 0}`);
  if (m.dup !== undefined) details.push(`dup ${m.dup ? 1 : 0}`);
  if (m.topic !== undefined) details.push(`topic '${m.topic}'`);
  for (const f of m.fields) details.push(`${f.filter} = ${String(f.value)}`);
  const fault = m.fault === undefined ? '' : `, ${FAULT_WORDS[m.fault]}`;
  return `${head.join(' ')}${details.length === 0 ? '' : ` with ${details.join(', ')}`}${fault}`;
}

export function messageMismatch(m: MessageMatch, id: string, msg: WireMessage): string | null {
  if (id !== m.client) return `went to ${id}`;
  if (m.topic !== undefined && msg.topic !== m.topic && !topicMatches(m.topic, msg.topic)) return `was on '${msg.topic}'`;
  if (m.payload !== undefined && (msg.text ?? '') !== m.payload) return `was '${shorten(msg.text ?? `0x${msg.payload}`)}'`;
  if (m.qos !== undefined && msg.qos !== m.qos) return `had qos ${msg.qos}`;
  if (m.retain !== undefined && msg.retain !== m.retain) return `had retain ${msg.retain ? 1 : 0}`;
  return null;
}

/** "a message on 'home/temp' saying '21.5' for display". */
export function describeMessage(m: MessageMatch): string {
  const parts = ['a message'];
  if (m.topic !== undefined) parts.push(`on '${m.topic}'`);
  if (m.payload !== undefined) parts.push(`saying '${shorten(m.payload)}'`);
  if (m.qos !== undefined) parts.push(`at qos ${m.qos}`);
  if (m.retain !== undefined) parts.push(m.retain ? 'flagged retained' : 'not flagged retained');
  return parts.join(' ');
}

function shorten(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
