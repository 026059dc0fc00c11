// The fixed header: the type/flags byte and the Remaining Length (3.1.1 §2.2, 5.0 §2.1).
import type { FieldNode, MqttVersion } from '../../shared/packet.js';
import { bitChildren, flag, node, readVarint } from './context.js';
import { FIELDS } from './fields.js';
import { PACKET_TYPES, REQUIRED_FLAGS, ref } from './spec.js';

export interface FixedHeader {
  nodes: FieldNode[];
  lenNode: FieldNode;
  typeCode: number;
  flags: number;
  /** Bytes of the fixed header (1 + varint bytes); 0 remaining-length bytes when the varint is broken. */
  headerLen: number;
  remaining: number;
  /** The Remaining Length could not be read: the rest of the packet cannot be delimited. */
  broken: boolean;
}

/** The header byte as shown (`0x32, PUBLISH`), made once for all 256 values rather than per packet. */
const HEADER_DISPLAY: readonly string[] = Array.from({ length: 256 },
  (_, b) => `0x${b.toString(16).padStart(2, '0')}, ${PACKET_TYPES[b >> 4]}`);

const PUBLISH_BITS = [FIELDS.msgtype, FIELDS.dup, FIELDS.qos, FIELDS.retain];
const V31_BITS = [FIELDS.msgtype, FIELDS.dup, FIELDS.qos, FIELDS.retainReserved];
const PLAIN_BITS = [FIELDS.msgtype, FIELDS.hdrReserved];

export function fixedHeader(buf: Uint8Array, version: MqttVersion): FixedHeader {
  const b0 = buf[0]!;
  const typeCode = b0 >> 4;
  const flags = b0 & 0x0f;
  const hdr = node(FIELDS.hdrflags, 0, 1, b0, HEADER_DISPLAY[b0]!);
  checkFlags(hdr, b0, typeCode, flags, version);

  const v = readVarint(buf, 1, buf.length);
  const lenNode = node(FIELDS.len, 1, v.bytes, v.value);
  let broken = false;
  if (v.error !== undefined) {
    broken = true;
    flag(lenNode, 'error', `Remaining Length ${v.error}`, ref(version, '§2.2.3', '§1.5.5'));
  } else if (v.overlong) {
    // MQTT 5 makes the shortest encoding a rule; 3.1.1 only describes it, so there it is a warning.
    if (version === 5) flag(lenNode, 'error', 'Remaining Length is not encoded in the minimum number of bytes', 'MQTT-1.5.5-1');
    else flag(lenNode, 'warning', 'Remaining Length uses more bytes than its value needs', '§2.2.3');
  }
  return { nodes: [hdr, lenNode], lenNode, typeCode, flags, headerLen: 1 + v.bytes, remaining: v.value, broken };
}

function checkFlags(hdr: FieldNode, b0: number, typeCode: number, flags: number, version: MqttVersion): void {
  if (typeCode === 3) {
    const [, dup, qos] = bitChildren(hdr, b0, PUBLISH_BITS);
    if (qos!.value === 3) flag(qos!, 'error', 'QoS 3 is reserved: a PUBLISH must not have both QoS bits set', 'MQTT-3.3.1-4');
    else if (qos!.value === 0 && dup!.value === true) {
      flag(dup!, 'error', 'DUP must be 0 for a QoS 0 PUBLISH', 'MQTT-3.3.1-2');
    }
    return;
  }
  // MQTT 3.1 gave PUBREL, SUBSCRIBE and UNSUBSCRIBE a real DUP/QoS; Wireshark shows those bits for 3.1.
  const v31Flags = version === 3 && (typeCode === 6 || typeCode === 8 || typeCode === 10);
  const kids = v31Flags
    ? bitChildren(hdr, b0, V31_BITS)
    : bitChildren(hdr, b0, PLAIN_BITS);
  const typeNode = kids[0]!;
  if (v31Flags && (flags & 0x01) !== 0) {
    flag(kids[3]!, 'error', 'The retain bit of PUBREL, SUBSCRIBE and UNSUBSCRIBE is reserved in MQTT 3.1', '§3 (MQTT 3.1)');
  }
  if (typeCode === 0) {
    flag(typeNode, 'error', 'Packet type 0 is reserved and never valid', ref(version, '§2.2.1', '§2.1.2'));
    return;
  }
  if (typeCode === 15 && version !== 5) {
    flag(typeNode, 'error', 'Packet type 15 (AUTH) exists only in MQTT 5.0; it is reserved in MQTT 3.1.1', '§2.2.1');
    return;
  }
  const required = REQUIRED_FLAGS[typeCode]!;
  if (flags !== required && !(v31Flags && (flags & 0x06) === 0x02)) {
    const bad = v31Flags ? kids[2]! : kids[1]!;
    flag(bad, 'error',
      `Fixed header flags of ${PACKET_TYPES[typeCode]} must be ${required.toString(2).padStart(4, '0')}, not ${flags.toString(2).padStart(4, '0')}`,
      ref(version, 'MQTT-2.2.2-1', 'MQTT-2.1.3-1'));
  }
}
