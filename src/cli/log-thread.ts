// The live log of `mqtt-lab broker`: every packet's line, made on a thread of its own where a core is to
// spare, so that the lab's thread only copies the packet's facts and first bytes into a shared ring
// (log-ring.ts). With the embedded broker, the lab's thread spent 10 to 15 % less per message, and QoS 1 at
// 64 B went from 0.81 to 0.94 of aedes alone (issue 12). Every line goes the same way, in order: the
// packets', the connections', the command's own. Where the log's thread cannot start or stops, this thread
// reads what is left in the ring and goes on making the lines itself.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { lineBytes } from '../core/lab/line-summary.js';
import type { LineFacts, LineSource } from '../core/lab/wire.js';
import type { LineBatch } from './line-batch.js';
import { ABANDONED, CLOSING, DEAD, FLUSH_ASKED, FLUSHED, READ, readRing, RingWriter, RUNNING, sharedRing, STARTING, STATE, WRITER_WAITS, type SharedRing } from './log-ring.js';
import { LineSink } from './log-reader.js';
import { packetLine, writePacketLine } from './packet-line.js';

/** Where a packet's line comes from (the Lab). */
export interface LineSources {
  /** Its bytes and facts, when the line can be made from them alone. */
  lineSource(seq: number): LineSource | undefined;
  /** The line's facts, made here; undefined once the packet is gone. */
  lineAt(seq: number): LineFacts | undefined;
}

export interface LiveLog {
  out(line: string): void;
  /** The line of the live packet `seq`. */
  packet(seq: number, from: LineSources): void;
  /** Writes every line given so far before it returns (before a message on stderr, at the end). */
  flush(): void;
  /** Flushes, and ends the log's thread. */
  close(): void;
}

/**
 * The log's thread pays where the lab's own thread is the busy one and a second core is free for the lines:
 * with the broker embedded in the lab's process. In front of a broker process of its own (`--broker
 * mosquitto`, `--upstream`), the lab's thread mostly waits on round trips, and on two cores that broker and
 * the clients need the second one: there the thread cost 0.08 to 0.12 of the rate (QoS 2 and 4 kB, 7
 * alternating rounds), so the lines are made in the lab's thread, in the time it would wait anyway.
 */
export function logThreadPays(cores: number, brokerInProcess: boolean): boolean {
  return brokerInProcess && cores >= 2;
}

/** The log in this thread: lines encoded into `lines` as packets go by. */
export function liveLogHere(lines: LineBatch): LiveLog {
  return {
    out: (line) => lines.out(line),
    packet(seq, from) {
      const facts = from.lineAt(seq);
      if (facts !== undefined) writePacketLine(lines, facts);
    },
    flush: () => lines.flush(),
    close: () => lines.flush(),
  };
}

const WORKER = new URL('./log-worker-boot.mjs', import.meta.url);
/** Room for about 8 MB of packets: some 2000 of 4 kB, a hundred thousand small ones. */
const RING_BYTES = 8 * 1024 * 1024;
/** How long a full ring waits for a log thread that has not started yet before this thread reads it itself. */
const START_MS = 10_000;
const WAIT_MS = 50;

export interface ThreadedLogOptions {
  /** The file descriptor the log's thread writes to (standard output). */
  fd: number;
  /** The lines this thread makes when it reads the ring itself; they must go to the same place. */
  here: LineBatch;
  /** Writes bytes there at once (a line longer than a batch). */
  write: (bytes: Uint8Array) => void;
  /** The log thread's module (tests start one that fails). */
  entry?: URL;
  ringBytes?: number;
}

export class ThreadedLog implements LiveLog {
  private readonly ring: SharedRing;
  private readonly writer: RingWriter;
  private readonly ctl: Int32Array;
  private readonly born = performance.now();
  /** Set once this thread reads the ring itself: everything goes there from then on. */
  private here: LiveLog | null = null;
  /** The client id last sent for each connection. */
  private readonly sent = new Map<number, string | undefined>();
  private asked = 0;
  private closed = false;

  constructor(private readonly opts: ThreadedLogOptions) {
    this.ring = sharedRing(opts.ringBytes ?? RING_BYTES);
    this.writer = new RingWriter(this.ring, (readAt) => this.stalled(readAt));
    this.ctl = this.writer.ctl;
    const worker = new Worker(opts.entry ?? WORKER, { workerData: { ring: this.ring, fd: opts.fd } });
    // The command decides when to stop; close() has everything written by then.
    worker.unref();
    worker.on('error', (e) => {
      // The reader of standard output went away (`| head`): as main.ts does, that ends the command quietly.
      if ((e as NodeJS.ErrnoException).code === 'EPIPE') process.exit(0);
      this.takeOver();
    });
    worker.on('exit', () => {
      if (!this.closed) this.takeOver();
    });
  }

  /** Whether the log's thread is reading the ring. */
  get running(): boolean {
    return Atomics.load(this.ctl, STATE) === RUNNING;
  }

  /** Whether this thread makes the lines now (the log's thread never started or stopped). */
  get inThisThread(): boolean {
    return this.here !== null;
  }

  out(line: string): void {
    if (this.here !== null) return this.here.out(line);
    const done = this.writer.text(line);
    if (done < line.length) this.takeOver().out(line.slice(done));
  }

  packet(seq: number, from: LineSources): void {
    if (this.here !== null) return this.here.packet(seq, from);
    const src = from.lineSource(seq);
    const bytes = src === undefined ? undefined : lineBytes(src.bytes, src.version);
    if (src === undefined || bytes === undefined || bytes.length > this.writer.maxPacket) {
      // A fault, a finding, a tree of the tap's, or more bytes than an entry takes: its line is made here.
      const facts = from.lineAt(seq);
      if (facts !== undefined) this.out(packetLine(facts));
      return;
    }
    if (this.sent.get(src.connId) !== src.clientId) {
      if (!this.writer.client(src.connId, src.clientId)) return this.takeOver().packet(seq, from);
      this.sent.set(src.connId, src.clientId);
    }
    if (!this.writer.packet(src.time, src.connId, src.direction, src.version, bytes, src.bytes.length)) this.takeOver().packet(seq, from);
  }

  flush(): void {
    if (this.here !== null) return this.here.flush();
    // A thread still starting has nothing written yet: this thread writes the lines (an early error, a quick end).
    if (Atomics.compareExchange(this.ctl, STATE, STARTING, ABANDONED) === STARTING) return this.takeOver().flush();
    const asked = ++this.asked;
    Atomics.store(this.ctl, FLUSH_ASKED, asked);
    this.writer.wake();
    for (;;) {
      const flushed = Atomics.load(this.ctl, FLUSHED);
      if (flushed === asked) return;
      if (Atomics.load(this.ctl, STATE) === DEAD) return this.takeOver().flush();
      Atomics.wait(this.ctl, FLUSHED, flushed, WAIT_MS);
    }
  }

  close(): void {
    this.flush();
    this.closed = true;
    if (this.here !== null) return;
    Atomics.store(this.ctl, CLOSING, 1);
    this.writer.wake();
  }

  /** The ring is full: waits a moment for the log's thread, unless it is gone or never started. */
  private stalled(readAt: number): boolean {
    const state = Atomics.load(this.ctl, STATE);
    if (state === DEAD || state === ABANDONED) return false;
    if (state === STARTING && performance.now() - this.born > START_MS && Atomics.compareExchange(this.ctl, STATE, STARTING, ABANDONED) === STARTING) return false;
    Atomics.store(this.ctl, WRITER_WAITS, 1);
    this.writer.wake();
    // Woken as soon as the reader moves on (a READ already moved returns at once).
    Atomics.wait(this.ctl, READ, readAt, WAIT_MS);
    Atomics.store(this.ctl, WRITER_WAITS, 0);
    return true;
  }

  /** From now on this thread makes the lines, starting with what the log's thread left in the ring. */
  private takeOver(): LiveLog {
    if (this.here !== null) return this.here;
    // Only a thread that is gone, or that will not start now (a starting one is told so here), leaves the
    // ring to this one.
    if (Atomics.compareExchange(this.ctl, STATE, STARTING, ABANDONED) === RUNNING) {
      throw new Error('the live log thread is running: this thread cannot take its ring');
    }
    const sink = new LineSink(this.opts.here, this.opts.write);
    // Ids the thread read already are not in the ring any more (at worst a packet of a connection's first
    // moments shows its id a line early, only after the thread failed).
    for (const [connId, clientId] of this.sent) sink.client(connId, clientId);
    readRing(this.ring, sink);
    sink.flush();
    this.here = liveLogHere(this.opts.here);
    return this.here;
  }
}

/** The live log for `mqtt-lab broker`: on its own thread where that pays (logThreadPays), else in this one. */
export function liveLog(here: LineBatch, write: (bytes: Uint8Array) => void, brokerInProcess: boolean): LiveLog {
  if (!logThreadPays(availableParallelism(), brokerInProcess)) return liveLogHere(here);
  here.flush();
  return new ThreadedLog({ fd: 1, here, write });
}
