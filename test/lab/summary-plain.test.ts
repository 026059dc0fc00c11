// Summaries of plain packets come from their bytes (dissect/plain-packet.ts), not from a tree: they must be
// exactly the summaries the tree gives, key order included (JSON compared), for every packet the fast path
// takes; and it must take the traffic that matters (PUBLISH, acknowledgements, pings) in every version.
// Packets come from mqtt-packet (random valid ones, then mutated byte by byte) and edge-case payloads.
import * as mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { dissect } from '../../src/core/dissect/index.js';
import { plainPacket } from '../../src/core/dissect/plain-packet.js';
import { plainSummaryOf, summaryOf } from '../../src/core/lab/wire.js';
import { CaptureStore } from '../../src/core/store/index.js';
import { lazyRecord } from '../../src/core/tap/lazy-record.js';
import type { FaultRecord, PacketRecord, RecordFinding } from '../../src/shared/lab.js';
import type { MqttVersion } from '../../src/shared/packet.js';
import { Prng, seedFromEnv } from '../dissect/support/prng.js';
import { randomPacket } from '../dissect/support/random-packets.js';

const gen = (p: Record<string, unknown>, v: MqttVersion): Uint8Array =>
  new Uint8Array(mqttPacket.generate(p as unknown as mqttPacket.Packet, { protocolVersion: v }));

interface Extra { fault?: FaultRecord; findings?: RecordFinding[] }

/** The record as the tap hands it over (tree unbuilt), and the same record with its tree built. */
function records(bytes: Uint8Array, version: MqttVersion, extra: Extra = {}): { lazy: PacketRecord; built: PacketRecord } {
  const base = { seq: 9, time: 1_765_000_000_123.5, connId: 4, direction: 'toClient' as const, bytes, ...extra };
  const lazy = lazyRecord({ ...base }, version) as PacketRecord;
  lazy.seq = 9;
  const built = { ...base, decoded: dissect(bytes, { version }) } as PacketRecord;
  return { lazy, built };
}

/** The plain summary when the fast path takes the packet (then equal to the tree's, as JSON), else null. */
function compare(bytes: Uint8Array, version: MqttVersion, extra: Extra = {}, what = ''): string | null {
  const { lazy, built } = records(bytes, version, extra);
  const fast = plainSummaryOf(lazy, 'sensor-1', version);
  const p = plainPacket(bytes, version);
  expect(fast === undefined, `${what}: summary and facts disagree on taking it`).toBe(p === null);
  if (fast === undefined) return null;
  const d = built.decoded;
  // The fast path is only for packets the dissector has nothing to say about.
  expect(d.issues, `${what}: fast path took a packet with issues (${Buffer.from(bytes).toString('hex')})`).toEqual([]);
  expect(JSON.stringify(fast), `${what} v${version} ${Buffer.from(bytes).toString('hex')}`).toBe(JSON.stringify(summaryOf(built, 'sensor-1')));
  // And the record was never given a tree.
  expect(Object.getOwnPropertyDescriptor(lazy, 'decoded')?.get).toBeDefined();
  return `${d.type}/${version}`;
}

describe('plain summaries equal the tree\'s', () => {
  it('on 4000 random valid packets of every type and version, and 3 mutations of each', () => {
    const rng = new Prng(seedFromEnv(2024));
    const taken = new Set<string>();
    let fast = 0;
    let all = 0;
    for (let i = 0; i < 4000; i++) {
      const { version, packet } = randomPacket(rng);
      const bytes = gen(packet, version);
      const kind = compare(bytes, version, {}, `${packet.cmd} (seed ${rng.seed}, #${i})`);
      all++;
      if (kind !== null) {
        taken.add(kind);
        fast++;
      }
      for (let m = 0; m < 3; m++) {
        const bad = mutate(rng, bytes);
        // A mutated packet is read with each version: its bytes do not know which one the connection spoke.
        for (const v of [3, 4, 5] as const) if (compare(bad, v, {}, `mutated ${packet.cmd} (seed ${rng.seed}, #${i}.${m})`) !== null) fast++;
        all += 3;
      }
    }
    for (const t of ['PUBLISH', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP', 'PINGREQ', 'PINGRESP']) {
      for (const v of [3, 4, 5]) expect(taken.has(`${t}/${v}`), `fast path for ${t} v${v}`).toBe(true);
    }
    expect(taken.has('DISCONNECT/4')).toBe(true);
    console.log(`plain summaries: ${fast} of ${all} packets (valid and mutated) took the fast path`);
  });

  /** A text of `n` UTF-16 units: `fill` then the given tail. */
  const texts: Array<[string, string | Buffer]> = [
    ['empty', ''],
    ['short text', '21.5'],
    ['63 units', 'a'.repeat(63)],
    ['64 units', 'a'.repeat(64)],
    ['65 units', 'a'.repeat(65)],
    ['emoji across unit 64', 'a'.repeat(63) + '😀tail'],
    ['emoji ending at unit 64', 'a'.repeat(62) + '😀tail'],
    ['3-byte characters, 85 of them (255 bytes)', '中'.repeat(85)],
    ['3-byte characters past byte 256', '中'.repeat(90)],
    ['emoji only, 64 of them (256 bytes)', '😀'.repeat(64)],
    ['emoji only, 65 of them', '😀'.repeat(65)],
    ['256 ASCII bytes', 'x'.repeat(256)],
    ['257 ASCII bytes', 'x'.repeat(257)],
    ['4 kB of JSON', `{"v":"${'7'.repeat(4090)}"}`],
    ['a BOM first', '\ufeffhello'],
    ['tab, newline, backslash', 'a\tb\nc\\d'],
    ['a control byte late in a long text', `${'y'.repeat(600)}\u0001`],
    ['binary', Buffer.from([0x00, 0xff, 0x10, 0x80])],
    ['ill-formed UTF-8 past byte 256', Buffer.concat([Buffer.alloc(300, 0x61), Buffer.from([0xc3, 0x28])])],
    ['70,000 bytes of text (value cut at 64 KiB)', 'z'.repeat(70_000)],
    ['text for 64 KiB, then binary', Buffer.concat([Buffer.alloc(65_536, 0x61), Buffer.from([0x00, 0xff])])],
  ];
  it.each(texts)('payload: %s', (_name, payload) => {
    for (const v of [3, 4, 5] as const) {
      for (const qos of [0, 1] as const) {
        const bytes = gen({ cmd: 'publish', topic: 'home/kitchen/temp', payload, qos, messageId: qos ? 7 : undefined, dup: false, retain: qos === 1 }, v);
        expect(compare(bytes, v, {}, `payload ${_name}`)).toBe(`PUBLISH/${v}`);
      }
    }
  });

  it('with a fault and with the tap\'s findings (the line marked, counted, worst severity)', () => {
    const bytes = gen({ cmd: 'publish', topic: 'a/b', payload: 'x', qos: 1, messageId: 3 }, 4);
    const finding = (severity: 'note' | 'warning' | 'error', message: string): RecordFinding =>
      ({ severity, message, filter: 'lab.conn', offset: 0 }) as RecordFinding;
    const cases: Extra[] = [
      { fault: { action: 'drop', ruleId: 'r1' } as FaultRecord },
      { findings: [finding('warning', 'came after the connection was closed')] },
      { findings: [finding('note', 'n'), finding('error', 'sent before CONNACK')], fault: { action: 'delay', ms: 50 } as FaultRecord },
    ];
    for (const extra of cases) expect(compare(bytes, 4, extra, JSON.stringify(extra))).toBe('PUBLISH/4');
  });

  it('a store record: plain unless the store keeps a patch, a cut or a pinned tree for it', () => {
    const store = new CaptureStore(10, { byteBudget: 16_384 }); // two records over it; only records over CUT_FROM (8 kB) are cut
    const pub = gen({ cmd: 'publish', topic: 't', payload: Buffer.alloc(10_000, 0x61), qos: 0 }, 4);
    const a = store.append(lazyRecord({ time: 1, connId: 1, direction: 'toBroker', bytes: pub }, 4)).seq;
    expect(store.plainVersionOf(a)).toBe(4);
    // A second large record pushes the store past its byte budget: the first is cut to its first 4 kB.
    store.append(lazyRecord({ time: 2, connId: 1, direction: 'toBroker', bytes: pub }, 4));
    expect(store.get(a)!.fullLength).toBe(pub.length);
    expect(store.plainVersionOf(a)).toBeUndefined();
  });
});

/** One change of the kinds that matter to the checks: a byte, a flag bit, the length, a cut, an extra byte. */
function mutate(rng: Prng, bytes: Uint8Array): Uint8Array {
  const b = Uint8Array.from(bytes);
  switch (rng.int(0, 5)) {
    case 0: b[rng.int(0, b.length - 1)] = rng.int(0, 255); return b;
    case 1: b[0] ^= 1 << rng.int(0, 3); return b;
    case 2: b[1] = rng.int(0, 255); return b;
    case 3: return b.subarray(0, rng.int(1, b.length));
    case 4: return Uint8Array.from([...b, rng.int(0, 255)]);
    default: {
      // A byte of the topic or payload replaced by one MQTT strings forbid or that breaks UTF-8.
      const i = rng.int(Math.min(4, b.length - 1), b.length - 1);
      b[i] = rng.pick([0x00, 0x23, 0x2b, 0xc3, 0xed, 0xff, 0x01]);
      return b;
    }
  }
}
