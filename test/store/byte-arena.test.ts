// The arena the capture store packs record bytes into: positions, views, chunks freed oldest first and the
// memory of released chunks used again for new ones.
import { describe, expect, it } from 'vitest';
import { ByteArena, SpareChunks } from '../../src/core/store/byte-arena.js';

const bytes = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill);

describe('ByteArena', () => {
  it('gives each record a position whose view reads back its bytes; a record never straddles two chunks', () => {
    const a = new ByteArena(100);
    const p1 = a.put(bytes(60, 1));
    const p2 = a.put(bytes(60, 2)); // does not fit after the first: starts the next chunk
    const p3 = a.put(bytes(40, 3)); // fits after the second
    expect([p1, p2, p3]).toEqual([0, 100, 160]);
    expect(a.view(p1, 60).every((b) => b === 1)).toBe(true);
    expect(a.view(p2, 60).every((b) => b === 2)).toBe(true);
    expect(a.view(p3, 40).every((b) => b === 3)).toBe(true);
    expect(a.byteAt(p3)).toBe(3);
    expect(() => a.put(bytes(101, 4))).toThrow(/does not fit/);
  });

  it('frees chunks wholly before the oldest record kept; a released position reads as an error, not as new bytes', () => {
    const a = new ByteArena(100);
    const ps = Array.from({ length: 10 }, (_, i) => a.put(bytes(50, i + 1)));
    expect(a.allocated).toBe(500);
    a.releaseBefore(ps[4]!); // chunks 0 and 1 hold records 0 to 3
    expect(() => a.view(ps[0]!, 50)).toThrow(/released/);
    expect(a.view(ps[4]!, 50).every((b) => b === 5)).toBe(true);
    // Released chunks are kept (two at most) and filled again before any new memory is taken.
    expect(a.allocated + a.sparesAllocated).toBe(500);
    const more = Array.from({ length: 4 }, (_, i) => a.put(bytes(50, 20 + i)));
    expect(a.allocated + a.sparesAllocated).toBe(500);
    more.forEach((p, i) => expect(a.view(p, 50).every((b) => b === 20 + i)).toBe(true));
    // Older records still held are untouched by the reuse.
    for (let i = 4; i < 10; i++) expect(a.view(ps[i]!, 50).every((b) => b === i + 1)).toBe(true);
    expect(Math.min(...more)).toBeGreaterThan(Math.max(...ps));
  });

  it('keeps at most two spare chunks, and clear() gives everything back', () => {
    const a = new ByteArena(100);
    const ps = Array.from({ length: 20 }, () => a.put(bytes(100, 7)));
    a.releaseBefore(ps[19]!);
    expect([a.allocated, a.sparesAllocated]).toEqual([100, 200]); // the chunk in use and two spares
    a.clear();
    expect(a.allocated + a.sparesAllocated).toBe(0);
    const p = a.put(bytes(10, 9));
    expect(p).toBeGreaterThan(ps[19]!);
    expect(a.view(p, 10).every((b) => b === 9)).toBe(true);
  });

  it('arenas sharing spares fill the chunks one another released', () => {
    const spares = new SpareChunks(4);
    const a = new ByteArena(100, spares);
    const b = new ByteArena(100, spares);
    const ps = Array.from({ length: 5 }, () => a.put(bytes(100, 1)));
    a.releaseBefore(ps[4]!);
    expect(spares.list.length).toBe(4);
    const released = new Set(spares.list.map((c) => c.buffer));
    const p = b.put(bytes(30, 2));
    expect(spares.list.length).toBe(3);
    expect(released.has(b.view(p, 30).buffer)).toBe(true);
    expect(b.view(p, 30).every((x) => x === 2)).toBe(true);
    expect(a.view(ps[4]!, 100).every((x) => x === 1)).toBe(true);
  });

  it('asks its warmer for chunks while the arenas grow, not while chunks come back as fast as they go', () => {
    // At the budget a chunk is released for each taken: chunks warmed then were dropped on arrival.
    const asks: number[] = [];
    const spares = new SpareChunks(4, { warm: (count) => asks.push(count) });
    for (let i = 0; i < 4; i++) spares.give(new Uint8Array(10));
    for (let i = 0; i < 10; i++) {
      spares.take();
      spares.give(new Uint8Array(10));
    }
    expect(asks).toEqual([]);
    spares.take();
    spares.take(); // nothing came back since the last take: growing
    expect(asks).toEqual([2]);
    spares.give(new Uint8Array(10));
    spares.take(); // one came back, two of four left
    expect(asks).toEqual([2]);
    spares.take(); // growing again: what is missing beyond the two coming
    expect(asks).toEqual([2, 1]);
    spares.give(new Uint8Array(10));
    spares.take(); // one came back; one left, but three are coming
    expect(asks).toEqual([2, 1]);
    spares.take(); // none left: only what is not already coming
    expect(asks).toEqual([2, 1, 1]);
    spares.take(); // a miss (the caller allocates); all four are on their way
    expect(asks).toEqual([2, 1, 1]);
  });
});
