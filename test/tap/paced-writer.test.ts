// Pacing writes to a slow client, without sockets: a Writable that takes one chunk each time the test says
// so stands for a client reading slowly.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PacedWriter } from '../../src/core/tap/paced-writer.js';

/** A destination that accepts a chunk only when `take()` is called; what it took, in order. */
function slowReader() {
  const took: number[] = [];
  const waiting: Array<() => void> = [];
  const dest = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _enc, done) {
      waiting.push(() => {
        took.push(chunk[0]!);
        done();
      });
    },
  });
  const take = async (): Promise<void> => {
    waiting.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { dest, took, take, pending: () => waiting.length };
}
const chunk = (tag: number, n = 8 * 1024): Uint8Array => new Uint8Array(n).fill(tag);

describe('paced writer', () => {
  it('keeps what is beyond the window itself, passes it on in order as the reader takes, then says so', async () => {
    const r = slowReader();
    let drained = 0;
    const w = new PacedWriter(r.dest, 32 * 1024, () => drained++);
    for (let i = 1; i <= 10; i++) w.write(chunk(i));
    // 32 kB in the destination's buffer (the window), 48 kB kept here.
    expect(r.dest.writableLength).toBe(32 * 1024);
    expect([w.laterBytes, w.held, w.taken, w.idle]).toEqual([48 * 1024, 80 * 1024, 0, false]);
    // Every chunk the reader takes shows as progress at once, not only when the whole buffer is gone.
    const seen: number[] = [];
    while (r.took.length < 10) {
      await r.take();
      seen.push(w.taken);
    }
    expect(r.took).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => (i + 1) * 8 * 1024));
    expect([w.held, w.idle, drained]).toEqual([0, true, 1]);
  });

  it('passes on what it kept a window at a time, each in one write to the destination (one writev on a socket)', async () => {
    const batches: number[][] = [];
    const dest = new Writable({
      highWaterMark: 16 * 1024,
      writev(chunks, done) {
        batches.push(chunks.map((c) => (c.chunk as Buffer)[0]!));
        setImmediate(done);
      },
      write(c: Buffer, _enc, done) {
        batches.push([c[0]!]);
        setImmediate(done);
      },
    });
    let drained = 0;
    const w = new PacedWriter(dest, 16 * 1024, () => drained++);
    for (let i = 1; i <= 12; i++) w.write(chunk(i, 4 * 1024));
    while (drained === 0) await new Promise((r) => setImmediate(r));
    expect(batches.flat()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    // The first write goes alone, the rest buffer behind it (how Writable works); after that, each drain
    // passes on 16 kB (four chunks) together rather than one write per chunk.
    expect(batches.slice(2).every((b) => b.length === 4)).toBe(true);
    expect(batches.length).toBeLessThanOrEqual(5);
  });

  it('a reader that keeps up never reaches the window: plain writes, nothing kept', async () => {
    const r = slowReader();
    const w = new PacedWriter(r.dest, 32 * 1024, () => undefined);
    for (let i = 1; i <= 20; i++) {
      w.write(chunk(i, 1024));
      await r.take();
    }
    expect(r.took).toHaveLength(20);
    expect([w.laterBytes, w.taken]).toEqual([0, 20 * 1024]);
  });

  it('clear throws away what it keeps; a destroyed destination gets nothing more', async () => {
    const r = slowReader();
    const w = new PacedWriter(r.dest, 16 * 1024, () => undefined);
    for (let i = 1; i <= 6; i++) w.write(chunk(i));
    expect(w.laterBytes).toBe(32 * 1024);
    w.clear();
    expect([w.laterBytes, w.idle]).toEqual([0, true]);
    r.dest.destroy();
    await new Promise((res) => setImmediate(res));
    expect(r.took).toEqual([]);
  });
});
