// The live log's lines go out together (one write for many packets), in order, soon, and all of them, as
// UTF-8 bytes that are never changed once handed over (a pipe may still hold them).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lineBatch } from '../../src/cli/line-batch.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A batch whose writes are kept as given (not copied), read as text when the test asks. */
function recorder() {
  const writes: Uint8Array[] = [];
  const b = lineBatch((bytes) => writes.push(bytes));
  return { b, writes, text: (i: number) => Buffer.from(writes[i]!).toString('utf8') };
}

describe('lineBatch', () => {
  it('writes the lines of a burst in one write, in order, within 20 ms', () => {
    vi.useFakeTimers();
    const { b, writes, text } = recorder();
    for (let i = 0; i < 1000; i++) b.out(`line ${i}`);
    expect(writes).toEqual([]);
    vi.advanceTimersByTime(20);
    expect(writes).toHaveLength(1);
    expect(text(0)).toBe(Array.from({ length: 1000 }, (_, i) => `line ${i}\n`).join(''));
    // A single later line goes out on its own, as soon.
    b.out('late');
    vi.advanceTimersByTime(19);
    expect(writes).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(text(1)).toBe('late\n');
  });

  it('does not hold more than 64 kB, and flush() writes what waits at once', () => {
    vi.useFakeTimers();
    const { b, writes, text } = recorder();
    const line = 'x'.repeat(1023);
    for (let i = 0; i < 64; i++) b.out(line);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.length).toBe(64 * 1024);
    b.out('tail');
    b.flush();
    expect(text(1)).toBe('tail\n');
    b.flush();
    vi.advanceTimersByTime(100);
    expect(writes).toHaveLength(2);
  });

  it('keeps every character of multi-byte lines across chunk ends, and never rewrites bytes it handed over', () => {
    vi.useFakeTimers();
    const { b, writes, text } = recorder();
    const lines = Array.from({ length: 3000 }, (_, i) => `${i} sensor-ü → broker  PUBLISH 'home/中文/😀' ${'é'.repeat(i % 37)}`);
    const firstCopies: string[] = [];
    for (const [i, line] of lines.entries()) {
      b.out(line);
      // Timer flushes mid-chunk too: the next lines go after the bytes handed over.
      if (i % 100 === 99) vi.advanceTimersByTime(20);
      // Each write, read as soon as it was made, must read the same at the end.
      while (firstCopies.length < writes.length) firstCopies.push(text(firstCopies.length));
    }
    b.flush();
    while (firstCopies.length < writes.length) firstCopies.push(text(firstCopies.length));
    expect(writes.length).toBeGreaterThan(2);
    for (let i = 0; i < writes.length; i++) {
      expect(writes[i]!.length).toBeLessThanOrEqual(64 * 1024);
      expect(text(i)).toBe(firstCopies[i]);
    }
    expect(firstCopies.join('')).toBe(lines.map((l) => `${l}\n`).join(''));
  });

  it('writes a line longer than a chunk whole, after what waited', () => {
    const { b, writes, text } = recorder();
    b.out('before');
    const long = '€'.repeat(30_000);
    b.out(long);
    b.out('after');
    b.flush();
    expect(writes.map((_, i) => text(i))).toEqual(['before\n', `${long}\n`, 'after\n']);
  });
});
