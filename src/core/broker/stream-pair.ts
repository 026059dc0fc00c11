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

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    this.outbox.push(chunk);
    this.accepted(done);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, done: (error?: Error | null) => void): void {
    for (const c of chunks) this.outbox.push(c.chunk);
    this.accepted(done);
  }

  override _final(done: (error?: Error | null) => void): void {
    // Queued behind the flush of what was written before, so the FIN follows the data.
    setImmediate(() => {
      this.flush();
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
      this.flush();
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
    if (this.peerFull) this.held = done;
    else done();
  }

  private flush(): void {
    this.flushing = false;
    const out = this.outbox;
    if (out.length === 0) return;
    this.outbox = [];
    const peer = this.peer;
    // Bytes towards an end that is gone vanish, as into a closed socket.
    if (peer.destroyed || peer.eof) return;
    let full = false;
    for (const chunk of joined(out)) full = !peer.push(chunk) || full;
    if (full) this.peerFull = true;
  }

  private pushEof(): void {
    if (this.eof || this.destroyed) return;
    this.eof = true;
    this.push(null);
  }

  private releaseHeld(): void {
    this.peerFull = false;
    const h = this.held;
    if (h === null) return;
    this.held = null;
    h();
  }
}

/** About what one socket read delivers: big enough to carry many packets, small enough to stay in cache. */
const READ_BYTES = 64 * 1024;

/**
 * What one turn wrote, as the peer's reads. The tap forwards the packets it framed from one socket read as
 * views that follow each other in that read's buffer: they join into one view without a copy (copying every
 * 4 kB message once more was the largest single cost of the relay, bench/tap-profile). Anything else (aedes
 * writes a packet in pieces: header, topic, payload) is concatenated in reads of about READ_BYTES, cut
 * between pieces: one concatenation of a few MB (a turn of 500 messages of 4 kB) touched fresh memory and
 * took three times as long.
 */
function joined(out: Buffer[]): Buffer[] {
  const first = out[0]!;
  if (out.length === 1) return out;
  let end = first.byteOffset + first.length;
  let i = 1;
  for (; i < out.length; i++) {
    const b = out[i]!;
    if (b.buffer !== first.buffer || b.byteOffset !== end) break;
    end += b.length;
  }
  if (i === out.length) return [Buffer.from(first.buffer, first.byteOffset, end - first.byteOffset)];
  const reads: Buffer[] = [];
  let from = 0;
  let size = 0;
  for (let k = 0; k < out.length; k++) {
    size += out[k]!.length;
    if (size < READ_BYTES && k < out.length - 1) continue;
    reads.push(k === from ? out[k]! : Buffer.concat(out.slice(from, k + 1), size));
    from = k + 1;
    size = 0;
  }
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
