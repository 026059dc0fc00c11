import { describe, expect, it } from 'vitest';
import { generate, type Packet } from 'mqtt-packet';
import { CHUNK_BYTES, type ChunkWarmer } from '../../src/core/store/byte-arena.js';
import { CaptureStore, CUT_FROM, DEFAULT_CAPACITY, TRUNCATED_BYTES, type NewRecord } from '../../src/core/store/capture-store.js';
import { dissect } from '../../src/core/dissect/index.js';
import { lazyRecord, unbuiltVersion } from '../../src/core/tap/lazy-record.js';
import type { Direction } from '../../src/shared/lab.js';

/** Real bytes from mqtt-packet's encoder, recorded lazily as the tap records them. */
function rec(packet: Packet, over: { connId?: number; direction?: Direction; time?: number } = {}): NewRecord {
  const bytes = new Uint8Array(generate(packet));
  return lazyRecord({ time: over.time ?? 1_000, connId: over.connId ?? 1, direction: over.direction ?? 'toBroker', bytes }, 4);
}

const publish = (topic: string, qos: 0 | 1 = 0, messageId?: number): Packet =>
  ({ cmd: 'publish', topic, payload: Buffer.from('21.5'), qos, dup: false, retain: false, ...(messageId === undefined ? {} : { messageId }) }) as Packet;
const puback = (messageId: number): Packet => ({ cmd: 'puback', messageId });
const pingreq: Packet = { cmd: 'pingreq' };

describe('CaptureStore ring', () => {
  it('defaults to a million records', () => {
    expect(new CaptureStore().capacity).toBe(DEFAULT_CAPACITY);
    expect(DEFAULT_CAPACITY).toBe(1_000_000);
  });

  it('numbers records from 1, monotonically, and returns the record given with its seq', () => {
    const store = new CaptureStore(10);
    const input = rec(publish('a/b'));
    const stored = store.append(input);
    expect(stored).toBe(input);
    expect(stored.seq).toBe(1);
    expect(store.append(rec(pingreq)).seq).toBe(2);
    expect(store.size).toBe(2);
    expect([store.firstSeq, store.lastSeq]).toEqual([1, 2]);
  });

  it('gives back each record as it was: facts, a copy of its bytes, and the tree the dissector makes of them', () => {
    const store = new CaptureStore(10);
    const input = rec(publish('home/temp', 1, 7), { connId: 4, direction: 'toClient', time: 1234.5 });
    const bytes = input.bytes.slice();
    store.append(input);
    const r = store.get(1)!;
    expect({ seq: r.seq, time: r.time, connId: r.connId, direction: r.direction }).toEqual({ seq: 1, time: 1234.5, connId: 4, direction: 'toClient' });
    expect(r.bytes).toEqual(bytes);
    expect(r.bytes).not.toBe(input.bytes);
    expect(r.decoded).toEqual(dissect(bytes, { version: 4 }));
    expect(r.decoded.summary).toBe("PUBLISH (d0, q1, r0, m7, 'home/temp', … (4 bytes))");
    expect(store.typeOf(1)).toBe('PUBLISH');
    expect(store.lengthOf(1)).toBe(bytes.length);
  });

  it('does not build the tree of a lazily decoded record to store it', () => {
    const store = new CaptureStore(10);
    const input = rec(publish('a/b'));
    store.append(input);
    expect(unbuiltVersion(input)).toBe(4);
    expect(store.issuesOf(1, false)).toBeUndefined(); // not known without a tree
    expect(store.issuesOf(1)).toEqual({ count: 0 }); // building it tells
  });

  it('evicts the oldest when full, without reusing seqs', () => {
    const store = new CaptureStore(3);
    for (let i = 0; i < 7; i++) store.append(rec(publish(`t/${i}`)));
    expect(store.size).toBe(3);
    expect([store.firstSeq, store.lastSeq]).toEqual([5, 7]);
    expect(store.get(4)).toBeUndefined();
    expect(store.get(5)?.decoded.info.topic).toBe('t/4');
    expect(store.get(7)?.decoded.info.topic).toBe('t/6');
    expect(store.get(8)).toBeUndefined();
    expect(store.get(5.5)).toBeUndefined();
    expect(store.query().map((r) => r.seq)).toEqual([5, 6, 7]);
  });

  it('grows its columns and wraps around without mixing records up', () => {
    const store = new CaptureStore(5000);
    for (let i = 0; i < 12_345; i++) store.append(rec(publish(`t/${i}`), { time: i }));
    expect(store.size).toBe(5000);
    for (const seq of [store.firstSeq!, 9000, store.lastSeq!]) {
      const r = store.get(seq)!;
      expect(r.time).toBe(seq - 1);
      expect(r.decoded.info.topic).toBe(`t/${seq - 1}`);
    }
  });

  it('keeps numbering after clear()', () => {
    const store = new CaptureStore(3);
    store.append(rec(pingreq));
    store.append(rec(pingreq));
    store.clear();
    expect(store.size).toBe(0);
    expect(store.firstSeq).toBeUndefined();
    expect(store.get(1)).toBeUndefined();
    expect(store.append(rec(pingreq)).seq).toBe(3);
    expect(store.query().map((r) => r.seq)).toEqual([3]);
  });

  it('tells subscribers about each append until they unsubscribe', () => {
    const store = new CaptureStore(5);
    const seen: number[] = [];
    const off = store.subscribe((r) => seen.push(r.seq));
    store.append(rec(pingreq));
    store.append(rec(pingreq));
    off();
    store.append(rec(pingreq));
    expect(seen).toEqual([1, 2]);
  });

  it('keeps a fault changed after the append', () => {
    const store = new CaptureStore(5);
    const r = store.append({ ...rec(puback(1)), fault: { action: 'hold', ruleId: 'r1' } });
    expect(store.get(r.seq)?.fault).toEqual({ action: 'hold', ruleId: 'r1' });
    store.setFault(r.seq, { action: 'hold', ruleId: 'r1', released: true, ms: 40 });
    expect(store.get(r.seq)?.fault).toEqual({ action: 'hold', ruleId: 'r1', released: true, ms: 40 });
  });

  it('refuses a nonsensical capacity', () => {
    expect(() => new CaptureStore(0)).toThrow('capacity must be a positive integer, not 0');
  });
});

describe('CaptureStore trees', () => {
  it('puts back what a producer added to a tree after its bytes were dissected, once the tree is built again', () => {
    const store = new CaptureStore(10, { trees: 1 });
    const bytes = new Uint8Array(generate(publish('a/b')));
    const decoded = dissect(bytes, { version: 4 });
    // What the tap does with a connection-level finding (MQTT-3.1.0-1: the first packet must be CONNECT).
    const top = decoded.fields[0]!;
    const finding = { severity: 'error' as const, message: 'The first packet from a client must be CONNECT', specRef: 'MQTT-3.1.0-1' };
    (top.issues ??= []).push(finding);
    decoded.issues.push({ ...finding, filter: top.filter, offset: 0 });
    decoded.summary += ' [malformed: first packet]';
    store.append({ time: 1, connId: 1, direction: 'toBroker', bytes, decoded });
    store.append(rec(pingreq)); // pushes the first tree out of the one-tree cache
    store.tree(2);
    const again = store.tree(1)!;
    expect(again).not.toBe(decoded);
    expect(again.issues).toEqual(decoded.issues);
    expect(again.summary).toBe(decoded.summary);
    expect(again.fields[0]!.issues).toEqual([finding]);
    expect(store.issuesOf(1)).toEqual({ count: 1, severity: 'error' });
  });

  it('keeps connection-level findings given beside the tree, and counts them with its issues', () => {
    const store = new CaptureStore(10);
    const finding = { severity: 'error' as const, message: 'A second CONNECT on one connection', specRef: 'MQTT-3.1.0-2', filter: 'mqtt.hdrflags', offset: 0 };
    const r = rec(publish('a/b'));
    Object.assign(r, { findings: [finding] });
    store.append(r);
    expect((store.get(1) as unknown as { findings: unknown[] }).findings).toEqual([finding]);
    expect(store.issuesOf(1)).toEqual({ count: 1, severity: 'error' });
    expect(store.get(1)!.decoded.issues).toEqual([]); // the dissector's own verdict stays apart
  });

  it('keeps a tree only its own decoder can build (HTTP) as it was recorded', () => {
    const store = new CaptureStore(10, { trees: 1 });
    const bytes = new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n');
    const http = { type: 'HTTP' as const, typeCode: -1, version: 4 as const, length: bytes.length, fields: [], issues: [], summary: 'GET /', info: {} };
    store.append({ time: 1, connId: 1, direction: 'toBroker', bytes, decoded: http });
    store.append(rec(pingreq));
    store.tree(2);
    expect(store.tree(1)).toBe(http);
  });
});

describe('CaptureStore.query', () => {
  const store = new CaptureStore(100);
  store.setClientId(1, 'sensor');
  store.setClientId(2, 'phone');
  store.setClientId(3, 'sensor'); // the sensor reconnected on a new connection
  store.append(rec({ cmd: 'connect', clientId: 'sensor', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 60 }, { connId: 1, time: 1000 }));
  store.append(rec(publish('home/kitchen/temp', 1, 1), { connId: 1, time: 1001 }));
  store.append(rec(puback(1), { connId: 1, direction: 'toClient', time: 1002 }));
  store.append(rec({ cmd: 'subscribe', messageId: 2, subscriptions: [{ topic: 'home/+/temp', qos: 0 }, { topic: 'alerts/#', qos: 1 }] }, { connId: 2, time: 1003 }));
  store.append(rec(publish('home/kitchen/temp'), { connId: 2, direction: 'toClient', time: 1004 }));
  store.append(rec(publish('home/hall/door'), { connId: 3, time: 1005 }));
  store.append(rec(pingreq, { connId: 3, time: 1006 }));

  const seqs = (q: Parameters<CaptureStore['query']>[0]): number[] => store.query(q).map((r) => r.seq);

  it('by connection and by client id across its connections', () => {
    expect(seqs({ connId: 2 })).toEqual([4, 5]);
    expect(seqs({ clientId: 'sensor' })).toEqual([1, 2, 3, 6, 7]);
    expect(seqs({ clientId: 'nobody' })).toEqual([]);
    expect(store.clientIdOf(3)).toBe('sensor');
  });

  it('by type, one or several, and by direction', () => {
    expect(seqs({ type: 'PUBLISH' })).toEqual([2, 5, 6]);
    expect(seqs({ type: ['PUBACK', 'PINGREQ'] })).toEqual([3, 7]);
    expect(seqs({ type: 'PUBLISH', direction: 'toClient' })).toEqual([5]);
  });

  it('by topic name, and by a filter against PUBLISH topics and SUBSCRIBE filters', () => {
    expect(seqs({ topic: 'home/kitchen/temp' })).toEqual([2, 5]);
    expect(seqs({ topic: 'home/+/temp' })).toEqual([2, 4, 5]);
    expect(seqs({ topic: 'home/#' })).toEqual([2, 4, 5, 6]);
    expect(seqs({ topic: 'alerts/#' })).toEqual([4]);
  });

  it('by time range, after a seq, limited from either end', () => {
    expect(seqs({ from: 1_002, to: 1_004 })).toEqual([3, 4, 5]);
    expect(seqs({ afterSeq: 5 })).toEqual([6, 7]);
    expect(seqs({ afterSeq: 0, limit: 2 })).toEqual([1, 2]);
    expect(seqs({ type: 'PUBLISH', limit: 2, fromEnd: true })).toEqual([5, 6]);
    expect(seqs({ limit: 0 })).toEqual([]);
    expect(seqs({ afterSeq: 99 })).toEqual([]);
  });
});

describe('CaptureStore byte budget', () => {
  /** A real PUBLISH of `n` payload bytes, decoded lazily as the tap records it. */
  function big(n: number, topic = 'big/x'): NewRecord {
    const bytes = new Uint8Array(generate({ cmd: 'publish', topic, payload: Buffer.alloc(n, 0x61), qos: 0, dup: false, retain: false }));
    return lazyRecord({ time: 1, connId: 1, direction: 'toBroker', bytes }, 4);
  }

  it('keeps full bytes while they fit; past the budget the oldest large records keep their start and true length', () => {
    const store = new CaptureStore(1000, { byteBudget: 3 * 1_048_576 });
    const seen: number[] = [];
    store.subscribe((r) => seen.push(r.bytes.length));
    for (let i = 0; i < 10; i++) store.append(big(1_000_000, `big/${i}`));
    // Every listener saw the packet whole as it went by.
    expect(seen.every((n) => n > 1_000_000)).toBe(true);
    expect(store.size).toBe(10);
    expect(store.bytesHeld).toBeLessThanOrEqual(3 * 1_048_576);
    const kept = store.query({});
    const full = kept.filter((r) => r.fullLength === undefined);
    expect(full.map((r) => r.seq)).toEqual([8, 9, 10]);
    const cut = store.get(1)!;
    expect(cut.bytes.length).toBe(TRUNCATED_BYTES);
    expect(cut.fullLength).toBe(1 + 3 + 2 + 'big/0'.length + 1_000_000); // fixed header with a 3-byte length, topic, payload
    // The summary facts were read from the whole packet before its bytes were cut.
    expect(cut.decoded.info.payloadLength).toBe(1_000_000);
    expect(cut.decoded.info.topic).toBe('big/0');
    expect(cut.decoded.summary).toContain('(1000000 bytes)');
    expect(cut.decoded.length).toBe(cut.fullLength);
    expect(store.lengthOf(1)).toBe(cut.fullLength);
    // The tree shows the bytes kept, and says why it stops: a note, not a Remaining Length error.
    expect(cut.decoded.issues.map((i) => i.severity)).toEqual(['note']);
    expect(cut.decoded.issues[0]!.message).toContain(`kept only the first ${TRUNCATED_BYTES} of this packet's ${cut.fullLength} bytes`);
  });

  it('cuts keep the whole packet\'s line and info, read from the bytes for a plain PUBLISH and from the tree otherwise', () => {
    const packets: Array<{ bytes: Uint8Array; version: 4 | 5 }> = [
      // All just over CUT_FROM: smaller records are not cut but go whole (a cut would free too little).
      { bytes: new Uint8Array(generate({ cmd: 'publish', topic: 'lab/9k', payload: Buffer.alloc(CUT_FROM, 0x7a), qos: 1, messageId: 7, dup: false, retain: true })), version: 4 },
      { bytes: new Uint8Array(generate({ cmd: 'publish', topic: 'lab/bin', payload: Buffer.alloc(9000, 0xff), qos: 2, messageId: 9, dup: true, retain: false })), version: 4 },
      // MQTT 5 properties: not a plain packet, so its tree gives the facts.
      { bytes: new Uint8Array(generate({ cmd: 'publish', topic: 'lab/v5', payload: Buffer.alloc(8200, 0x31), qos: 0, dup: false, retain: false, properties: { contentType: 'text/plain', userProperties: { a: 'b' } } }, { protocolVersion: 5 })), version: 5 },
    ];
    const store = new CaptureStore(100, { byteBudget: 8 * TRUNCATED_BYTES });
    const wholes = packets.map((p) => dissect(p.bytes, { version: p.version }));
    packets.forEach((p, i) => store.append(lazyRecord({ time: i, connId: 1, direction: 'toBroker', bytes: p.bytes }, p.version)));
    // Push all three over the budget: cutting builds a tree only for the packet its bytes cannot tell (MQTT 5).
    const before = store.treesBuilt;
    for (let i = 0; i < 3; i++) store.append(big(20_000, `fill/${i}`));
    expect(store.treesBuilt - before).toBe(1);
    const built = store.treesBuilt;
    for (let i = 0; i < packets.length; i++) {
      expect(store.lengthOf(i + 1)).toBe(packets[i]!.bytes.length);
      const cut = store.get(i + 1)!;
      expect(cut.fullLength).toBe(packets[i]!.bytes.length);
      expect(cut.decoded.summary).toBe(wholes[i]!.summary);
      expect(cut.decoded.info).toEqual(wholes[i]!.info);
    }
    expect(store.treesBuilt - built).toBe(packets.length);
  });

  it('keeps its own copy of a large record cut from a bigger socket chunk, before and after the budget cuts it', () => {
    // The tap's records are Buffer views into the chunk a socket (or the in-process pipe) delivered; Buffer's
    // slice() is a view too, so a "copy" taken with it kept the whole chunk alive and saw it change.
    const pub = generate({ cmd: 'publish', topic: 'big/view', payload: Buffer.alloc(CUT_FROM + 1000, 0x62), qos: 0, dup: false, retain: false });
    const chunk = Buffer.alloc(pub.length * 3);
    pub.copy(chunk, pub.length);
    const view = chunk.subarray(pub.length, 2 * pub.length);
    const store = new CaptureStore(10, { byteBudget: 3 * pub.length - 1 });
    const seq = store.append(lazyRecord({ time: 1, connId: 1, direction: 'toBroker', bytes: view }, 4)).seq;
    chunk.fill(0xee);
    const held = store.bytesOf(seq)!;
    expect(held.buffer).not.toBe(chunk.buffer);
    expect(held.byteLength).toBe(pub.length);
    expect(Buffer.from(held).equals(pub)).toBe(true);
    // Over the budget: the cut keeps the first bytes, still not a view of the socket's chunk.
    store.append(lazyRecord({ time: 2, connId: 1, direction: 'toBroker', bytes: new Uint8Array(pub) }, 4));
    store.append(lazyRecord({ time: 3, connId: 1, direction: 'toBroker', bytes: new Uint8Array(pub) }, 4));
    const cut = store.bytesOf(seq)!;
    expect(store.isCut(seq)).toBe(true);
    expect(cut.buffer).not.toBe(chunk.buffer);
    expect(cut.byteLength).toBe(TRUNCATED_BYTES);
    expect(Buffer.from(cut).equals(pub.subarray(0, TRUNCATED_BYTES))).toBe(true);
    expect(store.get(seq)!.decoded.info.topic).toBe('big/view');
  });

  it('small, large and very large records mixed, cut and evicted: every record held reads back as it was sent', () => {
    // A seeded mix of sizes across the three places bytes are kept (small arena, large arena, own copy), under a
    // budget and a capacity small enough that cuts and evictions interleave with appends all the time.
    let seed = 12;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const sizes = [10, 300, 4000, 4085, 5000, 9000, 40_000, 65_000, 70_000, 200_000];
    const store = new CaptureStore(300, { byteBudget: 600_000, trees: 16 });
    const sent = new Map<number, Buffer>();
    for (let i = 0; i < 1500; i++) {
      const payload = Buffer.alloc(sizes[rnd(sizes.length)]!, i & 0xff);
      const bytes = generate({ cmd: 'publish', topic: `m/${i}`, payload, qos: 0, dup: false, retain: false });
      // Views into a bigger buffer, as the tap hands them over; the buffer is scribbled on afterwards.
      const chunk = Buffer.alloc(bytes.length + 16);
      bytes.copy(chunk, 8);
      const seq = store.append(lazyRecord({ time: i, connId: 1, direction: i % 2 === 0 ? 'toBroker' : 'toClient', bytes: chunk.subarray(8, 8 + bytes.length) }, 4)).seq;
      chunk.fill(0xee);
      sent.set(seq, bytes);
      if (i % 50 !== 49) continue;
      expect(store.bytesHeld).toBeLessThanOrEqual(600_000);
      for (let s = store.firstSeq!; s <= store.lastSeq!; s++) {
        const whole = sent.get(s)!;
        const r = store.get(s)!;
        const cut = store.isCut(s);
        expect(Buffer.from(r.bytes).equals(cut ? whole.subarray(0, TRUNCATED_BYTES) : whole)).toBe(true);
        expect(r.fullLength).toBe(cut ? whole.length : undefined);
        expect(store.headerByteOf(s)).toBe(0x30);
        expect(r.direction).toBe((s - 1) % 2 === 0 ? 'toBroker' : 'toClient');
        if (s % 7 !== 0) continue;
        // A cut record's line and info are the whole packet's (read again from the bytes kept, for a plain one).
        const tree = dissect(whole, { version: 4 });
        expect(r.decoded.info).toEqual(tree.info);
        expect(r.decoded.summary).toBe(tree.summary);
        expect(store.lengthOf(s)).toBe(whole.length);
      }
    }
    expect(store.firstSeq).toBeGreaterThan(1);
    // Arena memory follows what is held (chunks freed as records are cut and go): a few MiB, not every record ever sent.
    expect(store.arenaBytes).toBeLessThanOrEqual(8 * 1_048_576);
  });

  it('4 kB records go whole, oldest first, past the budget; their chunks are filled again, memory flat over 20 budgets', () => {
    // A 4 kB message is a little over TRUNCATED_BYTES: cutting it would copy 4 kB to free ~30 bytes.
    const budget = 4 * 1_048_576;
    // Fresh memory comes only from the warmer here: it hands new chunks at once, so the spares never run dry.
    let asked = 0;
    const warmer: ChunkWarmer = { warm: (count, got) => { asked += count; for (let i = 0; i < count; i++) got(new Uint8Array(CHUNK_BYTES)); } };
    const store = new CaptureStore(100_000, { byteBudget: budget, warmer });
    const payload = (i: number): Buffer => Buffer.alloc(4096, i & 0xff);
    const pub = (i: number): Buffer => generate({ cmd: 'publish', topic: 'bench/t', payload: payload(i), qos: 0, dup: false, retain: false });
    const perBudget = Math.ceil(budget / pub(0).length);
    const append = (from: number, n: number): void => {
      for (let i = from; i < from + n; i++) store.append(lazyRecord({ time: i, connId: 1, direction: 'toClient', bytes: pub(i) }, 4));
    };
    append(0, 2 * perBudget);
    const memory = store.arenaBytes;
    const askedAtBudget = asked;
    append(2 * perBudget, 18 * perBudget);
    expect(store.lastSeq).toBe(20 * perBudget);
    expect(store.bytesHeld).toBeLessThanOrEqual(budget);
    expect(store.size).toBeGreaterThan(perBudget - 2);
    // The store's arena memory did not grow, and no fresh chunk was asked for: released ones were filled again.
    expect(store.arenaBytes).toBe(memory);
    expect(asked).toBe(askedAtBudget);
    expect(store.arenaBytes).toBeLessThanOrEqual(budget + 6 * 1_048_576); // the chunk being filled and four spares
    for (let s = store.firstSeq!; s <= store.lastSeq!; s++) {
      expect(store.isCut(s)).toBe(false);
      expect(Buffer.from(store.bytesOf(s)!).equals(pub(s - 1))).toBe(true);
    }
  });

  it('cuts a record just over CUT_FROM, and lets one of CUT_FROM bytes go whole', () => {
    const sized = (n: number, topic: string): NewRecord => {
      // A PUBLISH of exactly n bytes: fixed header 1 + 2 (remaining length < 16384), topic 2 + its length.
      const bytes = new Uint8Array(generate({ cmd: 'publish', topic, payload: Buffer.alloc(n - 5 - topic.length, 0x41), qos: 0, dup: false, retain: false }));
      expect(bytes.length).toBe(n);
      return lazyRecord({ time: 1, connId: 1, direction: 'toBroker', bytes }, 4);
    };
    const store = new CaptureStore(100, { byteBudget: 3 * CUT_FROM });
    store.append(sized(CUT_FROM, 'at/limit'));
    store.append(sized(CUT_FROM + 1, 'over/limit'));
    store.append(sized(CUT_FROM, 'at/limit2'));
    store.append(big(50, 'small')); // over the budget: the record over CUT_FROM is cut, the others stay whole
    expect(store.isCut(2)).toBe(true);
    expect(store.bytesOf(2)!.length).toBe(TRUNCATED_BYTES);
    expect(store.lengthOf(2)).toBe(CUT_FROM + 1);
    expect([1, 3, 4].map((s) => store.isCut(s))).toEqual([false, false, false]);
    store.append(sized(CUT_FROM, 'at/limit3')); // over again, nothing left to cut: the oldest goes whole
    expect(store.has(1)).toBe(false);
    expect(store.bytesOf(3)!.length).toBe(CUT_FROM);
    expect(store.bytesHeld).toBeLessThanOrEqual(3 * CUT_FROM);
  });

  it('when only small records are left over budget, the oldest go', () => {
    const store = new CaptureStore(100_000, { byteBudget: 64 * 1024 });
    for (let i = 0; i < 10_000; i++) store.append(big(100, `s/${i}`));
    expect(store.bytesHeld).toBeLessThanOrEqual(64 * 1024);
    expect(store.lastSeq).toBe(10_000);
    expect(store.size).toBeLessThan(10_000);
    expect(store.get(store.firstSeq!)?.decoded.info.topic).toBe(`s/${store.firstSeq! - 1}`);
    expect(store.get(store.firstSeq! - 1)).toBeUndefined();
    store.clear();
    expect(store.bytesHeld).toBe(0);
  });
});
