// Packets for the renderer's unit tests, made the way real clients make them: mqtt-packet (the encoder
// MQTT.js sends with) writes the bytes and the real dissector decodes them. Nothing here shapes a tree.
import { generate, type Packet } from 'mqtt-packet';
import { dissect } from '../../../src/core/dissect/index.js';
import { toHex } from '../../../src/core/dissect/utf8.js';
import type { DecodedPacket, MqttVersion } from '../../../src/shared/packet.js';
import type { PacketSummary, WirePacket } from '../../../src/shared/api.js';
import type { PacketRecord } from '../../../src/shared/lab.js';
import { summaryOf as recordSummary } from '../../../src/core/lab/wire.js';

export type PacketSpec =
  | {
      type: 'CONNECT'; clientId: string; version: MqttVersion; clean: boolean; keepalive: number;
      will?: { topic: string; payload: string; qos: number; retain: boolean };
    }
  | { type: 'CONNACK'; sessionPresent: boolean; code: number }
  | { type: 'PUBLISH'; topic: string; payload: Uint8Array; qos: number; retain: boolean; dup: boolean; packetId?: number }
  | { type: 'PUBACK' | 'PUBREC' | 'PUBREL' | 'PUBCOMP'; packetId: number }
  | { type: 'SUBSCRIBE'; packetId: number; subs: Array<{ filter: string; qos: number }> }
  | { type: 'SUBACK'; packetId: number; codes: number[] }
  | { type: 'UNSUBSCRIBE'; packetId: number; filters: string[] }
  | { type: 'UNSUBACK'; packetId: number }
  | { type: 'PINGREQ' | 'PINGRESP' | 'DISCONNECT' };

function toMqttPacket(p: PacketSpec, version: MqttVersion): Packet {
  const v = { protocolVersion: version };
  switch (p.type) {
    case 'CONNECT':
      return {
        cmd: 'connect', protocolId: p.version === 3 ? 'MQIsdp' : 'MQTT', protocolVersion: p.version, clean: p.clean, clientId: p.clientId, keepalive: p.keepalive,
        ...(p.will ? { will: { topic: p.will.topic, payload: Buffer.from(p.will.payload), qos: p.will.qos as 0 | 1 | 2, retain: p.will.retain } } : {}),
      } as Packet;
    case 'CONNACK':
      return { cmd: 'connack', sessionPresent: p.sessionPresent, returnCode: p.code, ...v } as Packet;
    case 'PUBLISH':
      return { cmd: 'publish', topic: p.topic, payload: Buffer.from(p.payload), qos: p.qos as 0 | 1 | 2, retain: p.retain, dup: p.dup, messageId: p.packetId, ...v } as Packet;
    case 'PUBACK': case 'PUBREC': case 'PUBREL': case 'PUBCOMP':
      return { cmd: p.type.toLowerCase(), messageId: p.packetId, ...v } as Packet;
    case 'SUBSCRIBE':
      return { cmd: 'subscribe', messageId: p.packetId, subscriptions: p.subs.map((s) => ({ topic: s.filter, qos: s.qos })), ...v } as Packet;
    case 'SUBACK':
      return { cmd: 'suback', messageId: p.packetId, granted: p.codes, ...v } as Packet;
    case 'UNSUBSCRIBE':
      return { cmd: 'unsubscribe', messageId: p.packetId, unsubscriptions: p.filters, ...v } as Packet;
    case 'UNSUBACK':
      return { cmd: 'unsuback', messageId: p.packetId, ...v } as unknown as Packet;
    default:
      return { cmd: p.type.toLowerCase(), ...v } as Packet;
  }
}

/** The bytes as a hex string (the API's shape) and the dissector's decoding of them. */
export function encodePacket(p: PacketSpec, version: MqttVersion = 4): { bytes: string; decoded: DecodedPacket } {
  const bytes = new Uint8Array(generate(toMqttPacket(p, p.type === 'CONNECT' ? p.version : version)));
  return { bytes: toHex(bytes), decoded: dissect(bytes, { version }) };
}

/** A whole packet as the live stream summarises it (the shape the list, diagram and topics read). */
export function summaryOf(w: WirePacket): PacketSummary {
  const bytes = Uint8Array.from(Buffer.from(w.bytes, 'hex'));
  const rec: PacketRecord = { seq: w.seq, time: w.time, connId: w.connId, direction: w.direction, bytes, decoded: w.decoded };
  if (w.fault) rec.fault = w.fault;
  return recordSummary(rec, w.clientId);
}
