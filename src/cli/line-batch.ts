// Lines for a stream, written together every few milliseconds: the live log wrote one line per packet, a
// system call each (9 % of `mqtt-lab broker` relaying QoS 0 at full speed, bench/tap-profile). Once per turn
// of the event loop was not enough in front of mosquitto, whose packets arrive one per read (writeBuffer was
// still 21 % of `--upstream`); FLUSH_MS is far below what a reader of the log can notice.

export interface LineBatch {
  out(line: string): void;
  /** Writes what is waiting now (before a stderr message, at the end of a command). */
  flush(): void;
}

/** Past this many characters waiting, lines go out at once. */
const MAX_WAITING = 64 * 1024;
/** How long a line may wait for others. */
const FLUSH_MS = 20;

export function lineBatch(write: (text: string) => void): LineBatch {
  let waiting: string[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | null = null;
  const flush = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (waiting.length === 0) return;
    const text = waiting.join('');
    waiting = [];
    size = 0;
    write(text);
  };
  return {
    out(line: string): void {
      waiting.push(line, '\n');
      size += line.length + 1;
      if (size >= MAX_WAITING) return flush();
      // Unref'd: a command that has finished does not wait for it (main() flushes at its end).
      if (timer === null) timer = setTimeout(flush, FLUSH_MS).unref();
    },
    flush,
  };
}
