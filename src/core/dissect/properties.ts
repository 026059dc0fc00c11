// MQTT 5 properties (MQTT 5.0 §2.2.2): a Variable Byte Integer length, then id/value pairs. Each
// property becomes one node (our `mqtt.prop.*` filter, value = the property's value) whose children are
// Wireshark's fields for the id byte and the value bytes, so both tools' filters work.
import type { FieldNode } from '../../shared/packet.js';
import { Ctx, STOP, flag, lengthPrefixed, node, u16, u32, u8, undecoded, varint } from './context.js';
import { FIELDS, type FieldDef } from './fields.js';
import { PROPERTIES, type PropertyDef } from './spec.js';

export type PropertyValues = Map<number, Array<string | number | [string, string]>>;

/** Decodes a property block; `where` is the numeric packet type, or 'will' for CONNECT will properties. */
export function properties(ctx: Ctx, into: FieldNode[], where: number | 'will'): PropertyValues {
  const values: PropertyValues = new Map();
  const block = node(where === 'will' ? FIELDS.willProperties : FIELDS.properties, ctx.pos, 0);
  into.push(block);
  const kids: FieldNode[] = [];
  block.children = kids;
  const start = ctx.pos;
  try {
    const lenNode = varint(ctx, kids, FIELDS.propertyLen);
    const declared = lenNode.value as number;
    const blockEnd = ctx.pos + declared;
    if (blockEnd > ctx.end) {
      flag(lenNode, 'error', `Property Length says ${declared} bytes but only ${ctx.end - ctx.pos} remain`, '§2.2.2.2');
    }
    // Properties must not read past their own block, even when the packet goes on after it.
    const outerEnd = ctx.end;
    ctx.end = Math.min(blockEnd, outerEnd);
    try {
      while (ctx.pos < ctx.end) one(ctx, kids, where, values);
    } finally {
      ctx.end = outerEnd;
    }
    if (blockEnd > outerEnd) throw STOP;
  } finally {
    block.length = ctx.pos - start;
  }
  return values;
}

function one(ctx: Ctx, kids: FieldNode[], where: number | 'will', values: PropertyValues): void {
  const id = ctx.buf[ctx.pos]!;
  const def = PROPERTIES.get(id);
  if (def === undefined) {
    // An unknown id has no known length, so the rest of the block cannot be read (MQTT 5.0 §2.2.2.2).
    const n = node(FIELDS.propertyId, ctx.pos, 1, id, `0x${id.toString(16).padStart(2, '0')} (Unknown)`);
    flag(n, 'error', `Unknown property identifier 0x${id.toString(16).padStart(2, '0')}: a Malformed Packet`, '§2.2.2.2');
    kids.push(n);
    ctx.pos += 1;
    undecoded(ctx, kids, FIELDS.propUnknown, 'The rest of the properties follow an unknown identifier and cannot be decoded');
    return;
  }
  const wrap = node(propertyField(def), ctx.pos, 0);
  kids.push(wrap);
  const parts: FieldNode[] = [];
  wrap.children = parts;
  const start = ctx.pos;
  try {
    u8(ctx, parts, FIELDS.propertyId).display = `0x${id.toString(16).padStart(2, '0')} (${def.name})`;
    const value = readValue(ctx, parts, def);
    wrap.value = Array.isArray(value) ? `${value[0]}=${value[1]}` : value;
    const seen = values.get(id);
    if (seen === undefined) values.set(id, [value]);
    else {
      seen.push(value);
      if (!def.repeatable) {
        flag(wrap, 'error', `${def.name} appears more than once: a Protocol Error`, '§2.2.2.2');
      }
    }
    if (!def.packets.includes(where)) {
      flag(wrap, 'error', `${def.name} is not allowed in ${where === 'will' ? 'Will Properties' : PACKET_NAMES[where]}`, '§2.2.2.2');
    }
    checkValue(wrap, def, value);
  } finally {
    wrap.length = ctx.pos - start;
  }
}

const PACKET_NAMES = ['', 'CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP', 'SUBSCRIBE',
  'SUBACK', 'UNSUBSCRIBE', 'UNSUBACK', 'PINGREQ', 'PINGRESP', 'DISCONNECT', 'AUTH'];

const wrapperDefs = new Map<number, FieldDef>();
function propertyField(def: PropertyDef): FieldDef {
  let f = wrapperDefs.get(def.id);
  if (f === undefined) {
    f = { filter: def.key, name: def.name };
    wrapperDefs.set(def.id, f);
  }
  return f;
}

function readValue(ctx: Ctx, parts: FieldNode[], def: PropertyDef): string | number | [string, string] {
  switch (def.kind) {
    case 'byte':
      return u8(ctx, parts, def.id === 0x24 ? FIELDS.propMaxQos : FIELDS.propNumber).value as number;
    case 'u16':
      return u16(ctx, parts, def.id === 0x23 ? FIELDS.propTopicAlias : FIELDS.propNumber).value as number;
    case 'u32':
      return u32(ctx, parts, FIELDS.propNumber).value as number;
    case 'varint':
      return varint(ctx, parts, FIELDS.propNumber).value as number;
    case 'utf8':
    case 'binary':
      if (def.id === 0x03) return contentType(ctx, parts);
      return lengthPrefixed(ctx, parts, FIELDS.propStringLen, FIELDS.propString, def.kind).value.value as string;
    case 'pair': {
      const k = lengthPrefixed(ctx, parts, FIELDS.propKeyLen, FIELDS.propKey, 'utf8').text;
      const v = lengthPrefixed(ctx, parts, FIELDS.propValueLen, FIELDS.propValue, 'utf8').text;
      return [k, v];
    }
  }
}

/**
 * Wireshark shows Content Type as one counted-string field spanning its length prefix too; we keep that
 * node for agreement and give the prefix and text their own children so the bytes stay explained.
 */
function contentType(ctx: Ctx, parts: FieldNode[]): string {
  const start = ctx.pos;
  const inner: FieldNode[] = [];
  try {
    const s = lengthPrefixed(ctx, inner, FIELDS.propStringLen, FIELDS.propString, 'utf8');
    return s.text;
  } finally {
    const ct = node(FIELDS.propContentType, start, ctx.pos - start, inner[1]?.value as string | undefined);
    ct.children = inner;
    parts.push(ct);
  }
}

function checkValue(wrap: FieldNode, def: PropertyDef, value: unknown): void {
  const v = value as number;
  switch (def.id) {
    case 0x01: case 0x17: case 0x19: case 0x25: case 0x28: case 0x29: case 0x2a:
      if (v > 1) flag(wrap, 'error', `${def.name} must be 0 or 1, not ${v}`, '§2.2.2.2');
      break;
    case 0x24:
      if (v > 1) flag(wrap, 'error', `Maximum QoS must be 0 or 1 when present, not ${v}`, 'MQTT-3.2.2-9');
      break;
    case 0x0b:
      if (v === 0) flag(wrap, 'error', 'Subscription Identifier 0 is a Protocol Error', '§3.8.2.1.2');
      break;
    case 0x21: case 0x27:
      if (v === 0) flag(wrap, 'error', `${def.name} of 0 is a Protocol Error`, '§3.1.2.11');
      break;
    case 0x23:
      if (v === 0) flag(wrap, 'error', 'Topic Alias 0 is not permitted', 'MQTT-3.3.2-8');
      break;
  }
}
