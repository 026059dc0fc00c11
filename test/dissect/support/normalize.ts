// Two decoders' views of one packet brought to the same plain shape, so that a deep equality says the
// dissector's tree and mqtt-packet's parser agree on every value: one view read off our FieldNode tree
// (by filter name and byte range), the other off mqtt-packet's parsed object.
import type { DecodedPacket, FieldNode, MqttVersion } from '../../../src/shared/packet.js';
import { findAll } from './tree.js';

export type Plain = Record<string, unknown>;

/** MQTT 5 property identifiers (MQTT 5.0 table 2-4) under mqtt-packet's names. */
const PROPERTY_NAMES: Record<number, string> = {
  0x01: 'payloadFormatIndicator', 0x02: 'messageExpiryInterval', 0x03: 'contentType', 0x08: 'responseTopic',
  0x09: 'correlationData', 0x0b: 'subscriptionIdentifier', 0x11: 'sessionExpiryInterval',
  0x12: 'assignedClientIdentifier', 0x13: 'serverKeepAlive', 0x15: 'authenticationMethod', 0x16: 'authenticationData',
  0x17: 'requestProblemInformation', 0x18: 'willDelayInterval', 0x19: 'requestResponseInformation',
  0x1a: 'responseInformation', 0x1c: 'serverReference', 0x1f: 'reasonString', 0x21: 'receiveMaximum',
  0x22: 'topicAliasMaximum', 0x23: 'topicAlias', 0x24: 'maximumQoS', 0x25: 'retainAvailable', 0x26: 'userProperties',
  0x27: 'maximumPacketSize', 0x28: 'wildcardSubscriptionAvailable', 0x29: 'subscriptionIdentifiersAvailable',
  0x2a: 'sharedSubscriptionAvailable',
};
/** Byte properties that mqtt-packet reads as booleans (its 'byte' type); Maximum QoS stays a number. */
const BOOLEAN_PROPERTIES = new Set([0x01, 0x17, 0x19, 0x25, 0x28, 0x29, 0x2a]);
const BINARY_PROPERTIES = new Set([0x09, 0x16]);

function first(nodes: readonly FieldNode[], filter: string): FieldNode | undefined {
  return findAll(nodes, filter)[0];
}

function group(d: DecodedPacket, filter: string): FieldNode[] {
  return d.fields.find((n) => n.filter === filter)?.children ?? [];
}

/**
 * The bytes a value node stands for, rebuilt from its value (text → UTF-8, hex → bytes), after checking
 * that its byte range holds the same bytes: the value and the range must tell one story.
 */
function bytesOf(n: FieldNode, buf: Uint8Array, binary: boolean): string {
  const range = Buffer.from(buf.subarray(n.offset, n.offset + n.length));
  const v = String(n.value);
  const fromValue = binary || / bytes of binary data/.test(n.display ?? '') ? Buffer.from(v, 'hex') : Buffer.from(v, 'utf8');
  // Payload values keep only a prefix of very long messages; the range is always whole.
  if (!range.subarray(0, fromValue.length).equals(fromValue) || (fromValue.length < range.length && !/shown\)$/.test(n.display ?? ''))) {
    return `MISMATCH: range ${range.subarray(0, 16).toString('hex')}… vs value ${fromValue.subarray(0, 16).toString('hex')}…`;
  }
  return range.toString('hex');
}

function propertiesOf(block: FieldNode | undefined): Plain | undefined {
  if (block === undefined) return undefined;
  const out: Plain = {};
  for (const wrap of block.children ?? []) {
    if (!wrap.filter.startsWith('mqtt.prop.')) continue;
    const id = wrap.children![0]!.value as number;
    const name = PROPERTY_NAMES[id] ?? `unknown ${id}`;
    if (id === 0x26) {
      const key = first(wrap.children!, 'mqtt.prop_key')!.value as string;
      const value = first(wrap.children!, 'mqtt.prop_value')!.value as string;
      const up = (out[name] ??= {}) as Record<string, string | string[]>;
      const had = up[key];
      up[key] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
      continue;
    }
    const value = BOOLEAN_PROPERTIES.has(id) ? wrap.value !== 0 : BINARY_PROPERTIES.has(id) ? String(wrap.value) : wrap.value;
    const had = out[name];
    out[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function set(o: Plain, key: string, value: unknown): void {
  if (value !== undefined) o[key] = value;
}

/** What our tree says, in mqtt-packet's vocabulary. */
export function fromTree(d: DecodedPacket, buf: Uint8Array): Plain {
  const o: Plain = { cmd: d.type.toLowerCase() };
  const vh = group(d, 'mqtt.variable_header');
  const pl = group(d, 'mqtt.payload');
  const all = d.fields;
  const val = (filter: string) => first(all, filter)?.value;
  set(o, 'messageId', val('mqtt.msgid'));
  set(o, 'properties', propertiesOf(vh.find((n) => n.filter === 'mqtt.properties')));
  switch (d.type) {
    case 'CONNECT': {
      Object.assign(o, {
        protocolId: val('mqtt.protoname'), protocolVersion: val('mqtt.ver'), clean: val('mqtt.conflag.cleansess'),
        keepalive: val('mqtt.kalive'), clientId: val('mqtt.clientid'),
      });
      if (val('mqtt.conflag.willflag') === true) {
        const will: Plain = {
          topic: val('mqtt.willtopic'), payload: bytesOf(first(all, 'mqtt.willmsg')!, buf, false),
          qos: val('mqtt.conflag.qos'), retain: val('mqtt.conflag.retain'),
        };
        set(will, 'properties', propertiesOf(pl.find((n) => n.filter === 'mqtt.will_properties')));
        o['will'] = will;
      }
      set(o, 'username', val('mqtt.username'));
      const pw = first(all, 'mqtt.passwd');
      if (pw !== undefined) o['password'] = bytesOf(pw, buf, false);
      break;
    }
    case 'CONNACK':
      o['sessionPresent'] = val('mqtt.conack.flags.sp') === true;
      if (d.version === 5) o['reasonCode'] = val('mqtt.connack.reason_code');
      else o['returnCode'] = val('mqtt.conack.val');
      break;
    case 'PUBLISH':
      Object.assign(o, {
        qos: val('mqtt.qos'), dup: val('mqtt.dupflag'), retain: val('mqtt.retain'), topic: val('mqtt.topic'),
        payload: bytesOf(first(all, 'mqtt.msg')!, buf, false),
      });
      break;
    case 'SUBSCRIBE': {
      const subs: Plain[] = [];
      for (const n of pl) {
        if (n.filter === 'mqtt.topic') subs.push({ topic: n.value });
        else if (n.filter === 'mqtt.sub.qos') subs.at(-1)!['qos'] = n.value;
        else if (n.filter === 'mqtt.subscription_options') {
          const bit = (f: string) => first(n.children!, f)!.value;
          Object.assign(subs.at(-1)!, {
            qos: bit('mqtt.subscription_options_qos'), nl: bit('mqtt.subscription_options_nl'),
            rap: bit('mqtt.subscription_options_rap'), rh: bit('mqtt.subscription_options_retain'),
          });
        }
      }
      o['subscriptions'] = subs;
      break;
    }
    case 'UNSUBSCRIBE':
      o['unsubscriptions'] = pl.filter((n) => n.filter === 'mqtt.topic').map((n) => n.value);
      break;
    case 'SUBACK':
      o['granted'] = pl.map((n) => n.value);
      break;
    case 'UNSUBACK':
      if (d.version === 5) o['granted'] = pl.map((n) => n.value);
      break;
    case 'PUBACK': case 'PUBREC': case 'PUBREL': case 'PUBCOMP': case 'DISCONNECT': case 'AUTH':
      // MQTT 5 omits a Success reason code when nothing follows it (§3.4.2.1, §3.14.2.1).
      if (d.version === 5) o['reasonCode'] = vh.find((n) => n.filter.endsWith('.reason_code'))?.value ?? 0;
      break;
    default:
  }
  return o;
}

function hex(b: unknown): string {
  return Buffer.isBuffer(b) ? b.toString('hex') : Buffer.from(String(b), 'utf8').toString('hex');
}

function plainProperties(p: unknown): Plain | undefined {
  if (p === undefined || p === null) return undefined;
  const out: Plain = {};
  for (const [k, v] of Object.entries(p as Plain)) {
    if (k === 'userProperties') out[k] = { ...(v as Plain) };
    else out[k] = Buffer.isBuffer(v) ? v.toString('hex') : v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** What mqtt-packet's parser says, in the same shape. */
export function fromMqttPacket(p: Plain, version: MqttVersion): Plain {
  const o: Plain = { cmd: p['cmd'] };
  set(o, 'messageId', p['messageId']);
  set(o, 'properties', plainProperties(p['properties']));
  switch (p['cmd']) {
    case 'connect': {
      for (const k of ['protocolId', 'protocolVersion', 'clean', 'keepalive', 'clientId', 'username']) set(o, k, p[k]);
      const will = p['will'] as Plain | undefined;
      if (will !== undefined) {
        const w: Plain = { topic: will['topic'], payload: hex(will['payload']), qos: will['qos'], retain: will['retain'] };
        set(w, 'properties', plainProperties(will['properties']));
        o['will'] = w;
      }
      if (p['password'] !== undefined) o['password'] = hex(p['password']);
      break;
    }
    case 'connack':
      // mqtt-packet reads the first byte of a 3.1 CONNACK as flags too; that byte is reserved in 3.1.
      o['sessionPresent'] = version === 3 ? false : p['sessionPresent'];
      if (version === 5) o['reasonCode'] = p['reasonCode'];
      else o['returnCode'] = p['returnCode'];
      break;
    case 'publish':
      Object.assign(o, { qos: p['qos'], dup: p['dup'], retain: p['retain'], topic: p['topic'], payload: hex(p['payload']) });
      break;
    case 'subscribe':
      o['subscriptions'] = (p['subscriptions'] as Plain[]).map((s) => ({ ...s }));
      break;
    case 'unsubscribe':
      o['unsubscriptions'] = p['unsubscriptions'];
      break;
    case 'suback':
      o['granted'] = p['granted'];
      break;
    case 'unsuback':
      if (version === 5) o['granted'] = p['granted'];
      break;
    case 'puback': case 'pubrec': case 'pubrel': case 'pubcomp': case 'disconnect': case 'auth':
      if (version === 5) o['reasonCode'] = p['reasonCode'];
      break;
    default:
  }
  return o;
}
