// Lines for a stream, written together once per turn of the event loop: the live log wrote one line per
// packet, a system call each (9 % of `mqtt-lab broker` relaying QoS 0 at full speed, bench/tap-profile).
// A quiet log still prints each line at once, on the next turn.

export interface LineBatch {
  out(line: string): void;
  /** Writes what is waiting now (before a stderr message, at the end of a command). */
  flush(): void;
}

/** Past this many characters waiting, lines go out without waiting for the turn to end. */
const MAX_WAITING = 64 * 1024;

export function lineBatch(write: (text: string) => void): LineBatch {
  let waiting: string[] = [];
  let size = 0;
  let scheduled = false;
  const flush = (): void => {
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
      if (scheduled) return;
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        flush();
      });
    },
    flush,
  };
}
