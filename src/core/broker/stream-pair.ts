// Two connected in-memory stream ends that behave like the two ends of a loopback TCP connection, so the tap
// can hand the embedded broker a connection without two trips through the kernel per packet.
//
// What they keep of TCP, because the tap and aedes rely on it:
//  - bytes arrive in order and later, never inside the writer's own call (the next turn of the event
//    loop, as with a socket), so neither side re-enters the other; what one turn wrote arrives together,
//    in reads of about 64 kB when it is more;
//  - end() is a FIN: the peer reads to the end, then sees 'end', and (allowHalfOpen false, the default of
//    net sockets) ends its own side in turn;
//  - destroy() is a closed socket: the peer sees 'end' after whatever it had already received;
//  - backpressure: a write waits until the peer has read the previous one past its buffer, so write()
//    returns false and 'drain' follows exactly when a socket's would.
// Bytes written towards an end that is already destroyed vanish, as they would into a closed socket.
import { Duplex } from 'node:stream';

class PipeEnd extends Duplex {
  peer!: PipeEnd;
  /**
   * Bytes written and not yet handed to the peer. Everything written in one turn of the event loop goes
   * over together (see joined()), as a socket's reader finds several packets in one read: aedes writes each packet
   * on its own, and handing them over one by one cost the tap more per packet than the sockets it saved.
   */
  private outbox: Buffer[] = [];
  /** Bytes in the outbox. */
  private waiting = 0;
  private flushing = false;
  /** The peer's read buffer is past its mark: the next write waits (held) until the peer reads. */
  private peerFull = false;
  private held: (() => void) | null = null;
  /** The peer's FIN (or close) has been pushed into this end: nothing more may follow it. */
  private eof = false;

  constructor() {
    super({ allowHalfOpen: false });
  }

  override _read(): void {
    this.peer.releaseHeld();
  }

  /**
   * A reader that took everything buffered lets the next read come (flush() holds it back while the reader
   * has one). Not left to _read(): Readable does not call it again while an earlier call has had no push.
   */
  override read(size?: number): Buffer | null {
    const got = super.read(size) as Buffer | null;
    if (this.readableLength === 0) this.peer.releaseHeld();
    return got;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    this.outbox.push(chunk);
    this.waiting += chunk.length;
    this.accepted(done);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, done: (error?: Error | null) => void): void {
    for (const c of chunks) {
      this.outbox.push(c.chunk);
      this.waiting += c.chunk.length;
    }
    this.accepted(done);
  }

  override _final(done: (error?: Error | null) => void): void {
    // Queued behind the flush of what was written before, so the FIN follows the data.
    setImmediate(() => {
      this.flush(true);
      this.peer.pushEof();
      done();
    });
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    // A writer waiting on this end's reading would otherwise wait forever.
    this.peer.releaseHeld();
    this.releaseHeld();
    // What was written before still arrives (a closed socket's kernel buffer is still sent), then the end.
    setImmediate(() => {
      this.flush(true);
      this.peer.pushEof();
    });
    done(error);
  }

  /** A write is taken into the outbox; it completes at once unless the peer is not keeping up. */
  private accepted(done: () => void): void {
    if (!this.flushing) {
      this.flushing = true;
      // The next turn, as a socket's bytes arrive: never inside the writer's own call.
      setImmediate(() => this.flush());
    }
    // Past a read's worth waiting for a reader that has not taken the last one, the writer waits too. Not
    // for a reader that takes each read as it comes (the tap's 'data'): aedes writing to it waited for
    // 'drain' every 64 kB, a listener per packet (bench/tap-profile: waitForDrain).
    if (this.peerFull || (this.waiting >= READ_BYTES && this.peer.readableLength > 0)) this.held = done;
    else done();
  }

  /**
   * Hands the peer what was written, read by read, while it takes them; the rest follows when it reads
   * (releaseHeld). A reader that takes everything buffered at once (aedes: `read()`) would otherwise get the
   * reads pushed before it read concatenated: a copy of each 4 kB message, a few MB of fresh memory at a
   * time (bench/tap-profile: fromList under aedes' nextBatch). A flowing reader (the tap's 'data') takes each
   * read as it is pushed, so its buffer stays empty and nothing waits. Writes wait only once the peer's buffer
   * is past its mark, as a socket's would. `all`: at the end (FIN, close) everything goes at once.
   */
  private flush(all = false): void {
    this.flushing = false;
    const out = this.outbox;
    if (out.length === 0) return;
    const peer = this.peer;
    if (!all && peer.readableLength > 0 && !peer.destroyed && !peer.eof) return;
    this.outbox = [];
    this.waiting = 0;
    // Bytes towards an end that is gone vanish, as into a closed socket.
    if (peer.destroyed || peer.eof) return;
    const reads = joined(out);
    let i = 0;
    while (i < reads.length) {
      if (!peer.push(reads[i++]!)) {
        this.peerFull = true;
        if (!all) break;
      }
      if (!all && peer.readableLength > 0) break;
    }
    if (i < reads.length) {
      this.outbox = reads.slice(i);
      for (const r of this.outbox) this.waiting += r.length;
    }
  }

  private pushEof(): void {
    if (this.eof || this.destroyed) return;
    this.eof = true;
    this.push(null);
  }

  private releaseHeld(): void {
    this.peerFull = false;
    if (this.outbox.length > 0 && !this.flushing) {
      this.flushing = true;
      // Not inside the peer's read(): a push there would be concatenated into what that read returns.
      queueMicrotask(() => this.flush());
    }
    const h = this.held;
    if (h === null) return;
    this.held = null;
    h();
  }
}

/** About what one socket read delivers: big enough to carry many packets, small enough to stay in cache. */
const READ_BYTES = 64 * 1024;

/**
 * What one turn wrote, as the peer's reads. The tap forwards the packets it framed from a socket read as
 * views that follow each other in that read's buffer: they join into one view without a copy (copying every
 * 4 kB message once more was the largest single cost of the relay, bench/tap-profile). Smaller pieces (aedes
 * writes a packet in pieces: header, topic, payload) are concatenated in reads of about READ_BYTES, cut
 * between pieces: one concatenation of a few MB (a turn of 500 messages of 4 kB) touched fresh memory and
 * took three times as long.
 */
function joined(out: Buffer[]): Buffer[] {
  if (out.length === 1) return out;
  // Runs of adjacent views, as [first index, byte length].
  const runs: number[] = [];
  for (let i = 0; i < out.length; i++) {
    const b = out[i]!;
    const n = runs.length;
    if (n > 0) {
      const first = out[runs[n - 2]!]!;
      if (b.buffer === first.buffer && b.byteOffset === first.byteOffset + runs[n - 1]!) {
        runs[n - 1] += b.length;
        continue;
      }
    }
    runs.push(i, b.length);
  }
  const view = (r: number): Buffer => {
    const first = out[runs[r]!]!;
    const length = runs[r + 1]!;
    return length === first.length ? first : Buffer.from(first.buffer, first.byteOffset, length);
  };
  const reads: Buffer[] = [];
  let from = -1; // first run of those being gathered into one read
  let size = 0;
  // Runs from `from` up to run `to` (exclusive) as one read: a lone run as its view, several concatenated.
  const gather = (to: number): void => {
    if (from < 0) return;
    reads.push(to - from === 2 ? view(from) : Buffer.concat(out.slice(runs[from]!, to < runs.length ? runs[to]! : out.length), size));
    from = -1;
    size = 0;
  };
  for (let r = 0; r < runs.length; r += 2) {
    if (runs[r + 1]! >= READ_BYTES / 2) {
      // Big enough to go on its own, as the view it is.
      gather(r);
      reads.push(view(r));
      continue;
    }
    if (from < 0) from = r;
    size += runs[r + 1]!;
    if (size >= READ_BYTES) gather(r + 2);
  }
  gather(runs.length);
  return reads;
}

/** Two ends of one in-memory connection: what one writes, the other reads. */
export function streamPair(): [Duplex, Duplex] {
  const a = new PipeEnd();
  const b = new PipeEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
