// Decoding state and the primitive readers. Each reader appends one node to the list it is given,
// advances the cursor by the bytes it consumed and returns the node, so packet decoders read like the
// packet layout. A reader that runs out of bytes records what it expected on a node covering what is
// left and throws STOP; dissect() catches it, so decoding never throws past the module boundary.
import type { FieldIssue, FieldNode, MqttVersion, PacketInfo, Severity } from '../../shared/packet.js';
import type { FieldDef } from './fields.js';
import { checkMqttUtf8, decodeUtf8, toHex } from './utf8.js';
import { ref } from './spec.js';

/** Thrown (never past dissect) to abandon the rest of a packet whose bytes ran out. */
export const STOP: unique symbol = Symbol('stop');

export class Ctx {
  pos = 0;
  readonly info: PacketInfo = {};
  constructor(
    readonly buf: Uint8Array,
    /** End of this packet's bytes inside buf: the declared length, or less when the data is short. */
    public end: number,
    public version: MqttVersion,
    readonly typeCode: number,
    readonly flags: number,
  ) {}

  get left(): number {
    return this.end - this.pos;
  }
}

export function node(def: FieldDef, offset: number, length: number, value?: string | number | boolean,
  display?: string): FieldNode {
  // Each shape is one object literal: properties added after creation would go to a separately
  // allocated store, and nodes are most of what decoding allocates. Key order stays name, filter,
  // offset, length, value, display, mask (JSON output and snapshots read in that order).
  const { name, filter } = def;
  if (value === undefined) {
    return display === undefined ? { name, filter, offset, length } : { name, filter, offset, length, display };
  }
  if (display === undefined && def.values !== undefined && typeof value === 'number') {
    const label = def.values[value];
    display = label === undefined ? `${value} (Unknown)` : `${value} (${label})`;
  }
  const mask = def.mask;
  if (mask !== undefined) {
    return display === undefined ? { name, filter, offset, length, value, mask } : { name, filter, offset, length, value, display, mask };
  }
  return display === undefined ? { name, filter, offset, length, value } : { name, filter, offset, length, value, display };
}

/**
 * Issues raised so far, by any packet. dissect() compares it before and after a packet: when nothing
 * was flagged (nearly always) it skips walking the whole tree to collect issues.
 */
let flagged = 0;
export function issuesRaised(): number {
  return flagged;
}

export function flag(n: FieldNode, severity: Severity, message: string, specRef?: string): FieldNode {
  const i: FieldIssue = specRef === undefined ? { severity, message } : { severity, message, specRef };
  (n.issues ??= []).push(i);
  flagged++;
  return n;
}

/** Ensures n bytes remain; otherwise records the shortfall on a node over what is left and stops. */
function need(ctx: Ctx, n: number, into: FieldNode[], def: FieldDef): void {
  if (ctx.pos + n <= ctx.end) return;
  const left = ctx.end - ctx.pos;
  const at = node(def, ctx.pos, left);
  flag(at, 'error', `${def.name} needs ${n} byte${n === 1 ? '' : 's'} but the packet has ${left} left`);
  into.push(at);
  ctx.pos = ctx.end;
  throw STOP;
}

export function u8(ctx: Ctx, into: FieldNode[], def: FieldDef): FieldNode {
  need(ctx, 1, into, def);
  const n = node(def, ctx.pos, 1, ctx.buf[ctx.pos]!);
  ctx.pos += 1;
  into.push(n);
  return n;
}

export function u16(ctx: Ctx, into: FieldNode[], def: FieldDef): FieldNode {
  need(ctx, 2, into, def);
  const b = ctx.buf;
  const n = node(def, ctx.pos, 2, (b[ctx.pos]! << 8) | b[ctx.pos + 1]!);
  ctx.pos += 2;
  into.push(n);
  return n;
}

export function u32(ctx: Ctx, into: FieldNode[], def: FieldDef): FieldNode {
  need(ctx, 4, into, def);
  const b = ctx.buf;
  const p = ctx.pos;
  const v = b[p]! * 0x1000000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
  const n = node(def, p, 4, v);
  ctx.pos += 4;
  into.push(n);
  return n;
}

export interface Varint { value: number; bytes: number; error?: string; overlong?: boolean }

/** Reads a Variable Byte Integer at p without bounds past `end`; never throws. */
export function readVarint(buf: Uint8Array, p: number, end: number): Varint {
  let value = 0;
  let mult = 1;
  for (let i = 0; i < 4; i++) {
    if (p + i >= end) return { value, bytes: i, error: 'runs past the end of the data' };
    const b = buf[p + i]!;
    value += (b & 0x7f) * mult;
    mult *= 128;
    if ((b & 0x80) === 0) {
      // A longer encoding than the value needs: the last byte carries no bits (e.g. 0x80 0x00).
      const overlong = i > 0 && b === 0;
      return overlong ? { value, bytes: i + 1, overlong } : { value, bytes: i + 1 };
    }
  }
  return { value, bytes: 4, error: 'has a continuation bit on its 4th byte: at most 4 bytes are allowed' };
}

export function varint(ctx: Ctx, into: FieldNode[], def: FieldDef): FieldNode {
  const v = readVarint(ctx.buf, ctx.pos, ctx.end);
  const n = node(def, ctx.pos, v.bytes, v.value);
  into.push(n);
  ctx.pos += v.bytes;
  if (v.error !== undefined) {
    flag(n, 'error', `${def.name} ${v.error}`, ref(ctx.version, '§2.2.3', '§1.5.5'));
    throw STOP;
  }
  if (v.overlong) {
    flag(n, 'error', `${def.name} is not encoded in the minimum number of bytes`, 'MQTT-1.5.5-1');
  }
  return n;
}

export interface StringRead { len: FieldNode; value: FieldNode; text: string }

/**
 * A 2-byte length followed by that many bytes: UTF-8 text (checked against MQTT's string rules) or
 * binary data. The length prefix is its own node so a student sees where the 2 bytes sit.
 */
export function lengthPrefixed(ctx: Ctx, into: FieldNode[], lenDef: FieldDef, valueDef: FieldDef,
  kind: 'utf8' | 'binary'): StringRead {
  const lenNode = u16(ctx, into, lenDef);
  const declared = lenNode.value as number;
  const start = ctx.pos;
  if (start + declared > ctx.end) {
    const left = ctx.end - start;
    const v = node(valueDef, start, left, kind === 'utf8' ? decodeUtf8(ctx.buf, start, ctx.end) : toHex(ctx.buf, start, ctx.end));
    flag(lenNode, 'error', `${lenDef.name} says ${declared} bytes but only ${left} remain in the packet`,
      ref(ctx.version, '§1.5.3', '§1.5.4'));
    into.push(v);
    ctx.pos = ctx.end;
    throw STOP;
  }
  ctx.pos += declared;
  if (kind === 'binary') {
    const v = node(valueDef, start, declared, toHex(ctx.buf, start, ctx.pos), `${declared} bytes`);
    into.push(v);
    return { len: lenNode, value: v, text: '' };
  }
  const text = decodeUtf8(ctx.buf, start, ctx.pos);
  const v = node(valueDef, start, declared, text);
  into.push(v);
  const problem = checkMqttUtf8(ctx.buf, start, ctx.pos);
  if (problem !== null) {
    const where = `at byte ${problem.at} of the string`;
    if (problem.kind === 'null') flag(v, 'error', `${valueDef.name} contains U+0000 ${where}`, ref(ctx.version, 'MQTT-1.5.3-2', 'MQTT-1.5.4-2'));
    else if (problem.kind === 'surrogate') flag(v, 'error', `${valueDef.name} encodes a UTF-16 surrogate (U+D800..U+DFFF) ${where}`, ref(ctx.version, 'MQTT-1.5.3-1', 'MQTT-1.5.4-1'));
    else flag(v, 'error', `${valueDef.name} is not well-formed UTF-8 ${where}`, ref(ctx.version, 'MQTT-1.5.3-1', 'MQTT-1.5.4-1'));
  }
  return { len: lenNode, value: v, text };
}

/** Bit fields over the byte at `offset`, as children of the node holding that byte. */
export function bitChildren(parent: FieldNode, byte: number, defs: FieldDef[]): FieldNode[] {
  const kids: FieldNode[] = [];
  for (const def of defs) {
    const mask = def.mask!;
    let shift = 0;
    while (((mask >> shift) & 1) === 0) shift++;
    const raw = (byte & mask) >> shift;
    // Single-bit masks read as booleans; wider ones (QoS, message type) as numbers.
    const value: number | boolean = (mask >> shift) === 1 && def.values === undefined ? raw === 1 : raw;
    kids.push(node(def, parent.offset, 1, value));
  }
  parent.children = kids;
  return kids;
}

/** The remaining bytes of a packet that could not be decoded, as one node so every byte is covered. */
export function undecoded(ctx: Ctx, into: FieldNode[], def: FieldDef, why: string, specRef?: string): void {
  if (ctx.pos >= ctx.end) return;
  const n = node(def, ctx.pos, ctx.end - ctx.pos, toHex(ctx.buf, ctx.pos, ctx.end), `${ctx.end - ctx.pos} bytes`);
  flag(n, 'error', why, specRef);
  into.push(n);
  ctx.pos = ctx.end;
}
