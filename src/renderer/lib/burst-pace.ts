// How often a live view redraws. In calm traffic every batch of packets is drawn in the frame after it came;
// in a burst (thousands of packets a second) the list and the diagram show a blur that changes completely
// from one frame to the next, and drawing it 60 times a second made the page's work per frame, and its long
// tasks on a shared machine, what they were. Then a view redraws at most every `minMs` (20 times a second by
// default), and once more `minMs` after the last batch, so the end of a burst is always drawn. The stores
// still take every packet as it comes; only the redraw waits. In a flood (tens of thousands of packets a
// second, a load test through `mqtt-lab web`) each redraw's layout, paint and scroll write is paid by a page
// that shares two cores with the relay and the broker, so the interval doubles again: 10 redraws a second
// show the same blur, and the page keeps up instead of working for seconds after the round.

/** Rows a second above which traffic counts as a burst for redrawing. */
export const BURST_ROWS_PER_S = 1000;
/** Redraw interval in a burst (ms). */
export const BURST_REDRAW_MS = 50;
/** Rows a second above which traffic counts as a flood, redrawn at the slower FLOOD_REDRAW_MS. */
export const FLOOD_ROWS_PER_S = 20_000;
/** Redraw interval in a flood (ms). */
export const FLOOD_REDRAW_MS = 100;
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
    private readonly floodMs = FLOOD_REDRAW_MS,
    private readonly floodPerS = FLOOD_ROWS_PER_S,
  ) {}

  /** Whether rows arrive at burst rate now. */
  get busy(): boolean {
    return this.#perS > this.busyPerS;
  }

  /** Whether rows arrive at flood rate now. */
  get flooded(): boolean {
    return this.#perS > this.floodPerS;
  }

  get #perS(): number {
    return (this.#inWindow * 1000) / WINDOW_MS;
  }

  /** `rows` arrived: `redraw` runs now, or (in a burst) when the interval since the last redraw is over. */
  arrived(rows: number, redraw: () => void): void {
    const t = this.now();
    this.#recent.push([t, rows]);
    this.#inWindow += rows;
    while (this.#recent.length && t - this.#recent[0]![0] > WINDOW_MS) this.#inWindow -= this.#recent.shift()![1];
    const interval = this.flooded ? this.floodMs : this.minMs;
    if (!this.busy || t - this.#last >= interval) {
      this.#run(redraw, t);
      return;
    }
    this.#pending = redraw;
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      const p = this.#pending;
      if (p) this.#run(p, this.now());
    }, interval - (t - this.#last));
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
