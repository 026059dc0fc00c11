// Human-readable field trees for the terminal, indented like `tshark -V`, with each field's filter
// name so a student can type it into Wireshark.
import type { DecodedPacket, FieldNode } from '../shared/packet.js';

const VERSION_NAMES: Record<number, string> = { 3: 'MQTT 3.1', 4: 'MQTT 3.1.1', 5: 'MQTT 5.0' };

export function packetText(p: DecodedPacket): string {
  const lines = [`${p.summary}   [${p.length} bytes, ${VERSION_NAMES[p.version]}]`];
  walk(p.fields, 1, lines);
  return lines.join('\n');
}

function walk(nodes: FieldNode[], depth: number, out: string[]): void {
  for (const n of nodes) {
    const shown = n.display ?? (n.value === undefined ? '' : String(n.value));
    const bits = n.mask === undefined ? '' : ` ${maskPicture(n.mask)}`;
    const range = n.length === 1 ? `${n.offset}` : `${n.offset}-${n.offset + n.length - 1}`;
    out.push(`${'    '.repeat(depth)}${n.name}${bits}${shown === '' ? '' : ': ' + shown}   (${n.filter}, byte ${range})`);
    for (const i of n.issues ?? []) {
      out.push(`${'    '.repeat(depth + 1)}!! ${i.severity}: ${i.message}${i.specRef ? ` [${i.specRef}]` : ''}`);
    }
    if (n.children !== undefined) walk(n.children, depth + 1, out);
  }
}

/** Wireshark-style bit picture, e.g. mask 0x06 → `.... .11.` positions shown as dots and the mask bits as x. */
function maskPicture(mask: number): string {
  let s = '';
  for (let bit = 7; bit >= 0; bit--) {
    s += (mask >> bit) & 1 ? 'x' : '.';
    if (bit === 4) s += ' ';
  }
  return `[${s}]`;
}
