// Arena chunks made on a worker thread: they arrive whole and usable, a store filling its arenas takes them
// (and asks for more as it does), and a store whose warmer cannot help still keeps every byte.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { generate } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES, SpareChunks, type ChunkWarmer } from '../../src/core/store/byte-arena.js';
import { CaptureStore } from '../../src/core/store/capture-store.js';
import { chunkWarmer } from '../../src/core/store/warm-chunks.js';
import { lazyRecord } from '../../src/core/tap/lazy-record.js';

const until = async (what: () => boolean, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

function fill(store: CaptureStore, n: number, size: number): Buffer[] {
  const sent: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const bytes = generate({ cmd: 'publish', topic: `w/${i}`, payload: Buffer.alloc(size, i & 0xff), qos: 0, dup: false, retain: false });
    sent.push(bytes);
    store.append(lazyRecord({ time: i, connId: 1, direction: 'toBroker', bytes }, 4));
  }
  return sent;
}

describe('chunk warmer', () => {
  it('hands over chunks of the arena size from its worker, without keeping them shared', async () => {
    const got: Array<Uint8Array | undefined> = [];
    chunkWarmer().warm(2, (c) => got.push(c));
    await until(() => got.length === 2);
    for (const c of got) {
      expect(c).toBeInstanceOf(Uint8Array);
      expect(c!.length).toBe(CHUNK_BYTES);
      expect(c!.buffer).toBeInstanceOf(ArrayBuffer); // transferred, not a SharedArrayBuffer
      c![12345] = 7;
      expect(c![12345]).toBe(7);
    }
  });

  it('a store with the warmer takes warm chunks as its arenas grow, and keeps every byte', async () => {
    const spares = (s: CaptureStore): SpareChunks => (s as unknown as { spares: SpareChunks }).spares;
    const store = new CaptureStore(10_000, { warmer: chunkWarmer() });
    const first = fill(store, 300, 4096); // past one large-arena chunk: its second came from `take()`
    await until(() => spares(store).list.length === 4);
    const more = fill(store, 900, 4096); // three chunks more: the list runs low and is filled again
    const sent = [...first, ...more];
    for (let s = 1; s <= sent.length; s++) expect(Buffer.from(store.bytesOf(s)!).equals(sent[s - 1]!)).toBe(true);
    await until(() => spares(store).list.length === 4);
  });

  it('a reserved store has its budget touched ahead, fills it without asking again, and keeps it when cleared', () => {
    const budget = 8 * CHUNK_BYTES;
    let asked = 0;
    let made = 0;
    const warmer: ChunkWarmer = { warm: (count, got) => { asked += count; for (let i = 0; i < count; i++) { made++; got(new Uint8Array(CHUNK_BYTES)); } } };
    const store = new CaptureStore(100_000, { byteBudget: budget, warmer });
    const spares = (store as unknown as { spares: SpareChunks }).spares;
    store.reserve();
    expect(asked).toBe(8);
    expect(spares.list.length).toBe(8);
    expect(store.arenaBytes).toBe(budget); // reserved memory counts, used or not
    // 4 kB records into half the budget: every chunk the arenas need comes from the reserve, and none is asked
    // for (a growing store keeps four spares: it asks again only once the reserve runs that low).
    const sent = fill(store, Math.floor((3.5 * CHUNK_BYTES) / 4200), 4096);
    expect(made).toBe(8);
    expect(spares.list.length).toBe(4);
    expect(store.arenaBytes).toBeLessThanOrEqual(budget + 4 * CHUNK_BYTES);
    for (let s = 1; s <= sent.length; s++) expect(Buffer.from(store.bytesOf(s)!).equals(sent[s - 1]!)).toBe(true);
    // A clear keeps the memory for what comes next: nothing is touched again.
    const before = store.arenaBytes;
    store.clear();
    expect(store.size).toBe(0);
    expect(store.arenaBytes).toBe(before);
    expect(spares.list.length).toBe(8);
    const again = fill(store, 500, 4096);
    expect(made).toBe(8);
    expect(Buffer.from(store.bytesOf(store.lastSeq!)!).equals(again[again.length - 1]!)).toBe(true);
  });

  it('a small capacity reserves no more than its records could use, and a store without a warmer reserves nothing', () => {
    let asked = 0;
    const warmer: ChunkWarmer = { warm: (count, got) => { asked += count; for (let i = 0; i < count; i++) got(new Uint8Array(CHUNK_BYTES)); } };
    new CaptureStore(1000, { warmer }).reserve();
    expect(asked).toBe(Math.ceil((1000 * 4096) / CHUNK_BYTES));
    const plain = new CaptureStore(1000);
    plain.reserve();
    expect(plain.arenaBytes).toBe(0);
  });

  it('without help from its warmer, the store allocates as it would with none', () => {
    const refusing: ChunkWarmer = { warm: (count, got) => { for (let i = 0; i < count; i++) got(undefined); } };
    const store = new CaptureStore(1000, { warmer: refusing });
    const sent = fill(store, 500, 4096);
    for (let s = 1; s <= sent.length; s++) expect(Buffer.from(store.bytesOf(s)!).equals(sent[s - 1]!)).toBe(true);
  });

  it('a reserve made again after a fork is touched afresh: writing into it does not fault page by page', () => {
    const root = join(import.meta.dirname, '..', '..');
    // In a process of its own, so that its page faults are its own: reserve 16 chunks, start a child (a fork:
    // every page left copy-on-write), renew the reserve or not, then write 14 MB of 4 kB records into it.
    const run = (renew: boolean): number => {
      const script = `import { spawnSync } from 'node:child_process';
        import { generate } from 'mqtt-packet';
        import { CaptureStore } from './src/core/store/capture-store.ts';
        import { chunkWarmer } from './src/core/store/warm-chunks.ts';
        import { lazyRecord } from './src/core/tap/lazy-record.ts';
        const until = async (ok) => { while (!ok()) await new Promise((r) => setTimeout(r, 5)); };
        const store = new CaptureStore(100000, { byteBudget: 16 << 20, warmer: chunkWarmer() });
        const spares = store.spares;
        store.reserve();
        await until(() => spares.pending === 0);
        spawnSync('true');
        if (${renew}) store.renewReserve();
        await until(() => spares.pending === 0);
        const bytes = generate({ cmd: 'publish', topic: 'f/1', payload: Buffer.alloc(4080, 1), qos: 0, dup: false, retain: false });
        const n = 3500;
        const before = process.resourceUsage().minorPageFault;
        for (let i = 0; i < n; i++) store.append(lazyRecord({ time: i, connId: 1, direction: 'toBroker', bytes }, 4));
        console.log((process.resourceUsage().minorPageFault - before) / n);`;
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, timeout: 30_000, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return Number(r.stdout.trim());
    };
    // Without renewing, each 4 kB record's page faults once (this is what the renewal is for)…
    const [plain, renewed] = [run(false), run(true)];
    expect(plain).toBeGreaterThan(0.6);
    // …renewed, the pages were touched on the warmer's thread after the fork.
    expect(renewed).toBeLessThan(0.2);
  }, 60_000);

  it('does not keep a process alive: one that used it exits when its work is done', () => {
    const root = join(import.meta.dirname, '..', '..');
    // A timer holds the process until both chunks came; then nothing should (an unref() placed before the
    // worker's 'message' listener is undone by it, and this process hung).
    const script = `import { chunkWarmer } from './src/core/store/warm-chunks.ts';
      const t = setInterval(() => undefined, 50); let n = 0;
      chunkWarmer().warm(2, (c) => { if (++n === 2) { console.log(c?.length); clearInterval(t); } });`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, timeout: 20_000, encoding: 'utf8' });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    // The worker ran (it is plain CommonJS whatever flags this process has).
    expect(r.stdout.trim()).toBe(String(CHUNK_BYTES));
  }, 30_000);
});
