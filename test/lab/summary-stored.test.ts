// The one store-backed summary (wire.ts storedSummary, the Lab's summaryAt): the live stream and the list pages
// used to take two ways to it (a live record by the lazy tree's version, a stored seq by the store's plain
// version). Both must still answer exactly what the tree gives, key order included (JSON compared), for plain
// packets, damaged ones, records whose tree the tap built and marked, faults, cut records and evicted ones.
import * as mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { dissect } from '../../src/core/dissect/index.js';
import { lineBytes, plainLineSummary } from '../../src/core/lab/line-summary.js';
import { storedLine, storedLineSource, storedSummary, summaryOf } from '../../src/core/lab/wire.js';
import { CaptureStore, CUT_FROM } from '../../src/core/store/index.js';
import { lazyRecord } from '../../src/core/tap/lazy-record.js';
import type { FaultRecord, PacketRecord, RecordFinding } from '../../src/shared/lab.js';
import type { MqttVersion } from '../../src/shared/packet.js';
import { Prng, seedFromEnv } from '../dissect/support/prng.js';
import { randomPacket } from '../dissect/support/random-packets.js';

const gen = (p: Record<string, unknown>, v: MqttVersion): Uint8Array =>
  new Uint8Array(mqttPacket.generate(p as unknown as mqttPacket.Packet, { protocolVersion: v }));

const finding = (severity: 'note' | 'warning' | 'error', message: string): RecordFinding =>
  ({ severity, message, filter: 'lab.conn', offset: 0 }) as RecordFinding;

type Way = 'lazy' | 'built' | 'built+finding' | 'fault';

/** A record as the tap hands it to the store, one of the ways a producer leaves it. */
function record(bytes: Uint8Array, version: MqttVersion, way: Way, time: number): Omit<PacketRecord, 'seq'> {
  const base = { time, connId: 2, direction: 'toBroker' as const, bytes };
  if (way === 'lazy') return lazyRecord(base, version);
  if (way === 'fault') return lazyRecord({ ...base, fault: { action: 'delay', ms: 20, ruleId: 'r1' } as FaultRecord }, version);
  // The tap builds the tree when a rule or a check reads it; a finding is its own mark beside the tree.
  const r = { ...base, decoded: dissect(bytes, { version }) } as Omit<PacketRecord, 'seq'>;
  if (way === 'built+finding') r.findings = [finding('error', 'sent before CONNACK'), finding('note', 'n')];
  return r;
}

/** The tree's summary of what the store holds (the reference: never the bytes-only path). */
const fromTree = (store: CaptureStore, seq: number, clientId?: string): string => JSON.stringify(summaryOf(store.get(seq)!, clientId));

describe('the store-backed summary', () => {
  it('equals the tree\'s and the live record\'s on 1500 random packets and 2 mutations of each, every way a record arrives', () => {
    const rng = new Prng(seedFromEnv(4242));
    const store = new CaptureStore(100_000);
    store.setClientId(2, 'sensor-7');
    const ways: Way[] = ['lazy', 'built', 'built+finding', 'fault'];
    let n = 0;
    let plain = 0;
    let sourced = 0;
    let cutHeads = 0;
    for (let i = 0; i < 1500; i++) {
      const { version, packet } = randomPacket(rng);
      const good = gen(packet, version);
      const variants = [good, mutate(rng, good), mutate(rng, good)];
      for (const bytes of variants) {
        const way = ways[n++ % ways.length]!;
        const appended = store.append(record(bytes, version, way, 1_765_000_000_000 + n / 8));
        const built = store.treesBuilt;
        const s = storedSummary(store, appended.seq)!;
        if (store.treesBuilt === built) plain++;
        const what = `${way} ${packet.cmd} v${version} ${Buffer.from(bytes).toString('hex')} (seed ${rng.seed})`;
        expect(JSON.stringify(s), what).toBe(fromTree(store, appended.seq, 'sensor-7'));
        // The live path read the record as the tap made it, its own tree included.
        expect(JSON.stringify(s), what).toBe(JSON.stringify(summaryOf(appended, 'sensor-7')));
        // The live log's line: the same fields as the summary's.
        const l = storedLine(store, appended.seq)!;
        expect({ time: l.time, clientId: l.clientId, connId: l.connId, direction: l.direction, summary: l.summary, fault: l.fault }, what)
          .toEqual({ time: s.time, clientId: s.clientId, connId: s.connId, direction: s.direction, summary: s.summary, fault: s.fault });
        // The same line made from the bytes alone, away from the store (the log's thread), when it can be.
        const src = storedLineSource(store, appended.seq);
        if (src !== undefined) {
          sourced++;
          expect(l.fault, what).toBeUndefined();
          const head = lineBytes(src.bytes, src.version);
          if (head.length < src.bytes.length) cutHeads++;
          expect({ time: src.time, clientId: src.clientId, connId: src.connId, direction: src.direction, summary: plainLineSummary(head, src.version, src.bytes.length) }, what)
            .toEqual({ time: l.time, clientId: l.clientId, connId: l.connId, direction: l.direction, summary: l.summary });
        } else {
          expect(way === 'lazy' && store.findingsOf(appended.seq) === undefined && !store.isCut(appended.seq), what).toBe(false);
        }
      }
    }
    // Most of them never needed a tree: the plain path is the one taken on the relay's traffic.
    expect(plain).toBeGreaterThan(n / 4);
    expect(sourced).toBeGreaterThan(n / 8);
    console.log(`store-backed summaries: ${plain} of ${n} without a tree; ${sourced} lines from the bytes alone, ${cutHeads} from a PUBLISH's head`);
  });

  it('a large PUBLISH\'s line reads the same from the bytes before its payload as from all of them', () => {
    const store = new CaptureStore(1000);
    store.setClientId(2, 'big-sender');
    const cases: Array<[Record<string, unknown>, MqttVersion, 'head' | 'whole']> = [
      [{ cmd: 'publish', topic: 'bench/t', payload: Buffer.alloc(4096, 0x78), qos: 0 }, 4, 'head'],
      [{ cmd: 'publish', topic: 'lab/températures/中', payload: Buffer.alloc(600, 1), qos: 1, messageId: 7 }, 4, 'head'],
      [{ cmd: 'publish', topic: 'q2', payload: Buffer.alloc(70_000, 2), qos: 2, messageId: 65535, retain: true }, 3, 'head'],
      [{ cmd: 'publish', topic: 'v5/plain', payload: Buffer.alloc(1000, 3), qos: 1, messageId: 9 }, 5, 'head'],
      // Properties are the tree's to read, a topic past the first 512 bytes too: the whole packet goes.
      [{ cmd: 'publish', topic: 'v5/props', payload: Buffer.alloc(1000, 3), qos: 1, messageId: 9, properties: { contentType: 'text/plain' } }, 5, 'whole'],
      [{ cmd: 'publish', topic: `long/${'t'.repeat(600)}`, payload: Buffer.alloc(1000, 4), qos: 0 }, 4, 'whole'],
      // A wildcard in a PUBLISH topic is a protocol error: no plain reading, the tree's line.
      [{ cmd: 'publish', topic: 'bad/+/topic', payload: Buffer.alloc(2000, 5), qos: 0 }, 4, 'whole'],
    ];
    for (const [packet, version, expected] of cases) {
      const bytes = gen(packet, version);
      const seq = store.append(lazyRecord({ time: 9, connId: 2, direction: 'toClient', bytes }, version)).seq;
      const src = storedLineSource(store, seq)!;
      const head = lineBytes(src.bytes, version);
      expect(head.length < bytes.length ? 'head' : 'whole', String(packet.topic)).toBe(expected);
      expect(plainLineSummary(head, version, bytes.length)).toBe(storedLine(store, seq)!.summary);
    }
  });

  it('a fault set after the append (a held packet released) is the one summarised', () => {
    const store = new CaptureStore(10);
    const bytes = gen({ cmd: 'publish', topic: 'a/b', payload: '21.5', qos: 1, messageId: 9 }, 4);
    const seq = store.append(lazyRecord({ time: 5, connId: 1, direction: 'toBroker', bytes, fault: { action: 'hold' } as FaultRecord }, 4)).seq;
    store.setFault(seq, { action: 'hold', released: true, ms: 800 } as FaultRecord);
    expect(storedLine(store, seq)!.fault).toEqual({ action: 'hold', released: true, ms: 800 });
    const s = storedSummary(store, seq)!;
    expect(s.fault).toEqual({ action: 'hold', released: true, ms: 800 });
    expect(JSON.stringify(s)).toBe(fromTree(store, seq));
    expect(store.treesBuilt).toBe(1); // fromTree's, not the summary's
  });

  it('a record cut at the byte budget keeps its whole packet\'s length, line and preview state', () => {
    const store = new CaptureStore(10, { byteBudget: 16_384 }); // two records over it; only records over CUT_FROM (8 kB) are cut
    const pub = gen({ cmd: 'publish', topic: 'big', payload: Buffer.alloc(10_000, 0x61), qos: 0 }, 4);
    const a = store.append(lazyRecord({ time: 1, connId: 1, direction: 'toBroker', bytes: pub }, 4)).seq;
    const whole = storedSummary(store, a)!;
    store.append(lazyRecord({ time: 2, connId: 1, direction: 'toBroker', bytes: pub }, 4));
    expect(store.isCut(a)).toBe(true);
    const cut = storedSummary(store, a)!;
    expect(JSON.stringify(cut)).toBe(fromTree(store, a));
    expect(storedLine(store, a)).toMatchObject({ summary: cut.summary, time: 1 });
    expect(cut).toMatchObject({ length: pub.length, summary: whole.summary, payloadCut: true });
  });

  it('a cut plain PUBLISH is summarised from its kept bytes, no tree, exactly as its tree says', () => {
    // Past the byte budget a record over CUT_FROM is cut as it is appended: the live log and the stream
    // summarise each one, and building its tree for that was a tenth of a relaying process's time
    // (bench/tap-profile).
    const rng = new Prng(seedFromEnv(77));
    const store = new CaptureStore(50, { byteBudget: 8192 });
    store.setClientId(3, 'cam');
    const texts = ['x', 'é', '€', '😀', 'a\u0001', '\n'];
    let cutPlain = 0;
    for (let i = 0; i < 400; i++) {
      const version = rng.int(0, 1) === 0 ? 4 : 5;
      const unit = texts[rng.int(0, texts.length - 1)]!;
      // Text cut inside a character, binary, text whose first 256 kept bytes hold under or over 64 units.
      const payload = rng.int(0, 4) === 0 ? Buffer.from(Array.from({ length: CUT_FROM + 100 + rng.int(0, 900) }, () => rng.int(0, 255)))
        : Buffer.from(unit.repeat(Math.ceil((CUT_FROM + 10 + rng.int(0, 2000)) / Buffer.byteLength(unit))));
      const topicLen = rng.int(0, 5) === 0 ? 4080 + rng.int(0, 30) : rng.int(1, 40);
      const qos = rng.int(0, 2);
      const bytes = gen({ cmd: 'publish', topic: 't'.repeat(topicLen), payload, qos, messageId: qos === 0 ? undefined : rng.int(1, 65535),
        ...(version === 5 ? { properties: {} } : {}) }, version);
      const way: Way = rng.int(0, 3) === 0 ? 'fault' : 'lazy';
      const r = record(bytes, version, way, 1_765_000_000_000 + i);
      if (rng.int(0, 3) === 0) r.findings = [finding('warning', 'w')];
      const seq = store.append({ ...r, connId: 3 }).seq;
      store.append(lazyRecord({ time: 1, connId: 3, direction: 'toClient', bytes: gen({ cmd: 'pingresp' }, 4) }, 4));
      if (!store.isCut(seq)) continue;
      const built = store.treesBuilt;
      const s = storedSummary(store, seq)!;
      const live = storedSummary(store, seq, false)!;
      const noTree = store.treesBuilt === built;
      if (store.cutPlainOf(seq) !== undefined) {
        cutPlain++;
        expect(noTree, `v${version} topic ${topicLen}`).toBe(true);
      }
      const what = `v${version} q${qos} topic ${topicLen} ${Buffer.from(bytes.subarray(0, 40)).toString('hex')}… (seed ${rng.seed})`;
      expect(JSON.stringify(s), what).toBe(fromTree(store, seq, 'cam'));
      // The live log's reader leaves the preview out, nothing else.
      const { payloadText: _t, payloadCut: _c, ...rest } = JSON.parse(fromTree(store, seq, 'cam')) as Record<string, unknown>;
      expect(JSON.stringify(live), what).toBe(JSON.stringify(rest));
    }
    expect(cutPlain).toBeGreaterThan(200);
  });

  it('is undefined once the store no longer holds the seq', () => {
    const store = new CaptureStore(2);
    const bytes = gen({ cmd: 'pingreq' }, 4);
    const first = store.append(lazyRecord({ time: 1, connId: 1, direction: 'toBroker', bytes }, 4)).seq;
    store.append(lazyRecord({ time: 2, connId: 1, direction: 'toBroker', bytes }, 4));
    expect(storedSummary(store, first)).toMatchObject({ type: 'PINGREQ', summary: 'PINGREQ' });
    store.append(lazyRecord({ time: 3, connId: 1, direction: 'toBroker', bytes }, 4));
    expect(storedSummary(store, first)).toBeUndefined();
    expect(storedSummary(store, 99)).toBeUndefined();
  });
});

/** A byte changed, a flag bit flipped, the length byte changed, or the packet cut short. */
function mutate(rng: Prng, bytes: Uint8Array): Uint8Array {
  const b = Uint8Array.from(bytes);
  switch (rng.int(0, 3)) {
    case 0: b[rng.int(0, b.length - 1)] = rng.int(0, 255); return b;
    case 1: b[0] ^= 1 << rng.int(0, 3); return b;
    case 2: b[1] = rng.int(0, 255); return b;
    default: return b.subarray(0, rng.int(1, b.length));
  }
}
