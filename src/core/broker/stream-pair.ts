// Two connected in-memory stream ends that behave like the two ends of a loopback TCP connection, so the tap
// can hand the embedded broker a connection without two trips through the kernel per packet.
//
// What they keep of TCP, because the tap and aedes rely on it:
//  - bytes arrive in order and later, never inside the writer's own call (a turn of the event loop, as
//    with a socket), so neither side re-enters the other;
//  - end() is a FIN: the peer reads to the end, then sees 'end', and (allowHalfOpen false, the default of
//    net sockets) ends its own side in turn;
//  - destroy() is a closed socket: the peer sees 'end' after whatever it had already received;
//  - backpressure: a write waits until the peer has read the previous one past its buffer, so write()
//    returns false and 'drain' follows exactly when a socket's would.
// Bytes written towards an end that is already destroyed vanish, as they would into a closed socket.
import { Duplex } from 'node:stream';

class PipeEnd extends Duplex {
  peer!: PipeEnd;
  /** The write callback held back because the peer's read buffer was full; called when it reads. */
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
    this.deliver(chunk, done);
  }

  // A corked burst (mqtt-packet writes a packet in pieces, the tap a chunk's packets) arrives as one
  // chunk, as writev on a socket would make it.
  override _writev(chunks: Array<{ chunk: Buffer }>, done: (error?: Error | null) => void): void {
    this.deliver(chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((c) => c.chunk)), done);
  }

  override _final(done: (error?: Error | null) => void): void {
    // After every write has been delivered (Writable calls _final only then): the FIN follows the data.
    process.nextTick(() => {
      this.peer.pushEof();
      done();
    });
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    // A writer waiting on this end's reading would otherwise wait forever.
    this.peer.releaseHeld();
    this.releaseHeld();
    const peer = this.peer;
    process.nextTick(() => peer.pushEof());
    done(error);
  }

  private deliver(chunk: Buffer, done: () => void): void {
    process.nextTick(() => {
      const peer = this.peer;
      if (peer.destroyed || peer.eof) {
        done();
        return;
      }
      if (peer.push(chunk)) done();
      else this.held = done;
    });
  }

  private pushEof(): void {
    if (this.eof || this.destroyed) return;
    this.eof = true;
    this.push(null);
  }

  private releaseHeld(): void {
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
