// The few facts the relay needs from a packet while it is on its way (issue 12: no field tree on the relay
// path): its type, and what fault rules and the connection's state read (QoS, topics, client id, keepalive,
// CONNACK code). Only packets that read cleanly get facts; anything unusual (foreign bytes, a length that
// does not add up, a QoS of 3) gets null, and the caller asks the dissector, whose verdict is the reference:
// test/tap/packet-facts.test.ts checks that both agree on every kind of packet and version.
import type { DecodedPacket, MqttVersion, PacketInfo, PacketTypeName } from '../../shared/packet.js';
import { dissect } from '../dissect/index.js';
import { findField } from '../dissect/tree.js';
import { decodeUtf8 } from '../dissect/utf8.js';
import { sniffForeign } from '../dissect/sniff.js';
import { PACKET_TYPES } from '../dissect/spec.js';

export interface PacketFacts {
  typeCode: number;
  type: PacketTypeName;
  /** The connection's version, or for a CONNECT the version it asks for. */
  version: MqttVersion;
  /** The subset of the dissector's PacketInfo named above; the rest stays unset. */
  info: PacketInfo;
  /** CONNACK: the session present flag (MQTT 3.1.1 and 5.0). */
  sessionPresent?: boolean;
  /** Offset of the variable header (after the fixed header). */
  body: number;
}

/** Thrown inside the reader when the bytes do not read cleanly; never escapes packetFacts. */
const IRREGULAR = Symbol('irregular');

class Reader {
  constructor(readonly buf: Uint8Array, public pos: number) {}
  u8(): number {
    if (this.pos >= this.buf.length) throw IRREGULAR;
    return this.buf[this.pos++]!;
  }
  u16(): number {
    return (this.u8() << 8) | this.u8();
  }
  /** A length-prefixed UTF-8 string, decoded as the dissector decodes it. */
  text(): string {
    const n = this.u16();
    if (this.pos + n > this.buf.length) throw IRREGULAR;
    const s = decodeUtf8(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  /** MQTT 5 properties: only their length is read, to step over them. */
  skipProperties(): void {
    let len = 0;
    let mul = 1;
    for (let i = 0; ; i++) {
      if (i === 4) throw IRREGULAR;
      const b = this.u8();
      len += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) break;
      mul *= 128;
    }
    if (this.pos + len > this.buf.length) throw IRREGULAR;
    this.pos += len;
  }
  get left(): number {
    return this.buf.length - this.pos;
  }
}

/** Facts of one framed packet, or null when only the dissector can say (see above). */
export function packetFacts(bytes: Uint8Array, version: MqttVersion): PacketFacts | null {
  if (bytes.length < 2 || sniffForeign(bytes) !== null) return null;
  let remaining = 0;
  let mul = 1;
  let body = 1;
  for (;;) {
    if (body > 4 || body >= bytes.length) return null;
    const b = bytes[body++]!;
    remaining += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) break;
    mul *= 128;
  }
  if (body + remaining !== bytes.length) return null;
  const typeCode = bytes[0]! >> 4;
  const flags = bytes[0]! & 0x0f;
  const facts: PacketFacts = { typeCode, type: PACKET_TYPES[typeCode]!, version, info: {}, body };
  // Acknowledgements, pings and DISCONNECT carry nothing the rules or the connection's state read.
  if (typeCode !== 1 && typeCode !== 2 && typeCode !== 3 && typeCode !== 8 && typeCode !== 10) return facts;
  const r = new Reader(bytes, body);
  try {
    switch (typeCode) {
      case 1: connect(r, facts); break;
      case 2: connack(r, facts); break;
      case 3: publish(r, flags, facts); break;
      default: subscribe(r, typeCode === 8, facts); break;
    }
  } catch (e) {
    if (e === IRREGULAR) return null;
    throw e;
  }
  return facts;
}

/** Facts of any packet: read cheaply, or taken from the dissector's tree (returned too, so it is built once). */
export function factsOf(bytes: Uint8Array, version: MqttVersion): { facts: PacketFacts; decoded?: DecodedPacket } {
  const facts = packetFacts(bytes, version);
  if (facts !== null) return { facts };
  const decoded = dissect(bytes, { version });
  const sp = findField(decoded.fields, 'mqtt.conack.flags.sp');
  const fromTree: PacketFacts = { typeCode: decoded.typeCode, type: decoded.type, version: decoded.version, info: decoded.info,
    body: decoded.fields[0]?.length ?? 0 };
  if (sp !== undefined) fromTree.sessionPresent = sp.value === true;
  return { facts: fromTree, decoded };
}

function connect(r: Reader, f: PacketFacts): void {
  const name = r.text();
  const level = r.u8();
  const flags = r.u8();
  const keepalive = r.u16();
  // As the dissector: level 5 is MQTT 5, level 3 or the 3.1 name is MQTT 3.1, anything else reads as 3.1.1.
  f.version = level === 5 ? 5 : level === 3 || name === 'MQIsdp' ? 3 : 4;
  if (f.version === 5) r.skipProperties();
  f.info.protocolVersion = level;
  f.info.cleanStart = (flags & 0x02) !== 0;
  f.info.keepalive = keepalive;
  f.info.clientId = r.text();
}

function connack(r: Reader, f: PacketFacts): void {
  const first = r.u8();
  if (f.version !== 3) f.sessionPresent = (first & 0x01) !== 0;
  f.info.reasonCode = r.u8();
}

function publish(r: Reader, flags: number, f: PacketFacts): void {
  const qos = (flags >> 1) & 3;
  if (qos === 3) throw IRREGULAR;
  f.info.qos = qos;
  f.info.dup = (flags & 8) !== 0;
  f.info.retain = (flags & 1) !== 0;
  f.info.topic = r.text();
}

function subscribe(r: Reader, isSubscribe: boolean, f: PacketFacts): void {
  r.u16(); // packet id
  if (f.version === 5) r.skipProperties();
  const topics: string[] = [];
  let qos = 0;
  while (r.left > 0) {
    topics.push(r.text());
    if (!isSubscribe) continue;
    const o = r.u8();
    // A requested QoS of 3, or reserved bits, is the dissector's to explain.
    if ((o & 3) === 3 || (f.version !== 5 && o > 2)) throw IRREGULAR;
    qos = Math.max(qos, o & 3);
  }
  if (topics.length === 0) throw IRREGULAR;
  f.info.topics = topics;
  if (isSubscribe) f.info.qos = qos;
}
