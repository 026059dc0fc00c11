// How often a live view redraws. In calm traffic every batch of packets is drawn in the frame after it came;
// in a burst (thousands of packets a second) the list and the diagram show a blur that changes completely
// from one frame to the next, and drawing it 60 times a second made the page's work per frame, and its long
// tasks on a shared machine, what they were. Then a view redraws at most every `minMs` (20 times a second by
// default; 10 in a flood), and once more after the last batch, so the end of a burst is always drawn. The stores
// still take every packet as it comes; only the redraw waits.

/** Rows a second above which traffic counts as a burst for redrawing. */
export const BURST_ROWS_PER_S = 1000;
/** Redraw interval in a burst (ms). */
export const BURST_REDRAW_MS = 50;
/**
 * Rows a second above which a burst is a flood, and its redraw interval (ms). At 100k rows a second and more
 * (a load test through the tap) the page's layouts and paints at 20 a second took as much CPU as the relay,
 * on the same cores: the relay slowed and the page fell seconds behind (bench/tap, `web` + page). Ten
 * redraws a second of a view that changes completely each time lose nothing a person can read.
 */
export const FLOOD_ROWS_PER_S = 40_000;
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
    return (this.#inWindow * 1000) / WINDOW_MS > this.busyPerS;
  }

  /** The least time between redraws at the rate rows arrive now. */
  get #interval(): number {
    return (this.#inWindow * 1000) / WINDOW_MS > this.floodPerS ? this.floodMs : this.minMs;
  }

  /** `rows` arrived: `redraw` runs now, or (in a burst) when the interval since the last redraw is over. */
  arrived(rows: number, redraw: () => void): void {
    const t = this.now();
    this.#recent.push([t, rows]);
    this.#inWindow += rows;
    while (this.#recent.length && t - this.#recent[0]![0] > WINDOW_MS) this.#inWindow -= this.#recent.shift()![1];
    if (!this.busy) {
      this.#run(redraw, t);
      return;
    }
    this.#pending = redraw;
    // At a multiple of the interval on the clock, at least an interval after this view's last redraw: the
    // list and the diagram, each with its own pace, then redraw in the same frame and share its layout.
    const interval = this.#interval;
    const due = Math.ceil(Math.max(this.#last + interval, t) / interval) * interval;
    // Counted from when it was due, not when the timer got to run: a timer a few ms late would otherwise
    // push the next redraw past the next multiple, and halve the pace.
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      const p = this.#pending;
      if (p) this.#run(p, due);
    }, due - t);
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
