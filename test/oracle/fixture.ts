// The committed sample capture and tshark's reading of it, so the comparison runs without tshark or a
// broker: `sample.pcapng` plus `sample.mqtt.jsonl` (one MQTT packet per line) and `sample.meta.json`.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { OraclePdu } from './compare.js';
import type { TsharkFrame } from './pdml.js';
import { VersionTracker } from './compare.js';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const SAMPLE_PCAP = `${FIXTURES}sample.pcapng`;
export const SAMPLE_JSONL = `${FIXTURES}sample.mqtt.jsonl`;
export const SAMPLE_META = `${FIXTURES}sample.meta.json`;

export interface SampleMeta {
  port: number;
  tshark: string;
  captureMs: number;
  packets: number;
  /** tshark field name → occurrences in the sample. */
  fields: Record<string, number>;
}

/** One line of sample.mqtt.jsonl. */
export interface SampleLine {
  frame: number;
  index: number;
  stream: number;
  dir: 'toBroker' | 'toClient';
  /** As tracked from the stream's CONNECT; absent before one. */
  version?: 3 | 4 | 5;
  source: 'frame' | 'reassembled';
  segments?: number[];
  type: number;
  size: number;
  bytes: string;
  /** [name, offset, size, show, depth]; show is cut at 80 characters. */
  fields: Array<[string, number, number, string, number]>;
}

export function toSampleLines(frames: readonly TsharkFrame[]): SampleLine[] {
  const versions = new VersionTracker();
  const out: SampleLine[] = [];
  for (const pdu of frames.flatMap((f) => f.pdus)) {
    const version = versions.next(pdu);
    const line: SampleLine = {
      frame: pdu.frame,
      index: pdu.index,
      stream: pdu.stream,
      dir: pdu.toBroker ? 'toBroker' : 'toClient',
      source: pdu.source,
      type: pdu.msgtype,
      size: pdu.size,
      bytes: Buffer.from(pdu.bytes).toString('hex'),
      fields: pdu.fields.map((f) => [f.name, f.offset, f.size, f.show.length > 80 ? f.show.slice(0, 80) + '…' : f.show, f.parents.length]),
    };
    if (version !== undefined) line.version = version;
    if (pdu.segments !== undefined) line.segments = pdu.segments;
    out.push(line);
  }
  return out;
}

export function fromSampleLine(l: SampleLine): OraclePdu {
  return {
    frame: l.frame,
    index: l.index,
    stream: l.stream,
    bytes: new Uint8Array(Buffer.from(l.bytes, 'hex')),
    size: l.size,
    msgtype: l.type,
    fields: l.fields.map(([name, offset, size, show]) => ({ name, offset, size, show })),
  };
}

export function readSample(): { meta: SampleMeta; lines: SampleLine[] } {
  const meta = JSON.parse(readFileSync(SAMPLE_META, 'utf8')) as SampleMeta;
  const lines = readFileSync(SAMPLE_JSONL, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as SampleLine);
  return { meta, lines };
}
