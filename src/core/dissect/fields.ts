// The field registry: every field the dissector can emit, with its label, Wireshark filter name (tshark
// 4.0 spelling wherever Wireshark has the field), value names and bit mask. Decode code refers to fields
// by key and never spells a filter or label itself, in the manner of Wireshark's hf_ arrays.
import { CONNACK_V3_CODES, PACKET_TYPE_LABELS, PROPERTIES, PROTOCOL_VERSIONS, QOS_NAMES, SUBACK_V3_CODES } from './spec.js';

export interface FieldDef {
  filter: string;
  name: string;
  mask?: number;
  values?: Readonly<Record<number, string>>;
}

const RETAIN_HANDLING: Record<number, string> = {
  0: 'Send msgs at subscription time',
  1: 'Send msgs if subscription does not exist',
  2: 'Do not send msgs at subscription time',
  3: 'Reserved',
};

const f = (filter: string, name: string, extra: Omit<FieldDef, 'filter' | 'name'> = {}): FieldDef =>
  ({ filter, name, ...extra });

export const FIELDS = {
  // Our own grouping nodes: the lecture's three parts of a control packet.
  fixedHeader: f('mqtt.fixed_header', 'Fixed Header'),
  variableHeader: f('mqtt.variable_header', 'Variable Header'),
  payload: f('mqtt.payload', 'Payload'),
  undecoded: f('mqtt.undecoded', 'Undecoded bytes'),
  notMqtt: f('mqtt.not_mqtt', 'Not MQTT'),

  hdrflags: f('mqtt.hdrflags', 'Header Flags'),
  msgtype: f('mqtt.msgtype', 'Message Type', { mask: 0xf0, values: Object.fromEntries(PACKET_TYPE_LABELS.map((l, i) => [i, l])) }),
  hdrReserved: f('mqtt.hdr_reserved', 'Reserved', { mask: 0x0f }),
  dup: f('mqtt.dupflag', 'DUP Flag', { mask: 0x08 }),
  qos: f('mqtt.qos', 'QoS Level', { mask: 0x06, values: QOS_NAMES }),
  retain: f('mqtt.retain', 'Retain', { mask: 0x01 }),
  retainReserved: f('mqtt.retain_reserved', 'Reserved', { mask: 0x01 }),
  len: f('mqtt.len', 'Msg Len'),

  protoLen: f('mqtt.proto_len', 'Protocol Name Length'),
  protoName: f('mqtt.protoname', 'Protocol Name'),
  ver: f('mqtt.ver', 'Version', { values: PROTOCOL_VERSIONS }),
  conflags: f('mqtt.conflags', 'Connect Flags'),
  cfUser: f('mqtt.conflag.uname', 'User Name Flag', { mask: 0x80 }),
  cfPasswd: f('mqtt.conflag.passwd', 'Password Flag', { mask: 0x40 }),
  cfWillRetain: f('mqtt.conflag.retain', 'Will Retain', { mask: 0x20 }),
  cfWillQos: f('mqtt.conflag.qos', 'QoS Level', { mask: 0x18, values: QOS_NAMES }),
  cfWill: f('mqtt.conflag.willflag', 'Will Flag', { mask: 0x04 }),
  cfClean: f('mqtt.conflag.cleansess', 'Clean Session Flag', { mask: 0x02 }),
  cfCleanStart: f('mqtt.conflag.cleansess', 'Clean Start Flag', { mask: 0x02 }),
  cfReserved: f('mqtt.conflag.reserved', '(Reserved)', { mask: 0x01 }),
  kalive: f('mqtt.kalive', 'Keep Alive'),
  clientIdLen: f('mqtt.clientid_len', 'Client ID Length'),
  clientId: f('mqtt.clientid', 'Client ID'),
  willTopicLen: f('mqtt.willtopic_len', 'Will Topic Length'),
  willTopic: f('mqtt.willtopic', 'Will Topic'),
  willMsgLen: f('mqtt.willmsg_len', 'Will Message Length'),
  willMsg: f('mqtt.willmsg', 'Will Message'),
  usernameLen: f('mqtt.username_len', 'User Name Length'),
  username: f('mqtt.username', 'User Name'),
  passwdLen: f('mqtt.passwd_len', 'Password Length'),
  passwd: f('mqtt.passwd', 'Password'),

  conackReservedV31: f('mqtt.conack.flags.reserved', 'Reserved'),
  conackFlags: f('mqtt.conack.flags', 'Acknowledge Flags'),
  conackFlagReserved: f('mqtt.conack.flags.reserved', 'Reserved', { mask: 0xfe }),
  conackSp: f('mqtt.conack.flags.sp', 'Session Present', { mask: 0x01 }),
  conackVal: f('mqtt.conack.val', 'Return Code', { values: CONNACK_V3_CODES }),

  topicLen: f('mqtt.topic_len', 'Topic Length'),
  topic: f('mqtt.topic', 'Topic'),
  msgid: f('mqtt.msgid', 'Message Identifier'),
  msg: f('mqtt.msg', 'Message'),

  subQos: f('mqtt.sub.qos', 'Requested QoS', { values: QOS_NAMES }),
  subOptions: f('mqtt.subscription_options', 'Subscription Options'),
  subOptReserved: f('mqtt.subscription_options_reserved', 'Reserved', { mask: 0xc0 }),
  subOptRetain: f('mqtt.subscription_options_retain', 'Retain Handling', { mask: 0x30, values: RETAIN_HANDLING }),
  subOptRap: f('mqtt.subscription_options_rap', 'Retain As Published', { mask: 0x08 }),
  subOptNl: f('mqtt.subscription_options_nl', 'No Local', { mask: 0x04 }),
  subOptQos: f('mqtt.subscription_options_qos', 'QoS', { mask: 0x03, values: QOS_NAMES }),
  subackQos: f('mqtt.suback.qos', 'Granted QoS', { values: SUBACK_V3_CODES }),

  properties: f('mqtt.properties', 'Properties'),
  willProperties: f('mqtt.will_properties', 'Will Properties'),
  propertyLen: f('mqtt.property_len', 'Total Length'),
  propertyId: f('mqtt.property_id', 'ID'),
  propNumber: f('mqtt.prop_number', 'Value'),
  propContentType: f('mqtt.property.content_type', 'Content Type'),
  propMaxQos: f('mqtt.property.max_qos', 'QoS'),
  propTopicAlias: f('mqtt.property.topic_alias', 'Topic Alias'),
  propUnknown: f('mqtt.prop_unknown', 'Unknown Property'),
  propStringLen: f('mqtt.prop_string_len', 'Length'),
  propString: f('mqtt.prop_string', 'Value'),
  propKeyLen: f('mqtt.prop_key_len', 'Key Length'),
  propKey: f('mqtt.prop_key', 'Key'),
  propValueLen: f('mqtt.prop_value_len', 'Value Length'),
  propValue: f('mqtt.prop_value', 'Value'),
} as const satisfies Record<string, FieldDef>;

export type FieldKey = keyof typeof FIELDS;

/** Reason-code fields of MQTT 5, one Wireshark field per packet type that carries one. */
export const REASON_CODE_FIELDS: Readonly<Record<number, FieldDef>> = {
  2: f('mqtt.connack.reason_code', 'Reason Code'),
  4: f('mqtt.puback.reason_code', 'Reason Code'),
  5: f('mqtt.pubrec.reason_code', 'Reason Code'),
  6: f('mqtt.pubrel.reason_code', 'Reason Code'),
  7: f('mqtt.pubcomp.reason_code', 'Reason Code'),
  9: f('mqtt.suback.reason_code', 'Reason Code'),
  11: f('mqtt.unsuback.reason_code', 'Reason Code'),
  14: f('mqtt.disconnect.reason_code', 'Reason Code'),
  15: f('mqtt.auth.reason_code', 'Reason Code'),
};

/** Every filter name the dissector can emit, for validating lessons and the filter box. */
export function knownFilters(): Set<string> {
  const out = new Set<string>();
  for (const d of Object.values(FIELDS)) out.add(d.filter);
  for (const d of Object.values(REASON_CODE_FIELDS)) out.add(d.filter);
  for (const p of PROPERTIES.values()) out.add(p.key);
  return out;
}
