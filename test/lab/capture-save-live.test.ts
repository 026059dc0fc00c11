// Saving a big capture must not stop the class: while 200,000 real packets are saved, the tap keeps relaying
// a live publisher's messages to a subscriber, and the file still holds exactly the capture as it was when
// the save started. A clear during the save fails it with a message; a cancel leaves no file behind.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import mqtt from 'mqtt';
import { afterEach, expect, it, vi } from 'vitest';
import type { Lab } from '../../src/core/lab/index.js';
import { saveCaptureToFile } from '../../src/core/lab/save-to-file.js';
import type { SaveProgress } from '../../src/shared/api.js';
import { cleanup, onCleanup, startLab } from './support/lab-rig.js';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 60_000 });

afterEach(cleanup);

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function tmp(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mqtt-lab-save-'));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The whole file of a save, read part by part as the page reads it. */
async function readSave(lab: Lab, saveId: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (;;) {
    const part = await lab.api.call('capture.saveRead', { saveId });
    if (part.done) return Buffer.concat(parts);
    parts.push(Buffer.from(part.chunk, 'base64'));
  }
}

/**
 * `n` real packets through the tap: QoS 0 PUBLISHes from four mqtt.js clients (and their CONNECT/CONNACK/DISCONNECT);
 * `payload` instead of a few bytes of JSON.
 */
async function fill(lab: Lab, n: number, payload?: Buffer): Promise<void> {
  const { host, port } = lab.tapAddress;
  const before = (await lab.api.call('lab.status', {})).packets.lastSeq ?? 0;
  const clients = await Promise.all([0, 1, 2, 3].map((i) => mqtt.connectAsync(`mqtt://${host}:${port}`, { clientId: `fill-${i}` })));
  for (let i = 0; i < n - 12; i += 2000) {
    const sends: Array<Promise<unknown>> = [];
    for (let j = i; j < Math.min(n - 12, i + 2000); j++) sends.push(clients[j % 4]!.publishAsync(`home/room${j % 4}/temp`, payload ?? `{"t":${20 + (j % 9)}}`, { qos: 0 }));
    await Promise.all(sends);
  }
  await Promise.all(clients.map((c) => c.endAsync()));
  // The tap records each packet as it passes; wait until the last DISCONNECT is in.
  for (const t0 = Date.now(); ((await lab.api.call('lab.status', {})).packets.lastSeq ?? 0) - before < n; ) {
    if (Date.now() - t0 > 20_000) throw new Error('the fill did not arrive whole');
    await new Promise((r) => setTimeout(r, 50));
  }
  // ...and until the tap has seen the connections end (the file closes each with a FIN at that time).
  for (const t0 = Date.now(); (await lab.api.call('connections.list', {})).some((c) => c.clientId?.startsWith('fill-') && c.state !== 'closed'); ) {
    if (Date.now() - t0 > 20_000) throw new Error('the fill clients did not close');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A publisher and a subscriber through the tap, QoS 1 every few ms, until stopped; counts what arrives. */
async function liveClass(lab: Lab): Promise<{ start: () => void; received: () => number; stop: () => Promise<number> }> {
  const { host, port } = lab.tapAddress;
  const sub = await mqtt.connectAsync(`mqtt://${host}:${port}`, { clientId: 'live-sub' });
  const pub = await mqtt.connectAsync(`mqtt://${host}:${port}`, { clientId: 'live-pub' });
  await sub.subscribeAsync('live/#', { qos: 1 });
  let received = 0;
  sub.on('message', () => received++);
  let sent = 0;
  let on = true;
  let loop: Promise<void> = Promise.resolve();
  return {
    start: () => {
      loop = (async () => {
        while (on) {
          await pub.publishAsync('live/reading', String(sent++), { qos: 1 });
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
    },
    received: () => received,
    stop: async () => {
      on = false;
      await loop;
      await Promise.all([pub.endAsync(), sub.endAsync()]);
      return sent;
    },
  };
}

it('a 200,000-packet save keeps the tap relaying, and the file is the capture as it was when the save began', async () => {
  const lab = await startLab();
  await fill(lab, 200_000);
  const live = await liveClass(lab);
  // Nothing moves now: this is the capture the save must write, made by the same lab with nothing arriving.
  const expected = sha(Buffer.from((await lab.api.call('capture.save', {})).pcapng, 'base64'));
  const snapshotLast = (await lab.api.call('lab.status', {})).packets.lastSeq!;
  // The class publishes from the moment the save has started.
  const api: Pick<Lab['api'], 'call'> = {
    call: (async (method: string, params: unknown) => {
      const r = await lab.api.call(method as never, params as never);
      if (method === 'capture.saveStart') live.start();
      return r;
    }) as Lab['api']['call'],
  };
  const dir = await tmp();
  const file = join(dir, 'class.pcapng');
  const seen: SaveProgress[] = [];
  const eld = monitorEventLoopDelay({ resolution: 5 });
  const t0 = performance.now();
  const atStart = live.received();
  // Turns of the event loop during the save: a save in one go gives none.
  let turns = 0;
  const ticker = setInterval(() => turns++, 1);
  eld.enable();
  const final = await saveCaptureToFile(api, file, { onProgress: (p) => seen.push(p) });
  eld.disable();
  clearInterval(ticker);
  const saveMs = performance.now() - t0;
  const relayed = live.received() - atStart;
  const sent = await live.stop();
  const longest = eld.max / 1e6;
  const median = eld.percentile(50) / 1e6;
  console.log(`save of 200k packets: ${saveMs.toFixed(0)} ms, longest event-loop block ${longest.toFixed(1)} ms (median ${median.toFixed(1)} ms), ${turns} turns of the loop, ${relayed} live messages relayed during it`);

  expect(sha(readFileSync(file))).toBe(expected);
  expect(await readdir(dir)).toEqual(['class.pcapng']);
  // Progress went from reading the records to writing the packets, and ended whole.
  expect(seen.some((p) => p.phase === 'writing' && p.done > 0 && p.done < p.total)).toBe(true);
  expect(final).toMatchObject({ phase: 'done' });
  expect(final.done).toBe(final.total);
  // The class went on: messages were relayed while the file was written, and they are in the capture.
  expect(relayed).toBeGreaterThan(Math.min(20, saveMs / 50));
  const during = await lab.api.call('packets.query', { afterSeq: snapshotLast, type: 'PUBLISH', topic: 'live/reading', direction: 'toBroker', limit: 100_000 });
  expect(during.length).toBeGreaterThanOrEqual(Math.min(sent - 1, relayed));
  // The loop turned all through the save: on average at least every 20 ms, a typical delay well under 50 ms,
  // and no block near the save's length (in one go the file took ~800 ms of one block, most of the save).
  // The longest block itself is a bench figure (bench/capture-save): on a loaded shared machine a starved
  // GC thread alone can hold the loop for 100 ms or more, slower saves there take longer too.
  expect(turns).toBeGreaterThan(saveMs / 20);
  expect(median).toBeLessThan(50);
  expect(longest).toBeLessThan(saveMs / 4);
});

it('a clear during a save fails the save with a message and leaves no file; the next save works', async () => {
  const lab = await startLab();
  await fill(lab, 60_000);
  const dir = await tmp();
  const file = join(dir, 'cleared.pcapng');
  let cleared = false;
  const saving = saveCaptureToFile(lab.api, file, {
    onProgress: (p) => {
      if (!cleared && p.phase === 'writing' && p.done > 0) {
        cleared = true;
        void lab.api.call('packets.clear', {});
      }
    },
  });
  await expect(saving).rejects.toThrow('The capture was cleared while it was being saved, so the file could not be finished. Save again.');
  expect(cleared).toBe(true);
  expect(await readdir(dir)).toEqual([]);
  // The lab is not stuck: a save of the (empty) capture goes through.
  await saveCaptureToFile(lab.api, file);
  expect(existsSync(file)).toBe(true);
});

it('a cancelled save leaves no file and is gone from the lab', async () => {
  const lab = await startLab();
  await fill(lab, 60_000);
  const dir = await tmp();
  const stop = new AbortController();
  let id: string | undefined;
  const api = {
    call: (async (method: string, params: unknown) => {
      const r = await lab.api.call(method as never, params as never);
      if (method === 'capture.saveStart') id = (r as { saveId: string }).saveId;
      return r;
    }) as Lab['api']['call'],
  };
  const saving = saveCaptureToFile(api, join(dir, 'cancelled.pcapng'), { signal: stop.signal, onProgress: (p) => p.phase === 'writing' && p.done > 0 && stop.abort() });
  await expect(saving).rejects.toThrow('The save was cancelled.');
  expect(await readdir(dir)).toEqual([]);
  await expect(lab.api.call('capture.saveRead', { saveId: id! })).rejects.toThrow(`no save '${id}' is running`);
});

it('records a full store pushes out during a save are still saved', async () => {
  const lab = await startLab({ capacity: 3000 });
  await fill(lab, 3200);
  const expected = sha(Buffer.from((await lab.api.call('capture.save', {})).pcapng, 'base64'));
  const { saveId } = await lab.api.call('capture.saveStart', {});
  // 1,200 new packets push out the 1,200 oldest of the save's 3,000 before it has read a single one.
  const before = (await lab.api.call('lab.status', {})).packets.firstSeq!;
  await fill(lab, 1200);
  expect((await lab.api.call('lab.status', {})).packets.firstSeq).toBe(before + 1200);
  expect(sha(await readSave(lab, saveId))).toBe(expected);
});

it('records pushed out during a save are saved as they were, though the store fills their memory again', async () => {
  // 4 kB packets: the 1,200 pushed out free whole arena chunks, which the store fills again with the new
  // ones while the save still has to write the old.
  const lab = await startLab({ capacity: 3000 });
  const payload = (k: number): Buffer => Buffer.alloc(4000, 0x41 + k);
  await fill(lab, 3200, payload(0));
  const expected = sha(Buffer.from((await lab.api.call('capture.save', {})).pcapng, 'base64'));
  const { saveId } = await lab.api.call('capture.saveStart', {});
  await fill(lab, 1200, payload(1));
  expect(sha(await readSave(lab, saveId))).toBe(expected);
});
