// Writing to a client that may read slowly. Node hands everything a socket has buffered to one writev and
// counts none of it as gone until all of it is, so a client reading a large buffer slowly would look as if it
// had stopped. The tap therefore lets at most `window` bytes wait in the socket's own buffer and keeps the
// rest itself, in order, passing it on at each 'drain': what the client has taken then grows in small steps
// (reader-bound.ts watches it). A client that keeps up never reaches the window, so its path is a plain write.
import type { Writable } from 'node:stream';

export class PacedWriter {
  private later: Uint8Array[] = [];
  /** Bytes kept here, beyond the socket's buffer. */
  laterBytes = 0;
  private written = 0;

  constructor(private readonly dest: Writable, private readonly window: number, private readonly drained: () => void) {}

  /** Bytes the destination has taken so far: handed to it, minus what still sits in its buffer. */
  get taken(): number {
    return this.written - this.dest.writableLength;
  }

  /** Bytes waiting, here and in the destination's buffer. */
  get held(): number {
    return this.dest.writableLength + this.laterBytes;
  }

  get idle(): boolean {
    return this.later.length === 0;
  }

  write(bytes: Uint8Array): void {
    if (this.later.length > 0 || this.dest.writableLength >= this.window) {
      // Past the window the last write returned false (the window is above the high-water mark), so the
      // destination will say 'drain'.
      if (this.later.length === 0) this.dest.once('drain', () => this.passOn());
      this.later.push(bytes);
      this.laterBytes += bytes.length;
      return;
    }
    this.written += bytes.length;
    this.dest.write(bytes);
  }

  private passOn(): void {
    if (this.dest.destroyed) return;
    const later = this.later;
    let n = 0;
    // Corked, a window's worth leaves in one writev. Uncorked, each packet was its own system call (the
    // socket took them as fast as they came, so the window was never reached): for 4 kB messages that
    // was a sixth of the relay's time (bench/tap-profile, writeBuffer).
    this.dest.cork();
    while (n < later.length && this.dest.writableLength < this.window) {
      const b = later[n++]!;
      this.laterBytes -= b.length;
      this.written += b.length;
      this.dest.write(b);
    }
    this.dest.uncork();
    this.later = n === later.length ? [] : later.slice(n);
    if (this.later.length > 0) this.dest.once('drain', () => this.passOn());
    else this.drained();
  }

  /** The connection ended: what is kept here is thrown away. */
  clear(): void {
    this.later = [];
    this.laterBytes = 0;
  }
}
