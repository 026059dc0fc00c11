// How far a client may fall behind what the broker sends it. The broker's side is never paused for one slow
// reader (aedes waits for each subscriber's socket to drain, so everyone would stall), so the tap buffers for
// it, and cuts only a client that has stopped reading: over the bound with nothing taken for `stallMs`. A
// client that still takes bytes, however slowly, keeps its connection until the hard cap, which protects the
// lab's memory whatever happens. Time comes from the lab's clock, so tests move it by hand.
import type { Clock, TimerHandle } from '../../shared/clock.js';

export interface ReaderBoundOptions {
  /** Bytes waiting for the client past which it must show progress. */
  soft: number;
  /** Bytes waiting for the client past which it is cut at once. */
  hard: number;
  /** How long a client over `soft` may take nothing before it is cut. */
  stallMs: number;
  clock: Clock;
}

export interface Backlog {
  /** Bytes waiting for the client at the tap (socket buffer and queues). */
  held: number;
  /** Bytes the client's side has taken so far (written minus still buffered); grows while it reads. */
  taken: number;
}

export class ReaderBound {
  private timer: TimerHandle | undefined;
  private takenAtArm = 0;
  private stopped = false;

  constructor(private readonly opts: ReaderBoundOptions, private readonly backlog: () => Backlog,
    private readonly cut: (note: string) => void) {}

  /** After bytes were put on the way to the client. */
  check(): void {
    if (this.stopped) return;
    const { held, taken } = this.backlog();
    if (held > this.opts.hard) {
      this.end(`it fell too far behind: ${mib(held)} from the broker waited for it at the tap (hard limit ${mib(this.opts.hard)})`);
      return;
    }
    if (held <= this.opts.soft || this.timer !== undefined) return;
    this.takenAtArm = taken;
    this.timer = this.opts.clock.setTimeout(() => this.look(), this.opts.stallMs);
  }

  /** The stall timer: still over the bound, and nothing taken since it was armed? */
  private look(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const { held, taken } = this.backlog();
    if (held <= this.opts.soft) return;
    if (taken > this.takenAtArm) {
      // Still reading, only slowly: watch again from here.
      this.takenAtArm = taken;
      this.timer = this.opts.clock.setTimeout(() => this.look(), this.opts.stallMs);
      return;
    }
    this.end(`it did not read for ${seconds(this.opts.stallMs)}: ${mib(held)} from the broker waited for it at the tap (limit ${mib(this.opts.soft)})`);
  }

  private end(note: string): void {
    this.stop();
    this.cut(note);
  }

  /** The connection ended: no more checks. */
  stop(): void {
    this.stopped = true;
    this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}

function mib(n: number): string {
  return `${(n / 1_048_576).toFixed(1)} MiB`;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
