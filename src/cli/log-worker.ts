// The live log's own thread (log-thread.ts starts it): reads the ring the lab's thread fills and writes the
// lines to the command's standard output itself.
import { writeSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import { lineBatch } from './line-batch.js';
import type { SharedRing } from './log-ring.js';
import { LineSink, serveRing } from './log-reader.js';

const { ring, fd } = workerData as { ring: SharedRing; fd: number };
const pause = new Int32Array(new SharedArrayBuffer(4));

/** Every byte, whatever the descriptor's mode: a pipe that libuv made non-blocking answers EAGAIN when full. */
function writeAll(bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length;) {
    try {
      at += writeSync(fd, bytes, at, bytes.length - at);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

serveRing(ring, new LineSink(lineBatch(writeAll), writeAll));
