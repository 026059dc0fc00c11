// How often a live view redraws. In calm traffic every batch of packets is drawn in the frame after it came;
// in a burst (thousands of packets a second) the list and the diagram show a blur that changes completely
// from one frame to the next, and drawing it 60 times a second made the page's work per frame, and its long
// tasks on a shared machine, what they were. Then a view redraws at most every `minMs` (20 times a second by
// default), and once more `minMs` after the last batch, so the end of a burst is always drawn. The stores
// still take every packet as it comes; only the redraw waits.

/** Rows a second above which traffic counts as a burst for redrawing. */
export const BURST_ROWS_PER_S = 1000;
/** Redraw interval in a burst (ms). */
export const BURST_REDRAW_MS = 50;
/** The rate is judged over this much of the recent past (ms). */
const WINDOW_MS = 500;

export class BurstPace {
  #recent: Array<[number, number]> = [];
  #inWindow = 0;
  #last = -Infinity;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #pending: (() => void) | null = null;

  constructor(
    private readonly minMs = BURST_REDRAW_MS,
    private readonly busyPerS = BURST_ROWS_PER_S,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Whether rows arrive at burst rate now. */
  get busy(): boolean {
    return (this.#inWindow * 1000) / WINDOW_MS > this.busyPerS;
  }

  /** `rows` arrived: `redraw` runs now, or (in a burst) when the interval since the last redraw is over. */
  arrived(rows: number, redraw: () => void): void {
    const t = this.now();
    this.#recent.push([t, rows]);
    this.#inWindow += rows;
    while (this.#recent.length && t - this.#recent[0]![0] > WINDOW_MS) this.#inWindow -= this.#recent.shift()![1];
    if (!this.busy || t - this.#last >= this.minMs) {
      this.#run(redraw, t);
      return;
    }
    this.#pending = redraw;
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      const p = this.#pending;
      if (p) this.#run(p, this.now());
    }, this.minMs - (t - this.#last));
  }

  /** Redraw now, whatever the rate (a new view, a filter). */
  redrawNow(redraw: () => void): void {
    this.#run(redraw, this.now());
  }

  #run(redraw: () => void, t: number): void {
    this.#pending = null;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#last = t;
    redraw();
  }
}
