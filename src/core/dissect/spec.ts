// Constants of the MQTT specifications (3.1, 3.1.1 and 5.0) in one table module, kept apart from the
// decode logic so that names and numbers are reviewed in one place.
import type { MqttVersion, PacketTypeName } from '../../shared/packet.js';

export const PACKET_TYPES: readonly PacketTypeName[] = [
  'RESERVED', 'CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP',
  'SUBSCRIBE', 'SUBACK', 'UNSUBSCRIBE', 'UNSUBACK', 'PINGREQ', 'PINGRESP', 'DISCONNECT', 'AUTH',
];

/** Wireshark's labels for the message type, so a student sees the same words in both tools. */
export const PACKET_TYPE_LABELS: readonly string[] = [
  'Reserved', 'Connect Command', 'Connect Ack', 'Publish Message', 'Publish Ack', 'Publish Received',
  'Publish Release', 'Publish Complete', 'Subscribe Request', 'Subscribe Ack', 'Unsubscribe Request',
  'Unsubscribe Ack', 'Ping Request', 'Ping Response', 'Disconnect Req', 'Authentication Exchange',
];

/**
 * The fixed-header flags each packet type must carry (MQTT-2.2.2-1 in 3.1.1, MQTT-2.1.3-1 in 5.0).
 * PUBLISH (3) has real flags and is checked separately; AUTH (15) exists only in MQTT 5.
 */
export const REQUIRED_FLAGS: Readonly<Record<number, number>> = {
  1: 0, 2: 0, 4: 0, 5: 0, 6: 2, 7: 0, 8: 2, 9: 0, 10: 2, 11: 0, 12: 0, 13: 0, 14: 0, 15: 0,
};

export const QOS_NAMES: readonly string[] = [
  'At most once delivery (Fire and Forget)',
  'At least once delivery (Acknowledged deliver)',
  'Exactly once delivery (Assured Delivery)',
  'Reserved',
];

export const PROTOCOL_VERSIONS: Readonly<Record<number, string>> = {
  3: 'MQTT v3.1', 4: 'MQTT v3.1.1', 5: 'MQTT v5.0',
};

/** CONNACK return codes of MQTT 3.1 and 3.1.1. */
export const CONNACK_V3_CODES: Readonly<Record<number, string>> = {
  0: 'Connection Accepted',
  1: 'Connection Refused: unacceptable protocol version',
  2: 'Connection Refused: identifier rejected',
  3: 'Connection Refused: server unavailable',
  4: 'Connection Refused: bad user name or password',
  5: 'Connection Refused: not authorized',
};

export const SUBACK_V3_CODES: Readonly<Record<number, string>> = {
  0: 'Granted QoS 0', 1: 'Granted QoS 1', 2: 'Granted QoS 2', 0x80: 'Failure',
};

const RC: Readonly<Record<number, string>> = {
  0x00: 'Success', 0x01: 'Granted QoS 1', 0x02: 'Granted QoS 2', 0x04: 'Disconnect with Will Message',
  0x10: 'No matching subscribers', 0x11: 'No subscription existed', 0x18: 'Continue authentication',
  0x19: 'Re-authenticate', 0x80: 'Unspecified error', 0x81: 'Malformed Packet', 0x82: 'Protocol Error',
  0x83: 'Implementation specific error', 0x84: 'Unsupported Protocol Version',
  0x85: 'Client Identifier not valid', 0x86: 'Bad User Name or Password', 0x87: 'Not authorized',
  0x88: 'Server unavailable', 0x89: 'Server busy', 0x8a: 'Banned', 0x8b: 'Server shutting down',
  0x8c: 'Bad authentication method', 0x8d: 'Keep Alive timeout', 0x8e: 'Session taken over',
  0x8f: 'Topic Filter invalid', 0x90: 'Topic Name invalid', 0x91: 'Packet Identifier in use',
  0x92: 'Packet Identifier not found', 0x93: 'Receive Maximum exceeded', 0x94: 'Topic Alias invalid',
  0x95: 'Packet too large', 0x96: 'Message rate too high', 0x97: 'Quota exceeded',
  0x98: 'Administrative action', 0x99: 'Payload format invalid', 0x9a: 'Retain not supported',
  0x9b: 'QoS not supported', 0x9c: 'Use another server', 0x9d: 'Server moved',
  0x9e: 'Shared Subscriptions not supported', 0x9f: 'Connection rate exceeded', 0xa0: 'Maximum connect time',
  0xa1: 'Subscription Identifiers not supported', 0xa2: 'Wildcard Subscriptions not supported',
};

function pick(codes: number[], overrides: Record<number, string> = {}): Readonly<Record<number, string>> {
  const out: Record<number, string> = {};
  for (const c of codes) out[c] = overrides[c] ?? RC[c]!;
  return out;
}

const PUB_ACK_ERRORS = [0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99];

/** MQTT 5 reason codes valid in each packet type (MQTT 5.0 §2.4, table 2-6), by numeric packet type. */
export const REASON_CODES_V5: Readonly<Record<number, Readonly<Record<number, string>>>> = {
  2: pick([0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97,
    0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9f]),
  4: pick([0x00, 0x10, ...PUB_ACK_ERRORS]),
  5: pick([0x00, 0x10, ...PUB_ACK_ERRORS]),
  6: pick([0x00, 0x92]),
  7: pick([0x00, 0x92]),
  9: pick([0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2], { 0: 'Granted QoS 0' }),
  11: pick([0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91]),
  14: pick([0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8d, 0x8e, 0x8f, 0x90, 0x93, 0x94, 0x95,
    0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2], { 0: 'Normal disconnection' }),
  15: pick([0x00, 0x18, 0x19]),
};

export type PropertyKind = 'byte' | 'u16' | 'u32' | 'varint' | 'utf8' | 'binary' | 'pair';

export interface PropertyDef {
  id: number;
  name: string;
  /** Our filter name for the whole property (id + value); Wireshark has none. */
  key: string;
  kind: PropertyKind;
  /** Numeric packet types where the property may appear; 'will' = CONNECT will properties. */
  packets: ReadonlyArray<number | 'will'>;
  /** User Property is the only one that may repeat (MQTT 5.0 §3.x "may appear multiple times"). */
  repeatable?: boolean;
}

function prop(id: number, name: string, kind: PropertyKind, packets: Array<number | 'will'>,
  repeatable = false): PropertyDef {
  const key = 'mqtt.prop.' + name.toLowerCase().replace(/ /g, '_');
  return { id, name, key, kind, packets, repeatable };
}

/** Every MQTT 5 property (MQTT 5.0 §2.2.2.2, table 2-4). */
export const PROPERTIES: ReadonlyMap<number, PropertyDef> = new Map([
  prop(0x01, 'Payload Format Indicator', 'byte', [3, 'will']),
  prop(0x02, 'Message Expiry Interval', 'u32', [3, 'will']),
  prop(0x03, 'Content Type', 'utf8', [3, 'will']),
  prop(0x08, 'Response Topic', 'utf8', [3, 'will']),
  prop(0x09, 'Correlation Data', 'binary', [3, 'will']),
  prop(0x0b, 'Subscription Identifier', 'varint', [3, 8], true),
  prop(0x11, 'Session Expiry Interval', 'u32', [1, 2, 14]),
  prop(0x12, 'Assigned Client Identifier', 'utf8', [2]),
  prop(0x13, 'Server Keep Alive', 'u16', [2]),
  prop(0x15, 'Authentication Method', 'utf8', [1, 2, 15]),
  prop(0x16, 'Authentication Data', 'binary', [1, 2, 15]),
  prop(0x17, 'Request Problem Information', 'byte', [1]),
  prop(0x18, 'Will Delay Interval', 'u32', ['will']),
  prop(0x19, 'Request Response Information', 'byte', [1]),
  prop(0x1a, 'Response Information', 'utf8', [2]),
  prop(0x1c, 'Server Reference', 'utf8', [2, 14]),
  prop(0x1f, 'Reason String', 'utf8', [2, 4, 5, 6, 7, 9, 11, 14, 15]),
  prop(0x21, 'Receive Maximum', 'u16', [1, 2]),
  prop(0x22, 'Topic Alias Maximum', 'u16', [1, 2]),
  prop(0x23, 'Topic Alias', 'u16', [3]),
  prop(0x24, 'Maximum QoS', 'byte', [2]),
  prop(0x25, 'Retain Available', 'byte', [2]),
  prop(0x26, 'User Property', 'pair', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 15, 'will'], true),
  prop(0x27, 'Maximum Packet Size', 'u32', [1, 2]),
  prop(0x28, 'Wildcard Subscription Available', 'byte', [2]),
  prop(0x29, 'Subscription Identifier Available', 'byte', [2]),
  prop(0x2a, 'Shared Subscription Available', 'byte', [2]),
].map((p) => [p.id, p] as const));

/**
 * Spec references differ between 3.1.1 and 5.0 for the same rule; callers give both and the
 * dissector picks the one of the version being decoded.
 */
export function ref(version: MqttVersion, v311: string, v5: string = v311): string {
  return version === 5 ? v5 : v311;
}
