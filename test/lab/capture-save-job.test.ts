// The save in slices writes the same bytes as the capture written in one go by writePcapng over storePackets
// (the reference: records in time order, ties in seq order), whatever the slice size, also when records are
// out of time order (a held packet released late). Real recorded packets from lessons/captures, in a real
// store; the lab around the store has no tap connections and no TLS or WebSocket layer.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CaptureDownloads, MAX_SAVES } from '../../src/core/lab/capture-downloads.js';
import { CaptureSaveJob } from '../../src/core/lab/capture-saving.js';
import { storePackets } from '../../src/core/lab/capture-files.js';
import type { LabParts } from '../../src/core/lab/lab-parts.js';
import { readCaptureRecords } from '../../src/core/pcap/decoded-records.js';
import { writePcapng, type RecordedConnection } from '../../src/core/pcap/index.js';
import { CaptureStore } from '../../src/core/store/index.js';
import { lazyRecord } from '../../src/core/tap/lazy-record.js';
import { TransportLog } from '../../src/core/transport/transport-log.js';

const dir = new URL('../../lessons/captures/', import.meta.url);
const corpus = readdirSync(dir).filter((f) => f.endsWith('.pcapng')).flatMap((f) => readCaptureRecords(readFileSync(new URL(f, dir)), [1883]));

function labOver(store: CaptureStore): LabParts {
  const log = new TransportLog();
  return {
    store, transports: { log }, tap: { connections: () => [] }, http: { wire: () => undefined },
    tapAddress: { host: '127.0.0.1', port: 1883 }, status: () => ({}),
  } as unknown as LabParts;
}

function filled(n: number, shuffle: (i: number) => number): CaptureStore {
  const store = new CaptureStore(n);
  for (let i = 0; i < n; i++) {
    const src = corpus[i % corpus.length]!.record;
    store.append(lazyRecord({ time: 1_700_000_000_000 + shuffle(i), connId: src.connId, direction: src.direction, bytes: src.bytes }, src.decoded.version));
  }
  return store;
}

/** The reference: the whole capture in one go, connections as capture.save shows them with no live tap. */
function reference(store: CaptureStore): Buffer {
  const src = storePackets(store, () => true, []);
  const conns = new Map<number, RecordedConnection>();
  for (let i = 0; i < src.length; i++) {
    const p = src.at(i);
    if (!conns.has(p.connId)) conns.set(p.connId, { connId: p.connId, client: { ip: '127.0.0.1', port: 40000 + (p.connId % 20000) }, broker: { ip: '127.0.0.1', port: 1883 }, openedAt: p.time });
  }
  const parts: Uint8Array[] = [];
  writePcapng((b) => parts.push(b.slice()), src, conns.values());
  return Buffer.concat(parts);
}

async function sliced(store: CaptureStore, sliceMs: number): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of new CaptureSaveJob(labOver(store), 1883, { sliceMs, gapMs: 0 }).chunks()) parts.push(c);
  return Buffer.concat(parts);
}

describe('CaptureSaveJob', () => {
  it('writes what the one-go writer writes, in any slices', async () => {
    const store = filled(20_000, (i) => i);
    const ref = reference(store);
    expect(ref.length).toBeGreaterThan(20_000 * 60);
    for (const ms of [0, 1, 50]) expect((await sliced(store, ms)).equals(ref)).toBe(true);
  });

  it('puts records out of time order in time order, ties by seq, as the one-go writer does', async () => {
    // Every seventh record is 5 ms late and every thirteenth shares its time with its neighbour.
    const store = filled(5_000, (i) => (i % 7 === 0 ? i + 5 : i % 13 === 0 ? i - 1 : i));
    expect((await sliced(store, 1)).equals(reference(store))).toBe(true);
  });

  it('reports records read, then packets written, and ends whole', async () => {
    const store = filled(20_000, (i) => i);
    const job = new CaptureSaveJob(labOver(store), 1883, { sliceMs: 0, gapMs: 0 });
    expect(job.progress()).toEqual({ phase: 'reading', done: 0, total: 20_000 });
    // Progress as a page polling between slices would see it.
    const seen: string[] = [];
    const poll = setInterval(() => seen.push(`${job.progress().phase}:${job.progress().done > 0}`), 0);
    for await (const _ of job.chunks());
    clearInterval(poll);
    expect(seen).toContain('reading:true');
    expect(seen).toContain('writing:true');
    expect(seen.indexOf('writing:true')).toBeGreaterThan(seen.lastIndexOf('reading:true'));
    expect(job.progress()).toEqual({ phase: 'done', done: 20_000, total: 20_000 });
  });
});

describe('CaptureDownloads', () => {
  it('gives up a save nobody reads, allows a few at once, and one read of a save at a time', async () => {
    const store = filled(20_000, (i) => i);
    const downloads = new CaptureDownloads(labOver(store), { idleMs: 100, waitMs: 1 });
    const ids = Array.from({ length: MAX_SAVES }, () => downloads.start().saveId);
    expect(() => downloads.start()).toThrow(`${MAX_SAVES} saves are already running; wait for one to finish or cancel it`);
    const [a, b] = ids as [string, string];
    const reading = downloads.read(a);
    await expect(downloads.read(a)).rejects.toThrow(`a read of ${a} is already waiting; read one part at a time`);
    await reading;
    downloads.cancel(b);
    await expect(downloads.read(b)).rejects.toThrow(`no save '${b}' is running`);
    // Left unread past idleMs, the others are given up and their room is free again.
    await new Promise((r) => setTimeout(r, 300));
    await expect(downloads.read(a)).rejects.toThrow(`no save '${a}' is running (it finished, failed, was cancelled or sat unread for 0.1 s)`);
    expect(() => downloads.start()).not.toThrow();
    downloads.cancelAll();
  });
});
