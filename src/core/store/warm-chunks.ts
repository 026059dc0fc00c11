// Arena chunks whose memory is already touched, made on a worker thread (Node only; the page's store goes
// without). On this kind of virtual machine the first touch of fresh memory costs about 15 µs per 4 kB page
// (a 1 MiB chunk about 4 ms), and a capture filling its first 128 MB of 4 kB messages paid that on the
// relay's thread, once per message and direction (bench/tap-profile: ByteArena.put). The worker allocates
// an ArrayBuffer, writes one byte per page, and transfers it: a transfer moves the memory to this thread
// without a copy, pages and all.
import { Worker } from 'node:worker_threads';
import { CHUNK_BYTES, type ChunkWarmer } from './byte-arena.js';

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, bytes }) => {
  const buffer = new ArrayBuffer(bytes);
  const view = new Uint8Array(buffer);
  for (let i = 0; i < bytes; i += 4096) view[i] = 0;
  parentPort.postMessage({ id, buffer }, [buffer]);
});
`;

/** One worker for the whole process, started when first asked, never keeping the process alive. */
class WorkerWarmer implements ChunkWarmer {
  private worker: Worker | undefined;
  private failed = false;
  private nextId = 0;
  private readonly waiting = new Map<number, (chunk: Uint8Array | undefined) => void>();

  warm(count: number, got: (chunk: Uint8Array | undefined) => void): void {
    const w = this.start();
    for (let i = 0; i < count; i++) {
      if (w === undefined) {
        got(undefined);
        continue;
      }
      const id = this.nextId++;
      this.waiting.set(id, got);
      w.postMessage({ id, bytes: CHUNK_BYTES });
    }
  }

  private start(): Worker | undefined {
    if (this.worker !== undefined || this.failed) return this.worker;
    try {
      // Plain CommonJS, none of the parent's flags (a loader or --input-type would change how it is read).
      const w = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
      w.on('message', ({ id, buffer }: { id: number; buffer: ArrayBuffer }) => {
        const got = this.waiting.get(id);
        this.waiting.delete(id);
        got?.(new Uint8Array(buffer));
      });
      // Without the worker the arenas allocate as they would without a warmer: slower, never wrong.
      const fail = (): void => {
        this.failed = true;
        this.worker = undefined;
        for (const got of this.waiting.values()) got(undefined);
        this.waiting.clear();
      };
      w.on('error', fail);
      w.on('exit', fail);
      // After the listeners: adding a 'message' listener refs the worker again, and the process would not exit.
      w.unref();
      this.worker = w;
    } catch {
      this.failed = true;
    }
    return this.worker;
  }
}

let shared: WorkerWarmer | undefined;

/** The process's chunk warmer (one worker thread, started on first use). */
export function chunkWarmer(): ChunkWarmer {
  shared ??= new WorkerWarmer();
  return shared;
}
