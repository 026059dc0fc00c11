// One terminal line per packet, like `mosquitto -v` but for both directions and every type:
// `12:00:01.234  sensor → broker  PUBLISH (d0, q1, r0, m1, 'home/temp', … (4 bytes))`.
import type { PacketSummary } from '../shared/api.js';
import type { Connection, Transport } from '../shared/lab.js';
import { LINE_CHUNK, type LineBatch } from './line-batch.js';

const TRANSPORT_NAMES: Record<Transport, string> = { tcp: 'TCP', tls: 'TLS', ws: 'WebSocket', wss: 'WebSocket over TLS' };

const pad = (n: number, w: number): string => String(n).padStart(w, '0');
/** The `HH:MM:SS.` of the last second printed: a busy log prints thousands of lines within one. */
let shownSecond = NaN;
let secondText = '';

/** `HH:MM:SS.` of a local time: every line's clock starts so. */
const hms = (d: Date): string => `${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}.`;

export function clock(time: number): string {
  const ms = Math.floor(time);
  const second = Math.floor(ms / 1000);
  if (second !== shownSecond) {
    secondText = hms(new Date(ms));
    shownSecond = second;
  }
  return secondText + pad(ms - second * 1000, 3);
}

export function nameOf(clientId: string | undefined, connId: number): string {
  return clientId === undefined || clientId === '' ? `conn#${connId}` : clientId;
}

/** The live stream's summary is all a line needs: the tree is never built for the log. */
export type LinePacket = Pick<PacketSummary, 'time' | 'clientId' | 'connId' | 'direction' | 'summary' | 'fault'>;

export function packetLine(p: LinePacket): string {
  const who = nameOf(p.clientId, p.connId);
  const arrow = p.direction === 'toBroker' ? `${who} → broker` : `broker → ${who}`;
  return `${clock(p.time)}  ${arrow}  ${p.summary}${faultText(p)}`;
}

function faultText(p: LinePacket): string {
  const f = p.fault;
  if (f === undefined) return '';
  const rule = f.ruleId === undefined ? '' : ` by rule ${f.ruleId}`;
  switch (f.action) {
    case 'drop': return `   ✕ dropped${rule}`;
    case 'delay': return `   ⏱ delayed ${f.ms} ms${rule}`;
    case 'hold': return f.released ? `   ▶ released after ${f.ms} ms` : `   ⏸ held${rule} (waiting for release)`;
    case 'step': return f.released ? `   ▶ stepped after ${f.ms} ms` : '   ⏸ waiting (step mode)';
    case 'corrupt': return `   ⚡ corrupted ${f.field ?? ''}${rule}`;
    case 'sever': return `   ✂ connection severed${rule}`;
  }
}

export function connectionLine(c: Connection): string {
  const who = nameOf(c.clientId, c.connId);
  if (c.state === 'closed') return `${clock(c.endedAt ?? Date.now())}  ${who} connection closed: ${c.ended}${c.endNote === undefined ? '' : ` (${c.endNote})`}`;
  if (c.state === 'connected') return `${clock(Date.now())}  ${who} connected (MQTT ${c.version === 5 ? '5.0' : c.version === 3 ? '3.1' : '3.1.1'})`;
  if (c.clientId === undefined) return `${clock(c.since)}  conn#${c.connId} opened from ${c.remote}${c.transport === undefined ? '' : ` over ${TRANSPORT_NAMES[c.transport]}`}`;
  return '';
}

// The same line encoded straight into the live log's buffer: building it as a string and then encoding it
// (a two-byte string, for its arrow) was a third of the live log's cost at QoS 2 (perf, `mqtt-lab broker
// --upstream`). The clock is digits, the arrow the same bytes for every packet one way on one connection,
// and the summary is copied unit by unit while it is ASCII.

/** "HH:MM:SS." of the last second encoded, as bytes. */
let encodedSecond = NaN;
let secondBytes: Uint8Array = new Uint8Array(0);
/** The bytes between the clock and the summary, per connection and direction, while its client id holds. */
const arrows = new Map<number, { clientId: string | undefined; bytes: Uint8Array }>();
/** A busy lab's connections come and go: the cache starts over past this many. */
const ARROWS_KEPT = 1024;

function arrowBytes(p: LinePacket): Uint8Array {
  const key = p.connId * 2 + (p.direction === 'toBroker' ? 0 : 1);
  const hit = arrows.get(key);
  if (hit !== undefined && hit.clientId === p.clientId) return hit.bytes;
  const who = nameOf(p.clientId, p.connId);
  const bytes = Buffer.from(p.direction === 'toBroker' ? `  ${who} → broker  ` : `  broker → ${who}  `);
  if (arrows.size >= ARROWS_KEPT) arrows.clear();
  arrows.set(key, { clientId: p.clientId, bytes });
  return bytes;
}

/** Adds packetLine(p) to the batch, the same bytes; a line with a fault (rare) is made as a string. */
export function writePacketLine(out: LineBatch, p: LinePacket): void {
  if (p.fault !== undefined) return out.out(packetLine(p));
  const arrow = arrowBytes(p);
  const summary = p.summary;
  // 12 bytes of clock, then at most 3 bytes per UTF-16 unit of the summary, then the newline.
  const max = 12 + arrow.length + summary.length * 3 + 1;
  if (max > LINE_CHUNK) return out.out(packetLine(p));
  out.outInto(max, (buf, at) => {
    const ms = Math.floor(p.time);
    const second = Math.floor(ms / 1000);
    if (second !== encodedSecond) {
      secondBytes = Buffer.from(hms(new Date(ms)), 'latin1');
      encodedSecond = second;
    }
    buf.set(secondBytes, at);
    at += secondBytes.length;
    const milli = ms - second * 1000;
    buf[at++] = 48 + Math.floor(milli / 100);
    buf[at++] = 48 + (Math.floor(milli / 10) % 10);
    buf[at++] = 48 + (milli % 10);
    buf.set(arrow, at);
    at += arrow.length;
    // UTF-8 unit by unit: Buffer.write's call into C++ alone cost more than a short summary's loop here,
    // and nearly every PUBLISH line has a non-ASCII character (the … before a payload's size). Only a
    // surrogate pair (an emoji in a topic) hands the rest to Buffer.write.
    const n = summary.length;
    let i = 0;
    for (; i < n; i++) {
      const c = summary.charCodeAt(i);
      if (c < 0x80) {
        buf[at++] = c;
      } else if (c < 0x800) {
        buf[at++] = 0xc0 | (c >> 6);
        buf[at++] = 0x80 | (c & 0x3f);
      } else if (c < 0xd800 || c >= 0xe000) {
        buf[at++] = 0xe0 | (c >> 12);
        buf[at++] = 0x80 | ((c >> 6) & 0x3f);
        buf[at++] = 0x80 | (c & 0x3f);
      } else {
        at += buf.write(summary.slice(i), at);
        break;
      }
    }
    buf[at++] = 10;
    return at;
  });
}
