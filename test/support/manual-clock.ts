// A Clock that moves only when a test says so: timers fire inside advance(), in time order, so a delay,
// a hold's measured time or a lesson's wait is checked exactly and without sleeping.
import type { Clock, TimerHandle } from '../../src/shared/clock.js';

interface Timer {
  id: number;
  at: number;
  fn: () => void;
}

export class ManualClock implements Clock {
  #now: number;
  #timers: Timer[] = [];
  #id = 0;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t = { id: ++this.#id, at: this.#now + Math.max(0, ms), fn };
    this.#timers.push(t);
    return { id: t.id };
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    const id = (handle as { id?: number } | undefined)?.id;
    this.#timers = this.#timers.filter((t) => t.id !== id);
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.#timers.length;
  }

  /** Moves time on by `ms`, firing every timer that falls due on the way (those they set too). */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      const due = this.#timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (due === undefined) break;
      this.#timers = this.#timers.filter((t) => t !== due);
      this.#now = due.at;
      due.fn();
    }
    this.#now = end;
  }
}
