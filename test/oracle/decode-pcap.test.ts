// `mqtt-lab decode --pcap` must find the same MQTT packets as tshark in the committed sample: same
// frame (the record where the packet ends), type and length, in the same order. The sample contains
// packets split over TCP segments and several packets per segment, so this exercises the pcap reader,
// TCP reassembly and framing end to end.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { missing } from '../peers/have.js';
import { run } from '../peers/run.js';
import { fields } from '../peers/tshark.js';
import { TYPE_NAMES } from './compare.js';
import { readSample, SAMPLE_PCAP } from './fixture.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Row {
  frame: number;
  type: string;
  length: number;
}

const show = (r: Row): string => `${r.frame} ${r.type} ${r.length}`;

/** Fixed header size + remaining length; what DESIGN.md calls a packet's length. */
function totalLength(remaining: number): number {
  let lenBytes = 1;
  while (remaining >= 128 ** lenBytes) lenBytes++;
  return 1 + lenBytes + remaining;
}

/**
 * `tshark -T fields -e frame.number -e mqtt.msgtype -e mqtt.len`, one row per MQTT packet. tshark's
 * mqtt.len is the Remaining Length; the CLI's `length` is the whole packet (DecodedPacket.length), so
 * the row carries the total (every sender here encodes the remaining length minimally).
 */
async function tsharkRows(port: number): Promise<Row[]> {
  const rows = await fields(SAMPLE_PCAP, port, ['frame.number', 'mqtt.msgtype', 'mqtt.len'], 'mqtt');
  return rows.flatMap(([frame, types, lens]) => {
    const ls = (lens ?? '').split(',');
    return (types ?? '').split(',').map((t, i) => ({
      frame: Number(frame),
      type: TYPE_NAMES[Number(t)] ?? t,
      length: totalLength(Number(ls[i])),
    }));
  });
}

describe('decode --pcap agrees with tshark on the sample', () => {
  const { meta, lines } = readSample();
  const noTshark = missing('tshark');

  it(`lists the same (frame, type, length)${noTshark ? ' (tshark missing: expected list from the fixture)' : ''}`, async () => {
    const expected: Row[] =
      noTshark === undefined
        ? await tsharkRows(meta.port)
        : lines.map((l) => ({ frame: l.frame, type: TYPE_NAMES[l.type] ?? String(l.type), length: l.size }));
    expect(expected.length).toBe(meta.packets);

    const r = await run(process.execPath, ['bin/mqtt-lab.js', 'decode', '--pcap', SAMPLE_PCAP, '--port', String(meta.port), '--json'], {
      cwd: ROOT,
      timeoutMs: 60_000,
    });
    expect(r.code, `mqtt-lab exited ${r.code}${r.timedOut ? ' (timed out)' : ''}\n${r.stderr}`).toBe(0);
    const actual: Row[] = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => {
        const o = JSON.parse(l) as { frame: number; type: string | number; length: number };
        return { frame: o.frame, type: typeof o.type === 'number' ? (TYPE_NAMES[o.type] ?? String(o.type)) : o.type, length: o.length };
      });
    // Compared as text lines so a failure shows a readable diff around the first difference.
    expect(actual.map(show).join('\n')).toBe(expected.map(show).join('\n'));
  }, 90_000);
});
