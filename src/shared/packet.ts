// Data types of a decoded MQTT packet. They cross the process boundary (IPC, WebSocket),
// so they are plain JSON: no Buffers, no class instances, no functions.

export type Severity = 'error' | 'warning' | 'note';

export interface FieldIssue {
  severity: Severity;
  message: string;
  /** Normative statement of the spec, e.g. `MQTT-3.1.2-3` (MQTT 5) or `MQTT-3.1.2-3` (3.1.1). */
  specRef?: string;
}

export interface FieldNode {
  /** Human label, e.g. "Topic". */
  name: string;
  /** Wireshark (tshark 4.0) display-filter field name where Wireshark has one, else our own `mqtt.*` name. */
  filter: string;
  /** Byte offset relative to the first byte of the MQTT packet (the fixed-header byte). */
  offset: number;
  length: number;
  /** Decoded value: number for integers and bits, boolean for flags, string for text, hex string for binary. */
  value?: string | number | boolean;
  /** Value as a person reads it, e.g. "1 (At least once)". */
  display?: string;
  /** For bit fields: the mask within the byte at `offset`. */
  mask?: number;
  children?: FieldNode[];
  issues?: FieldIssue[];
}

export type PacketTypeName =
  | 'CONNECT' | 'CONNACK' | 'PUBLISH' | 'PUBACK' | 'PUBREC' | 'PUBREL' | 'PUBCOMP'
  | 'SUBSCRIBE' | 'SUBACK' | 'UNSUBSCRIBE' | 'UNSUBACK' | 'PINGREQ' | 'PINGRESP'
  | 'DISCONNECT' | 'AUTH' | 'RESERVED' | 'UNKNOWN'
  /** An HTTP/1.x request or response, recorded beside MQTT to compare the two (src/core/http). */
  | 'HTTP';

/** 3 = MQTT 3.1 (MQIsdp), 4 = 3.1.1, 5 = 5.0. */
export type MqttVersion = 3 | 4 | 5;

export interface DecodedPacket {
  type: PacketTypeName;
  /** Numeric control packet type from the high nibble of the first byte (0-15); -1 when not MQTT at all. */
  typeCode: number;
  version: MqttVersion;
  /** Total bytes of the packet: fixed header + remaining length. */
  length: number;
  fields: FieldNode[];
  /** Every issue in the tree, flattened, with the filter of the node carrying it. */
  issues: Array<FieldIssue & { filter: string; offset: number }>;
  /** One-liner in the style of `mosquitto -v`. */
  summary: string;
  /** Decoded convenience values for views and expectations (topic, qos, packetId, clientId, …). */
  info: PacketInfo;
}

/** The handful of values views, fault rules and lessons match on, lifted out of the tree. */
export interface PacketInfo {
  qos?: number;
  dup?: boolean;
  retain?: boolean;
  packetId?: number;
  topic?: string;
  topics?: string[];
  clientId?: string;
  payloadLength?: number;
  reasonCode?: number;
  keepalive?: number;
  cleanStart?: boolean;
  protocolVersion?: number;
}
