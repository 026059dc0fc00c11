// Writing a capture in chunks must give exactly the bytes of writing it whole: the blocks cross chunk
// borders anywhere, and base64 made chunk by chunk must equal base64 of the whole file.
import { describe, expect, it } from 'vitest';
import { base64Of, ChunkedSink } from '../../src/core/pcap/chunked-sink.js';
import { Prng } from '../dissect/support/prng.js';

function blocks(rng: Prng, n: number): Uint8Array[] {
  return Array.from({ length: n }, () => rng.bytes(rng.next() < 0.05 ? rng.int(1000, 5000) : rng.int(0, 90)));
}

describe('ChunkedSink', () => {
  it('passes on the same bytes in chunks of its size, whatever the block sizes', () => {
    const rng = new Prng(5);
    for (const size of [1, 3, 7, 64, 4096]) {
      const input = blocks(rng, 400);
      const out: Uint8Array[] = [];
      const sink = new ChunkedSink((c) => out.push(c.slice()), size);
      for (const b of input) sink.write(b);
      sink.end();
      expect(Buffer.concat(out).equals(Buffer.concat(input)), `size ${size}`).toBe(true);
      // Every chunk but the last is full.
      expect(out.slice(0, -1).every((c) => c.length === size)).toBe(true);
      expect(out.at(-1)!.length).toBeGreaterThan(0);
    }
  });

  it('makes base64 chunk by chunk that equals base64 of the whole', () => {
    const rng = new Prng(6);
    // Over two default chunks, so at least one border falls inside a block.
    const input = [...blocks(rng, 2000), rng.bytes(1_700_000), ...blocks(rng, 50)];
    expect(base64Of((sink) => input.forEach(sink))).toBe(Buffer.concat(input).toString('base64'));
    expect(base64Of(() => undefined)).toBe('');
  });
});
