// The `expect:` vocabulary: each item becomes one Expectation. Clients named here must exist once the
// step's actions have run, which is when the engine starts checking.
import { isMap, isScalar } from 'yaml';
import type { ConnectionEnd } from '../../shared/lab.js';
import type { Expectation, ExpectationBody, LayerMatch, MessageMatch, PacketMatch, SourcePos } from '../../shared/lesson.js';
import { checkFieldName, clientRef, optional, packetType, setIf, singleKey, topicFilter, within } from './parse-values.js';
import type { ParseContext } from './scope.js';
import { CONNECTION_ENDS, DEFAULT_WITHIN, EXPECTATION_KINDS, FAULT_RECORDS, TLS_CONTENT, WS_OPCODES } from './vocabulary.js';
import type { Field, YNode } from './yaml-reader.js';

type Fields = Map<string, Field>;
type Parsed = ExpectationBody | undefined;

export function parseExpectation(c: ParseContext, node: YNode): Expectation | undefined {
  const item = singleKey(c, node, 'expectation', EXPECTATION_KINDS);
  if (item === undefined) return undefined;
  const at = c.r.at(item.key);
  const parsed = EXPECTATION_PARSERS[item.kind](c, item.value, at);
  return parsed === undefined ? undefined : { ...parsed, at };
}

export const MATCH_KEYS = ['type', 'from', 'to', 'direction', 'qos', 'retain', 'dup', 'topic', 'fields', 'fault'];

const EXPECTATION_PARSERS: Record<Expectation['kind'], (c: ParseContext, v: YNode, at: SourcePos) => Parsed> = {
  packet: (c, v, at) => {
    const f = c.r.fields(v, 'packet', [...MATCH_KEYS, 'within', 'count'], [], at);
    const match = f === undefined ? undefined : packetMatch(c, f, 'packet', at);
    if (f === undefined || match === undefined) return undefined;
    const out: Parsed = { kind: 'packet', match, within: within(c, f.get('within')?.value, 'packet', DEFAULT_WITHIN.packet) };
    setIf(out, 'count', optional(c, f, 'count', (n) => c.r.int(n, 'packet: count', 1, 10_000)));
    return out;
  },
  'no-packet': (c, v, at) => {
    const f = c.r.fields(v, 'no-packet', [...MATCH_KEYS, 'within'], [], at);
    const match = f === undefined ? undefined : packetMatch(c, f, 'no-packet', at);
    if (f === undefined || match === undefined) return undefined;
    return { kind: 'no-packet', match, within: within(c, f.get('within')?.value, 'no-packet', DEFAULT_WITHIN['no-packet']) };
  },
  received: (c, v, at) => {
    const f = c.r.fields(v, 'received', ['client', 'topic', 'payload', 'qos', 'retain', 'count', 'within'], ['client'], at);
    const match = f === undefined ? undefined : messageMatch(c, f, 'received');
    if (f === undefined || match === undefined) return undefined;
    const out: Parsed = { kind: 'received', match, within: within(c, f.get('within')?.value, 'received', DEFAULT_WITHIN.received) };
    setIf(out, 'count', optional(c, f, 'count', (n) => c.r.int(n, 'received: count', 1, 10_000)));
    return out;
  },
  'not-received': (c, v, at) => {
    const f = c.r.fields(v, 'not-received', ['client', 'topic', 'payload', 'qos', 'retain', 'within'], ['client'], at);
    const match = f === undefined ? undefined : messageMatch(c, f, 'not-received');
    if (f === undefined || match === undefined) return undefined;
    return { kind: 'not-received', match, within: within(c, f.get('within')?.value, 'not-received', DEFAULT_WITHIN['not-received']) };
  },
  connection: (c, v, at) => {
    const f = c.r.fields(v, 'connection', ['client', 'state', 'ended', 'within'], ['client'], at);
    if (f === undefined) return undefined;
    const client = optional(c, f, 'client', (n) => clientRef(c, n, 'connection: client'));
    const state = optional(c, f, 'state', (n) => c.r.choice(n, 'connection: state', ['connected', 'closed'] as const));
    const ended = optional(c, f, 'ended', (n) => c.r.choice(n, 'connection: ended', CONNECTION_ENDS)) as ConnectionEnd | undefined;
    if (!f.has('state') && !f.has('ended')) c.r.report(at, "connection needs 'state' (connected or closed) or 'ended' (how it closed)");
    if (state === 'connected' && ended !== undefined) c.r.report(f.get('ended')!.key, 'connection: a connection that has ended is closed, not connected');
    if (client === undefined || (state === undefined && ended === undefined)) return undefined;
    const out: Parsed = { kind: 'connection', client, within: within(c, f.get('within')?.value, 'connection', DEFAULT_WITHIN.connection) };
    setIf(out, 'state', state);
    setIf(out, 'ended', ended);
    return out;
  },
  order: (c, v, at) => {
    // `order: [a, b, c]`, or `order: { packets: [a, b, c], within: 5000 }` to say how long to wait.
    let list: YNode[] | undefined;
    let wait: YNode;
    if (isMap(v)) {
      const f = c.r.fields(v, 'order', ['packets', 'within'], ['packets'], at);
      list = f === undefined ? undefined : optional(c, f, 'packets', (n) => c.r.items(n, 'order: packets'));
      wait = f?.get('within')?.value;
    } else {
      list = c.r.items(v, 'order');
    }
    if (list === undefined) return undefined;
    if (list.length < 2) {
      c.r.report(v, 'order needs at least two packets, in the order they must appear');
      return undefined;
    }
    const matches: PacketMatch[] = [];
    for (const item of list) {
      const f = c.r.fields(item, 'order item', MATCH_KEYS, [], c.r.at(item, at));
      const m = f === undefined ? undefined : packetMatch(c, f, 'order item', c.r.at(item, at));
      if (m !== undefined) matches.push(m);
    }
    if (matches.length !== list.length) return undefined;
    return { kind: 'order', matches, within: within(c, wait, 'order', DEFAULT_WITHIN.order) };
  },
  'tls-record': (c, v, at) => layerExpectation(c, v, at, 'tls-record'),
  'ws-frame': (c, v, at) => layerExpectation(c, v, at, 'ws-frame'),
  quiz: (c, v) => {
    if (isScalar(v) && v.value === true) return { kind: 'quiz' };
    c.r.report(v, 'quiz takes the value true (and the step needs a question)');
    return undefined;
  },
};

export function packetMatch(c: ParseContext, f: Fields, what: string, at: SourcePos): PacketMatch | undefined {
  const m: PacketMatch = { fields: [] };
  let ok = true;
  const read = <T>(key: string, fn: (n: YNode) => T | undefined): T | undefined => {
    const v = optional(c, f, key, fn);
    if (f.has(key) && v === undefined) ok = false;
    return v;
  };
  setIf(m, 'type', read('type', (n) => packetType(c, n, `${what}: type`, true)));
  setIf(m, 'from', read('from', (n) => clientRef(c, n, `${what}: from`)));
  setIf(m, 'to', read('to', (n) => clientRef(c, n, `${what}: to`)));
  setIf(m, 'direction', read('direction', (n) => c.r.choice(n, `${what}: direction`, ['toBroker', 'toClient'] as const)));
  setIf(m, 'qos', read('qos', (n) => c.r.int(n, `${what}: qos`, 0, 2)));
  setIf(m, 'retain', read('retain', (n) => c.r.bool(n, `${what}: retain`)));
  setIf(m, 'dup', read('dup', (n) => c.r.bool(n, `${what}: dup`)));
  setIf(m, 'topic', read('topic', (n) => topicFilter(c, n, `${what}: topic`)));
  setIf(m, 'fault', read('fault', (n) => c.r.choice(n, `${what}: fault`, FAULT_RECORDS)));
  const fields = f.get('fields');
  if (fields !== undefined) {
    const map = c.r.map(fields.value, `${what}: fields`);
    if (map === undefined) ok = false;
    for (const pair of map?.items ?? []) {
      const name = c.r.text(pair.key as YNode, `${what}: fields`);
      const filter = name === undefined ? undefined : checkFieldName(c, pair.key as YNode, name, `${what}: fields`);
      const value = c.r.value(pair.value as YNode, `${what}: fields: ${name ?? '?'}`);
      if (filter === undefined || value === undefined) ok = false;
      else m.fields.push({ filter, value });
    }
  }
  if (f.has('from') && f.has('to')) {
    c.r.report(f.get('to')!.key, `${what}: give 'from' (sent by a client) or 'to' (sent to a client), not both`);
    ok = false;
  }
  const dir = m.direction;
  if ((dir === 'toClient' && f.has('from')) || (dir === 'toBroker' && f.has('to'))) {
    c.r.report(f.get('direction')!.value, `${what}: direction ${dir} contradicts '${f.has('from') ? 'from' : 'to'}'`);
    ok = false;
  }
  if (f.size === 0 || (f.size === 1 && f.has('within'))) {
    c.r.report(at, `${what} needs at least one of ${MATCH_KEYS.join(', ')}`);
    ok = false;
  }
  return ok ? m : undefined;
}

/**
 * `tls-record: { client: hans, content: Application Data, carries: CONNECT }` or
 * `ws-frame: { client: web, opcode: Binary, masked: true, carries: PUBLISH }`.
 */
function layerExpectation(c: ParseContext, v: YNode, at: SourcePos, kind: 'tls-record' | 'ws-frame'): Parsed {
  const own = kind === 'tls-record' ? ['content', 'handshake'] : ['opcode', 'masked'];
  const f = c.r.fields(v, kind, ['client', 'direction', 'carries', 'within', ...own], ['client'], at);
  if (f === undefined) return undefined;
  const client = optional(c, f, 'client', (n) => clientRef(c, n, `${kind}: client`));
  const m: LayerMatch = {};
  setIf(m, 'direction', optional(c, f, 'direction', (n) => c.r.choice(n, `${kind}: direction`, ['toBroker', 'toClient'] as const)));
  setIf(m, 'carries', optional(c, f, 'carries', (n) => packetType(c, n, `${kind}: carries`)));
  setIf(m, 'content', optional(c, f, 'content', (n) => named(c, n, `${kind}: content`, TLS_CONTENT)));
  setIf(m, 'handshake', optional(c, f, 'handshake', (n) => named(c, n, `${kind}: handshake`, CLEAR_HANDSHAKES)));
  setIf(m, 'opcode', optional(c, f, 'opcode', (n) => named(c, n, `${kind}: opcode`, WS_OPCODES)));
  setIf(m, 'masked', optional(c, f, 'masked', (n) => c.r.bool(n, `${kind}: masked`)));
  if (client === undefined) return undefined;
  return { kind, client, match: m, within: within(c, f.get('within')?.value, kind, DEFAULT_WITHIN[kind]) };
}

/** One of Wireshark's names, written in any case and with spaces, dashes or underscores ("application-data"). */
function named(c: ParseContext, n: YNode, what: string, names: readonly string[]): string | undefined {
  const fold = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, ' ');
  const hit = c.r.choice(n, what, names.map(fold), fold);
  return hit === undefined ? undefined : names.find((x) => fold(x) === hit);
}

/** Handshake messages an observer can read: the clear ones before TLS 1.3 encrypts the rest. */
const CLEAR_HANDSHAKES = ['Client Hello', 'Server Hello'] as const;

function messageMatch(c: ParseContext, f: Fields, what: string): MessageMatch | undefined {
  const client = optional(c, f, 'client', (n) => clientRef(c, n, `${what}: client`));
  if (client === undefined) return undefined;
  const m: MessageMatch = { client };
  setIf(m, 'topic', optional(c, f, 'topic', (n) => topicFilter(c, n, `${what}: topic`)));
  setIf(m, 'payload', optional(c, f, 'payload', (n) => c.r.text(n, `${what}: payload`)));
  setIf(m, 'qos', optional(c, f, 'qos', (n) => c.r.int(n, `${what}: qos`, 0, 2)));
  setIf(m, 'retain', optional(c, f, 'retain', (n) => c.r.bool(n, `${what}: retain`)));
  return m;
}
