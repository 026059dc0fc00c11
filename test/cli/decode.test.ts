// `mqtt-lab decode`: one packet from hex as a JSON field tree, and usage mistakes that end in exactly one
// line on stderr and exit code 2, never a stack trace.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FieldNode } from '../../src/shared/packet.js';
import { cli } from './cli-process.js';

// Every test here is bounded well below the suite's default; a hang fails fast.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mqtt-lab-decode-'));
  await writeFile(join(dir, 'notes.txt'), 'MQTT is a publish/subscribe protocol.\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function find(nodes: readonly FieldNode[], filter: string): FieldNode | undefined {
  for (const n of nodes) {
    if (n.filter === filter) return n;
    const inner = find(n.children ?? [], filter);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

describe('decode --hex', () => {
  it('prints the PUBLISH tree as JSON with Wireshark field names and byte ranges', async () => {
    // 30 = PUBLISH, QoS 0; 07 = remaining length; 0003 'a/b' = topic; 'hi' = payload.
    const r = await cli(['decode', '--hex', '30070003612f626869', '--json']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const out = JSON.parse(r.stdout) as { type: string; length: number; fields: FieldNode[]; errors: unknown[] };
    expect(out).toMatchObject({ type: 'PUBLISH', length: 9, errors: [] });
    expect(find(out.fields, 'mqtt.topic')).toMatchObject({ value: 'a/b', offset: 4, length: 3 });
    expect(find(out.fields, 'mqtt.topic_len')).toMatchObject({ value: 3, offset: 2, length: 2 });
    expect(find(out.fields, 'mqtt.len')).toMatchObject({ value: 7, offset: 1, length: 1 });
  });
});

describe('usage mistakes: one line on stderr, exit 2', () => {
  const cases: Array<[string, () => string[], RegExp]> = [
    ['odd hex', () => ['decode', '--hex', '301'], /odd number of digits/],
    ['non-hex', () => ['decode', '--hex', '30zz'], /non-hex character 'z'/],
    ['an unknown flag', () => ['decode', '--hex', '30', '--frobnicate'], /unknown option --frobnicate/],
    ['a missing file', () => ['decode', '--pcap', join(dir, 'missing.pcapng')], /cannot read .*missing\.pcapng: no such file/],
    ['a file that is not a capture', () => ['decode', '--pcap', join(dir, 'notes.txt')], /not a capture file/],
    ['both --hex and --pcap', () => ['decode', '--hex', '30', '--pcap', join(dir, 'notes.txt')], /exactly one of --hex HEX or --pcap FILE/],
    ['no command', () => [], /^mqtt-lab: no command given/],
    ['an unknown command', () => ['frobnicate'], /^mqtt-lab: unknown command 'frobnicate'/],
  ];
  it.each(cases)('%s', async (_what, args, message) => {
    const r = await cli(args());
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/\bat .*:\d+:\d+\)?$/m);
  });
});
