// The values a display filter reads from a packet, read straight from its bytes: a first pass of a
// field-level filter over a million records must not build a million field trees (issue 10). The walk
// follows the dissector's layout node for node (same filter names, same values, the registry's names),
// but allocates nothing for fields the filter does not name and decodes no string it does not ask for.
//
// Only regular packets are read: the Remaining Length delimits exactly the bytes, every length fits, and
// nothing is left over. Anything else (foreign bytes, a cut or short packet, an unknown property, a type the
// version lacks, QoS 3) answers null and the caller asks the tree, whose verdict is the reference. A rule
// broken inside a regular packet (a reserved bit, a bad UTF-8 topic) only puts an issue on a node the
// dissector still builds with the same value, so it changes no answer here. test/store/lean-fields.test.ts
// checks every field name against the tree on random valid and damaged packets of every type and version.
import type { MqttVersion } from '../../shared/packet.js';
import type { Scalar } from '../../shared/filter/evaluate.js';
import { readVarint } from '../dissect/context.js';
import { FIELDS, REASON_CODE_FIELDS } from '../dissect/fields.js';
import { isTextPayload } from '../dissect/payload.js';
import { sniffForeign } from '../dissect/sniff.js';
import { PROPERTIES } from '../dissect/spec.js';
import { decodeUtf8, toHex } from '../dissect/utf8.js';

export type FieldValues = Map<string, Array<Scalar | null>>;

/** Thrown inside the walk when the packet is not regular; never escapes readLeanFields. */
const IRREGULAR = Symbol('irregular');

/** What payloadNode shows as a value: the first 64 KiB (the dissector's display cut-off). */
const MAX_VALUE_BYTES = 64 * 1024;

const F = FIELDS;
const CONTENT_TYPE = 0x03;
const TOPIC_ALIAS = 0x23;
const MAXIMUM_QOS = 0x24;

class Walk {
  pos = 0;
  end = 0;
  version: MqttVersion = 4;
  /** Nodes the dissector puts under its Variable Header and Payload groups (the groups exist when > 0). */
  vh = 0;
  pl = 0;
  /** Where a PUBLISH's payload starts. */
  payloadAt = -1;
  /** Where a CONNECT's will message lies. */
  willAt = -1;
  willEnd = -1;
  buf: Uint8Array = new Uint8Array(0);
  wanted: ReadonlySet<string> = new Set();
  out: FieldValues = new Map();

  want(name: string): boolean {
    return this.wanted.has(name);
  }

  put(name: string, value: Scalar | null): void {
    if (!this.wanted.has(name)) return;
    const seen = this.out.get(name);
    if (seen === undefined) this.out.set(name, [value]);
    else seen.push(value);
  }

  need(n: number, end = this.end): void {
    if (this.pos + n > end) throw IRREGULAR;
  }

  u8(name: string, end = this.end): number {
    this.need(1, end);
    const v = this.buf[this.pos++]!;
    this.put(name, v);
    return v;
  }

  u16(name: string, end = this.end): number {
    this.need(2, end);
    const v = (this.buf[this.pos]! << 8) | this.buf[this.pos + 1]!;
    this.pos += 2;
    this.put(name, v);
    return v;
  }

  u32(name: string, end: number): number {
    this.need(4, end);
    const b = this.buf;
    const p = this.pos;
    const v = b[p]! * 0x1000000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
    this.pos += 4;
    this.put(name, v);
    return v;
  }

  varint(name: string, end: number): number {
    const v = readVarint(this.buf, this.pos, end);
    if (v.error !== undefined) throw IRREGULAR;
    this.pos += v.bytes;
    this.put(name, v.value);
    return v.value;
  }

  /**
   * A 2-byte length and that many bytes (lengthPrefixed): the value is decoded only when it is wanted, or
   * when `always` asks for it back. Returns the declared length, or the text with `always`.
   */
  counted(lenName: string, name: string, kind: 'utf8' | 'binary', end = this.end, always = false): string | number {
    const len = this.u16(lenName, end);
    this.need(len, end);
    const start = this.pos;
    this.pos += len;
    if (!always && !this.want(name)) return len;
    const v = kind === 'utf8' ? decodeUtf8(this.buf, start, this.pos) : toHex(this.buf, start, this.pos);
    this.put(name, v);
    return always ? v : len;
  }

  /** An application payload (payloadNode): text when it reads as text, else hex, cut at 64 KiB. */
  payload(name: string, start: number, end: number): void {
    if (!this.want(name)) return;
    const shown = start + Math.min(end - start, MAX_VALUE_BYTES);
    this.put(name, isTextPayload(this.buf, start, end) ? decodeUtf8(this.buf, start, shown) : toHex(this.buf, start, shown));
  }

  /** A length then the payload (countedPayload: Will Message, Password); short is irregular. */
  countedPayload(lenName: string, name: string): void {
    const len = this.u16(lenName);
    this.need(len);
    this.payload(name, this.pos, this.pos + len);
    this.pos += len;
  }

  /** Bit fields of one byte: [filter, mask, boolean?] as bitChildren reads them. */
  bits(byte: number, defs: ReadonlyArray<readonly [string, number, boolean]>): void {
    for (const [name, mask, bool] of defs) {
      if (!this.want(name)) continue;
      let shift = 0;
      while (((mask >> shift) & 1) === 0) shift++;
      const raw = (byte & mask) >> shift;
      this.put(name, bool ? raw === 1 : raw);
    }
  }
}

/** A bit field as [filter, mask, read as boolean]: single-bit masks without value names are booleans. */
const bit = (def: { filter: string; mask?: number; values?: unknown }): readonly [string, number, boolean] => {
  const mask = def.mask!;
  let shift = 0;
  while (((mask >> shift) & 1) === 0) shift++;
  return [def.filter, mask, mask >> shift === 1 && def.values === undefined] as const;
};

const PUBLISH_BITS = [bit(F.msgtype), bit(F.dup), bit(F.qos), bit(F.retain)];
const V31_BITS = [bit(F.msgtype), bit(F.dup), bit(F.qos), bit(F.retainReserved)];
const PLAIN_BITS = [bit(F.msgtype), bit(F.hdrReserved)];
const CONNACK_BITS = [bit(F.conackFlagReserved), bit(F.conackSp)];
const SUB_OPTION_BITS = [bit(F.subOptReserved), bit(F.subOptRetain), bit(F.subOptRap), bit(F.subOptNl), bit(F.subOptQos)];

const walk = new Walk();

/**
 * The values the dissector's tree gives each wanted field of this packet (an absent field: no entry), or
 * null when the packet is not regular and only the tree can say. `out` is cleared and filled.
 */
export function readLeanFields(bytes: Uint8Array, version: MqttVersion, wanted: ReadonlySet<string>, out: FieldValues): FieldValues | null {
  out.clear();
  if (bytes.length < 2 || sniffForeign(bytes) !== null) return null;
  const len = readVarint(bytes, 1, bytes.length);
  if (len.error !== undefined || 1 + len.bytes + len.value !== bytes.length) return null;
  const w = walk;
  w.buf = bytes;
  w.pos = 1 + len.bytes;
  w.end = bytes.length;
  w.version = version;
  w.vh = 0;
  w.pl = 0;
  w.wanted = wanted;
  w.out = out;
  const b0 = bytes[0]!;
  const code = b0 >> 4;
  try {
    w.put(F.fixedHeader.filter, null);
    w.put(F.hdrflags.filter, b0);
    const v31Flags = version === 3 && (code === 6 || code === 8 || code === 10);
    w.bits(b0, code === 3 ? PUBLISH_BITS : v31Flags ? V31_BITS : PLAIN_BITS);
    w.put(F.len.filter, len.value);
    body(w, code, b0 & 0x0f);
    if (w.pos !== w.end) throw IRREGULAR;
  } catch (e) {
    if (e === IRREGULAR) return null;
    throw e;
  } finally {
    w.buf = EMPTY;
  }
  if (w.vh > 0) w.put(F.variableHeader.filter, null);
  if (w.pl > 0) w.put(F.payload.filter, null);
  return out;
}

const EMPTY = new Uint8Array(0);
const NOTHING: ReadonlySet<string> = new Set();
const unused: FieldValues = new Map();

const WILL_FIELDS: ReadonlySet<string> = new Set([F.clientId.filter, F.willTopic.filter]);

/** A regular CONNECT's client id, and its will's topic and message bytes when it has one; null: ask the tree. */
export function connectWill(bytes: Uint8Array, version: MqttVersion): { clientId: string; will?: { topic: string; at: number; end: number } } | null {
  if (bytes.length < 2 || bytes[0]! >> 4 !== 1) return null;
  walk.willAt = -1;
  const got = readLeanFields(bytes, version, WILL_FIELDS, new Map());
  if (got === null) return null;
  const clientId = String(got.get(F.clientId.filter)?.[0] ?? '');
  const topic = got.get(F.willTopic.filter)?.[0];
  return typeof topic === 'string' ? { clientId, will: { topic, at: walk.willAt, end: walk.willEnd } } : { clientId };
}

/** Offset of a regular PUBLISH's payload (its tree's mqtt.msg), or -1 when only the tree can say. */
export function publishPayloadAt(bytes: Uint8Array, version: MqttVersion): number {
  if (bytes.length < 2 || bytes[0]! >> 4 !== 3) return -1;
  walk.payloadAt = -1;
  return readLeanFields(bytes, version, NOTHING, unused) === null ? -1 : walk.payloadAt;
}

function body(w: Walk, code: number, flags: number): void {
  switch (code) {
    case 1: return connect(w);
    case 2: return connack(w);
    case 3: return publish(w, flags);
    case 4: case 5: case 6: case 7:
      w.u16(F.msgid.filter);
      w.vh++;
      if (w.version !== 5) return;
      if (w.pos < w.end) reasonCode(w, code);
      if (w.pos < w.end) properties(w, 'vh');
      return;
    case 8: case 10: return subscribe(w, code === 8);
    case 9: case 11: return suback(w, code);
    case 12: case 13: return;
    case 14: case 15:
      // AUTH outside MQTT 5 is undecoded bytes in the tree.
      if (w.version !== 5) {
        if (code === 15) throw IRREGULAR;
        return;
      }
      if (w.pos < w.end) reasonCode(w, code);
      if (w.pos < w.end) properties(w, 'vh');
      return;
    default:
      throw IRREGULAR;
  }
}

function reasonCode(w: Walk, code: number): void {
  w.u8(REASON_CODE_FIELDS[code]!.filter);
  if (code === 9 || code === 11) w.pl++;
  else w.vh++;
}

function connect(w: Walk): void {
  const name = w.counted(F.protoLen.filter, F.protoName.filter, 'utf8', w.end, true) as string;
  const level = w.u8(F.ver.filter);
  w.version = level === 5 ? 5 : level === 3 || name === 'MQIsdp' ? 3 : 4;
  const flags = w.u8(F.conflags.filter);
  w.bits(flags, [bit(F.cfUser), bit(F.cfPasswd), bit(F.cfWillRetain), bit(F.cfWillQos), bit(F.cfWill), bit(F.cfClean), bit(F.cfReserved)]);
  w.u16(F.kalive.filter);
  w.vh += 5;
  if (w.version === 5) properties(w, 'vh');
  w.counted(F.clientIdLen.filter, F.clientId.filter, 'utf8');
  w.pl += 2;
  if ((flags & 0x04) !== 0) {
    if (w.version === 5) properties(w, 'will');
    w.counted(F.willTopicLen.filter, F.willTopic.filter, 'utf8');
    w.willAt = w.pos + 2;
    w.countedPayload(F.willMsgLen.filter, F.willMsg.filter);
    w.willEnd = w.pos;
  }
  // A flag set with nothing left is only an issue on the flag: no node follows.
  if ((flags & 0x80) !== 0 && w.pos < w.end) w.counted(F.usernameLen.filter, F.username.filter, 'utf8');
  if ((flags & 0x40) !== 0 && w.pos < w.end) w.countedPayload(F.passwdLen.filter, F.passwd.filter);
}

function connack(w: Walk): void {
  if (w.version === 3) w.u8(F.conackReservedV31.filter);
  else w.bits(w.u8(F.conackFlags.filter), CONNACK_BITS);
  if (w.version === 5) reasonCode(w, 2);
  else w.u8(F.conackVal.filter);
  w.vh += 2;
  if (w.version === 5) properties(w, 'vh');
}

function publish(w: Walk, flags: number): void {
  const qos = (flags >> 1) & 3;
  // QoS 3 is malformed; the tree is the one to show how it was read.
  if (qos === 3) throw IRREGULAR;
  const topicLen = w.counted(F.topicLen.filter, F.topic.filter, 'utf8') as number;
  w.vh++;
  if (qos !== 0) w.u16(F.msgid.filter);
  const alias = w.version === 5 ? properties(w, 'vh') : undefined;
  // An empty topic standing for a Topic Alias: the tree marks the place with a topic node without value.
  if (topicLen === 0 && alias !== undefined) w.put(F.topic.filter, null);
  w.payloadAt = w.pos;
  w.payload(F.msg.filter, w.pos, w.end);
  w.pl++;
  w.pos = w.end;
}

function subscribe(w: Walk, isSubscribe: boolean): void {
  w.u16(F.msgid.filter);
  w.vh++;
  if (w.version === 5) properties(w, 'vh');
  while (w.pos < w.end) {
    w.counted(F.topicLen.filter, F.topic.filter, 'utf8');
    w.pl++;
    if (!isSubscribe) continue;
    if (w.version === 5) w.bits(w.u8(F.subOptions.filter), SUB_OPTION_BITS);
    else w.u8(F.subQos.filter);
  }
}

function suback(w: Walk, code: number): void {
  w.u16(F.msgid.filter);
  w.vh++;
  if (w.version === 5) properties(w, 'vh');
  else if (code === 11) return;
  while (w.pos < w.end) {
    if (w.version === 5) reasonCode(w, code);
    else {
      w.u8(F.subackQos.filter);
      w.pl++;
    }
  }
}

/** An MQTT 5 property block (properties.ts); returns the first Topic Alias, if any. */
function properties(w: Walk, part: 'vh' | 'will'): number | undefined {
  if (part === 'vh') w.vh++;
  else w.pl++;
  w.put(part === 'will' ? F.willProperties.filter : F.properties.filter, null);
  const declared = w.varint(F.propertyLen.filter, w.end);
  const end = w.pos + declared;
  if (end > w.end) throw IRREGULAR;
  let alias: number | undefined;
  while (w.pos < end) {
    const id = w.buf[w.pos]!;
    const def = PROPERTIES.get(id);
    if (def === undefined) throw IRREGULAR;
    w.u8(F.propertyId.filter, end);
    const whole = w.want(def.key);
    let value: Scalar;
    switch (def.kind) {
      case 'byte': value = w.u8(id === MAXIMUM_QOS ? F.propMaxQos.filter : F.propNumber.filter, end); break;
      case 'u16': value = w.u16(id === TOPIC_ALIAS ? F.propTopicAlias.filter : F.propNumber.filter, end); break;
      case 'u32': value = w.u32(F.propNumber.filter, end); break;
      case 'varint': value = w.varint(F.propNumber.filter, end); break;
      case 'utf8': case 'binary': {
        const text = id === CONTENT_TYPE || whole || w.want(F.propString.filter);
        value = w.counted(F.propStringLen.filter, F.propString.filter, def.kind, end, text);
        if (id === CONTENT_TYPE) w.put(F.propContentType.filter, value);
        break;
      }
      case 'pair': {
        const k = w.counted(F.propKeyLen.filter, F.propKey.filter, 'utf8', end, whole);
        const v = w.counted(F.propValueLen.filter, F.propValue.filter, 'utf8', end, whole);
        value = `${k}=${v}`;
        break;
      }
    }
    w.put(def.key, value);
    if (id === TOPIC_ALIAS) alias ??= value as number;
  }
  return alias;
}
