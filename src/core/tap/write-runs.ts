// Joins packets written one after another into one buffer when they lie side by side in memory: the framer
// hands out packets as views of the socket chunk they arrived in, so the packets of one read that all pass
// untouched are that chunk again, and go to the socket as one buffer rather than one writev entry each
// (one Writable entry, one iovec). Anything that is not adjacent (a corrupted copy, a packet joined across
// reads, a gap where a packet was dropped or waits) starts a new run, so the bytes written and their order
// are exactly those of the writes; only how many buffers carry them changes.
//
// Runs are collected only between open() and close(), which the relay calls around the handling of one read
// (and before anything that must reach the socket at once, e.g. a sever). Outside them, writes pass straight
// through: a delayed or held packet released later leaves on its own write, as it always did.

export class WriteRuns {
  private collecting = false;
  private run: Uint8Array | null = null;
  /** Bytes of the run so far: the run is `run`'s buffer from its byteOffset for this many bytes. */
  private length = 0;

  constructor(private readonly out: (bytes: Uint8Array) => void) {}

  open(): void {
    this.collecting = true;
  }

  /** Writes what the run holds and stops collecting. */
  close(): void {
    this.collecting = false;
    this.flush();
  }

  write(bytes: Uint8Array): void {
    if (!this.collecting) {
      this.out(bytes);
      return;
    }
    const run = this.run;
    if (run !== null && bytes.buffer === run.buffer && bytes.byteOffset === run.byteOffset + this.length) {
      this.length += bytes.byteLength;
      return;
    }
    this.flush();
    this.run = bytes;
    this.length = bytes.byteLength;
  }

  private flush(): void {
    const run = this.run;
    if (run === null) return;
    this.run = null;
    // A run of one is handed on as it came (no new view for the common case of one packet per read).
    this.out(this.length === run.byteLength ? run : viewOf(run, this.length));
  }
}

/** A view of `length` bytes from where `first` starts, of the same kind (a Buffer stays a Buffer). */
function viewOf(first: Uint8Array, length: number): Uint8Array {
  return Buffer.isBuffer(first)
    ? Buffer.from(first.buffer, first.byteOffset, length)
    : new Uint8Array(first.buffer, first.byteOffset, length);
}
