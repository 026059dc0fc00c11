// capture.save at a million records (issue 10): the pcapng written from the store's columns and byte arena
// in chunks, against the way it was made before (every record materialised as a PacketRecord, the blocks
// kept one by one and joined, then base64). Each way runs in a child process of its own, so its peak
// memory (max RSS) is its own; both must give the same file (sha256 of the base64 compared).
// Then the save as the lab runs it (capture.saveStart/saveRead into a file, a slice of work per turn) in a
// real lab whose tap got N real packets from mqtt.js clients, while a publisher keeps sending QoS 1 messages
// to a subscriber through the tap: the longest event-loop block during the save (monitorEventLoopDelay),
// and the messages relayed and packets captured while it ran; the file must equal capture.save's, taken
// before the publisher started. A one-go save's block is the 'streamed' time above.
// Last, `mqtt-lab broker --pcap`'s live file: the same QoS 0 flood through a lab with and without it, for the
// relay's rate and the longest block (the file is written synchronously, 64 kB at a time).
//   npm run bench -- capture-save [--records N] [--quick] [--skip-compare] [--skip-materialised]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { createLab } from '../src/core/lab/index.js';
import { saveCaptureToFile } from '../src/core/lab/save-to-file.js';
import { storePackets } from '../src/core/lab/capture-files.js';
import { base64Of } from '../src/core/pcap/chunked-sink.js';
import { readCaptureRecords } from '../src/core/pcap/decoded-records.js';
import { PcapngFileWriter, pcapngToBuffer, writePcapng, type RecordedConnection } from '../src/core/pcap/index.js';
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
interface PcapResult { perS: number; longestMs: number; fileMB: number }
const FLOOD = quick ? 50_000 : 200_000;
interface LiveResult {
  mode: 'live'; fillS: number; saveMs: number; longestMs: number; p99Ms: number; relayed: number; captured: number;
  fileMB: number; same: boolean; rssPeakMB: number;
  /** The same class for 2 s without a save. */
  baseline: { longestMs: number; p99Ms: number; perS: number };
}

function child<R = Result>(m: string): R {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--mode', m, '--records', String(N)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${m} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as R;
}

if (mode === undefined) {
  if (process.argv.includes('--skip-materialised')) {
    const streamed = child('streamed');
    console.log(`capture.save of ${N.toLocaleString('en')} records in one go (streamed): held the event loop ${streamed.ms.toFixed(0)} ms for a ${streamed.fileMB.toFixed(1)} MB pcapng`);
  } else if (!process.argv.includes('--skip-compare')) {
    const streamed = child('streamed');
    const materialised = child('materialised');
    for (const r of [materialised, streamed]) {
      console.log(`  ${r.mode.padEnd(12)} ${r.ms.toFixed(0).padStart(6)} ms, RSS ${r.rssBeforeMB.toFixed(0)} MB with the store → peak ${r.rssPeakMB.toFixed(0)} MB (+${(r.rssPeakMB - r.rssBeforeMB).toFixed(0)} MB) for a ${r.fileMB.toFixed(1)} MB pcapng`);
    }
    console.log(`capture.save of ${N.toLocaleString('en')} records: streamed/materialised time ${(streamed.ms / materialised.ms).toFixed(2)}×, `
      + `added memory ${((streamed.rssPeakMB - streamed.rssBeforeMB) / (materialised.rssPeakMB - materialised.rssBeforeMB)).toFixed(2)}×; same file: ${streamed.sha === materialised.sha}`);
    console.log(`  in one go, that save held the event loop for the whole ${streamed.ms.toFixed(0)} ms`);
    if (streamed.sha !== materialised.sha) process.exitCode = 1;
  }
  const l = child<LiveResult>('live');
  console.log(`save in slices, in a lab filled with ${N.toLocaleString('en')} real packets (fill ${l.fillS.toFixed(0)} s): ${l.saveMs.toFixed(0)} ms for a ${l.fileMB.toFixed(1)} MB pcapng, `
    + `longest event-loop block ${l.longestMs.toFixed(1)} ms (p99 ${l.p99Ms.toFixed(1)} ms); during it ${l.relayed} QoS 1 messages relayed to the subscriber, `
    + `${l.captured} packets captured; same file as capture.save before: ${l.same}; peak RSS ${l.rssPeakMB.toFixed(0)} MB`);
  const rate = l.relayed / (l.saveMs / 1000);
  console.log(`  without a save, same class, same run: longest block ${l.baseline.longestMs.toFixed(1)} ms (p99 ${l.baseline.p99Ms.toFixed(1)} ms), `
    + `${l.baseline.perS.toFixed(0)} messages/s relayed; during the save ${rate.toFixed(0)}/s (${(rate / l.baseline.perS).toFixed(2)}×)`);
  if (!l.same) process.exitCode = 1;
  const plain = child<PcapResult>('flood');
  const recorded = child<PcapResult>('flood-pcap');
  console.log(`broker --pcap: a QoS 0 flood of ${FLOOD.toLocaleString('en')} through the tap at ${plain.perS.toFixed(0)}/s without the live file, `
    + `${recorded.perS.toFixed(0)}/s with it (${(recorded.perS / plain.perS).toFixed(2)}×); longest block ${plain.longestMs.toFixed(1)} → ${recorded.longestMs.toFixed(1)} ms, `
    + `file ${recorded.fileMB.toFixed(1)} MB`);
} else if (mode === 'live') {
  await live();
} else if (mode === 'flood' || mode === 'flood-pcap') {
  await flood(mode === 'flood-pcap');
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

/** The save as the lab runs it, in a real lab with N real packets and a live class publishing through it. */
async function live(): Promise<void> {
  const lab = await createLab({ port: 0, capacity: Math.max(N + 100_000, 1_000_000) });
  const dir = mkdtempSync(join(tmpdir(), 'mqtt-lab-bench-save-'));
  try {
    const { host, port } = lab.tapAddress;
    const url = `mqtt://${host}:${port}`;
    const t0 = performance.now();
    const fillers = await Promise.all([0, 1, 2, 3].map((i) => mqtt.connectAsync(url, { clientId: `fill-${i}` })));
    for (let i = 0; i < N - 12; i += 4000) {
      const sends: Array<Promise<unknown>> = [];
      for (let j = i; j < Math.min(N - 12, i + 4000); j++) sends.push(fillers[j % 4]!.publishAsync(`home/room${j % 4}/temp`, JSON.stringify({ temperature: 20 + (j % 7) / 2, n: j }), { qos: 0 }));
      await Promise.all(sends);
    }
    await Promise.all(fillers.map((c) => c.endAsync()));
    while ((await lab.api.call('connections.list', {})).some((c) => c.state !== 'closed')) await new Promise((r) => setTimeout(r, 100));
    const fillS = (performance.now() - t0) / 1000;
    const sub = await mqtt.connectAsync(url, { clientId: 'live-sub' });
    const pub = await mqtt.connectAsync(url, { clientId: 'live-pub' });
    await sub.subscribeAsync('live/#', { qos: 1 });
    let received = 0;
    sub.on('message', () => received++);
    let on = true;
    let loop: Promise<void> = Promise.resolve();
    const publish = (): void => {
      on = true;
      loop = (async () => {
        for (let n = 0; on; n++) {
          await pub.publishAsync('live/reading', String(n), { qos: 1 });
          await new Promise((res) => setTimeout(res, 2));
        }
      })();
    };
    const stop = async (): Promise<void> => {
      on = false;
      await loop;
    };
    // The same class and the same machine load for 2 s with no save: what the loop and the relay do anyway.
    const base = monitorEventLoopDelay({ resolution: 2 });
    const b0 = performance.now();
    base.enable();
    publish();
    await new Promise((r) => setTimeout(r, 2000));
    await stop();
    base.disable();
    const baseline = { longestMs: base.max / 1e6, p99Ms: base.percentile(99) / 1e6, perS: received / ((performance.now() - b0) / 1000) };
    received = 0;
    const expected = createHash('sha256').update(Buffer.from((await lab.api.call('capture.save', {})).pcapng, 'base64')).digest('hex');
    const lastBefore = (await lab.api.call('lab.status', {})).packets.lastSeq ?? 0;
    const api = {
      call: (async (method: string, params: unknown) => {
        const r = await lab.api.call(method as never, params as never);
        if (method === 'capture.saveStart') publish();
        return r;
      }) as typeof lab.api.call,
    };
    const file = join(dir, 'class.pcapng');
    const eld = monitorEventLoopDelay({ resolution: 2 });
    const s0 = performance.now();
    eld.enable();
    await saveCaptureToFile(api, file);
    eld.disable();
    const saveMs = performance.now() - s0;
    const relayed = received;
    const captured = ((await lab.api.call('lab.status', {})).packets.lastSeq ?? 0) - lastBefore;
    await stop();
    await Promise.all([pub.endAsync(), sub.endAsync()]);
    const bytes = readFileSync(file);
    const out: LiveResult = {
      mode: 'live', fillS, saveMs, longestMs: eld.max / 1e6, p99Ms: eld.percentile(99) / 1e6, relayed, captured,
      baseline, fileMB: bytes.length / 1_048_576, same: createHash('sha256').update(bytes).digest('hex') === expected, rssPeakMB: process.resourceUsage().maxRSS / 1024,
    };
    console.log(JSON.stringify(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await lab.stop();
  }
}

/** FLOOD QoS 0 publishes through a lab's tap (with `broker --pcap`'s live file or not): rate and longest block. */
async function flood(withPcap: boolean): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mqtt-lab-bench-pcap-'));
  const file = withPcap ? new PcapngFileWriter(join(dir, 'live.pcapng')) : undefined;
  const lab = await createLab({ port: 0, pcap: file });
  try {
    const { host, port } = lab.tapAddress;
    const c = await mqtt.connectAsync(`mqtt://${host}:${port}`, { clientId: 'flood' });
    const eld = monitorEventLoopDelay({ resolution: 2 });
    eld.enable();
    const t0 = performance.now();
    for (let i = 0; i < FLOOD; i += 2000) {
      const sends: Array<Promise<unknown>> = [];
      for (let j = i; j < Math.min(FLOOD, i + 2000); j++) sends.push(c.publishAsync('home/flood', JSON.stringify({ n: j }), { qos: 0 }));
      await Promise.all(sends);
    }
    while (((await lab.api.call('lab.status', {})).packets.count) < FLOOD) await new Promise((r) => setTimeout(r, 10));
    const s = (performance.now() - t0) / 1000;
    eld.disable();
    await c.endAsync();
    file?.close();
    const out: PcapResult = { perS: FLOOD / s, longestMs: eld.max / 1e6, fileMB: withPcap ? statSync(join(dir, 'live.pcapng')).size / 1_048_576 : 0 };
    console.log(JSON.stringify(out));
  } finally {
    await lab.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
