// Stream ends whose peers run in another thread, many of them over one message port: the embedded broker
// runs in a worker thread (aedes-thread.ts), so that aedes and the tap each have a core, and the tap still
// hands it each connection as a stream of its own, with no socket between them (issue 12).
//
// The ends keep what stream-pair.ts keeps of TCP, because the tap and aedes rely on it: bytes in order and
// never inside the writer's own call; end() is a FIN read after the data; destroy() is a closed socket (the
// peer reads what was sent, then the end, and what it writes afterwards vanishes); a writer waits once the
// peer has not taken a window's worth, so write() returns false and 'drain' follows as a socket's would.
//
// What one turn of the event loop wrote, on every end, goes over as one message: one buffer of all the bytes
// (transferred, not copied again) and a list of operations in the order they happened. Posting per write
// cost more than the socket hops it saves (a message is a few microseconds; aedes writes a packet in pieces).
import { Duplex } from 'node:stream';

/** The side of a MessagePort, a Worker or a worker's parentPort that is used here. */
export interface PortLike {
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
}

/** One turn's worth of operations, as posted. `ops` is flat: code, end id, then the code's arguments. */
export interface PortBatch {
  ops: number[];
  /** The bytes of every DATA operation, one after another. */
  bytes?: ArrayBuffer;
  /** Messages for the port's owner (broker events, commands), taken in order before the operations. */
  notes?: unknown[];
}

const OPEN = 1; // id
const DATA = 2; // id, byte length (the bytes follow the previous DATA's in `bytes`)
const ACK = 3; // id, bytes the reader has taken
const END = 4; // id: the writer's FIN
const GONE = 5; // id: the writer's end was destroyed

/** Bytes sent and not yet taken by the peer's reader, past which a writer waits. */
const WINDOW = 256 * 1024;
/** A turn that writes more than this goes over in several messages, so that no buffer is huge. */
const BATCH_BYTES = 64 * 1024;

export class PortStreams {
  private readonly ends = new Map<number, PortEnd>();
  private nextId = 1;
  private ops: number[] = [];
  private chunks: Uint8Array[] = [];
  private size = 0;
  private notes: unknown[] = [];
  private scheduled = false;
  private closed = false;
  /** Where in `ops` the last DATA operation starts, -1 before any (operations differ in length). */
  private lastData = -1;

  /** `accept`: an end the peer opened (the worker's side hands it to aedes). */
  constructor(private readonly port: PortLike, private readonly accept: (end: Duplex) => void = () => undefined) {}

  /** A new connection: this end, and an end on the other side that the peer's `accept` gets. */
  open(): Duplex {
    const id = this.nextId++;
    const end = new PortEnd(this, id);
    this.ends.set(id, end);
    this.op(OPEN, id);
    return end;
  }

  /** A message for the other side's owner, after everything written before it. */
  note(message: unknown): void {
    this.notes.push(message);
    this.schedule();
  }

  /**
   * Takes a batch the peer posted. Its notes go to `note` first: in one thread, what a turn did (a broker
   * event, new users) takes effect at once, and the bytes it wrote arrive the turn after.
   */
  receive(batch: PortBatch, note: (message: unknown) => void): void {
    if (batch.notes !== undefined) for (const n of batch.notes) note(n);
    const { ops, bytes } = batch;
    let at = 0;
    for (let i = 0; i < ops.length;) {
      const code = ops[i++]!;
      const id = ops[i++]!;
      switch (code) {
        case OPEN: {
          const end = new PortEnd(this, id);
          this.ends.set(id, end);
          this.accept(end);
          break;
        }
        case DATA: {
          const n = ops[i++]!;
          this.ends.get(id)?.arrived(Buffer.from(bytes!, at, n));
          at += n;
          break;
        }
        case ACK: {
          // Read before the end is looked up: an end gone meanwhile must not skip its argument.
          const n = ops[i++]!;
          this.ends.get(id)?.taken(n);
          break;
        }
        case END:
          this.ends.get(id)?.peerEnded();
          break;
        case GONE:
          this.ends.get(id)?.peerGone();
          break;
      }
    }
  }

  /** The other side is gone (the worker stopped or failed): every end sees its peer close. */
  close(): void {
    this.closed = true;
    for (const end of this.ends.values()) end.peerGone();
    this.ends.clear();
  }

  forget(id: number): void {
    this.ends.delete(id);
  }

  op(code: number, id: number, arg?: number): void {
    if (this.closed) return;
    this.ops.push(code, id);
    if (arg !== undefined) this.ops.push(arg);
    this.schedule();
  }

  data(id: number, chunk: Uint8Array): void {
    if (this.closed || chunk.length === 0) return;
    // A large packet goes in pieces of a batch, as a socket delivers it in reads: buffers of one size are
    // reused by the allocator. A buffer of a megabyte each left the process's resident memory higher after
    // 200 MB of them (test/lab/memory-bound: +245 to +263 MB, against +234 to +240 in pieces).
    for (let at = BATCH_BYTES - this.size; chunk.length > at && at > 0; at = BATCH_BYTES) {
      this.add(id, chunk.subarray(0, at));
      chunk = chunk.subarray(at);
    }
    this.add(id, chunk);
  }

  private add(id: number, chunk: Uint8Array): void {
    const ops = this.ops;
    // Consecutive writes on one end go as one read, as a socket's reader finds them together.
    if (this.lastData >= 0 && this.lastData === ops.length - 3 && ops[this.lastData + 1] === id) ops[this.lastData + 2] += chunk.length;
    else {
      this.lastData = ops.length;
      ops.push(DATA, id, chunk.length);
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.size >= BATCH_BYTES) this.flush();
    else this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // The next turn, as a socket's bytes arrive: everything this turn writes goes together.
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    if (this.ops.length === 0 && this.notes.length === 0) return;
    const batch: PortBatch = { ops: this.ops };
    if (this.notes.length > 0) batch.notes = this.notes;
    const transfer: ArrayBuffer[] = [];
    if (this.size > 0) {
      // Not pooled, and not zeroed: every byte is written below, and the buffer is handed over whole.
      const all = Buffer.allocUnsafeSlow(this.size);
      let at = 0;
      for (const c of this.chunks) {
        all.set(c, at);
        at += c.length;
      }
      batch.bytes = all.buffer as ArrayBuffer;
      transfer.push(batch.bytes);
    }
    this.ops = [];
    this.lastData = -1;
    this.notes = [];
    this.chunks = [];
    this.size = 0;
    if (!this.closed) this.port.postMessage(batch, transfer);
  }
}

class PortEnd extends Duplex {
  /** Bytes written and not yet taken by the peer's reader. */
  private inflight = 0;
  private held: (() => void) | null = null;
  /** Bytes pushed to this end's reader that the peer has not yet been told of. */
  private unacked = 0;
  private readerFull = false;
  /** The peer's FIN (or its end's destruction) has been pushed: nothing more is read. */
  private eof = false;
  /** The peer's end is destroyed: what this end writes vanishes. */
  private peerDestroyed = false;

  constructor(private readonly streams: PortStreams, private readonly id: number) {
    super({ allowHalfOpen: false });
  }

  override _read(): void {
    this.readerFull = false;
    this.ack();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    this.send(chunk);
    this.accepted(done);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, done: (error?: Error | null) => void): void {
    for (const c of chunks) this.send(c.chunk);
    this.accepted(done);
  }

  override _final(done: (error?: Error | null) => void): void {
    this.streams.op(END, this.id);
    done();
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.streams.op(GONE, this.id);
    this.streams.forget(this.id);
    this.release();
    done(error);
  }

  private send(chunk: Uint8Array): void {
    if (this.peerDestroyed) return;
    this.inflight += chunk.length;
    this.streams.data(this.id, chunk);
  }

  private accepted(done: () => void): void {
    if (this.inflight > WINDOW && !this.peerDestroyed) this.held = done;
    else done();
  }

  private release(): void {
    const h = this.held;
    if (h === null) return;
    this.held = null;
    h();
  }

  /** Bytes from the peer. */
  arrived(bytes: Buffer): void {
    if (this.eof || this.destroyed) return;
    this.unacked += bytes.length;
    if (!this.push(bytes)) this.readerFull = true;
    else this.ack();
  }

  /** The reader has room: the peer may send as much again. */
  private ack(): void {
    if (this.readerFull || this.unacked === 0 || this.peerDestroyed) return;
    this.streams.op(ACK, this.id, this.unacked);
    this.unacked = 0;
  }

  /** The peer's reader took `n` bytes. */
  taken(n: number): void {
    this.inflight -= n;
    if (this.inflight <= WINDOW) this.release();
  }

  peerEnded(): void {
    if (this.eof || this.destroyed) return;
    this.eof = true;
    this.push(null);
  }

  peerGone(): void {
    this.peerDestroyed = true;
    this.release();
    this.peerEnded();
  }
}
