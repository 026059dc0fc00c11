// A PUBLISH's application payload as text, for the topic tree, the chart and message lists.
import type { WirePacket } from '../../shared/api.js';
import { findField } from './fields.js';
import { hexToBytes, utf8OrUndefined } from './hex.js';

export function payloadText(p: WirePacket): string | undefined {
  const node = findField(p.decoded.fields, 'mqtt.msg');
  if (!node) return p.decoded.type === 'PUBLISH' ? '' : undefined;
  // The dissector already decoded text payloads; binary ones it gives as hex, which is no use here.
  if (typeof node.value === 'string' && !(node.display ?? '').includes('binary')) return node.value;
  const start = node.offset * 2;
  return utf8OrUndefined(hexToBytes(p.bytes.slice(start, start + node.length * 2)));
}

/** Numeric leaves of a JSON payload (`{"t": {"c": 21.5}}` gives `t.c` = 21.5), or the number itself. */
export function numericFields(text: string): Array<[string, number]> {
  const s = text.trim();
  if (s === '') return [];
  if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(s)) return [['value', Number(s)]];
  if (s[0] !== '{' && s[0] !== '[') return [];
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch {
    return [];
  }
  const out: Array<[string, number]> = [];
  const walk = (x: unknown, path: string, depth: number): void => {
    if (out.length >= 16 || depth > 4) return;
    if (typeof x === 'number' && Number.isFinite(x)) out.push([path || 'value', x]);
    else if (x && typeof x === 'object' && !Array.isArray(x)) {
      for (const [k, y] of Object.entries(x as Record<string, unknown>)) walk(y, path ? `${path}.${k}` : k, depth + 1);
    }
  };
  walk(v, '', 0);
  return out;
}
