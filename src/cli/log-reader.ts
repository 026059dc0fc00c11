// The reading side of the live log's ring (log-ring.ts): the lines made from its entries, and the loop the
// log's thread runs (log-worker.ts). The lab's thread runs the same sink when it has to read the ring itself
// (log-thread.ts), so a line reads the same whichever thread made it.
import type { Direction } from '../shared/lab.js';
import type { MqttVersion } from '../shared/packet.js';
import { plainLineSummary } from '../core/lab/line-summary.js';
import { LINE_CHUNK, type LineBatch } from './line-batch.js';
import { CLOSING, DEAD, FLUSH_ASKED, FLUSHED, READ, readRing, RUNNING, SLEEPING, STARTING, STATE, WAKE, WRITE, type LogSink, type SharedRing } from './log-ring.js';
import { writePacketLine } from './packet-line.js';

/** Lines for the entries, into `lines`; `write` takes a piece of text too long for a batch, after a flush. */
export class LineSink implements LogSink {
  /** Client ids by connection, as the lab's thread last sent them. */
  private readonly clients = new Map<number, string>();

  constructor(private readonly lines: LineBatch, private readonly write: (bytes: Uint8Array) => void) {}

  text(bytes: Uint8Array, newline: boolean): void {
    const n = bytes.length + (newline ? 1 : 0);
    if (n > LINE_CHUNK) {
      this.lines.flush();
      // A copy: the bytes are the ring's, and the writer may keep what it is given.
      this.write(newline ? Buffer.concat([bytes, NEWLINE]) : Buffer.from(bytes));
      return;
    }
    this.lines.outInto(n, (chunk, at) => {
      chunk.set(bytes, at);
      at += bytes.length;
      if (newline) chunk[at++] = 10;
      return at;
    });
  }

  packet(time: number, connId: number, direction: Direction, version: MqttVersion, bytes: Uint8Array, length: number): void {
    writePacketLine(this.lines, { time, connId, direction, clientId: this.clients.get(connId), summary: plainLineSummary(bytes, version, length) });
  }

  client(connId: number, clientId: string | undefined): void {
    if (clientId === undefined) this.clients.delete(connId);
    else this.clients.set(connId, clientId);
  }

  flush(): void {
    this.lines.flush();
  }
}

const NEWLINE = Buffer.from('\n');

/** While lines keep coming the reader looks every POLL_MS (no wake-up call per write); after IDLE_MS it sleeps. */
const POLL_MS = 2;
const IDLE_MS = 1000;

/**
 * The log thread's loop: reads the ring until the writer closes it, writing out what it read each time it
 * has caught up. Returns at once when the writer has given up on it (it started too late to take over).
 */
export function serveRing(ring: SharedRing, sink: LineSink): void {
  const ctl = new Int32Array(ring.control);
  if (Atomics.compareExchange(ctl, STATE, STARTING, RUNNING) !== STARTING) return;
  try {
    let lastRead = performance.now();
    for (;;) {
      // Asked before reading: every entry written before the request is read in this pass.
      const asked = Atomics.load(ctl, FLUSH_ASKED);
      const closing = Atomics.load(ctl, CLOSING) === 1;
      const now = performance.now();
      if (readRing(ring, sink) > 0) lastRead = now;
      sink.flush();
      if (asked !== Atomics.load(ctl, FLUSHED)) {
        Atomics.store(ctl, FLUSHED, asked);
        Atomics.notify(ctl, FLUSHED);
      }
      if (closing) return;
      const seen = Atomics.load(ctl, WAKE);
      const idle = now - lastRead >= IDLE_MS;
      if (idle) Atomics.store(ctl, SLEEPING, 1);
      // Checked after SLEEPING is set: a writer that stored before it saw SLEEPING is seen here.
      const nothing = Atomics.load(ctl, WRITE) === Atomics.load(ctl, READ) && Atomics.load(ctl, FLUSH_ASKED) === asked && Atomics.load(ctl, CLOSING) === 0;
      if (nothing) Atomics.wait(ctl, WAKE, seen, idle ? undefined : POLL_MS);
      if (idle) Atomics.store(ctl, SLEEPING, 0);
    }
  } finally {
    Atomics.store(ctl, STATE, DEAD);
    Atomics.notify(ctl, FLUSHED);
  }
}
