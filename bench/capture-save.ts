// capture.save at a million records (issue 10): the pcapng written from the store's columns and byte arena
// in chunks, against the way it was made before (every record materialised as a PacketRecord, the blocks
// kept one by one and joined, then base64). Each way runs in a child process of its own, so its peak
// memory (max RSS) is its own; both must give the same file (sha256 of the base64 compared).
//   npm run bench -- capture-save [--records N] [--quick]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { storePackets } from '../src/core/lab/capture-files.js';
import { base64Of } from '../src/core/pcap/chunked-sink.js';
import { readCaptureRecords } from '../src/core/pcap/decoded-records.js';
import { pcapngToBuffer, writePcapng, type RecordedConnection } from '../src/core/pcap/index.js';
import { CaptureStore } from '../src/core/store/index.js';
import { lazyRecord } from '../src/core/tap/lazy-record.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
};
const quick = process.argv.includes('--quick');
const N = Number(arg('records') ?? (quick ? 200_000 : 1_000_000));
const mode = arg('mode');

interface Result { mode: string; ms: number; rssBeforeMB: number; rssPeakMB: number; fileMB: number; sha: string }

function child(m: string): Result {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--mode', m, '--records', String(N)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${m} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Result;
}

if (mode === undefined) {
  const streamed = child('streamed');
  const materialised = child('materialised');
  for (const r of [materialised, streamed]) {
    console.log(`  ${r.mode.padEnd(12)} ${r.ms.toFixed(0).padStart(6)} ms, RSS ${r.rssBeforeMB.toFixed(0)} MB with the store → peak ${r.rssPeakMB.toFixed(0)} MB (+${(r.rssPeakMB - r.rssBeforeMB).toFixed(0)} MB) for a ${r.fileMB.toFixed(1)} MB pcapng`);
  }
  console.log(`capture.save of ${N.toLocaleString('en')} records: streamed/materialised time ${(streamed.ms / materialised.ms).toFixed(2)}×, `
    + `added memory ${((streamed.rssPeakMB - streamed.rssBeforeMB) / (materialised.rssPeakMB - materialised.rssBeforeMB)).toFixed(2)}×; same file: ${streamed.sha === materialised.sha}`);
  if (streamed.sha !== materialised.sha) process.exitCode = 1;
} else {
  const dir = new URL('../lessons/captures/', import.meta.url);
  const corpus = readdirSync(dir).filter((f) => f.endsWith('.pcapng')).flatMap((f) => readCaptureRecords(readFileSync(new URL(f, dir)), [1883]));
  const store = new CaptureStore(N);
  for (let i = 0; i < N; i++) {
    const src = corpus[i % corpus.length]!.record;
    store.append(lazyRecord({ time: src.time + i, connId: src.connId, direction: src.direction, bytes: src.bytes }, src.decoded.version));
  }
  const conns: RecordedConnection[] = [...new Set(corpus.map((r) => r.record.connId))]
    .map((connId) => ({ connId, client: { ip: '127.0.0.1', port: 40000 + connId }, broker: { ip: '127.0.0.1', port: 1883 } }));
  const rssBefore = process.memoryUsage().rss;
  const t = performance.now();
  let b64: string;
  if (mode === 'streamed') {
    b64 = base64Of((sink) => writePcapng(sink, storePackets(store, () => true, []), conns));
  } else {
    // As capture.save did before: a PacketRecord per record, sorted, written in memory, then base64.
    const records = store.query({}).sort((a, b) => a.time - b.time);
    b64 = Buffer.from(pcapngToBuffer(records, conns)).toString('base64');
  }
  const ms = performance.now() - t;
  const MB = 1_048_576;
  const out: Result = {
    mode, ms, rssBeforeMB: rssBefore / MB, rssPeakMB: process.resourceUsage().maxRSS / 1024, fileMB: (b64.length * 3) / 4 / MB,
    sha: createHash('sha256').update(b64).digest('hex'),
  };
  console.log(JSON.stringify(out));
}
