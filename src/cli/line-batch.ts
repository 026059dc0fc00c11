// Lines for a stream, written together every few milliseconds: the live log wrote one line per packet, a
// system call each (9 % of `mqtt-lab broker` relaying QoS 0 at full speed, bench/tap-profile). Once per turn
// of the event loop was not enough in front of mosquitto, whose packets arrive one per read (writeBuffer was
// still 21 % of `--upstream`); FLUSH_MS is far below what a reader of the log can notice.
//
// Each line is encoded into one shared buffer as it comes, not kept as a string: joining a batch of lines
// made of template pieces flattened every one of them again, and that join was the largest single cost of
// `mqtt-lab broker` (12 % of its time; encoding in place is about five times cheaper).

export interface LineBatch {
  out(line: string): void;
  /**
   * A line that `encode` writes into the batch itself at `at`, newline included, taking at most `max` bytes
   * (no more than a chunk), and returning where it stopped: the live log's packet lines skip building the
   * line as a string (see packet-line.ts writePacketLine).
   */
  outInto(max: number, encode: (chunk: Buffer, at: number) => number): void;
  /** Writes what is waiting now (before a stderr message, at the end of a command). */
  flush(): void;
}

/** Bytes waiting at most: a full chunk goes out at once. */
export const LINE_CHUNK = 64 * 1024;
const CHUNK = LINE_CHUNK;
/** How long a line may wait for others. */
const FLUSH_MS = 20;

/**
 * `write` is handed each batch as UTF-8 bytes, and may keep them: the bytes it was given are never written
 * again (the next lines go after them in the chunk, or into a fresh one).
 */
export function lineBatch(write: (bytes: Uint8Array) => void): LineBatch {
  let chunk = Buffer.allocUnsafe(CHUNK);
  /** First byte not yet handed to `write`, and the first free one. */
  let start = 0;
  let end = 0;
  let timer: NodeJS.Timeout | null = null;
  const flush = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (end === start) return;
    const bytes = chunk.subarray(start, end);
    start = end;
    write(bytes);
  };
  const fits = (line: string): boolean => {
    const room = CHUNK - end - 1;
    // UTF-8 takes 1 to 3 bytes per UTF-16 unit: only a line near the end of the chunk is measured.
    if (line.length * 3 <= room) return true;
    return line.length <= room && Buffer.byteLength(line) <= room;
  };
  /** Hands what waits on, and goes on in a fresh chunk: the bytes handed over may be kept. */
  const renew = (): void => {
    flush();
    chunk = Buffer.allocUnsafe(CHUNK);
    start = 0;
    end = 0;
  };
  const written = (): void => {
    if (end === CHUNK) return flush();
    // Unref'd: a command that has finished does not wait for it (main() flushes at its end).
    if (timer === null) timer = setTimeout(flush, FLUSH_MS).unref();
  };
  return {
    out(line: string): void {
      if (!fits(line)) {
        renew();
        if (!fits(line)) {
          // Longer than a whole chunk: on its own.
          write(Buffer.from(`${line}\n`));
          return;
        }
      }
      end += chunk.write(line, end);
      chunk[end++] = 10;
      written();
    },
    outInto(max: number, encode: (chunk: Buffer, at: number) => number): void {
      if (max > CHUNK) throw new RangeError(`a line of up to ${max} bytes does not fit a ${CHUNK}-byte chunk`);
      if (CHUNK - end < max) renew();
      end = encode(chunk, end);
      written();
    },
    flush,
  };
}
