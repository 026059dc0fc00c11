// What a recording must keep from one run to the next: per TCP conversation, in order, each packet's
// direction, type and the facts the story is about (QoS, DUP, retain, topic, payload). Ports, times and
// packet ids are chosen afresh by the clients on every run and are left out.
import { readCaptureRecords } from '../../src/core/pcap/decoded-records.js';
import { FILE_BROKER_PORT } from './record.js';

export function captureShape(bytes: Uint8Array): string[][] {
  const streams = new Map<number, string[]>();
  for (const { record: r } of readCaptureRecords(bytes, [FILE_BROKER_PORT])) {
    let lines = streams.get(r.connId);
    if (lines === undefined) streams.set(r.connId, (lines = []));
    const i = r.decoded.info;
    const facts: string[] = [];
    if (r.decoded.type === 'CONNECT') facts.push(`id=${i.clientId ?? ''}`, `clean=${String(i.cleanStart)}`);
    if (r.decoded.type === 'PUBLISH') facts.push(`q${i.qos ?? 0}`, `d${i.dup ? 1 : 0}`, `r${i.retain ? 1 : 0}`, `'${i.topic ?? ''}'`);
    if (r.decoded.issues.length > 0) facts.push(`issues=${r.decoded.issues.length}`);
    lines.push(`${r.direction === 'toBroker' ? '→' : '←'}${r.decoded.type}${facts.length ? ' ' + facts.join(' ') : ''}`);
  }
  return [...streams.values()];
}
