// What can be read from a packet's bytes without building its field tree: its type (the dissector's own
// rule, HTTP and TLS sniffed first) and a PUBLISH's topic. Lists and filters over a million records use
// these; anything these cannot answer exactly as the tree would is left to the tree (undefined).
import type { MqttVersion, PacketTypeName } from '../../shared/packet.js';
import { sniffForeign } from '../dissect/sniff.js';
import { PACKET_TYPES } from '../dissect/spec.js';
import { decodeUtf8 } from '../dissect/utf8.js';
import { HEADER_COMPLETE, scanFixedHeader, type HeaderScan } from '../frame/fixed-header.js';

/** Every type name a record can carry, by a small index the store keeps per record. */
export const TYPE_NAMES: readonly PacketTypeName[] = [...PACKET_TYPES, 'UNKNOWN', 'HTTP'];
export const TYPE_INDEX: ReadonlyMap<PacketTypeName, number> = new Map(TYPE_NAMES.map((t, i) => [t, i]));

/** The dissector's typeCode for these bytes: the high nibble, or -1 when they are not MQTT at all. */
export function typeCodeOf(bytes: Uint8Array): number {
  if (bytes.length === 0 || sniffForeign(bytes) !== null) return -1;
  return bytes[0]! >> 4;
}

const scan: HeaderScan = { headerLength: 0, remainingLength: 0 };

/**
 * A PUBLISH's topic as the tree's `mqtt.topic` node holds it, or undefined when only the tree can say (the
 * header or the topic does not fit the bytes kept; an MQTT 5 empty topic, which a Topic Alias may stand for).
 */
export function publishTopic(bytes: Uint8Array, version: MqttVersion): string | undefined {
  if (bytes.length < 4 || bytes[0]! >> 4 !== 3) return undefined;
  if (scanFixedHeader(bytes, 0, bytes.length, scan) !== HEADER_COMPLETE) return undefined;
  const at = scan.headerLength;
  const end = Math.min(bytes.length, at + scan.remainingLength);
  if (at + 2 > end) return undefined;
  const len = (bytes[at]! << 8) | bytes[at + 1]!;
  if (at + 2 + len > end || (len === 0 && version === 5)) return undefined;
  return decodeUtf8(bytes, at + 2, at + 2 + len);
}
