// Application payloads (PUBLISH message, Will message, password): shown as text when they are valid
// UTF-8, else as hex, so a student reads `{"temperature": 21.5}` rather than 7b2274656d70…
import type { FieldNode } from '../../shared/packet.js';
import type { FieldDef } from './fields.js';
import { Ctx, STOP, flag, node, u16 } from './context.js';
import { checkMqttUtf8, decodeUtf8, toHex } from './utf8.js';

/** Above this, the node's value keeps only a prefix; the record's bytes stay whole. */
const MAX_VALUE_BYTES = 64 * 1024;

export function payloadNode(def: FieldDef, buf: Uint8Array, start: number, end: number): FieldNode {
  const len = end - start;
  const shown = Math.min(len, MAX_VALUE_BYTES);
  const cut = shown < len ? ` (first ${shown} of ${len} bytes shown)` : '';
  // Text when it is text; otherwise (not UTF-8, control bytes, a character cut at the prefix boundary)
  // hex is the honest view.
  if (isText(buf, start, start + shown)) {
    const text = decodeUtf8(buf, start, start + shown);
    return node(def, start, len, text, `${readable(text)} (${bytes(len)})${cut}`);
  }
  return node(def, start, len, toHex(buf, start, start + shown), `${len} bytes of binary data${cut}`);
}

/** Whether payloadNode shows these payload bytes as text (its value is then the text, else hex). */
export function isTextPayload(buf: Uint8Array, start: number, end: number): boolean {
  return isText(buf, start, start + Math.min(end - start, MAX_VALUE_BYTES));
}

/**
 * Whether the bytes are well-formed UTF-8 without control characters other than white space (binary
 * payloads often pass as "UTF-8" when their bytes are < 0x80; the control characters betray them).
 * Checked byte by byte rather than with a fatal TextDecoder: the exception it throws on every binary
 * payload cost more than decoding all the rest of the packet.
 */
function isText(buf: Uint8Array, start: number, end: number): boolean {
  const i = firstNonPrintable(buf, start, end);
  if (i === end) return true;
  if (buf[i]! < 0x80) return false;
  return checkMqttUtf8(buf, i, end) === null && !hasControlByte(buf, i, end);
}

/** 0: printable ASCII or tab/LF/CR; 1: another C0 control or DEL; 2: not ASCII. */
const CLASS = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  CLASS[b] = b >= 0x80 ? 2 : (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f ? 1 : 0;
}

/**
 * Index of the first byte that is not printable ASCII (tab, LF, CR count as printable), or `end`. Long
 * payloads are scanned four bytes per step: one test per 32-bit word says whether any of its bytes is
 * >= 0x80, < 0x20 or 0x7f, and only such words are looked at byte by byte (a third of the time of the
 * byte loop on a 4 kB JSON payload).
 */
function firstNonPrintable(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  if (end - start >= 256) {
    // Int32Array needs a 4-byte aligned offset: bytes before the first aligned word go one by one.
    const aligned = ((buf.byteOffset + i + 3) & ~3) - buf.byteOffset;
    for (; i < aligned; i++) if (CLASS[buf[i]!] !== 0) return i;
    const words = (end - i) >> 2;
    const w32 = new Int32Array(buf.buffer, buf.byteOffset + i, words);
    for (let k = 0; k < words; k++) {
      const w = w32[k]!;
      const x = w ^ 0x7f7f7f7f;
      // High bit of a byte set by: w itself (>= 0x80), a borrow below 0x20, or x having a zero byte (0x7f).
      if (((w | ((w - 0x20202020) & ~w) | ((x - 0x01010101) & ~x)) & 0x80808080) !== 0) {
        for (let j = i + 4 * k, e = j + 4; j < e; j++) if (CLASS[buf[j]!] !== 0) return j;
      }
    }
    i += words * 4;
  }
  for (; i < end; i++) if (CLASS[buf[i]!] !== 0) return i;
  return end;
}

/** C0 controls and DEL other than tab, LF, CR; in UTF-8 they only ever occur as single bytes. */
function hasControlByte(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (CLASS[buf[i]!] === 1) return true;
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

/**
 * Text as a student reads it: no JSON escaping of quotes (`{"temperature": 21.5}` stays readable), but the
 * line breaks and tabs a payload may hold are shown as \n, \r and \t so the one-line view stays one line.
 */
function readable(text: string): string {
  if (text.length === 0) return 'empty';
  const head = text.length > 80 ? text.slice(0, 80) + '…' : text;
  // Most payloads hold nothing to escape; one search is cheaper than four replacements.
  if (!NEEDS_ESCAPE.test(head)) return head;
  return head.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
}

const NEEDS_ESCAPE = /[\\\n\r\t]/;

function bytes(n: number): string {
  return n === 1 ? '1 byte' : `${n} bytes`;
}
