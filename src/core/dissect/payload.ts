// Application payloads (PUBLISH message, Will message, password): shown as text when they are valid
// UTF-8, else as hex, so a student reads `{"temperature": 21.5}` rather than 7b2274656d70…
import type { FieldNode } from '../../shared/packet.js';
import type { FieldDef } from './fields.js';
import { Ctx, STOP, flag, node, u16 } from './context.js';
import { toHex } from './utf8.js';

/** Above this, the node's value keeps only a prefix; the record's bytes stay whole. */
const MAX_VALUE_BYTES = 64 * 1024;

// ignoreBOM: a leading EF BB BF is part of the message and must stay visible.
const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function payloadNode(def: FieldDef, buf: Uint8Array, start: number, end: number): FieldNode {
  const len = end - start;
  const shown = Math.min(len, MAX_VALUE_BYTES);
  const cut = shown < len ? ` (first ${shown} of ${len} bytes shown)` : '';
  let text: string | null = null;
  try {
    text = fatal.decode(buf.subarray(start, start + shown));
  } catch {
    // Not UTF-8 (or a multi-byte character cut at the prefix boundary): hex is the honest view.
  }
  if (text !== null && !hasControl(text)) {
    return node(def, start, len, text, `${JSON.stringify(text.length > 80 ? text.slice(0, 80) + '…' : text)} (${len} bytes)${cut}`);
  }
  return node(def, start, len, toHex(buf, start, start + shown), `${len} bytes of binary data${cut}`);
}

/** Binary payloads often decode as "UTF-8" (bytes < 0x80); control characters other than white space betray them. */
function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return true;
  }
  return false;
}

/** A 2-byte length then that many payload bytes (Will Message, Password). */
export function countedPayload(ctx: Ctx, into: FieldNode[], lenDef: FieldDef, valueDef: FieldDef): void {
  const len = u16(ctx, into, lenDef);
  const declared = len.value as number;
  const end = Math.min(ctx.pos + declared, ctx.end);
  into.push(payloadNode(valueDef, ctx.buf, ctx.pos, end));
  const short = end - ctx.pos < declared;
  ctx.pos = end;
  if (short) {
    flag(len, 'error', `${lenDef.name} says ${declared} bytes but only ${end - (len.offset + 2)} remain`, '§1.5.6');
    throw STOP;
  }
}
