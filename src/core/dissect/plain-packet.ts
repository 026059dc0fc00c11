// The dissector's verdict on the packets that make up nearly all traffic (PUBLISH, the four
// acknowledgements, PINGREQ/PINGRESP, a 3.1.1 DISCONNECT) read straight from the bytes, for summaries of
// packets nobody has opened (issue 12: the live log and the event stream built a whole tree per packet).
// Only a packet the dissector would find nothing to remark on is read here; anything else (another type, a
// flag or length out of order, a string MQTT forbids, MQTT 5 properties) gets null and the caller builds
// the tree. The facts, info and line are then exactly the tree's: test/dissect/plain-packet.test.ts checks
// that on random valid and mutated packets of every type and version.
import type { MqttVersion, PacketInfo, PacketTypeName } from '../../shared/packet.js';
import { sniffForeign } from './sniff.js';
import { PACKET_TYPES, REASON_CODES_V5, REQUIRED_FLAGS } from './spec.js';
import { summarize } from './summary.js';
import { checkMqttUtf8, decodeUtf8 } from './utf8.js';

export interface PlainPacket {
  typeCode: number;
  type: PacketTypeName;
  version: MqttVersion;
  /** Bytes of the whole packet (all of `bytes`). */
  length: number;
  readonly summary: string;
  info: PacketInfo;
  /** PUBLISH: where the Application Message starts (it runs to the end of the bytes); else -1. */
  payloadStart: number;
}

const NO_FIELDS: never[] = [];

/** The packet's facts when the dissector would raise no issue on it and it is of a kind read here; else null. */
export function plainPacket(bytes: Uint8Array, version: MqttVersion): PlainPacket | null {
  const n = bytes.length;
  if (n < 2) return null;
  const b0 = bytes[0]!;
  const typeCode = b0 >> 4;
  const flags = b0 & 0x0f;
  const readHere = typeCode === 3 || (typeCode >= 4 && typeCode <= 7) || (typeCode >= 12 && typeCode <= 14);
  if (!readHere) return null;
  // The Remaining Length in its shortest form (MQTT-1.5.5-1; 3.1.1 warns of a longer one), exactly to the end.
  let remaining = 0;
  let mul = 1;
  let at = 1;
  for (;;) {
    if (at > 4 || at >= n) return null;
    const b = bytes[at++]!;
    remaining += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) {
      if (at > 2 && b === 0) return null;
      break;
    }
    mul *= 128;
  }
  if (at + remaining !== n) return null;
  // What the dissector takes for TLS or HTTP (a PUBREC's 0x50 is an ASCII 'P') is not read here.
  if (typeCode >= 4 && typeCode <= 5 && sniffForeign(bytes) !== null) return null;
  if (typeCode === 3) return publish(bytes, version, flags, at);
  if (flags !== REQUIRED_FLAGS[typeCode]) return null;
  if (typeCode <= 7) return ack(bytes, version, typeCode, at);
  // PINGREQ, PINGRESP; DISCONNECT before MQTT 5 (MQTT 5's may carry a reason code and properties).
  if (remaining !== 0 || (typeCode === 14 && version === 5)) return null;
  return plain(typeCode, version, n, {}, -1);
}

/** The summary line is made when read: the class tracker reads a PUBLISH's topic and payload, never its line. */
class Plain implements PlainPacket {
  readonly type: PacketTypeName;
  constructor(readonly typeCode: number, readonly version: MqttVersion, readonly length: number, readonly info: PacketInfo, readonly payloadStart: number) {
    this.type = PACKET_TYPES[typeCode]!;
  }

  get summary(): string {
    return summarize(this.typeCode, this.version, this.info, NO_FIELDS, undefined);
  }
}

function plain(typeCode: number, version: MqttVersion, length: number, info: PacketInfo, payloadStart: number): PlainPacket {
  return new Plain(typeCode, version, length, info, payloadStart);
}

/** PUBACK, PUBREC, PUBREL, PUBCOMP: a non-zero packet id; in MQTT 5 perhaps a known reason code, no properties. */
function ack(bytes: Uint8Array, version: MqttVersion, typeCode: number, at: number): PlainPacket | null {
  const left = bytes.length - at;
  if (left !== 2 && !(left === 3 && version === 5)) return null;
  const packetId = (bytes[at]! << 8) | bytes[at + 1]!;
  if (packetId === 0) return null; // MQTT-2.3.1-1
  if (left === 2) return plain(typeCode, version, bytes.length, { packetId }, -1);
  const reasonCode = bytes[at + 2]!;
  if (REASON_CODES_V5[typeCode]![reasonCode] === undefined) return null;
  return plain(typeCode, version, bytes.length, { packetId, reasonCode }, -1);
}

/**
 * A PUBLISH's facts from the first bytes of it, given its true length: for a record a capture store cut to
 * its first bytes after plainPacket found the whole packet plain (the payload, which is all that is
 * missing, is read by neither). Null when the kept bytes end before the payload starts.
 */
export function plainPublishStart(kept: Uint8Array, version: MqttVersion, length: number): PlainPacket | null {
  if (kept.length < 2 || kept[0]! >> 4 !== 3) return null;
  let remaining = 0;
  let mul = 1;
  let at = 1;
  for (;;) {
    if (at > 4 || at >= kept.length) return null;
    const b = kept[at++]!;
    remaining += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) break;
    mul *= 128;
  }
  if (at + remaining !== length) return null;
  return publish(kept, version, kept[0]! & 0x0f, at, length);
}

/** `n`: the packet's length; the bytes may stop earlier, but not before the payload (plainPublishStart). */
function publish(bytes: Uint8Array, version: MqttVersion, flags: number, at: number, n = bytes.length): PlainPacket | null {
  const end = bytes.length;
  const qos = (flags >> 1) & 3;
  const dup = (flags & 8) !== 0;
  if (qos === 3 || (qos === 0 && dup)) return null; // MQTT-3.3.1-4, MQTT-3.3.1-2
  if (at + 2 > end) return null;
  const topicLen = (bytes[at]! << 8) | bytes[at + 1]!;
  const topicEnd = at + 2 + topicLen;
  // An empty topic is an error, or in MQTT 5 a Topic Alias the tree explains.
  if (topicLen === 0 || topicEnd > end) return null;
  if (checkMqttUtf8(bytes, at + 2, topicEnd) !== null) return null; // MQTT-1.5.3-1/-2
  const topic = decodeUtf8(bytes, at + 2, topicEnd);
  if (topic.includes('+') || topic.includes('#')) return null; // MQTT-3.3.2-2
  let pos = topicEnd;
  let packetId: number | undefined;
  if (qos !== 0) {
    if (pos + 2 > end) return null;
    packetId = (bytes[pos]! << 8) | bytes[pos + 1]!;
    if (packetId === 0) return null; // MQTT-2.3.1-1
    pos += 2;
  }
  if (version === 5) {
    // Only an empty property block: properties are the tree's to read and check.
    if (pos >= end || bytes[pos] !== 0) return null;
    pos++;
  }
  const retain = (flags & 1) !== 0;
  // The key order of the dissector's info (decodePublish), so that both serialise alike.
  const info: PacketInfo = packetId === undefined
    ? { qos, dup, retain, topic, payloadLength: n - pos }
    : { qos, dup, retain, topic, packetId, payloadLength: n - pos };
  return plain(3, version, n, info, pos);
}
