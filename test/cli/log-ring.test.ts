// The live log's ring between the lab's thread and the log's (log-ring.ts): every entry comes out once, whole
// and in order, across many laps of a small ring; a line longer than an entry comes out in pieces that join
// to it exactly; a full ring makes the writer wait, and a writer told to stop waiting says how far it got.
import { describe, expect, it } from 'vitest';
import { READ, readRing, RingWriter, sharedRing, WRITE, type LogSink } from '../../src/cli/log-ring.js';
import type { Direction } from '../../src/shared/lab.js';
import type { MqttVersion } from '../../src/shared/packet.js';
import { Prng, seedFromEnv } from '../dissect/support/prng.js';

type Entry =
  | { kind: 'text'; text: string; newline: boolean }
  | { kind: 'packet'; time: number; connId: number; direction: Direction; version: MqttVersion; bytes: number[]; length: number }
  | { kind: 'client'; connId: number; clientId: string | undefined };

/** A sink that keeps what it is given, copying the ring's bytes (they are valid only during the call). */
function keeper(): LogSink & { got: Entry[] } {
  const got: Entry[] = [];
  return {
    got,
    text: (bytes, newline) => got.push({ kind: 'text', text: Buffer.from(bytes).toString('utf8'), newline }),
    packet: (time, connId, direction, version, bytes, length) => got.push({ kind: 'packet', time, connId, direction, version, bytes: [...bytes], length }),
    client: (connId, clientId) => got.push({ kind: 'client', connId, clientId }),
  };
}

describe('the live log ring', () => {
  it('hands every entry over once, whole and in order, across many laps of a small ring', () => {
    const rng = new Prng(seedFromEnv(77));
    const ring = sharedRing(4096);
    const sink = keeper();
    let waits = 0;
    // A full ring waits for the reader: here it comes by at once, as the log's thread would soon.
    const w = new RingWriter(ring, () => {
      waits++;
      readRing(ring, sink);
      return true;
    });
    const sent: Entry[] = [];
    for (let i = 0; i < 3000; i++) {
      const pick = rng.int(0, 2);
      if (pick === 0) {
        const n = rng.int(0, 899);
        const bytes = Array.from({ length: n }, () => rng.int(0, 255));
        const e: Entry = { kind: 'packet', time: 1_765_000_000_000 + i / 7, connId: rng.int(0, 99_999), direction: rng.bool() ? 'toClient' : 'toBroker', version: ([3, 4, 5] as const)[rng.int(0, 2)]!, bytes, length: n + rng.int(0, 4999) };
        w.packet(e.time, e.connId, e.direction, e.version, new Uint8Array(bytes), e.length);
        sent.push(e);
      } else if (pick === 1) {
        const text = `line ${i} ° Ω 中 😀 ${'x'.repeat(rng.int(0, 199))}`;
        expect(w.text(text)).toBe(text.length);
        sent.push({ kind: 'text', text, newline: true });
      } else {
        const clientId = rng.int(0, 3) === 0 ? undefined : `sensor-${i}-ü`;
        w.client(i, clientId);
        sent.push({ kind: 'client', connId: i, clientId });
      }
      // The reader comes by now and then, as a thread would.
      if (rng.int(0, 2) === 0) readRing(ring, sink);
    }
    readRing(ring, sink);
    expect(sink.got).toEqual(sent);
    expect(waits).toBeGreaterThan(0);
    const ctl = new Int32Array(ring.control);
    expect(Atomics.load(ctl, READ)).toBe(Atomics.load(ctl, WRITE));
  });

  it('cuts a line longer than an entry into pieces that join to it exactly, never inside a surrogate pair', () => {
    const ring = sharedRing(4096);
    const sink = keeper();
    const w = new RingWriter(ring, () => {
      readRing(ring, sink);
      return true;
    });
    // A piece is at most (1024 - 12) / 3 = 337 units: an emoji straddles the cut at 337.
    const line = `${'a'.repeat(336)}😀${'中'.repeat(700)}end`;
    expect(w.text(line)).toBe(line.length);
    readRing(ring, sink);
    const pieces = sink.got as Array<Extract<Entry, { kind: 'text' }>>;
    expect(pieces.length).toBeGreaterThan(2);
    expect(pieces.map((p) => p.text).join('')).toBe(line);
    expect(pieces.map((p) => p.newline)).toEqual([...pieces.slice(1).map(() => false), true]);
    expect(pieces[0]!.text.endsWith('a')).toBe(true);
  });

  it('a full ring makes the writer wait for the reader; told to stop waiting, it says how far it got', () => {
    const ring = sharedRing(4096);
    let waits = 0;
    let keepWaiting = true;
    const w = new RingWriter(ring, () => {
      waits++;
      return keepWaiting;
    });
    const packet = new Uint8Array(900);
    let taken = 0;
    keepWaiting = false;
    while (w.packet(1, 1, 'toBroker', 4, packet, packet.length)) taken++;
    // 4096 bytes of 936-byte entries: four, and the fifth would fill the ring.
    expect(taken).toBe(4);
    expect(waits).toBe(1);
    // A line that does not fit: nothing of it went in.
    expect(w.text('x'.repeat(600))).toBe(0);
    // Once the reader has come by, the writer goes on where it was.
    const sink = keeper();
    readRing(ring, sink);
    expect(sink.got).toHaveLength(4);
    keepWaiting = true;
    expect(w.packet(2, 1, 'toBroker', 4, packet, packet.length)).toBe(true);
    expect(w.maxPacket).toBe(1024 - 32);
  });

  it('never fills the ring to the end while the reader is at its start (that would read as empty)', () => {
    const ring = sharedRing(4096);
    const w = new RingWriter(ring, () => false);
    // Entries of exactly a quarter of the ring: three fit, the fourth would end where the reader is.
    const packet = new Uint8Array(w.maxPacket);
    for (let i = 0; i < 3; i++) expect(w.packet(i, 1, 'toBroker', 4, packet, packet.length)).toBe(true);
    expect(w.packet(3, 1, 'toBroker', 4, packet, packet.length)).toBe(false);
    const sink = keeper();
    expect(readRing(ring, sink)).toBe(3);
    // With the reader past the first, the fourth goes in at the end, and the fifth after the wrap.
    expect(w.packet(3, 1, 'toBroker', 4, packet, packet.length)).toBe(true);
    expect(w.packet(4, 1, 'toBroker', 4, packet, packet.length)).toBe(true);
    expect(readRing(ring, sink)).toBe(2);
    expect(sink.got.map((e) => (e as { time: number }).time)).toEqual([0, 1, 2, 3, 4]);
  });

  it('refuses a ring it cannot use', () => {
    expect(() => sharedRing(1000)).toThrow(/multiple of 8, at least 1024/);
    expect(() => sharedRing(4100)).toThrow(/multiple of 8/);
  });
});
