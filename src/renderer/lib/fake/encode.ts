// The fake lab's own packet writer: it produces the wire bytes and, at the same time, the field tree the
// real dissector would give for them (same Wireshark filter names and byte ranges), so views and tests see
// realistic packets without the renderer importing core code.
import type { DecodedPacket, FieldIssue, FieldNode, MqttVersion, PacketInfo, PacketTypeName } from '../../../shared/packet.js';

export type FakePacket =
  | {
      type: 'CONNECT'; clientId: string; version: MqttVersion; clean: boolean; keepalive: number;
      username?: string; password?: string; will?: { topic: string; payload: string; qos: number; retain: boolean };
    }
  | { type: 'CONNACK'; sessionPresent: boolean; code: number }
  | { type: 'PUBLISH'; topic: string; payload: Uint8Array; qos: number; retain: boolean; dup: boolean; packetId?: number }
  | { type: 'PUBACK' | 'PUBREC' | 'PUBREL' | 'PUBCOMP'; packetId: number }
  | { type: 'SUBSCRIBE'; packetId: number; subs: Array<{ filter: string; qos: number }> }
  | { type: 'SUBACK'; packetId: number; codes: number[] }
  | { type: 'UNSUBSCRIBE'; packetId: number; filters: string[] }
  | { type: 'UNSUBACK'; packetId: number }
  | { type: 'PINGREQ' | 'PINGRESP' | 'DISCONNECT' };

const TYPE_CODES: Record<string, number> = {
  CONNECT: 1, CONNACK: 2, PUBLISH: 3, PUBACK: 4, PUBREC: 5, PUBREL: 6, PUBCOMP: 7, SUBSCRIBE: 8, SUBACK: 9,
  UNSUBSCRIBE: 10, UNSUBACK: 11, PINGREQ: 12, PINGRESP: 13, DISCONNECT: 14,
};

const TYPE_LABELS = [
  'Reserved', 'Connect Command', 'Connect Ack', 'Publish Message', 'Publish Ack', 'Publish Received',
  'Publish Release', 'Publish Complete', 'Subscribe Request', 'Subscribe Ack', 'Unsubscribe Request',
  'Unsubscribe Ack', 'Ping Request', 'Ping Response', 'Disconnect Req', 'Auth',
];

const QOS_LABELS = ['At most once delivery (Fire and Forget)', 'At least once delivery (Acknowledged deliver)',
  'Exactly once delivery (Assured Delivery)'];

const CONNACK_CODES = ['Connection Accepted', 'Connection Refused: unacceptable protocol version',
  'Connection Refused: identifier rejected', 'Connection Refused: server unavailable',
  'Connection Refused: bad user name or password', 'Connection Refused: not authorized'];

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

class Writer {
  readonly b: number[] = [];

  get pos(): number {
    return this.b.length;
  }

  u8(name: string, filter: string, v: number, display?: string): FieldNode {
    const n: FieldNode = { name, filter, offset: this.pos, length: 1, value: v };
    if (display !== undefined) n.display = display;
    this.b.push(v & 0xff);
    return n;
  }

  u16(name: string, filter: string, v: number, display?: string): FieldNode {
    const n: FieldNode = { name, filter, offset: this.pos, length: 2, value: v };
    if (display !== undefined) n.display = display;
    this.b.push((v >> 8) & 0xff, v & 0xff);
    return n;
  }

  /** A 2-byte length and a UTF-8 string, as the spec's "UTF-8 Encoded String". */
  str(name: string, filter: string, s: string): FieldNode[] {
    const bytes = utf8.encode(s);
    const len = this.u16(`${name} Length`, `${filter}_len`, bytes.length);
    const n: FieldNode = { name, filter, offset: this.pos, length: bytes.length, value: s };
    this.b.push(...bytes);
    return [len, n];
  }

  payload(name: string, filter: string, bytes: Uint8Array): FieldNode {
    const n: FieldNode = { name, filter, offset: this.pos, length: bytes.length, ...payloadValue(bytes) };
    for (const x of bytes) this.b.push(x);
    return n;
  }
}

function payloadValue(bytes: Uint8Array): { value: string; display: string } {
  try {
    const text = strictUtf8.decode(bytes);
    if (!/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) {
      // As the dissector shows text: unescaped quotes, visible line breaks, one line.
      const shown = text.length === 0 ? 'empty' : (text.length > 80 ? text.slice(0, 80) + '…' : text)
        .replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
      return { value: text, display: `${shown} (${bytes.length === 1 ? '1 byte' : `${bytes.length} bytes`})` };
    }
  } catch {
    // binary: fall through to hex
  }
  return { value: toHex(bytes), display: `${bytes.length} bytes of binary data` };
}

export function toHex(bytes: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (bytes[i]! & 0xff).toString(16).padStart(2, '0');
  return s;
}

function group(name: string, filter: string, children: FieldNode[]): FieldNode | null {
  if (children.length === 0) return null;
  const first = children[0]!;
  const last = children[children.length - 1]!;
  return { name, filter, offset: first.offset, length: last.offset + last.length - first.offset, children };
}

function shift(nodes: FieldNode[], by: number): void {
  for (const n of nodes) {
    n.offset += by;
    if (n.children) shift(n.children, by);
  }
}

function topicIssues(topic: string): FieldIssue[] | undefined {
  if (topic === '') return [{ severity: 'error', message: 'A Topic Name must be at least one character long', specRef: 'MQTT-4.7.3-1' }];
  const wild = [...topic].find((c) => c === '#' || c === '+');
  if (wild) return [{ severity: 'error', message: `The Topic Name of a PUBLISH contains the wildcard '${wild}'`, specRef: 'MQTT-3.3.2-2' }];
  return undefined;
}

function qosDisplay(q: number): string {
  return `${q} (${QOS_LABELS[q] ?? 'Reserved'})`;
}

export function encodePacket(p: FakePacket, version: MqttVersion = 4): { bytes: Uint8Array; decoded: DecodedPacket } {
  const code = TYPE_CODES[p.type]!;
  const info: PacketInfo = {};
  const vh = new Writer();
  const vhFields: FieldNode[] = [];
  const plFields: FieldNode[] = [];
  let flags = 0;
  const v5Props = (w: Writer, into: FieldNode[]): void => {
    if (version !== 5) return;
    const len = w.u8('Total Length', 'mqtt.property_len', 0);
    into.push({ name: 'Properties', filter: 'mqtt.properties', offset: len.offset, length: 1, children: [len] });
  };

  switch (p.type) {
    case 'CONNECT': {
      const protoName = version === 3 ? 'MQIsdp' : 'MQTT';
      const [pl, pn] = vh.str('Protocol Name', 'mqtt.protoname', protoName);
      pl!.name = 'Protocol Name Length';
      pl!.filter = 'mqtt.proto_len';
      vhFields.push(pl!, pn!);
      vhFields.push(vh.u8('Version', 'mqtt.ver', version, `${version} (MQTT v${version === 3 ? '3.1' : version === 4 ? '3.1.1' : '5.0'})`));
      const will = p.will;
      const cf = (p.username !== undefined ? 0x80 : 0) | (p.password !== undefined ? 0x40 : 0) |
        (will?.retain ? 0x20 : 0) | ((will?.qos ?? 0) << 3) | (will ? 0x04 : 0) | (p.clean ? 0x02 : 0);
      const flagsNode = vh.u8('Connect Flags', 'mqtt.conflags', cf);
      const bit = (name: string, filter: string, mask: number, value: number | boolean, display?: string): FieldNode => {
        const n: FieldNode = { name, filter, offset: flagsNode.offset, length: 1, value, mask };
        if (display !== undefined) n.display = display;
        return n;
      };
      flagsNode.children = [
        bit('User Name Flag', 'mqtt.conflag.uname', 0x80, p.username !== undefined),
        bit('Password Flag', 'mqtt.conflag.passwd', 0x40, p.password !== undefined),
        bit('Will Retain', 'mqtt.conflag.retain', 0x20, !!will?.retain),
        bit('QoS Level', 'mqtt.conflag.qos', 0x18, will?.qos ?? 0, qosDisplay(will?.qos ?? 0)),
        bit('Will Flag', 'mqtt.conflag.willflag', 0x04, !!will),
        bit(version === 5 ? 'Clean Start Flag' : 'Clean Session Flag', 'mqtt.conflag.cleansess', 0x02, p.clean),
        bit('(Reserved)', 'mqtt.conflag.reserved', 0x01, false),
      ];
      vhFields.push(flagsNode);
      vhFields.push(vh.u16('Keep Alive', 'mqtt.kalive', p.keepalive, `${p.keepalive} s`));
      v5Props(vh, vhFields);
      plFields.push(...vh.str('Client ID', 'mqtt.clientid', p.clientId));
      if (will) {
        if (version === 5) {
          const len = vh.u8('Total Length', 'mqtt.property_len', 0);
          plFields.push({ name: 'Will Properties', filter: 'mqtt.will_properties', offset: len.offset, length: 1, children: [len] });
        }
        plFields.push(...vh.str('Will Topic', 'mqtt.willtopic', will.topic));
        const wb = utf8.encode(will.payload);
        plFields.push(vh.u16('Will Message Length', 'mqtt.willmsg_len', wb.length));
        plFields.push(vh.payload('Will Message', 'mqtt.willmsg', wb));
      }
      if (p.username !== undefined) plFields.push(...vh.str('User Name', 'mqtt.username', p.username));
      if (p.password !== undefined) {
        const pb = utf8.encode(p.password);
        plFields.push(vh.u16('Password Length', 'mqtt.passwd_len', pb.length));
        plFields.push(vh.payload('Password', 'mqtt.passwd', pb));
      }
      Object.assign(info, { clientId: p.clientId, keepalive: p.keepalive, cleanStart: p.clean, protocolVersion: version });
      break;
    }
    case 'CONNACK': {
      const f = vh.u8('Acknowledge Flags', 'mqtt.conack.flags', p.sessionPresent ? 1 : 0);
      f.children = [
        { name: 'Reserved', filter: 'mqtt.conack.flags.reserved', offset: f.offset, length: 1, value: 0, mask: 0xfe },
        { name: 'Session Present', filter: 'mqtt.conack.flags.sp', offset: f.offset, length: 1, value: p.sessionPresent, mask: 0x01 },
      ];
      vhFields.push(f);
      const rc = version === 5
        ? vh.u8('Reason Code', 'mqtt.connack.reason_code', p.code)
        : vh.u8('Return Code', 'mqtt.conack.val', p.code, `${p.code} (${CONNACK_CODES[p.code] ?? 'Reserved'})`);
      vhFields.push(rc);
      v5Props(vh, vhFields);
      info.reasonCode = p.code;
      break;
    }
    case 'PUBLISH': {
      flags = (p.dup ? 0x08 : 0) | (p.qos << 1) | (p.retain ? 1 : 0);
      const [tl, tn] = vh.str('Topic', 'mqtt.topic', p.topic);
      tl!.name = 'Topic Length';
      const issues = topicIssues(p.topic);
      if (issues) tn!.issues = issues;
      vhFields.push(tl!, tn!);
      if (p.qos > 0) vhFields.push(vh.u16('Message Identifier', 'mqtt.msgid', p.packetId ?? 0));
      v5Props(vh, vhFields);
      plFields.push(vh.payload('Message', 'mqtt.msg', p.payload));
      Object.assign(info, { qos: p.qos, dup: p.dup, retain: p.retain, topic: p.topic, payloadLength: p.payload.length });
      if (p.qos > 0) info.packetId = p.packetId ?? 0;
      break;
    }
    case 'PUBACK': case 'PUBREC': case 'PUBREL': case 'PUBCOMP': case 'UNSUBACK':
      if (p.type === 'PUBREL') flags = 2;
      vhFields.push(vh.u16('Message Identifier', 'mqtt.msgid', p.packetId));
      info.packetId = p.packetId;
      break;
    case 'SUBSCRIBE': {
      flags = 2;
      vhFields.push(vh.u16('Message Identifier', 'mqtt.msgid', p.packetId));
      v5Props(vh, vhFields);
      for (const s of p.subs) {
        const [tl, tn] = vh.str('Topic', 'mqtt.topic', s.filter);
        tl!.name = 'Topic Length';
        plFields.push(tl!, tn!, vh.u8('Requested QoS', 'mqtt.sub.qos', s.qos, qosDisplay(s.qos)));
      }
      Object.assign(info, { packetId: p.packetId, topics: p.subs.map((s) => s.filter) });
      break;
    }
    case 'SUBACK':
      vhFields.push(vh.u16('Message Identifier', 'mqtt.msgid', p.packetId));
      v5Props(vh, vhFields);
      for (const c of p.codes) plFields.push(vh.u8('Granted QoS', 'mqtt.suback.qos', c, c === 0x80 ? '128 (Failure)' : `${c} (Granted QoS ${c})`));
      info.packetId = p.packetId;
      break;
    case 'UNSUBSCRIBE':
      flags = 2;
      vhFields.push(vh.u16('Message Identifier', 'mqtt.msgid', p.packetId));
      for (const f of p.filters) {
        const [tl, tn] = vh.str('Topic', 'mqtt.topic', f);
        tl!.name = 'Topic Length';
        plFields.push(tl!, tn!);
      }
      Object.assign(info, { packetId: p.packetId, topics: p.filters });
      break;
    case 'PINGREQ': case 'PINGRESP': case 'DISCONNECT':
      break;
  }

  // Remaining Length is a variable byte integer, so the fixed header's size depends on the body's.
  const remaining = vh.b.length;
  const lenBytes: number[] = [];
  let x = remaining;
  do {
    let d = x % 128;
    x = Math.floor(x / 128);
    if (x > 0) d |= 0x80;
    lenBytes.push(d);
  } while (x > 0);
  const headerLen = 1 + lenBytes.length;
  const byte0 = (code << 4) | flags;
  const typeNode: FieldNode = { name: 'Message Type', filter: 'mqtt.msgtype', offset: 0, length: 1, value: code, display: `${code} (${TYPE_LABELS[code]})`, mask: 0xf0 };
  const flagChildren: FieldNode[] = p.type === 'PUBLISH'
    ? [
        typeNode,
        { name: 'DUP Flag', filter: 'mqtt.dupflag', offset: 0, length: 1, value: p.dup, mask: 0x08 },
        { name: 'QoS Level', filter: 'mqtt.qos', offset: 0, length: 1, value: p.qos, display: qosDisplay(p.qos), mask: 0x06 },
        { name: 'Retain', filter: 'mqtt.retain', offset: 0, length: 1, value: p.retain, mask: 0x01 },
      ]
    : [typeNode, { name: 'Reserved', filter: 'mqtt.hdr_reserved', offset: 0, length: 1, value: flags, mask: 0x0f }];
  const fixed: FieldNode = {
    name: 'Fixed Header', filter: 'mqtt.fixed_header', offset: 0, length: headerLen,
    children: [
      { name: 'Header Flags', filter: 'mqtt.hdrflags', offset: 0, length: 1, value: byte0, display: `0x${byte0.toString(16).padStart(2, '0')}, ${p.type}`, children: flagChildren },
      { name: 'Msg Len', filter: 'mqtt.len', offset: 1, length: lenBytes.length, value: remaining },
    ],
  };
  shift(vhFields, headerLen);
  shift(plFields, headerLen);
  const fields = [fixed, group('Variable Header', 'mqtt.variable_header', vhFields), group('Payload', 'mqtt.payload', plFields)]
    .filter((n): n is FieldNode => n !== null);
  const bytes = Uint8Array.from([byte0, ...lenBytes, ...vh.b]);
  const issues = collectIssues(fields);
  const base = summarize(p, version);
  const summary = issues.length > 0 ? `${base} [malformed: ${issues[0]!.message}]` : base;
  return {
    bytes,
    decoded: { type: p.type as PacketTypeName, typeCode: code, version, length: bytes.length, fields, issues, summary, info },
  };
}

function collectIssues(nodes: FieldNode[], out: DecodedPacket['issues'] = []): DecodedPacket['issues'] {
  for (const n of nodes) {
    for (const i of n.issues ?? []) out.push({ ...i, filter: n.filter, offset: n.offset });
    if (n.children) collectIssues(n.children, out);
  }
  return out;
}

function summarize(p: FakePacket, version: MqttVersion): string {
  switch (p.type) {
    case 'CONNECT': {
      const parts = [`p${version}`, `c${p.clean ? 1 : 0}`, `k${p.keepalive}`];
      if (p.username !== undefined) parts.push(`u'${p.username}'`);
      if (p.will) parts.push(`will '${p.will.topic}'`);
      parts.push(`'${p.clientId}'`);
      return `CONNECT (${parts.join(', ')})`;
    }
    case 'CONNACK':
      return `CONNACK (sp${p.sessionPresent ? 1 : 0}, rc${p.code} ${CONNACK_CODES[p.code] ?? 'Reserved'})`;
    case 'PUBLISH': {
      const parts = [`d${p.dup ? 1 : 0}`, `q${p.qos}`, `r${p.retain ? 1 : 0}`];
      if (p.qos > 0) parts.push(`m${p.packetId}`);
      parts.push(`'${p.topic}'`, `… (${p.payload.length} bytes)`);
      return `PUBLISH (${parts.join(', ')})`;
    }
    case 'PUBACK': case 'PUBREC': case 'PUBREL': case 'PUBCOMP': case 'UNSUBACK':
      return `${p.type} (m${p.packetId})`;
    case 'SUBSCRIBE':
      return `SUBSCRIBE (m${p.packetId}, ${p.subs.map((s) => `'${s.filter}'`).join(', ')})`;
    case 'UNSUBSCRIBE':
      return `UNSUBSCRIBE (m${p.packetId}, ${p.filters.map((f) => `'${f}'`).join(', ')})`;
    case 'SUBACK':
      return `SUBACK (m${p.packetId}, ${p.codes.join(', ')})`;
    default:
      return p.type;
  }
}
