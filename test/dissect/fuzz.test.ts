// Robustness: over 200,000 inputs (mutated and truncated valid packets, random bytes, crafted extremes)
// must each decode without throwing into a sound tree that covers every byte and serialises to JSON.
// Replay a failure with SEED=<printed seed>; explore with SEED=random.
import { describe, expect, it } from 'vitest';
import { dissect } from '../../src/core/dissect/index.js';
import type { MqttVersion } from '../../src/shared/packet.js';
import { hexOf } from './support/bytes.js';
import { type CorpusEntry, validCorpus } from './support/corpus.js';
import { Prng, seedFromEnv } from './support/prng.js';
import { treeProblems, uncoveredBytes } from './support/tree.js';

const SEED = seedFromEnv(0xf022_0001);
const VERSIONS: readonly MqttVersion[] = [3, 4, 5];
let total = 0;

/** Decodes one input and checks every invariant; throws a replayable description on the first breach. */
function check(bytes: Uint8Array, version: MqttVersion, kind: string): void {
  total++;
  let problems: string[];
  try {
    const d = dissect(bytes, { version });
    problems = treeProblems(bytes, d);
    const gaps = uncoveredBytes(bytes, d);
    if (gaps.length > 0) problems.push(`bytes not covered by any leaf: ${gaps.slice(0, 10).join(', ')}`);
    const json = JSON.stringify(d);
    if (typeof json !== 'string' || JSON.parse(json).summary !== d.summary) problems.push('JSON round trip lost the summary');
  } catch (e) {
    problems = [`threw ${e instanceof Error ? e.stack ?? e.message : String(e)}`];
  }
  if (problems.length > 0) {
    throw new Error(`fuzz (${kind}, seed ${SEED}, version ${version}) input ${hexOf(bytes.subarray(0, 300))}` +
      `${bytes.length > 300 ? '…' : ''} (${bytes.length} bytes):\n  ${problems.join('\n  ')}`);
  }
}

function mutate(rng: Prng, src: Uint8Array): Uint8Array {
  let b = Array.from(src);
  const n = rng.int(1, 4);
  for (let k = 0; k < n; k++) {
    const at = rng.int(0, Math.max(0, b.length - 1));
    switch (rng.int(0, 5)) {
      case 0: if (b.length > 0) b[at] = b[at]! ^ (1 << rng.int(0, 7)); break; // bit flip
      case 1: if (b.length > 0) b[at] = rng.int(0, 255); break; // byte change
      case 2: b.splice(at, 0, ...rng.bytes(rng.int(1, 4))); break; // insertion
      case 3: b.splice(at, rng.int(1, 4)); break; // deletion
      case 4: if (b.length > 1) b[1] = rng.int(0, 255); break; // remaining length
      default: b = b.slice(0, at); // truncation
    }
  }
  return Uint8Array.from(b);
}

function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

/** Inputs written to hit limits: huge declared lengths, all-ones bytes, long and deep property blocks. */
function crafted(): Uint8Array[] {
  const out: number[][] = [];
  for (let t = 0; t < 16; t++) {
    for (const flags of [0x0, 0x2, 0xf]) {
      const b0 = (t << 4) | flags;
      out.push([b0, 0xff, 0xff, 0xff, 0x7f]); // 268,435,455 declared, nothing follows
      out.push([b0, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x04, ...Buffer.from('MQTT'), 0x05, 0xff, 0xff, 0xff]);
      out.push([b0, 0x80, 0x80, 0x80, 0x80, 0x80]); // five continuation bytes
      out.push([b0]);
      out.push([b0, 0x00]);
      out.push([b0, 0x02, 0xff, 0xff]);
      out.push([b0, 0x05, 0x00, 0x05, 0xff, 0xff, 0xff]);
    }
  }
  for (const n of [1, 2, 3, 5, 17, 64, 300, 4096]) out.push(new Array<number>(n).fill(0xff), new Array<number>(n).fill(0x00));
  // Property blocks: every identifier 0..255, many user properties, lengths that lie.
  for (let id = 0; id < 256; id++) {
    for (const v of [3, 5] as const) {
      const props = [id, 0xff, 0xff, 0xff, 0xff, 0xff];
      const body = [0x00, 0x01, 0x74, ...varint(props.length), ...props];
      out.push([0x30, ...varint(body.length), ...body]);
      out.push([0x30, ...varint(body.length + 10), ...body]);
      if (v === 5) out.push([0x40, 0x06, 0x00, 0x01, 0x00, 0x02, id, 0x00]);
    }
  }
  const many: number[] = [];
  for (let i = 0; i < 1000; i++) many.push(0x26, 0x00, 0x01, 0x6b, 0x00, 0x01, 0x76);
  const pub = [0x00, 0x01, 0x74, ...varint(many.length), ...many, 0x41];
  out.push([0x30, ...varint(pub.length), ...pub]);
  out.push([0x30, ...varint(pub.length), ...pub.slice(0, 4000)]);
  // Property length claims more than the Remaining Length, and varint values that never end.
  out.push([0x30, 0x06, 0x00, 0x01, 0x74, 0xff, 0xff, 0xff, 0x7f]);
  out.push([0x30, 0x08, 0x00, 0x01, 0x74, 0x05, 0x0b, 0xff, 0xff, 0xff, 0xff]);
  out.push([0x82, 0x08, 0x00, 0x01, 0x05, 0x0b, 0x80, 0x80, 0x80, 0x80]);
  // CONNECT with every flag set, huge string lengths and a will property block that swallows the rest.
  out.push([0x10, 0x10, 0x00, 0x04, ...Buffer.from('MQTT'), 0x05, 0xff, 0x00, 0x3c, 0x00, 0x00, 0x01, 0xff, 0x7f, 0xff]);
  out.push([0x10, 0x0f, 0x00, 0x04, ...Buffer.from('MQTT'), 0x05, 0xee, 0x00, 0x3c, 0x00, 0xff, 0xff, 0xff, 0xff]);
  out.push([0x10, 0x0d, 0x00, 0x06, ...Buffer.from('MQIsdp'), 0x03, 0xfe, 0x00]);
  return out.map((b) => Uint8Array.from(b));
}

describe('fuzz', () => {
  const corpus: CorpusEntry[] = validCorpus(SEED);

  it('survives every truncation of every corpus packet', () => {
    const start = total;
    for (const e of corpus) {
      for (let n = 0; n <= e.bytes.length; n++) check(e.bytes.subarray(0, n), e.version, `truncated ${e.name}`);
    }
    expect(total - start).toBeGreaterThan(10_000);
  });

  it('survives mutations of corpus packets', () => {
    const rng = new Prng(SEED + 1);
    for (let i = 0; i < 120_000; i++) {
      const e = rng.pick(corpus);
      check(mutate(rng, e.bytes), rng.bool(0.8) ? e.version : rng.pick(VERSIONS), `mutated ${e.name}`);
    }
  });

  it('survives random bytes', () => {
    const rng = new Prng(SEED + 2);
    for (let i = 0; i < 60_000; i++) {
      const bytes = rng.bytes(rng.int(0, 300));
      // Half of them start like a real packet so that decoding gets past the fixed header.
      if (bytes.length > 0 && rng.bool()) bytes[0] = (rng.int(1, 15) << 4) | (rng.bool(0.7) ? [0, 2, 0, 0, 0, 0, 2, 0, 2, 0, 2, 0, 0, 0, 0, 0][bytes[0]! >> 4]! : bytes[0]! & 15);
      if (bytes.length > 1 && rng.bool()) bytes[1] = Math.min(bytes.length - 2, 127);
      check(bytes, rng.pick(VERSIONS), 'random');
    }
  });

  it('survives crafted extremes', () => {
    for (const bytes of crafted()) for (const v of VERSIONS) check(bytes, v, 'crafted');
  });

  it('ran at least 200,000 inputs', () => {
    console.log(`fuzz: ${total} inputs, seed ${SEED}`);
    expect(total).toBeGreaterThanOrEqual(200_000);
  });
});
