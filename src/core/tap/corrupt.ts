// Corrupting one field of a packet on its way through the tap, to show how a broker or client reacts
// to a malformed packet. The framing (fixed header and Remaining Length) is never touched, so the TCP
// stream stays in step and only the chosen field is wrong.
import type { DecodedPacket } from '../../shared/packet.js';
import { findField } from '../dissect/tree.js';

const FRAMING = new Set(['mqtt.len', 'mqtt.fixed_header']);

export interface Corruption { bytes: Uint8Array; field: string }

/** Returns the corrupted copy, or an error message when the field is absent or may not be corrupted. */
export function corruptField(bytes: Uint8Array, decoded: DecodedPacket, filter?: string): Corruption | string {
  const target = filter ?? defaultField(decoded);
  if (FRAMING.has(target)) return `corrupting ${target} would desynchronise the TCP stream; pick a field after the fixed header`;
  const n = findField(decoded.fields, target);
  if (n === undefined) return `this ${decoded.type} has no field ${target}`;
  const out = Uint8Array.from(bytes);
  if (n.length === 0) return `field ${target} is empty in this packet`;
  if (n.mask !== undefined) {
    // Flipping the bits under the mask turns e.g. QoS 1 into QoS 2 or a clear flag into a set one.
    out[n.offset] = out[n.offset]! ^ n.mask;
  } else {
    // 0xFF is never valid inside UTF-8 and changes any number: a visible, explainable corruption.
    for (let i = n.offset; i < n.offset + Math.min(n.length, 2); i++) out[i] = out[i]! ^ 0xff;
  }
  return { bytes: out, field: target };
}

function defaultField(d: DecodedPacket): string {
  if (findField(d.fields, 'mqtt.msgid') !== undefined) return 'mqtt.msgid';
  if (findField(d.fields, 'mqtt.topic') !== undefined) return 'mqtt.topic';
  return 'mqtt.hdrflags';
}
