// The sequence diagram's model, following the capture and the current filter. The layout itself is plain
// (non-reactive) data mutated in place; `version` tells the view when to redraw.
import { SequenceLayout } from '../lib/sequence-layout.js';
import type { CaptureBatch, CaptureStore } from './capture.svelte.js';
import { laneOf, type FilterStore } from './filter.svelte.js';
import { LaneView } from './lane-view.svelte.js';

/** Past this many rows beyond the capture bound, the layout is rebuilt to shed trimmed rows. */
const SLACK = 20_000;

/** Above this many new rows a second, arrows appear without their drawing animation. */
const CALM_ROWS_PER_S = 40;

export class SequenceStore {
  layout = new SequenceLayout();
  version = $state(0);
  /** Grouping, focus and idle folding of the lanes (the lecturer's view of a class). */
  readonly lanes = new LaneView();
  /** Whether traffic is slow enough to animate each arrow (a burst would animate hundreds a second). */
  calm = $state(true);
  #recent: number[] = [];
  /** Pace of new arrows in ms (see SequenceLayout.pace); the view's speed control sets it. */
  #pace = 150;

  constructor(private readonly capture: CaptureStore, private readonly filter: FilterStore) {
    this.layout.pace = this.#pace;
    filter.subscribe((b) => this.#onBatch(b));
  }

  /** Rebuilds from the whole capture (filter changed, or too many trimmed rows). */
  #rebuild(b: CaptureBatch): void {
    // A rebuilt history is drawn at once; only packets arriving from now on are paced.
    this.layout = new SequenceLayout();
    this.layout.append(b.added, this.#notesFor(b));
    this.layout.pace = this.#pace;
    this.version++;
  }

  /**
   * A filter narrows the packets, so a note (a client ended, a will) belongs only when its lane has packets in
   * view: one student's packets must not come with two hundred others' endings.
   */
  #notesFor(b: CaptureBatch): CaptureBatch['notes'] {
    if (!this.filter.active || b.notes.length === 0) return b.notes;
    const lanes = new Set(b.reset ? [] : this.layout.lastTimeOf.keys());
    for (const p of b.added) lanes.add(laneOf(p));
    return b.notes.filter((n) => lanes.has(n.lane));
  }

  get pace(): number {
    return this.#pace;
  }

  set pace(ms: number) {
    this.#pace = ms;
    this.layout.pace = ms;
  }

  #rate(n: number): void {
    const now = performance.now();
    for (let i = 0; i < n; i++) this.#recent.push(now);
    while (this.#recent.length && now - this.#recent[0]! > 1000) this.#recent.shift();
    if (this.#recent.length > CALM_ROWS_PER_S * 4) this.#recent.splice(0, this.#recent.length - CALM_ROWS_PER_S * 4);
    const calm = this.#recent.length <= CALM_ROWS_PER_S;
    if (calm !== this.calm) this.calm = calm;
  }

  #onBatch(b: CaptureBatch): void {
    if (b.reset) {
      this.#rebuild(b);
      return;
    }
    this.layout.append(b.added, this.#notesFor(b));
    for (const u of b.updated) this.layout.update(u);
    this.#rate(b.added.length + b.notes.length);
    if (b.trimmedTo !== undefined && this.layout.rows.length > this.capture.capacity + SLACK) {
      // Shed the rows of trimmed packets in one go rather than shifting row numbers every frame.
      this.#rebuild({ added: this.filter.visible, updated: [], notes: this.capture.notes, reset: true });
      return;
    }
    this.version++;
  }
}
