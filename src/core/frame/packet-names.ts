// Names of the 16 control packet types by the high nibble of the first byte. The framer only needs them
// to write readable reasons; the dissector keeps the full spec tables.
const NAMES = [
  'reserved (type 0)', 'CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP',
  'SUBSCRIBE', 'SUBACK', 'UNSUBSCRIBE', 'UNSUBACK', 'PINGREQ', 'PINGRESP', 'DISCONNECT', 'AUTH',
] as const;

export function packetTypeName(firstByte: number): string {
  return NAMES[(firstByte >> 4) & 0x0f]!;
}
