// WriteRuns: adjacent views of one buffer are joined between open() and close(); nothing else changes.
import { describe, expect, it } from 'vitest';
import { WriteRuns } from '../../src/core/tap/write-runs.js';

function rig() {
  const out: Uint8Array[] = [];
  return { out, runs: new WriteRuns((b) => out.push(b)) };
}

describe('WriteRuns', () => {
  const chunk = Buffer.from('aaaabbbbccccdddd');
  const part = (from: number, to: number): Buffer => chunk.subarray(from, to);

  it('joins views that follow each other in the same buffer into one view of it, a Buffer still', () => {
    const { out, runs } = rig();
    runs.open();
    runs.write(part(0, 4));
    runs.write(part(4, 8));
    runs.write(part(8, 16));
    expect(out).toEqual([]);
    runs.close();
    expect(out).toHaveLength(1);
    expect(Buffer.isBuffer(out[0])).toBe(true);
    expect(out[0]!.buffer).toBe(chunk.buffer);
    expect(Buffer.from(out[0]!).toString()).toBe('aaaabbbbccccdddd');
  });

  it('a gap, a copy or another buffer starts a new run; order and bytes are those written', () => {
    const { out, runs } = rig();
    const copy = Buffer.from('XXXX');
    runs.open();
    runs.write(part(0, 4));
    runs.write(part(8, 12)); // b… skipped (dropped, or waiting)
    runs.write(copy);
    runs.write(part(12, 16)); // adjacent to 8–12, but a copy came between: not joined across it
    runs.write(part(4, 8)); // before the previous one in memory: not adjacent
    runs.close();
    expect(out.map((b) => Buffer.from(b).toString())).toEqual(['aaaa', 'cccc', 'XXXX', 'dddd', 'bbbb']);
    expect(out[2]).toBe(copy); // a run of one goes as it came
  });

  it('outside open/close every write passes straight on, one by one', () => {
    const { out, runs } = rig();
    runs.write(part(0, 4));
    runs.write(part(4, 8));
    expect(out.map((b) => Buffer.from(b).toString())).toEqual(['aaaa', 'bbbb']);
    runs.open();
    runs.close();
    expect(out).toHaveLength(2);
  });

  it('a plain Uint8Array run stays a Uint8Array view', () => {
    const { out, runs } = rig();
    const u = new Uint8Array([1, 2, 3, 4]);
    runs.open();
    runs.write(u.subarray(0, 2));
    runs.write(u.subarray(2, 4));
    runs.close();
    expect(Buffer.isBuffer(out[0])).toBe(false);
    expect([...out[0]!]).toEqual([1, 2, 3, 4]);
    expect(out[0]!.buffer).toBe(u.buffer);
  });
});
