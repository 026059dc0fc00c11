// Fault rules in words: "drop PUBACK broker → client, to sensor, once".
import type { FaultRule } from '../../shared/lab.js';

export function describeRule(r: FaultRule): string {
  const m = r.match;
  const parts: string[] = [];
  parts.push(m.type ?? 'any packet');
  if (m.direction) parts.push(m.direction === 'toBroker' ? 'client → broker' : 'broker → client');
  if (m.clientId) parts.push(`${m.direction === 'toClient' ? 'to' : m.direction === 'toBroker' ? 'from' : 'of'} ${m.clientId}`);
  if (m.topic) parts.push(`on ${m.topic}`);
  if (m.qos !== undefined) parts.push(`QoS ${m.qos}`);
  if (m.nth !== undefined) parts.push(`only match #${m.nth}`);
  if (r.action === 'delay') parts.push(`by ${r.ms ?? 0} ms`);
  if (r.action === 'corrupt' && r.field) parts.push(`field ${r.field}`);
  parts.push(r.times === undefined ? 'always' : r.times === 1 ? 'once' : `${r.times} times`);
  return parts.join(', ');
}
