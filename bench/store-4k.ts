// The capture store under a flood of 4 kB messages (issue 12): the time of each append while the store fills
// its byte budget, as it crosses it, and once it is at it, with the chunk warmer a live capture uses. A
// long append is time the relay's turn waits (the tap records on the relay's thread), so the p99.9 and max
// here are where an added p99 latency at 4 kB comes from; the RSS line says whether memory stays flat.
//   npm run bench -- store-4k [--messages 120000] [--size 4096]
import { generate } from 'mqtt-packet';
import { CaptureStore, DEFAULT_BYTE_BUDGET } from '../src/core/store/capture-store.js';
import { chunkWarmer } from '../src/core/store/warm-chunks.js';
import { lazyRecord } from '../src/core/tap/lazy-record.js';

const argv = process.argv.slice(2);
const value = (name: string, fallback: number): number => {
  const i = argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) {
    console.error(`--${name} must be a positive integer, not '${argv[i + 1]}'`);
    process.exit(2);
  }
  return v;
};
const SIZE = value('size', 4096);
const bytes = generate({ cmd: 'publish', topic: 'bench/t', payload: Buffer.alloc(SIZE, 0x78), qos: 0, dup: false, retain: false });
const perBudget = Math.ceil(DEFAULT_BYTE_BUDGET / bytes.length);
const N = value('messages', 4 * perBudget);

const store = new CaptureStore(undefined, { warmer: chunkWarmer() });
const took = new Float64Array(N);
const rss: number[] = [];
for (let i = 0; i < N; i++) {
  const t = performance.now();
  store.append(lazyRecord({ time: i, connId: 1, direction: 'toClient', bytes }, 4));
  took[i] = performance.now() - t;
  // Turns of 100 messages, as a relay's reads come: the warmer's chunks arrive between them.
  if (i % 100 === 99) await new Promise((r) => setImmediate(r));
  if (i % perBudget === perBudget - 1) rss.push(process.memoryUsage().rss / 1e6);
}

function line(name: string, xs: Float64Array): string {
  if (xs.length === 0) return `  ${name.padEnd(30)} (no messages)`;
  const s = Float64Array.from(xs).sort();
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))]! * 1000;
  const sum = xs.reduce((a, b) => a + b, 0);
  return `  ${name.padEnd(30)} p50 ${q(0.5).toFixed(1)} µs, p99 ${q(0.99).toFixed(1)} µs, p99.9 ${q(0.999).toFixed(0)} µs, max ${(s[s.length - 1]! * 1000).toFixed(0)} µs; ${sum.toFixed(0)} ms for ${xs.length}`;
}
const at = Math.min(N, perBudget);
const past = Math.min(N, perBudget + Math.ceil(perBudget / 4));
console.log(`store-4k: ${N} PUBLISHes of ${bytes.length} bytes, byte budget ${DEFAULT_BYTE_BUDGET / 1_048_576} MiB (${perBudget} of them)`);
console.log(line('filling the budget', took.subarray(0, at)));
console.log(line('crossing it (next quarter)', took.subarray(at, past)));
console.log(line('at the budget', took.subarray(past)));
console.log(`  RSS after each budget's worth: ${rss.map((r) => r.toFixed(0)).join(', ')} MB; arenas ${(store.arenaBytes / 1e6).toFixed(0)} MB; ${store.size} records held, ${store.isCut(store.firstSeq!) ? 'oldest cut' : 'none cut'}`);
process.exit(0);
