// One test per rule of the specifications the dissector checks: the input never makes it throw, its
// tree stays sound and covers every byte, and the issue sits on the node that broke the rule with the
// number of the normative statement (3.1.1 numbering for levels 3/4, 5.0 numbering for level 5).
import { describe, expect, it } from 'vitest';
import { ascii, fill } from './support/bytes.js';
import { decodeMalformed, expectIssue } from './support/expect-issue.js';
import { findAll } from './support/tree.js';

/** A 3.1.1 CONNECT with the given connect flags and payload (client id first). */
function connect(flags: number, payload: number[], level = 4, name = 'MQTT'): number[] {
  const vh = [0x00, name.length, ...ascii(name), level, flags, 0x00, 0x3c, ...(level === 5 ? [0x00] : [])];
  return [0x10, vh.length + payload.length, ...vh, ...payload];
}

describe('fixed header', () => {
  it('flags reserved bits of SUBSCRIBE set to 0000 instead of 0010', () => {
    const bytes = [
      0x80, // SUBSCRIBE with flags 0000: 0010 is required
      0x08, // Remaining Length 8
      0x00, 0x01, // Packet Identifier 1
      0x00, 0x03, ...ascii('a/b'), 0x01, // Topic Filter, QoS 1
    ];
    expectIssue(bytes, 4, { filter: 'mqtt.hdr_reserved', offset: 0, specRef: 'MQTT-2.2.2-1', message: /must be 0010, not 0000/ });
    expectIssue([0x80, 0x09, 0x00, 0x01, 0x00, ...bytes.slice(4)], 5, { filter: 'mqtt.hdr_reserved', offset: 0, specRef: 'MQTT-2.1.3-1' });
  });

  it('flags reserved bits of PUBREL set to 0000; in 3.1 that is a wrong QoS', () => {
    const bytes = [0x60, 0x02, 0x00, 0x01]; // PUBREL flags 0000, Remaining Length 2, Packet Identifier 1
    expectIssue(bytes, 4, { filter: 'mqtt.hdr_reserved', offset: 0, specRef: 'MQTT-2.2.2-1' });
    expectIssue(bytes, 3, { filter: 'mqtt.qos', offset: 0, specRef: 'MQTT-2.2.2-1' });
  });

  it('flags reserved bits of a PINGREQ', () => {
    expectIssue([0xc1, 0x00], 4, { filter: 'mqtt.hdr_reserved', offset: 0, specRef: 'MQTT-2.2.2-1' });
  });

  it('flags a PUBLISH with both QoS bits set', () => {
    const bytes = [
      0x36, // PUBLISH, QoS 3
      0x07, // Remaining Length 7
      0x00, 0x03, ...ascii('a/b'), // Topic
      0x00, 0x01, // read as a Packet Identifier, as Wireshark does
    ];
    const d = expectIssue(bytes, 4, { filter: 'mqtt.qos', offset: 0, specRef: 'MQTT-3.3.1-4' });
    expect(findAll(d, 'mqtt.msgid').map((n) => n.offset)).toEqual([7]);
  });

  it('flags DUP on a QoS 0 PUBLISH', () => {
    expectIssue([0x38, 0x05, 0x00, 0x03, ...ascii('a/b')], 4, { filter: 'mqtt.dupflag', offset: 0, specRef: 'MQTT-3.3.1-2' });
  });

  it('flags a Remaining Length with a continuation bit on its 4th byte', () => {
    const bytes = [0x30, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00, 0x01, ...ascii('t')];
    const d = expectIssue(bytes, 4, { filter: 'mqtt.len', offset: 1, specRef: '§2.2.3', message: /at most 4 bytes/ });
    expect(findAll(d, 'mqtt.len')[0]!.length).toBe(4);
    expectIssue(bytes, 5, { filter: 'mqtt.len', offset: 1, specRef: '§1.5.5' });
    expectIssue(bytes, 4, { filter: 'mqtt.undecoded', offset: 5, specRef: undefined, message: /cannot be delimited/ });
  });

  it('flags a Remaining Length longer than its value needs (MQTT 5.0)', () => {
    expectIssue([0xc0, 0x80, 0x00], 5, { filter: 'mqtt.len', offset: 1, specRef: 'MQTT-1.5.5-1', message: /minimum number of bytes/ });
    // 5 written in two bytes (0x85 0x00) in front of a PUBLISH that is otherwise fine.
    const d = expectIssue([0x30, 0x85, 0x00, 0x00, 0x01, ...ascii('t'), ...ascii('hi')], 5,
      { filter: 'mqtt.len', offset: 1, specRef: 'MQTT-1.5.5-1' });
    expect(d.info.topic).toBe('t');
  });

  it('flags a Remaining Length that runs past the data', () => {
    const bytes = [
      0x30, // PUBLISH
      0x0a, // Remaining Length 10, but only 7 bytes follow
      0x00, 0x03, ...ascii('a/b'), ...ascii('hi'),
    ];
    const d = expectIssue(bytes, 4, { filter: 'mqtt.len', offset: 1, specRef: undefined, message: /says 10 bytes but only 7 follow/ });
    expect(d.length).toBe(9);
    expect(d.info.payloadLength).toBe(2);
  });

  it('flags a Remaining Length cut off by the end of the data', () => {
    expectIssue([0x30, 0x80], 4, { filter: 'mqtt.len', offset: 1, specRef: '§2.2.3', message: /runs past the end/ });
    const d = decodeMalformed([0x30]);
    expect(d.issues.map((i) => i.filter)).toEqual(['mqtt.len']);
  });

  it('flags packet type 0 and leaves its body undecoded', () => {
    expectIssue([0x00, 0x00], 4, { filter: 'mqtt.msgtype', offset: 0, specRef: '§2.2.1', message: /reserved/ });
    expectIssue([0x00, 0x02, 0xab, 0xcd], 5, { filter: 'mqtt.msgtype', offset: 0, specRef: '§2.1.2' });
    expectIssue([0x00, 0x02, 0xab, 0xcd], 4, { filter: 'mqtt.undecoded', offset: 2, specRef: undefined });
  });

  it('flags AUTH outside MQTT 5.0', () => {
    expectIssue([0xf0, 0x00], 4, { filter: 'mqtt.msgtype', offset: 0, specRef: '§2.2.1', message: /only in MQTT 5\.0/ });
    const d = expectIssue([0xf0, 0x02, 0x18, 0x00], 4, { filter: 'mqtt.undecoded', offset: 2, specRef: undefined, message: /AUTH is not part of MQTT 3\.1\.1/ });
    expect(findAll(d, 'mqtt.auth.reason_code')).toEqual([]);
  });

  it('flags bytes after a complete packet', () => {
    expectIssue([0xc0, 0x00, 0xff], 4, { filter: 'mqtt.undecoded', offset: 2, specRef: undefined, message: /1 byte\(s\) follow the end of the packet/ });
    const d = expectIssue([0x40, 0x02, 0x00, 0x07, 0x40, 0x02], 4, { filter: 'mqtt.undecoded', offset: 4, specRef: undefined });
    expect(d.length).toBe(4);
    expect(d.info.packetId).toBe(7);
  });

  it('flags a PINGREQ whose Remaining Length is not 0', () => {
    expectIssue([0xc0, 0x02, 0x00, 0x00], 4, { filter: 'mqtt.undecoded', offset: 2, specRef: undefined, message: /remain after a complete PINGREQ/ });
  });
});

describe('strings', () => {
  it('flags a string length that runs past the end of the packet', () => {
    const bytes = [
      0x30, 0x05, // PUBLISH, Remaining Length 5
      0x00, 0x09, // Topic length 9, but 3 bytes remain
      ...ascii('a/b'),
    ];
    expectIssue(bytes, 4, { filter: 'mqtt.topic_len', offset: 2, specRef: '§1.5.3', message: /says 9 bytes but only 3 remain/ });
    expectIssue(bytes, 5, { filter: 'mqtt.topic_len', offset: 2, specRef: '§1.5.4' });
  });

  it('flags ill-formed UTF-8', () => {
    const bytes = [0x30, 0x05, 0x00, 0x03, 0x61, 0xff, 0x62]; // 'a' 0xff 'b': 0xff never occurs in UTF-8
    expectIssue(bytes, 4, { filter: 'mqtt.topic', offset: 4, specRef: 'MQTT-1.5.3-1', message: /not well-formed UTF-8 at byte 1/ });
    expectIssue(bytes, 5, { filter: 'mqtt.topic', offset: 4, specRef: 'MQTT-1.5.4-1' });
    // E0 80 80: U+0000 in an overlong 3-byte form, which RFC 3629 rules out.
    expectIssue([0x30, 0x05, 0x00, 0x03, 0xe0, 0x80, 0x80], 4, { filter: 'mqtt.topic', offset: 4, specRef: 'MQTT-1.5.3-1', message: /not well-formed/ });
    // A 2-byte sequence cut by the end of the string.
    expectIssue([0x30, 0x05, 0x00, 0x02, 0x61, 0xc3, 0x62], 4, { filter: 'mqtt.topic', offset: 4, specRef: 'MQTT-1.5.3-1' });
  });

  it('flags U+0000 in a string', () => {
    expectIssue([0x30, 0x05, 0x00, 0x03, 0x61, 0x00, 0x62], 4, { filter: 'mqtt.topic', offset: 4, specRef: 'MQTT-1.5.3-2', message: /U\+0000 at byte 1/ });
    expectIssue(connect(0x02, [0x00, 0x02, 0x00, 0x63], 5), 4, { filter: 'mqtt.clientid', offset: 15, specRef: 'MQTT-1.5.4-2' });
  });

  it('flags an encoded UTF-16 surrogate (ED A0 80 = U+D800)', () => {
    expectIssue([0x30, 0x07, 0x00, 0x05, 0x61, 0xed, 0xa0, 0x80, 0x62], 4, { filter: 'mqtt.topic', offset: 4, specRef: 'MQTT-1.5.3-1', message: /surrogate/ });
  });
});

describe('topics and topic filters', () => {
  it('flags an empty topic name', () => {
    expectIssue([0x30, 0x02, 0x00, 0x00], 4, { filter: 'mqtt.topic_len', offset: 2, specRef: 'MQTT-4.7.3-1', message: /empty/ });
  });

  it('flags wildcards in a topic name', () => {
    expectIssue([0x30, 0x05, 0x00, 0x03, ...ascii('a/+')], 4, { filter: 'mqtt.topic', offset: 4, specRef: 'MQTT-3.3.2-2' });
    expectIssue([0x30, 0x05, 0x00, 0x03, ...ascii('a/#')], 5, { filter: 'mqtt.topic', offset: 4, specRef: 'MQTT-3.3.2-2' });
  });

  it("flags a '#' that is not the last level", () => {
    const bytes = [0x82, 0x0a, 0x00, 0x01, 0x00, 0x05, ...ascii('a/#/b'), 0x00];
    expectIssue(bytes, 4, { filter: 'mqtt.topic', offset: 6, specRef: 'MQTT-4.7.1-2', message: /'#'/ });
    expectIssue([0x82, 0x0b, 0x00, 0x01, 0x00, ...bytes.slice(4)], 5, { filter: 'mqtt.topic', offset: 7, specRef: 'MQTT-4.7.1-1' });
    expectIssue([0xa2, 0x06, 0x00, 0x01, 0x00, 0x02, ...ascii('a#')], 4, { filter: 'mqtt.topic', offset: 6, specRef: 'MQTT-4.7.1-2' });
  });

  it("flags a '+' sharing its level", () => {
    const bytes = [0x82, 0x07, 0x00, 0x01, 0x00, 0x02, ...ascii('a+'), 0x00];
    expectIssue(bytes, 4, { filter: 'mqtt.topic', offset: 6, specRef: 'MQTT-4.7.1-3', message: /'\+'/ });
    expectIssue([0x82, 0x08, 0x00, 0x01, 0x00, ...bytes.slice(4)], 5, { filter: 'mqtt.topic', offset: 7, specRef: 'MQTT-4.7.1-2' });
  });

  it('flags an empty topic filter', () => {
    expectIssue([0x82, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00], 4, { filter: 'mqtt.topic_len', offset: 4, specRef: 'MQTT-4.7.3-1' });
  });
});

describe('packet identifiers and payload counts', () => {
  it('flags packet identifier 0', () => {
    expectIssue([0x40, 0x02, 0x00, 0x00], 4, { filter: 'mqtt.msgid', offset: 2, specRef: 'MQTT-2.3.1-1' });
    expectIssue([0x40, 0x02, 0x00, 0x00], 5, { filter: 'mqtt.msgid', offset: 2, specRef: 'MQTT-2.2.1-3' });
    expectIssue([0x32, 0x05, 0x00, 0x01, ...ascii('t'), 0x00, 0x00], 4, { filter: 'mqtt.msgid', offset: 5, specRef: 'MQTT-2.3.1-1' });
    expectIssue([0x82, 0x06, 0x00, 0x00, 0x00, 0x01, ...ascii('t'), 0x00], 4, { filter: 'mqtt.msgid', offset: 2, specRef: 'MQTT-2.3.1-1' });
  });

  it('flags a SUBSCRIBE without topic filters', () => {
    expectIssue([0x82, 0x02, 0x00, 0x01], 4, { filter: 'mqtt.len', offset: 1, specRef: 'MQTT-3.8.3-3', message: /at least one topic filter/ });
    expectIssue([0x82, 0x03, 0x00, 0x01, 0x00], 5, { filter: 'mqtt.len', offset: 1, specRef: 'MQTT-3.8.3-2' });
  });

  it('flags an UNSUBSCRIBE without topic filters', () => {
    expectIssue([0xa2, 0x02, 0x00, 0x01], 4, { filter: 'mqtt.len', offset: 1, specRef: 'MQTT-3.10.3-2' });
  });

  it('flags a SUBACK without return codes', () => {
    expectIssue([0x90, 0x02, 0x00, 0x01], 4, { filter: 'mqtt.len', offset: 1, specRef: 'MQTT-3.9.3-1' });
  });

  it('flags a reserved SUBACK return code', () => {
    expectIssue([0x90, 0x03, 0x00, 0x01, 0x03], 4, { filter: 'mqtt.suback.qos', offset: 4, specRef: 'MQTT-3.9.3-2' });
  });

  it('flags a requested QoS of 3 and reserved bits in the requested QoS byte', () => {
    const sub = (qos: number) => [0x82, 0x06, 0x00, 0x01, 0x00, 0x01, ...ascii('t'), qos];
    expectIssue(sub(0x03), 4, { filter: 'mqtt.sub.qos', offset: 7, specRef: 'MQTT-3.8.3-4', message: /QoS 3/ });
    expectIssue(sub(0x04), 4, { filter: 'mqtt.sub.qos', offset: 7, specRef: 'MQTT-3.8.3-4', message: /reserved/ });
  });

  it('flags bad subscription options in MQTT 5.0', () => {
    const sub = (options: number) => [0x82, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, ...ascii('t'), options];
    expectIssue(sub(0xc0), 5, { filter: 'mqtt.subscription_options_reserved', offset: 8, specRef: 'MQTT-3.8.3-5' });
    expectIssue(sub(0x30), 5, { filter: 'mqtt.subscription_options_retain', offset: 8, specRef: '§3.8.3.1', message: /Retain Handling 3/ });
    expectIssue(sub(0x03), 5, { filter: 'mqtt.subscription_options_qos', offset: 8, specRef: '§3.8.3.1' });
  });
});

describe('MQTT 5 properties', () => {
  it('flags an unknown property identifier and decodes the payload after the block', () => {
    const bytes = [
      0x30, 0x09, // PUBLISH, Remaining Length 9
      0x00, 0x01, ...ascii('t'), // Topic
      0x03, // Property Length 3
      0x05, 0x00, 0x00, // 0x05 is no property: the rest of the block cannot be read
      ...ascii('hi'), // Payload
    ];
    const d = expectIssue(bytes, 5, { filter: 'mqtt.property_id', offset: 6, specRef: '§2.2.2.2', message: /Unknown property identifier 0x05/ });
    expect(findAll(d, 'mqtt.prop_unknown').map((n) => [n.offset, n.length])).toEqual([[7, 2]]);
    expect(findAll(d, 'mqtt.msg').map((n) => [n.offset, n.value])).toEqual([[9, 'hi']]);
  });

  it('flags a property that appears twice', () => {
    const bytes = [
      0x30, 0x0e, 0x00, 0x01, ...ascii('t'),
      0x0a, // Property Length 10
      0x02, 0x00, 0x00, 0x00, 0x01, // Message Expiry Interval 1
      0x02, 0x00, 0x00, 0x00, 0x02, // Message Expiry Interval 2: a Protocol Error
    ];
    const d = expectIssue(bytes, 5, { filter: 'mqtt.prop.message_expiry_interval', offset: 11, specRef: '§2.2.2.2', message: /more than once/ });
    expect(findAll(d, 'mqtt.prop.message_expiry_interval')[0]!.issues).toBeUndefined();
  });

  it('lets User Property and Subscription Identifier repeat', () => {
    const bytes = [
      0x30, 0x13, 0x00, 0x01, ...ascii('t'),
      0x0e, // Property Length 14
      0x0b, 0x01, 0x0b, 0x02, // Subscription Identifier 1 and 2
      0x26, 0x00, 0x00, 0x00, 0x00, 0x26, 0x00, 0x00, 0x00, 0x00, // User Property ''='' twice
      ...ascii('x'),
    ];
    expect(decodeMalformed(bytes, 5).issues).toEqual([]);
  });

  it('flags a property that the packet type does not allow', () => {
    const bytes = [0x30, 0x09, 0x00, 0x01, ...ascii('t'), 0x05, 0x11, 0x00, 0x00, 0x00, 0x3c];
    expectIssue(bytes, 5, { filter: 'mqtt.prop.session_expiry_interval', offset: 6, specRef: '§2.2.2.2', message: /not allowed in PUBLISH/ });
    // Will Delay Interval belongs in the will properties, not in CONNECT's own.
    const c = [0x10, 0x12, 0x00, 0x04, ...ascii('MQTT'), 0x05, 0x02, 0x00, 0x3c, 0x05, 0x18, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00];
    expectIssue(c, 4, { filter: 'mqtt.prop.will_delay_interval', offset: 13, specRef: '§2.2.2.2', message: /not allowed in CONNECT/ });
  });

  it('flags a Property Length that runs past the packet', () => {
    expectIssue([0x30, 0x05, 0x00, 0x01, ...ascii('t'), 0x0a, 0x01], 5, { filter: 'mqtt.property_len', offset: 5, specRef: '§2.2.2.2' });
  });

  it('flags property values the specification rules out', () => {
    const pub = (prop: number[]) => [0x30, 4 + prop.length, 0x00, 0x01, ...ascii('t'), prop.length, ...prop];
    expectIssue(pub([0x23, 0x00, 0x00]), 5, { filter: 'mqtt.prop.topic_alias', offset: 6, specRef: 'MQTT-3.3.2-8' });
    expectIssue(pub([0x01, 0x02]), 5, { filter: 'mqtt.prop.payload_format_indicator', offset: 6, specRef: '§2.2.2.2' });
    expectIssue(pub([0x0b, 0x00]), 5, { filter: 'mqtt.prop.subscription_identifier', offset: 6, specRef: '§3.8.2.1.2' });
    const connack = [0x20, 0x05, 0x00, 0x00, 0x02, 0x24, 0x02]; // Maximum QoS 2
    expectIssue(connack, 5, { filter: 'mqtt.prop.maximum_qos', offset: 5, specRef: 'MQTT-3.2.2-9' });
  });

  it('flags a reason code the packet type does not define', () => {
    // 0x04 (Disconnect with Will Message) exists, but not for PUBACK.
    expectIssue([0x40, 0x03, 0x00, 0x01, 0x04], 5, { filter: 'mqtt.puback.reason_code', offset: 4, specRef: 'MQTT 5.0 §2.4', message: /not defined for PUBACK/ });
  });
});

describe('CONNECT', () => {
  it('flags a wrong protocol name', () => {
    expectIssue(connect(0x02, [0x00, 0x01, ...ascii('c')], 4, 'MQTX'), 4, { filter: 'mqtt.protoname', offset: 4, specRef: 'MQTT-3.1.2-1', message: /must be 'MQTT'/ });
    expectIssue(connect(0x02, [0x00, 0x01, ...ascii('c')], 3, 'MQTT'), 4, { filter: 'mqtt.protoname', offset: 4, specRef: 'MQTT-3.1.2-1', message: /must be 'MQIsdp'/ });
  });

  it('flags an unknown protocol level', () => {
    expectIssue(connect(0x02, [0x00, 0x01, ...ascii('c')], 6), 4, { filter: 'mqtt.ver', offset: 8, specRef: 'MQTT-3.1.2-2' });
  });

  it('flags a will QoS without the will flag', () => {
    expectIssue(connect(0x0a, [0x00, 0x01, ...ascii('c')]), 4, { filter: 'mqtt.conflag.qos', offset: 9, specRef: 'MQTT-3.1.2-13' });
    expectIssue(connect(0x0a, [0x00, 0x01, ...ascii('c')], 5), 4, { filter: 'mqtt.conflag.qos', offset: 9, specRef: 'MQTT-3.1.2-11' });
  });

  it('flags will QoS 3', () => {
    const will = [0x00, 0x01, ...ascii('c'), 0x00, 0x01, ...ascii('w'), 0x00, 0x00];
    expectIssue(connect(0x1e, will), 4, { filter: 'mqtt.conflag.qos', offset: 9, specRef: 'MQTT-3.1.2-14' });
  });

  it('flags will retain without the will flag', () => {
    expectIssue(connect(0x22, [0x00, 0x01, ...ascii('c')]), 4, { filter: 'mqtt.conflag.retain', offset: 9, specRef: 'MQTT-3.1.2-15' });
    expectIssue(connect(0x22, [0x00, 0x01, ...ascii('c')], 5), 4, { filter: 'mqtt.conflag.retain', offset: 9, specRef: 'MQTT-3.1.2-13' });
  });

  it('flags the reserved connect flag', () => {
    expectIssue(connect(0x03, [0x00, 0x01, ...ascii('c')]), 4, { filter: 'mqtt.conflag.reserved', offset: 9, specRef: 'MQTT-3.1.2-3' });
  });

  it('flags a password without a user name in 3.1.1 but not in 5.0', () => {
    const payload = [0x00, 0x01, ...ascii('c'), 0x00, 0x02, ...ascii('pw')];
    const d = expectIssue(connect(0x42, payload), 4, { filter: 'mqtt.conflag.passwd', offset: 9, specRef: 'MQTT-3.1.2-22' });
    expect(findAll(d, 'mqtt.passwd').map((n) => [n.offset, n.value])).toEqual([[17, 'pw']]);
    expect(decodeMalformed(connect(0x42, payload, 5)).issues).toEqual([]);
  });

  it('flags a user name flag with no user name left in the packet', () => {
    expectIssue(connect(0x82, [0x00, 0x01, ...ascii('c')]), 4, { filter: 'mqtt.conflag.uname', offset: 9, specRef: 'MQTT-3.1.2-19' });
  });

  it('warns about an empty client id without clean session (3.1.1)', () => {
    expectIssue(connect(0x00, [0x00, 0x00]), 4, { filter: 'mqtt.clientid', offset: 14, specRef: 'MQTT-3.1.3-7', severity: 'warning' });
  });

  it('warns about a 3.1 client id longer than 23 characters', () => {
    const id = 'x'.repeat(24);
    expectIssue(connect(0x02, [0x00, 24, ...ascii(id)], 3, 'MQIsdp'), 3, { filter: 'mqtt.clientid', offset: 16, specRef: '§3.1 (MQTT 3.1)', severity: 'warning' });
  });

  it('flags a will message whose length runs past the packet', () => {
    const will = [0x00, 0x01, ...ascii('c'), 0x00, 0x01, ...ascii('w'), 0x00, 0x09, ...ascii('ab')];
    expectIssue(connect(0x06, will), 4, { filter: 'mqtt.willmsg_len', offset: 18, specRef: '§1.5.6' });
  });
});

describe('CONNACK', () => {
  it('flags reserved acknowledge flag bits', () => {
    expectIssue([0x20, 0x02, 0x02, 0x00], 4, { filter: 'mqtt.conack.flags.reserved', offset: 2, specRef: '§3.2.2.1' });
    expectIssue([0x20, 0x03, 0x02, 0x00, 0x00], 5, { filter: 'mqtt.conack.flags.reserved', offset: 2, specRef: 'MQTT-3.2.2-1' });
  });

  it('flags session present on a refused connection', () => {
    expectIssue([0x20, 0x02, 0x01, 0x05], 4, { filter: 'mqtt.conack.flags.sp', offset: 2, specRef: 'MQTT-3.2.2-4' });
    expectIssue([0x20, 0x03, 0x01, 0x87, 0x00], 5, { filter: 'mqtt.conack.flags.sp', offset: 2, specRef: 'MQTT-3.2.2-6' });
  });

  it('flags a reserved return code', () => {
    expectIssue([0x20, 0x02, 0x00, 0x06], 4, { filter: 'mqtt.conack.val', offset: 3, specRef: '§3.2.2.3' });
  });
});

describe('not MQTT at all', () => {
  it('says a TLS ClientHello is TLS', () => {
    const hello = [
      0x16, 0x03, 0x01, 0x00, 0xa5, // TLS record: handshake, TLS 1.0 record version, length 165
      0x01, 0x00, 0x00, 0xa1, // handshake type 1 (ClientHello), length 161
      0x03, 0x03, // client version TLS 1.2
      ...fill(32, 0x5a), // client random
    ];
    const d = expectIssue(hello, 4, { filter: 'mqtt.not_mqtt', offset: 0, specRef: undefined, message: /TLS ClientHello/ });
    expect(d.type).toBe('UNKNOWN');
    expect(d.summary).toMatch(/^NOT MQTT \(43 bytes\)/);
  });

  it('says an HTTP request is HTTP, and a WebSocket upgrade is MQTT over WebSockets', () => {
    const get = ascii('GET / HTTP/1.1\r\nHost: localhost:1883\r\n\r\n');
    expectIssue(get, 4, { filter: 'mqtt.not_mqtt', offset: 0, specRef: undefined, message: /HTTP request \('GET \/ HTTP\/1\.1'\)/ });
    const ws = ascii('GET /mqtt HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    expectIssue(ws, 4, { filter: 'mqtt.not_mqtt', offset: 0, specRef: undefined, message: /WebSocket/ });
  });

  it('flags empty input', () => {
    const d = expectIssue([], 4, { filter: 'mqtt.not_mqtt', offset: 0, specRef: undefined });
    expect(d.length).toBe(0);
  });
});

describe('fields cut short', () => {
  it('stops at the first field that runs out and covers what is left', () => {
    // The lecture's CONNECT ending inside the will topic: the error lands on the will topic length.
    const bytes = connect(0xd6, [0x00, 0x08, ...ascii('client-1'), 0x00, 0x0a, ...ascii('/hans')]);
    const d = expectIssue(bytes, 4, { filter: 'mqtt.willtopic_len', offset: 22, specRef: '§1.5.3' });
    expect(findAll(d, 'mqtt.username')).toEqual([]);
  });

  it('flags a packet identifier with one byte left', () => {
    expectIssue([0x40, 0x01, 0x00], 4, { filter: 'mqtt.msgid', offset: 2, specRef: undefined, message: /needs 2 bytes but the packet has 1 left/ });
  });
});
