// Whether one captured packet completes a class exercise for the client that sent it. Only what reached
// the broker counts: a packet the tap dropped, or cut off by a sever, did not.
import type { Exercise, PayloadRule } from '../../shared/exercise.js';
import type { PacketRecord } from '../../shared/lab.js';
import type { PacketInfo } from '../../shared/packet.js';
import { plainPacket, type PlainPacket } from '../dissect/plain-packet.js';
import { findField } from '../dissect/tree.js';
import { unbuiltVersion } from '../tap/lazy-record.js';
import { recordIssues } from '../../shared/record-issues.js';

const SLOT = '{client}';
const text = new TextDecoder('utf-8', { fatal: true });

export function completes(ex: Exercise, r: PacketRecord, clientId: string): boolean {
  if (r.direction !== 'toBroker') return false;
  if (r.fault !== undefined && (r.fault.action === 'drop' || r.fault.action === 'sever')) return false;
  // The type from the header byte first: every packet of a class goes by here, and only a PUBLISH or a
  // SUBSCRIBE can complete an exercise, so no other packet's tree is built for it.
  if ((r.bytes[0] ?? 0) >> 4 !== (ex.kind === 'subscribe' ? 8 : 3)) return false;
  // Then the topic's bytes, before any reading of the packet: nearly every PUBLISH of a class is for
  // another topic than the exercise's (bench/tap-profile with a page open: 4 % of the relay's time here).
  if (ex.kind === 'publish' && !topicMayBe(r.bytes, topicBytes(ex, clientId))) return false;
  const want = topicFor(ex, clientId);
  // A plain PUBLISH nobody has opened is read from its bytes, as its tree would read it (plain-packet.ts):
  // every PUBLISH of a class passes here, and a tree each was most of the live log's cost (issue 12).
  const plain = ex.kind === 'publish' ? plainOf(r) : null;
  if (plain !== null) {
    if (r.findings?.some((i) => i.severity === 'error')) return false;
    return publishCompletes(ex, plain.info, want, r.bytes.subarray(plain.payloadStart));
  }
  if (recordIssues(r).some((i) => i.severity === 'error')) return false;
  const info = r.decoded.info;
  if (ex.kind === 'subscribe') {
    return r.decoded.type === 'SUBSCRIBE' && (info.topics ?? []).includes(want) && (ex.qos === undefined || subscribedQos(r, want) === ex.qos);
  }
  if (r.decoded.type !== 'PUBLISH') return false;
  return publishCompletes(ex, info, want, payloadOf(r));
}

const topicFor = (ex: Exercise, clientId: string): string => ex.topic.split(SLOT).join(clientId);

const utf8 = new TextEncoder();
/** Each exercise's topic for each client, as UTF-8: made once, compared with every PUBLISH's topic bytes. */
const wanted = new WeakMap<Exercise, Map<string, Uint8Array>>();
function topicBytes(ex: Exercise, clientId: string): Uint8Array {
  let byClient = wanted.get(ex);
  if (byClient === undefined) wanted.set(ex, (byClient = new Map()));
  let bytes = byClient.get(clientId);
  if (bytes === undefined) byClient.set(clientId, (bytes = utf8.encode(topicFor(ex, clientId))));
  return bytes;
}

/**
 * False when the PUBLISH's topic, read from its bytes, is not `want`; true when it is or the bytes cannot
 * say (too short): then the whole reading decides. A topic that is valid UTF-8 is `want` exactly when its
 * bytes are want's; one that is not valid is an error, and an error completes nothing either way.
 */
function topicMayBe(bytes: Uint8Array, want: Uint8Array): boolean {
  // The Remaining Length: one to four bytes, each with its continuation bit (MQTT-1.5.5).
  let at = 1;
  while (at < 4 && at < bytes.length && (bytes[at]! & 0x80) !== 0) at++;
  at++;
  if (at + 2 + want.length > bytes.length) return true;
  if (((bytes[at]! << 8) | bytes[at + 1]!) !== want.length) return false;
  at += 2;
  for (let i = 0; i < want.length; i++) if (bytes[at + i] !== want[i]) return false;
  return true;
}

/**
 * The packet read from its bytes, once for all the exercises it is checked against: a class tracker asks
 * for each exercise in turn, the same record each time.
 */
let lastRecord: PacketRecord | undefined;
let lastPlain: PlainPacket | null = null;
function plainOf(r: PacketRecord): PlainPacket | null {
  if (r !== lastRecord) {
    const version = unbuiltVersion(r);
    lastPlain = version === undefined ? null : plainPacket(r.bytes, version);
    lastRecord = r;
  }
  return lastPlain;
}

function publishCompletes(ex: Exercise, info: PacketInfo, want: string, payload: Uint8Array): boolean {
  if (info.topic !== want) return false;
  if (ex.qos !== undefined && info.qos !== ex.qos) return false;
  if (ex.retain !== undefined && info.retain !== ex.retain) return false;
  return payloadOk(ex.payload ?? 'any', payload);
}

function payloadOf(r: PacketRecord): Uint8Array {
  const node = findField(r.decoded.fields, 'mqtt.msg');
  return node === undefined ? new Uint8Array(0) : r.bytes.subarray(node.offset, node.offset + node.length);
}

/** 'number': a reading, as bare text ("21.5") or JSON holding a number at its top level ({"temp": 21.5}). */
export function payloadOk(rule: PayloadRule, bytes: Uint8Array): boolean {
  if (rule === 'any') return true;
  let s: string;
  try {
    s = text.decode(bytes).trim();
  } catch {
    return false;
  }
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch {
    return false;
  }
  if (rule === 'json') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  return typeof v === 'object' && v !== null && Object.values(v).some((x) => typeof x === 'number' && Number.isFinite(x));
}

/** The QoS asked for the filter: the options byte after it (both 3.1.1 and 5 keep QoS in its low bits). */
function subscribedQos(r: PacketRecord, filter: string): number | undefined {
  const payload = findField(r.decoded.fields, 'mqtt.payload') ?? { children: r.decoded.fields };
  const nodes = flatten(payload.children ?? []);
  const i = nodes.findIndex((n) => n.filter === 'mqtt.topic' && n.value === filter);
  const q = nodes.slice(i + 1).find((n) => n.filter === 'mqtt.sub.qos' || n.filter === 'mqtt.qos');
  return i === -1 || q === undefined ? undefined : Number(q.value);
}

function flatten(nodes: import('../../shared/packet.js').FieldNode[]): import('../../shared/packet.js').FieldNode[] {
  return nodes.flatMap((n) => [n, ...flatten(n.children ?? [])]);
}
