// Random VALID MQTT packets as mqtt-packet objects (its `generate` input), for every type and every
// version mqtt-packet writes. Values stay inside what the specifications allow, so the dissector must
// decode each one without an error.
import type { MqttVersion } from '../../../src/shared/packet.js';
import type { Prng } from './prng.js';

/** An mqtt-packet packet object; its typings are too narrow for the fields we set per version. */
export type MqttPacketObject = Record<string, unknown> & { cmd: string };

export interface RandomPacket { version: MqttVersion; packet: MqttPacketObject }

// Characters of 1, 2, 3 and 4 UTF-8 bytes, a BOM (which must survive decoding) and a tab.
const CHARS = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_. ',
  ...'äöüßé°ñ', '中', '文', '☕', '€', '\ufeff', '\t', '😀', '🚀', '𝄞',
];
const ASCII = [...'abcdefghijklmnopqrstuvwxyz0123456789'];

export function text(rng: Prng, min: number, max: number, pool: readonly string[] = CHARS): string {
  let s = '';
  const n = rng.int(min, max);
  for (let i = 0; i < n; i++) s += rng.pick(pool);
  return s;
}

/** A topic name: 1..4 levels, no wildcards, never empty. */
function topicName(rng: Prng): string {
  const levels = Array.from({ length: rng.int(1, 4) }, () => text(rng, 0, 8));
  const t = levels.join('/');
  return t.length === 0 ? 'x' : t;
}

/** A valid topic filter: '+' fills a whole level, '#' only as the whole last level. */
function topicFilter(rng: Prng): string {
  const n = rng.int(1, 4);
  const levels: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = rng.next();
    if (r < 0.15) levels.push('+');
    else if (r < 0.25 && i === n - 1) levels.push('#');
    else levels.push(text(rng, 0, 8));
  }
  const f = levels.join('/');
  return f.length === 0 ? '#' : f;
}

function payload(rng: Prng): Buffer {
  const r = rng.next();
  // Mostly small; some empty; some past 16 KiB (and past the 64 KiB display cut-off).
  const n = r < 0.08 ? 0 : r < 0.93 ? rng.int(1, 300) : r < 0.98 ? rng.int(16_385, 40_000) : rng.int(65_000, 70_000);
  if (rng.bool(0.5)) return Buffer.from(rng.bytes(n));
  const parts: string[] = [];
  for (let bytes = 0; bytes < n;) {
    const c = rng.pick(CHARS);
    parts.push(c);
    bytes += Buffer.byteLength(c);
  }
  return Buffer.from(parts.join(''), 'utf8');
}

const PID = (rng: Prng): number => rng.int(1, 65535);

type PropGen = (rng: Prng) => unknown;

/** Value generators per property, in mqtt-packet's names and types (booleans for byte properties). */
const PROPERTY_VALUES: Record<string, PropGen> = {
  payloadFormatIndicator: (r) => r.bool(),
  messageExpiryInterval: (r) => r.int(0, 0xffffffff),
  contentType: (r) => text(r, 0, 20),
  responseTopic: (r) => topicName(r),
  correlationData: (r) => Buffer.from(r.bytes(r.int(0, 20))),
  subscriptionIdentifier: (r) => r.int(1, 268_435_455),
  sessionExpiryInterval: (r) => r.int(0, 0xffffffff),
  assignedClientIdentifier: (r) => text(r, 1, 20),
  serverKeepAlive: (r) => r.int(0, 65535),
  authenticationMethod: (r) => text(r, 1, 12),
  authenticationData: (r) => Buffer.from(r.bytes(r.int(0, 20))),
  requestProblemInformation: (r) => r.bool(),
  willDelayInterval: (r) => r.int(0, 0xffffffff),
  requestResponseInformation: (r) => r.bool(),
  responseInformation: (r) => text(r, 0, 20),
  serverReference: (r) => text(r, 0, 20),
  reasonString: (r) => text(r, 0, 30),
  receiveMaximum: (r) => r.int(1, 65535),
  topicAliasMaximum: (r) => r.int(0, 65535),
  topicAlias: (r) => r.int(1, 65535),
  maximumQoS: (r) => r.int(0, 1),
  retainAvailable: (r) => r.bool(),
  userProperties: (r) => userProperties(r),
  maximumPacketSize: (r) => r.int(1, 0xffffffff),
  wildcardSubscriptionAvailable: (r) => r.bool(),
  subscriptionIdentifiersAvailable: (r) => r.bool(),
  sharedSubscriptionAvailable: (r) => r.bool(),
};

function userProperties(rng: Prng): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const n = rng.int(1, 3);
  for (let i = 0; i < n; i++) {
    // Keys of letters only: mqtt-packet writes an object's keys in property order, and integer-like
    // keys would be reordered by JavaScript before it sees them.
    const key = text(rng, 0, 6, ['k', 'e', 'y', 'ä', '☕', '😀', '=']);
    // A repeated key's values are never empty: mqtt-packet's parser drops an empty first value of a
    // repeated key (it tests the stored value for truthiness), which would fail the comparison.
    out[key] = rng.bool(0.3) ? [text(rng, 1, 8), text(rng, 1, 8)] : text(rng, 0, 10);
  }
  return out;
}

/** Properties each packet may carry (MQTT 5.0 §3.x.2.x), by mqtt-packet command; 'will' for will properties. */
const ALLOWED: Record<string, string[]> = {
  connect: ['sessionExpiryInterval', 'receiveMaximum', 'maximumPacketSize', 'topicAliasMaximum', 'requestResponseInformation',
    'requestProblemInformation', 'userProperties', 'authenticationMethod', 'authenticationData'],
  will: ['willDelayInterval', 'payloadFormatIndicator', 'messageExpiryInterval', 'contentType', 'responseTopic',
    'correlationData', 'userProperties'],
  connack: ['sessionExpiryInterval', 'receiveMaximum', 'maximumQoS', 'retainAvailable', 'maximumPacketSize',
    'assignedClientIdentifier', 'topicAliasMaximum', 'reasonString', 'userProperties', 'wildcardSubscriptionAvailable',
    'subscriptionIdentifiersAvailable', 'sharedSubscriptionAvailable', 'serverKeepAlive', 'responseInformation',
    'serverReference', 'authenticationMethod', 'authenticationData'],
  publish: ['payloadFormatIndicator', 'messageExpiryInterval', 'topicAlias', 'responseTopic', 'correlationData',
    'userProperties', 'subscriptionIdentifier', 'contentType'],
  ack: ['reasonString', 'userProperties'],
  subscribe: ['subscriptionIdentifier', 'userProperties'],
  unsubscribe: ['userProperties'],
  disconnect: ['sessionExpiryInterval', 'reasonString', 'userProperties', 'serverReference'],
  auth: ['authenticationMethod', 'authenticationData', 'reasonString', 'userProperties'],
};

function properties(rng: Prng, where: string, pDrop = 0.6): Record<string, unknown> | undefined {
  if (rng.bool(0.25)) return undefined;
  const out: Record<string, unknown> = {};
  for (const name of ALLOWED[where]!) {
    if (rng.bool(pDrop)) continue;
    out[name] = PROPERTY_VALUES[name]!(rng);
  }
  // A PUBLISH may carry several Subscription Identifiers (one per matching subscription).
  if (where === 'publish' && typeof out['subscriptionIdentifier'] === 'number' && rng.bool(0.3)) {
    out['subscriptionIdentifier'] = [out['subscriptionIdentifier'] as number, PROPERTY_VALUES['subscriptionIdentifier']!(rng) as number];
  }
  return out;
}

// Reason codes each packet may carry (MQTT 5.0 §2.4 table 2-6).
const RC = {
  connack: [0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9f],
  pubackPubrec: [0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99],
  pubrelPubcomp: [0x00, 0x92],
  suback: [0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2],
  unsuback: [0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91],
  disconnect: [0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8d, 0x8e, 0x8f, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97,
    0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2],
  auth: [0x00, 0x18, 0x19],
};

function connect(rng: Prng, v: MqttVersion): MqttPacketObject {
  const clean = rng.bool(0.7);
  // MQTT 3.1 wants 1..23 characters; 3.1.1 and 5.0 allow an empty id with a clean session.
  const clientId = v === 3 ? text(rng, 1, 23, ASCII) : clean && rng.bool(0.15) ? '' : text(rng, 1, 30);
  const p: MqttPacketObject = {
    cmd: 'connect', protocolId: v === 3 ? 'MQIsdp' : 'MQTT', protocolVersion: v, clean, clientId,
    keepalive: rng.int(0, 65535),
  };
  if (rng.bool(0.4)) {
    const will: Record<string, unknown> = { topic: topicName(rng), payload: payload(rng).subarray(0, 2000), qos: rng.int(0, 2), retain: rng.bool() };
    if (v === 5) {
      const wp = properties(rng, 'will');
      if (wp !== undefined) will['properties'] = wp;
    }
    p['will'] = will;
  }
  if (rng.bool(0.5)) {
    p['username'] = text(rng, 0, 20);
    if (rng.bool(0.7)) p['password'] = rng.bool() ? Buffer.from(text(rng, 0, 20)) : Buffer.from(rng.bytes(rng.int(0, 20)));
  }
  if (v === 5) {
    const props = properties(rng, 'connect');
    if (props !== undefined) {
      if (props['authenticationData'] !== undefined && props['authenticationMethod'] === undefined) delete props['authenticationData'];
      p['properties'] = props;
    }
  }
  return p;
}

function publish(rng: Prng, v: MqttVersion): MqttPacketObject {
  const qos = rng.int(0, 2);
  const p: MqttPacketObject = {
    cmd: 'publish', qos, dup: qos > 0 && rng.bool(0.2), retain: rng.bool(0.2), topic: topicName(rng), payload: payload(rng),
  };
  if (qos > 0) p['messageId'] = PID(rng);
  if (v === 5) {
    const props = properties(rng, 'publish');
    if (props !== undefined) {
      p['properties'] = props;
      // With a Topic Alias the topic name may be empty (MQTT 5.0 §3.3.2.3.4).
      if (props['topicAlias'] !== undefined && rng.bool(0.5)) p['topic'] = '';
    }
  }
  return p;
}

function ack(rng: Prng, v: MqttVersion, cmd: 'puback' | 'pubrec' | 'pubrel' | 'pubcomp'): MqttPacketObject {
  const p: MqttPacketObject = { cmd, messageId: PID(rng) };
  if (v === 5) {
    p['reasonCode'] = rng.pick(cmd === 'puback' || cmd === 'pubrec' ? RC.pubackPubrec : RC.pubrelPubcomp);
    const props = properties(rng, 'ack');
    if (props !== undefined) p['properties'] = props;
  }
  return p;
}

function subscribe(rng: Prng, v: MqttVersion): MqttPacketObject {
  const subscriptions = Array.from({ length: rng.int(1, 5) }, () => {
    const s: Record<string, unknown> = { topic: topicFilter(rng), qos: rng.int(0, 2) };
    if (v === 5) {
      s['nl'] = rng.bool();
      s['rap'] = rng.bool();
      s['rh'] = rng.int(0, 2);
    }
    return s;
  });
  const p: MqttPacketObject = { cmd: 'subscribe', messageId: PID(rng), subscriptions };
  if (v === 5) {
    const props = properties(rng, 'subscribe');
    if (props !== undefined) p['properties'] = props;
  }
  return p;
}

function unsubscribe(rng: Prng, v: MqttVersion): MqttPacketObject {
  const p: MqttPacketObject = {
    cmd: 'unsubscribe', messageId: PID(rng), unsubscriptions: Array.from({ length: rng.int(1, 5) }, () => topicFilter(rng)),
  };
  if (v === 5) {
    const props = properties(rng, 'unsubscribe');
    if (props !== undefined) p['properties'] = props;
  }
  return p;
}

function connack(rng: Prng, v: MqttVersion): MqttPacketObject {
  if (v !== 5) {
    const returnCode = rng.bool(0.7) ? 0 : rng.int(1, 5);
    // 3.1 has no session-present flag; 3.1.1 sets it only on success (MQTT-3.2.2-4).
    return { cmd: 'connack', returnCode, sessionPresent: v === 4 && returnCode === 0 && rng.bool() };
  }
  const reasonCode = rng.bool(0.6) ? 0 : rng.pick(RC.connack);
  const p: MqttPacketObject = { cmd: 'connack', reasonCode, sessionPresent: reasonCode === 0 && rng.bool() };
  const props = properties(rng, 'connack', 0.75);
  if (props !== undefined) {
    if (props['authenticationData'] !== undefined && props['authenticationMethod'] === undefined) delete props['authenticationData'];
    p['properties'] = props;
  }
  return p;
}

function suback(rng: Prng, v: MqttVersion): MqttPacketObject {
  const granted = Array.from({ length: rng.int(1, 6) }, () => (v === 5 ? rng.pick(RC.suback) : rng.pick([0, 1, 2, 0x80])));
  const p: MqttPacketObject = { cmd: 'suback', messageId: PID(rng), granted };
  if (v === 5) {
    const props = properties(rng, 'ack');
    if (props !== undefined) p['properties'] = props;
  }
  return p;
}

function unsuback(rng: Prng, v: MqttVersion): MqttPacketObject {
  const p: MqttPacketObject = { cmd: 'unsuback', messageId: PID(rng) };
  if (v === 5) {
    p['granted'] = Array.from({ length: rng.int(1, 6) }, () => rng.pick(RC.unsuback));
    const props = properties(rng, 'ack');
    if (props !== undefined) p['properties'] = props;
  }
  return p;
}

function disconnectOrAuth(rng: Prng, cmd: 'disconnect' | 'auth', v: MqttVersion): MqttPacketObject {
  if (v !== 5) return { cmd };
  const p: MqttPacketObject = { cmd, reasonCode: rng.pick(cmd === 'auth' ? RC.auth : RC.disconnect) };
  const props = properties(rng, cmd);
  if (props !== undefined) {
    if (props['authenticationData'] !== undefined && props['authenticationMethod'] === undefined) delete props['authenticationData'];
    p['properties'] = props;
  }
  return p;
}

const COMMANDS = ['connect', 'connack', 'publish', 'puback', 'pubrec', 'pubrel', 'pubcomp', 'subscribe', 'suback',
  'unsubscribe', 'unsuback', 'pingreq', 'pingresp', 'disconnect', 'auth'] as const;

/** PUBLISH and its acknowledgements dominate real traffic, so they get a larger share. */
const WEIGHTED: readonly (typeof COMMANDS)[number][] = [...COMMANDS, 'publish', 'publish', 'publish', 'publish', 'puback', 'subscribe', 'connect'];

export function randomPacket(rng: Prng): RandomPacket {
  let cmd = rng.pick(WEIGHTED);
  const version = rng.pick([3, 4, 5] as const);
  if (cmd === 'auth' && version !== 5) cmd = 'pingreq';
  const v: MqttVersion = version;
  switch (cmd) {
    case 'connect': return { version: v, packet: connect(rng, v) };
    case 'connack': return { version: v, packet: connack(rng, v) };
    case 'publish': return { version: v, packet: publish(rng, v) };
    case 'puback': case 'pubrec': case 'pubrel': case 'pubcomp': return { version: v, packet: ack(rng, v, cmd) };
    case 'subscribe': return { version: v, packet: subscribe(rng, v) };
    case 'suback': return { version: v, packet: suback(rng, v) };
    case 'unsubscribe': return { version: v, packet: unsubscribe(rng, v) };
    case 'unsuback': return { version: v, packet: unsuback(rng, v) };
    case 'pingreq': case 'pingresp': return { version: v, packet: { cmd } };
    case 'disconnect': case 'auth': return { version: v, packet: disconnectOrAuth(rng, cmd, v) };
  }
}
