// The live log's lines go out together (one write for many packets), in order, soon, and all of them.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lineBatch } from '../../src/cli/line-batch.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('lineBatch', () => {
  it('writes the lines of a burst in one write, in order, within 20 ms', () => {
    vi.useFakeTimers();
    const writes: string[] = [];
    const b = lineBatch((t) => writes.push(t));
    for (let i = 0; i < 1000; i++) b.out(`line ${i}`);
    expect(writes).toEqual([]);
    vi.advanceTimersByTime(20);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toBe(Array.from({ length: 1000 }, (_, i) => `line ${i}\n`).join(''));
    // A single later line goes out on its own, as soon.
    b.out('late');
    vi.advanceTimersByTime(19);
    expect(writes).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(writes[1]).toBe('late\n');
  });

  it('does not hold more than 64 kB, and flush() writes what waits at once', () => {
    vi.useFakeTimers();
    const writes: string[] = [];
    const b = lineBatch((t) => writes.push(t));
    const line = 'x'.repeat(1023);
    for (let i = 0; i < 64; i++) b.out(line);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.length).toBe(64 * 1024);
    b.out('tail');
    b.flush();
    expect(writes[1]).toBe('tail\n');
    b.flush();
    vi.advanceTimersByTime(100);
    expect(writes).toHaveLength(2);
  });
});
