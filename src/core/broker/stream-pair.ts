// Two connected in-memory stream ends that behave like the two ends of a loopback TCP connection, so the tap
// can hand the embedded broker a connection without two trips through the kernel per packet.
//
// What they keep of TCP, because the tap and aedes rely on it:
//  - bytes arrive in order and later, never inside the writer's own call (the next turn of the event
//    loop, as with a socket), so neither side re-enters the other; what one turn wrote arrives together;
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
   * over as one chunk, as a socket's reader finds several packets in one read: aedes writes each packet
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
    if (!peer.push(out.length === 1 ? out[0]! : Buffer.concat(out))) this.peerFull = true;
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

/** Two ends of one in-memory connection: what one writes, the other reads. */
export function streamPair(): [Duplex, Duplex] {
  const a = new PipeEnd();
  const b = new PipeEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
