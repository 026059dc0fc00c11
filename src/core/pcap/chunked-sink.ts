// The writer hands out one small block per TCP segment (a few dozen bytes each, millions for a big
// capture); a consumer that encodes or writes them wants a few large pieces instead. Blocks are copied
// into one reused buffer and each full buffer is passed on, so memory stays at one chunk whatever the size.

/** Bytes per chunk: a multiple of 3, so that base64 of each chunk joined is base64 of the whole. */
export const CHUNK_BYTES = 3 * 256 * 1024;

export class ChunkedSink {
  readonly #buf: Uint8Array;
  #used = 0;

  /** `take` receives each full chunk (a view: it must be used or copied before returning), then the rest on end(). */
  constructor(private readonly take: (chunk: Uint8Array) => void, size = CHUNK_BYTES) {
    this.#buf = new Uint8Array(size);
  }

  /** The sink function to give a writer. */
  readonly write = (block: Uint8Array): void => {
    let at = 0;
    while (at < block.length) {
      const n = Math.min(block.length - at, this.#buf.length - this.#used);
      this.#buf.set(block.subarray(at, at + n), this.#used);
      this.#used += n;
      at += n;
      if (this.#used === this.#buf.length) this.#flush();
    }
  };

  /** Passes on what is left. */
  end(): void {
    if (this.#used > 0) this.#flush();
  }

  #flush(): void {
    this.take(this.#buf.subarray(0, this.#used));
    this.#used = 0;
  }
}

/** A whole file as base64, encoded chunk by chunk as it is written (the API carries files as base64). */
export function base64Of(write: (sink: (block: Uint8Array) => void) => void): string {
  const parts: string[] = [];
  const sink = new ChunkedSink((chunk) => parts.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length).toString('base64')));
  write(sink.write);
  sink.end();
  return parts.join('');
}
