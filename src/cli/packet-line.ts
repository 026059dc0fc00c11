// One terminal line per packet, like `mosquitto -v` but for both directions and every type:
// `12:00:01.234  sensor → broker  PUBLISH (d0, q1, r0, m1, 'home/temp', … (4 bytes))`.
import type { PacketSummary } from '../shared/api.js';
import type { Connection, Transport } from '../shared/lab.js';

const TRANSPORT_NAMES: Record<Transport, string> = { tcp: 'TCP', tls: 'TLS', ws: 'WebSocket', wss: 'WebSocket over TLS' };

const pad = (n: number, w: number): string => String(n).padStart(w, '0');
/** The `HH:MM:SS.` of the last second printed: a busy log prints thousands of lines within one. */
let shownSecond = NaN;
let secondText = '';

export function clock(time: number): string {
  const ms = Math.floor(time);
  const second = Math.floor(ms / 1000);
  if (second !== shownSecond) {
    const d = new Date(ms);
    secondText = `${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}.`;
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
