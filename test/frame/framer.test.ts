import { describe, expect, it } from 'vitest';
import { Framer, type FrameEvent } from '../../src/core/frame/index.js';

/** A packet with the given first byte and `bodyLength` payload bytes, remaining length encoded per spec. */
function packet(firstByte: number, bodyLength: number, fill = 0x61): Uint8Array {
  const len: number[] = [];
  let n = bodyLength;
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    len.push(b);
  } while (n > 0);
  const out = new Uint8Array(1 + len.length + bodyLength).fill(fill);
  out[0] = firstByte;
  out.set(len, 1);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function packets(events: FrameEvent[]): Uint8Array[] {
  return events.map((e) => {
    expect(e.kind).toBe('packet');
    return e.bytes;
  });
}

/** Cheap check used inside big loops; a failure is then re-checked with a readable diff. */
function samePackets(events: FrameEvent[], expected: Uint8Array[]): boolean {
  return (
    events.length === expected.length &&
    events.every((e, i) => e.kind === 'packet' && Buffer.compare(e.bytes, expected[i]!) === 0)
  );
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

// CONNECT-sized, PUBLISH with a 2-byte length, PINGREQ (2 bytes, empty body), PUBLISH with a 3-byte
// length, PUBACK: boundaries of every width the framer has to find.
const SEQUENCE = [packet(0x10, 12), packet(0x32, 200, 0x62), packet(0xc0, 0), packet(0x30, 20_000, 0x63), packet(0x40, 2)];
const STREAM = concat(SEQUENCE);
const EXPECTED = SEQUENCE.map(hex);

function frameAll(chunks: Uint8Array[], framer = new Framer()): FrameEvent[] {
  const events: FrameEvent[] = [];
  for (const c of chunks) events.push(...framer.push(c));
  events.push(...framer.end());
  return events;
}

describe('Framer: whole and split streams', () => {
  it('frames a chunk of whole packets as views into that chunk', () => {
    const framer = new Framer();
    const events = framer.push(STREAM);
    expect(packets(events).map(hex)).toEqual(EXPECTED);
    for (const e of events) expect(e.bytes.buffer).toBe(STREAM.buffer);
    expect(framer.buffered).toBe(0);
    expect(framer.broken).toBe(false);
  });

  it('frames the same packets at every split point of the stream', () => {
    for (let cut = 0; cut <= STREAM.length; cut++) {
      const events = frameAll([STREAM.subarray(0, cut), STREAM.subarray(cut)]);
      if (!samePackets(events, SEQUENCE)) expect(packets(events).map(hex), `cut at ${cut}`).toEqual(EXPECTED);
    }
  });

  it('frames the same packets for every pair of split points of a short stream', () => {
    const short = concat([packet(0x10, 3), packet(0xc0, 0), packet(0x30, 130), packet(0xe0, 0)]);
    const expected = [packet(0x10, 3), packet(0xc0, 0), packet(0x30, 130), packet(0xe0, 0)].map(hex);
    for (let a = 0; a <= short.length; a++) {
      for (let b = a; b <= short.length; b++) {
        const events = frameAll([short.subarray(0, a), short.subarray(a, b), short.subarray(b)]);
        expect(packets(events).map(hex), `cuts ${a},${b}`).toEqual(expected);
      }
    }
  });

  it('frames 1-byte chunks', () => {
    const chunks = Array.from(STREAM, (b) => Uint8Array.of(b));
    expect(packets(frameAll(chunks)).map(hex)).toEqual(EXPECTED);
  });

  it('frames packets coalesced with a partial one, and reports what is buffered', () => {
    const framer = new Framer();
    const cut = SEQUENCE[0]!.length + SEQUENCE[1]!.length + 1;
    const first = framer.push(STREAM.subarray(0, cut));
    expect(packets(first).map(hex)).toEqual(EXPECTED.slice(0, 2));
    expect(framer.buffered).toBe(1);
    const rest = framer.push(STREAM.subarray(cut));
    expect(packets(rest).map(hex)).toEqual(EXPECTED.slice(2));
    expect(framer.buffered).toBe(0);
  });

  it('frames random chunkings of a long stream', () => {
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 50; round++) {
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < STREAM.length; ) {
        const n = random(round % 2 ? 9 : 3000);
        chunks.push(STREAM.subarray(at, at + n));
        at += n;
      }
      expect(packets(frameAll(chunks)).map(hex)).toEqual(EXPECTED);
    }
  });

  it('frames a 1 MiB packet fed one byte at a time in linear time', () => {
    const big = packet(0x30, 1_048_576 - 4);
    expect(big.length).toBe(1_048_576);
    const framer = new Framer();
    const events: FrameEvent[] = [];
    const started = performance.now();
    for (let i = 0; i < big.length; i++) {
      const e = framer.push(big.subarray(i, i + 1));
      if (e.length) events.push(...e);
    }
    const ms = performance.now() - started;
    expect(events).toHaveLength(1);
    expect(events[0]!.kind).toBe('packet');
    expect(Buffer.compare(events[0]!.bytes, big)).toBe(0);
    expect(ms).toBeLessThan(3000);
  });

  it('ignores zero-length chunks anywhere', () => {
    const empty = new Uint8Array(0);
    const framer = new Framer();
    const chunks = [empty, STREAM.subarray(0, 1), empty, empty, STREAM.subarray(1, 14), empty, STREAM.subarray(14), empty];
    const events = frameAll(chunks, framer);
    expect(packets(events).map(hex)).toEqual(EXPECTED);
    expect(framer.push(empty)).toEqual([]);
  });

  it('frames a packet whose body is empty when its header was split', () => {
    const framer = new Framer();
    expect(framer.push(Uint8Array.of(0xc0))).toEqual([]);
    expect(framer.buffered).toBe(1);
    expect(packets(framer.push(Uint8Array.of(0x00))).map(hex)).toEqual(['c000']);
    expect(framer.buffered).toBe(0);
  });

  it('accepts a packet of exactly the maximum size', () => {
    const framer = new Framer({ maxPacketSize: 100 });
    const p = packet(0x30, 98);
    expect(packets(framer.push(p)).map(hex)).toEqual([hex(p)]);
  });
});

describe('Framer: streams that cannot be framed', () => {
  it('breaks on a remaining length of more than 4 bytes', () => {
    const framer = new Framer();
    const bytes = Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00);
    const events = framer.push(bytes);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'broken' });
    expect(hex(events[0]!.bytes)).toBe(hex(bytes));
    expect((events[0] as { reason: string }).reason).toBe(
      'remaining length of PUBLISH does not end within 4 bytes (ff ff ff ff); MQTT allows at most 4 remaining-length bytes',
    );
    expect(framer.broken).toBe(true);
    expect(framer.buffered).toBe(0);
  });

  it('breaks on a 5-byte remaining length split over 1-byte chunks, keeping every byte', () => {
    const framer = new Framer();
    const bytes = Uint8Array.of(0x10, 0x80, 0x80, 0x80, 0x80, 0x00);
    const events = frameAll(Array.from(bytes, (b) => Uint8Array.of(b)), framer);
    expect(events.map((e) => e.kind)).toEqual(['broken', 'broken']);
    expect(hex(events[0]!.bytes)).toBe('1080808080');
    expect(hex(events[1]!.bytes)).toBe('00');
    expect(events[1]).toMatchObject({ reason: 'stream already broken' });
  });

  it('breaks on a packet over the maximum size as soon as the header is read', () => {
    const framer = new Framer({ maxPacketSize: 100 });
    const p = packet(0x30, 99);
    const events = framer.push(p.subarray(0, 10));
    expect(events).toHaveLength(1);
    expect(events[0]).toEqual({
      kind: 'broken',
      bytes: p.subarray(0, 10),
      reason: 'PUBLISH announces 101 bytes in total, more than the maximum packet size of 100 bytes; its body was not read',
      announced: 101,
    });
    expect(framer.buffered).toBe(0);
  });

  it('breaks on an over-size packet whose header arrives split', () => {
    const framer = new Framer();
    const p = packet(0x30, 2_000_000).subarray(0, 8);
    expect(framer.push(p.subarray(0, 2))).toEqual([]);
    const events = framer.push(p.subarray(2));
    expect(events).toHaveLength(1);
    expect(hex(events[0]!.bytes)).toBe(hex(p));
    expect((events[0] as { reason: string }).reason).toMatch(/^PUBLISH announces 2000004 bytes in total, more than the maximum packet size of 1048576 bytes/);
  });

  it('does not allocate for a 256 MB packet announcement', () => {
    const framer = new Framer();
    const header = Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x03, 0x61, 0x2f, 0x62);
    const before = process.memoryUsage().arrayBuffers;
    const events = framer.push(header);
    const after = process.memoryUsage().arrayBuffers;
    expect(events).toHaveLength(1);
    expect(events[0]!.kind).toBe('broken');
    expect(events[0]!.bytes.buffer).toBe(header.buffer);
    expect((events[0] as { reason: string }).reason).toContain('268435460 bytes');
    expect(framer.buffered).toBe(0);
    expect(after - before).toBeLessThan(1_000_000);
  });

  it('hands back every later chunk as broken', () => {
    const framer = new Framer({ maxPacketSize: 10 });
    framer.push(packet(0x30, 20));
    const later = Uint8Array.of(0x10, 0x02, 0x00, 0x00);
    expect(framer.push(later)).toEqual([{ kind: 'broken', bytes: later, reason: 'stream already broken' }]);
    expect(framer.push(later)).toEqual([{ kind: 'broken', bytes: later, reason: 'stream already broken' }]);
    expect(framer.end()).toEqual([]);
  });

  it('reports a partial packet when the stream ends', () => {
    const p = packet(0x30, 8);
    const framer = new Framer();
    expect(framer.push(p.subarray(0, 3))).toEqual([]);
    expect(framer.buffered).toBe(3);
    const events = framer.end();
    expect(events).toEqual([
      { kind: 'broken', bytes: p.subarray(0, 3), reason: 'connection closed 3 bytes into a 10-byte PUBLISH' },
    ]);
    expect(framer.broken).toBe(true);
    expect(framer.buffered).toBe(0);
  });

  it('reports a partial fixed header when the stream ends', () => {
    const framer = new Framer();
    framer.push(Uint8Array.of(0x82, 0x80));
    expect(framer.end()).toEqual([
      {
        kind: 'broken',
        bytes: Uint8Array.of(0x82, 0x80),
        reason: 'connection closed 2 bytes into a SUBSCRIBE, before its remaining length was complete',
      },
    ]);
  });

  it('lets the caller name why the stream ended', () => {
    const framer = new Framer();
    framer.push(Uint8Array.of(0x30));
    expect(framer.end('capture ended')[0]).toMatchObject({ reason: expect.stringMatching(/^capture ended 1 byte into a PUBLISH/) });
  });

  it('returns nothing at the end of a stream that ended on a packet boundary', () => {
    const framer = new Framer();
    framer.push(STREAM);
    expect(framer.end()).toEqual([]);
    expect(framer.broken).toBe(false);
  });

  it('names a TLS handshake sent to the MQTT port', () => {
    const hello = Uint8Array.of(0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03);
    const events = new Framer().push(hello);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'broken', bytes: hello, reason: expect.stringContaining('TLS handshake') });
  });

  it('names an HTTP request even when it arrives byte by byte', () => {
    const request = new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const events = frameAll(Array.from(request, (b) => Uint8Array.of(b)));
    expect(events[0]).toMatchObject({ kind: 'broken', reason: expect.stringContaining('HTTP request ("GET …")') });
    expect(hex(events[0]!.bytes)).toBe(hex(request.subarray(0, 4)));
    expect(events.slice(1).every((e) => e.kind === 'broken')).toBe(true);
    expect(hex(concat(events.map((e) => e.bytes)))).toBe(hex(request));
  });

  it('does not mistake MQTT packets that share a first byte with a signature', () => {
    // 0x50 is 'P' (POST, PUT…), but PUBREC 50 02 is a plain MQTT packet.
    const pubrec = Uint8Array.of(0x50, 0x02, 0x00, 0x07);
    expect(packets(new Framer().push(pubrec)).map(hex)).toEqual(['50020007']);
    const split = new Framer();
    expect(split.push(pubrec.subarray(0, 1))).toEqual([]);
    expect(packets(split.push(pubrec.subarray(1))).map(hex)).toEqual(['50020007']);
  });
});
