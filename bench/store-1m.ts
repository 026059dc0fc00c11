// The capture store with a million records (issue 10): memory per record, and what a windowed list pays to
// page the capture with and without a display filter. The records are the repository's real captures
// (lessons/captures/*.pcapng) replayed until the store is full, appended as the tap appends them (bytes,
// tree not built). Memory is heap + array buffers after GC, minus the same before; times are medians of
// repeated pages, reported as ratios to an unfiltered page of the same run.
//   npm run bench -- store-1m [--records N] [--quick]
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import mqttPacket from 'mqtt-packet';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CaptureDigestCache } from '../src/core/lab/capture-digest.js';
import { summaryOf } from '../src/core/lab/wire.js';
import { readCaptureRecords } from '../src/core/pcap/decoded-records.js';
import { giveHeapHeadroom } from '../src/core/lab/heap-headroom.js';
import { CaptureStore, FilterViews } from '../src/core/store/index.js';
import { chunkWarmer } from '../src/core/store/warm-chunks.js';
import { lazyRecord } from '../src/core/tap/lazy-record.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
};
const quick = process.argv.includes('--quick');
const N = Number(arg('records') ?? (quick ? 200_000 : 1_000_000));
const PAGE = 100;

if (process.argv.includes('--publish64')) {
  await publish64(process.argv.includes('--reserve'));
  process.exit(process.exitCode ?? 0);
}

const dir = new URL('../lessons/captures/', import.meta.url);
const corpus = readdirSync(dir).filter((f) => f.endsWith('.pcapng')).flatMap((f) => readCaptureRecords(readFileSync(new URL(f, dir)), [1883]));
const clientOf = new Map(corpus.filter((r) => r.clientId !== undefined).map((r) => [r.record.connId, r.clientId!]));
const avgBytes = corpus.reduce((n, r) => n + r.record.bytes.length, 0) / corpus.length;

function memory(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const before = memory();
const store = new CaptureStore(N);
for (const [conn, id] of clientOf) store.setClientId(conn, id);
const t0 = performance.now();
for (let i = 0; i < N; i++) {
  const src = corpus[i % corpus.length]!.record;
  store.append(lazyRecord({ time: src.time + i, connId: src.connId, direction: src.direction, bytes: src.bytes }, src.decoded.version));
}
const appendMs = performance.now() - t0;
const after = memory();
const perRecord = (after - before) / N;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median ms of `f` over `n` runs at seeded positions. */
function timed(n: number, f: (i: number) => void): number {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    f(i);
    ms.push(performance.now() - t);
  }
  return median(ms);
}

const views = new FilterViews(store);
const page = (filter: string | undefined, offset: number) =>
  views.window(filter, offset, PAGE).seqs.map((s) => summaryOf(store.get(s)!, store.clientIdOf(store.connIdOf(s)!)));
const spots = (total: number, i: number) => Math.floor(((i * 7919) % 997) / 997 * Math.max(0, total - PAGE));

// Warm-up: the first pages pay for JIT compilation, not for the store.
timed(30, (i) => page(undefined, spots(store.size, i + 500)));

/** Medians of `a` and `b` run alternately, so both see the same load (this machine is shared). */
function paired(n: number, a: (i: number) => void, b: (i: number) => void): [number, number] {
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < n; i++) {
    let t = performance.now();
    a(i);
    ta.push(performance.now() - t);
    t = performance.now();
    b(i);
    tb.push(performance.now() - t);
  }
  return [median(ta), median(tb)];
}

const FILTERS = ['mqtt.qos == 1', 'lab.type == PUBACK && lab.dir == toClient', 'mqtt.topic contains "temp"', 'mqtt.msgid == 17642',
  'mqtt.clientid == "sensor"', 'mqtt.msg contains "21"', 'mqtt.kalive > 30 || mqtt.conack.val == 0', 'mqtt.sub.qos == 1'];
for (const filter of FILTERS) {
  const built = store.treesBuilt;
  const t = performance.now();
  const total = views.window(filter, 0, 0).total;
  const firstMs = performance.now() - t;
  const trees = store.treesBuilt - built;
  // Pages at the same positions in both views' proportions; summaries are built from trees in both.
  const [plain, paged] = paired(60, (i) => page(undefined, spots(store.size, i + 100)), (i) => page(filter, spots(total, i + 100)));
  const at = views.window(filter, Math.floor(total / 2), 1).seqs[0] ?? store.firstSeq!;
  const [plainIndex, indexOf] = paired(60, (i) => views.indexOf(undefined, store.firstSeq! + spots(store.size, i)), () => views.indexOf(filter, at));
  const query = timed(20, (i) => views.seqsAfter(filter, store.firstSeq! + spots(store.size, i)).subarray(0, PAGE));
  console.log(`  '${filter}': ${total} matches; first pass ${firstMs.toFixed(0)} ms (${trees} trees built); `
    + `page of ${PAGE} summaries ${paged.toFixed(2)} ms vs ${plain.toFixed(2)} unfiltered (${(paged / plain).toFixed(2)}×), `
    + `indexOf ${(indexOf * 1000).toFixed(1)} µs vs ${(plainIndex * 1000).toFixed(1)} (${(indexOf / plainIndex).toFixed(1)}×), seqs of a query page ${(query * 1000).toFixed(1)} µs`);
}

// What Topics and the chart need (capture.digest), against reading every summary through as the page did.
{
  const digest = new CaptureDigestCache(store);
  let t = performance.now();
  digest.update();
  const firstMs = performance.now() - t;
  t = performance.now();
  const answer = JSON.stringify(digest.result(1000));
  const answerMs = performance.now() - t;
  t = performance.now();
  let read = 0;
  for (let s = store.firstSeq!; s <= store.lastSeq!; s += 5000) {
    const seqs = store.querySeqs({ afterSeq: s - 1, limit: 5000 });
    read += JSON.stringify(seqs.map((q) => summaryOf(store.get(q)!, store.clientIdOf(store.connIdOf(q)!)))).length;
  }
  const throughMs = performance.now() - t;
  console.log(`  capture.digest: first ${firstMs.toFixed(0)} ms, then ${answerMs.toFixed(0)} ms per answer (${(answer.length / 1024).toFixed(0)} KiB JSON); `
    + `every summary read through in pages of 5,000 (the page's way before): ${throughMs.toFixed(0)} ms in the core alone (${(read / 1_048_576).toFixed(0)} MiB JSON)`);
}

console.log(`capture store, ${N.toLocaleString('en')} records of the repository's captures (${corpus.length} packets, ${avgBytes.toFixed(0)} B average) appended in ${appendMs.toFixed(0)} ms (${(appendMs * 1e6 / N).toFixed(0)} ns each)`);
console.log(`  memory after GC: ${((after - before) / 1_048_576).toFixed(1)} MB for the store = ${perRecord.toFixed(1)} bytes per record (columns ${(store.columnBytes / 1_048_576).toFixed(1)} MB incl. arena; target: 1M records ≤ 400 MB)`);
if (N >= 1_000_000 && after - before > 400 * 1_048_576) {
  console.error('over the 400 MB target');
  process.exitCode = 1;
}

// Issue 12's figure: the process's own memory (RSS) with a million 64-byte PUBLISHes captured, measured in a
// fresh process so that the first part's heap does not count.
// Twice: a bare store, and one whose memory is reserved at start as `mqtt-lab broker`, `web` and the app
// reserve it (LabOptions.reserveCapture: the whole byte budget, touched before any packet comes).
for (const extra of [[], ['--reserve']]) {
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--publish64', '--records', String(N), ...extra], { stdio: 'inherit' });
  if (child.status !== 0) process.exitCode = 1;
}

/**
 * N PUBLISHes with 64-byte payloads (QoS 0 and 1, both directions, as a sensor and its subscriber make
 * them), written by mqtt-packet as the clients' library writes them and appended as the tap appends them.
 */
async function publish64(reserve: boolean): Promise<void> {
  const rss = (): number => {
    gc();
    gc();
    return process.memoryUsage().rss;
  };
  const rssBefore = rss();
  const store = new CaptureStore(N, reserve ? { warmer: chunkWarmer() } : {});
  if (reserve) {
    // As the CLI's lab does along with the reserve (heap-headroom.ts).
    giveHeapHeadroom();
    store.reserve();
    const until = performance.now() + 30_000;
    while (store.arenaBytes < store.byteBudget && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
  }
  store.setClientId(1, 'sensor-1');
  store.setClientId(2, 'display-1');
  const t = performance.now();
  for (let i = 0; i < N; i++) {
    const qos = i % 4 === 0 ? 1 : 0;
    // 64 bytes of JSON, different in every message.
    const payload = Buffer.from(`{"seq":${String(i).padStart(9, '0')},"t":${(20 + (i % 50) / 10).toFixed(1)},"unit":"C","room":"lab-4"}`.padEnd(64, ' '));
    const bytes = mqttPacket.generate({ cmd: 'publish', topic: `lab/room${i % 8}/temp`, payload, qos, messageId: qos ? (i % 65535) + 1 : undefined, dup: false, retain: false } as mqttPacket.Packet);
    const toClient = i % 2 === 1;
    store.append(lazyRecord({ time: 1_765_000_000_000 + i, connId: toClient ? 2 : 1, direction: toClient ? 'toClient' : 'toBroker', bytes: new Uint8Array(bytes) }, 4));
  }
  const ms = performance.now() - t;
  const rssAfter = rss();
  const m = process.memoryUsage();
  const last = store.get(store.lastSeq!)!;
  console.log(`capture store${reserve ? ', its memory reserved at start as the CLI does' : ''}, ${N.toLocaleString('en')} records of 64-byte PUBLISHes (${last.bytes.length} B each with header and topic) appended in ${ms.toFixed(0)} ms; `
    + `held ${store.size.toLocaleString('en')}, ${(store.bytesHeld / 1_048_576).toFixed(1)} MB of bytes`);
  console.log(`  process memory (RSS) after GC: ${(rssAfter / 1_048_576).toFixed(0)} MB (${(rssBefore / 1_048_576).toFixed(0)} MB before the store; heap ${(m.heapUsed / 1_048_576).toFixed(0)} MB, array buffers ${(m.arrayBuffers / 1_048_576).toFixed(0)} MB); `
    + `target: ≤ 400 MB ${rssAfter <= 400 * 1_048_576 ? 'met' : 'NOT met'}`);
  if (N >= 1_000_000 && rssAfter > 400 * 1_048_576) process.exitCode = 1;
}
