// Short packet labels for arrows and list rows: `PUBLISH q1 m7 home/temp`, `PUBACK m7`.
import type { PacketSummary } from '../../shared/api.js';
import type { FaultRecord } from '../../shared/lab.js';
import { truncate } from './format.js';

export function arrowLabel(p: PacketSummary, maxTopic = 32): string {
  const d = p;
  const i = d.info;
  const m = i.packetId !== undefined ? ` m${i.packetId}` : '';
  switch (d.type) {
    case 'PUBLISH': {
      const flags = `${i.dup ? ' d1' : ''}${i.retain ? ' r1' : ''}`;
      return `PUBLISH q${i.qos ?? 0}${m}${flags} ${truncate(i.topic ?? '', maxTopic)}`;
    }
    case 'CONNECT':
      return `CONNECT ${truncate(i.clientId ?? '', maxTopic)}`;
    case 'CONNACK':
      return `CONNACK rc${i.reasonCode ?? 0}`;
    case 'SUBSCRIBE': case 'UNSUBSCRIBE':
      return `${d.type}${m} ${truncate((i.topics ?? []).join(', '), maxTopic)}`;
    case 'PUBACK': case 'PUBREC': case 'PUBREL': case 'PUBCOMP': case 'SUBACK': case 'UNSUBACK':
      return `${d.type}${m}`;
    case 'HTTP': {
      // "HTTP GET /readings?after=3 HTTP/1.1" -> "GET /readings?after=3"; "HTTP HTTP/1.1 204 No Content" -> "HTTP 204 No Content".
      const s = d.summary.replace(/^HTTP /, '');
      const status = /^HTTP\/[\d.]+ (\d{3}.*?)(?: \(\d+ bytes\))?$/.exec(s);
      if (status !== null) return `HTTP ${truncate(status[1]!, maxTopic)}`;
      return truncate(s.replace(/ HTTP\/[\d.]+.*$/, ''), maxTopic + 8);
    }
    default:
      return d.type;
  }
}

export function faultText(f: FaultRecord): string {
  switch (f.action) {
    case 'drop': return 'dropped at the tap';
    case 'delay': return `delayed ${f.ms ?? 0} ms`;
    case 'hold': return f.released ? `held ${f.ms ?? 0} ms, released` : 'held at the tap';
    case 'step': return f.released ? `stepped after ${f.ms ?? 0} ms` : 'waiting at the tap (step mode)';
    case 'corrupt': return `corrupted${f.field ? ` (${f.field})` : ''}`;
    case 'sever': return 'connection severed here';
  }
}

/** Whether the packet is (still) waiting at the tap for a release. */
export function isWaiting(p: Pick<PacketSummary, 'fault'>): boolean {
  return (p.fault?.action === 'hold' || p.fault?.action === 'step') && !p.fault.released;
}

export const PACKET_TYPES = [
  'CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP', 'SUBSCRIBE', 'SUBACK',
  'UNSUBSCRIBE', 'UNSUBACK', 'PINGREQ', 'PINGRESP', 'DISCONNECT', 'AUTH',
] as const;
