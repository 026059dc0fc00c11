// The sequence diagram's model, following the view (the capture, or what the filter lets through). The layout
// itself is plain (non-reactive) data mutated in place; `version` tells the view when to redraw. It holds the
// newest SEQ_ROWS rows at most: a diagram is read near its end, and a million arrows would only cost memory.
import type { PacketSummary } from '../../shared/api.js';
import { BurstPace } from '../lib/burst-pace.js';
import { SequenceLayout } from '../lib/sequence-layout.js';
import type { TimelineNote } from './capture.svelte.js';
import { laneOf } from './filter.svelte.js';
import { LaneView } from './lane-view.svelte.js';
import type { ViewBatch, ViewStore } from './view.svelte.js';

/** Rows the diagram keeps. */
export const SEQ_ROWS = 5000;
/** Rows allowed past the bound before the oldest are shed, in one rebuild rather than every frame. */
const SLACK = 2000;

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
  /** How often the diagram redraws in a burst (lib/burst-pace.ts); the layout takes every packet at once. */
  readonly #redraw: BurstPace;

  constructor(private readonly view: ViewStore, redraw = new BurstPace()) {
    this.#redraw = redraw;
    this.layout.pace = this.#pace;
    view.subscribe((b) => this.#onBatch(b));
  }

  /** Starts again from these packets and notes, drawn at once; only packets arriving from now on are paced. */
  #rebuild(packets: readonly PacketSummary[], notes: readonly TimelineNote[]): void {
    this.layout = new SequenceLayout();
    const first = packets[0]?.seq;
    const kept = first === undefined ? notes : notes.filter((n) => n.afterSeq === null ? false : n.afterSeq >= first);
    this.layout.append(packets, this.#notesFor(packets, kept, true));
    this.layout.pace = this.#pace;
    this.#redraw.redrawNow(() => this.version++);
  }

  /**
   * A filter narrows the packets, so a note (a client ended, a will) belongs only when its lane has packets in
   * view: one student's packets must not come with two hundred others' endings.
   */
  #notesFor(added: readonly PacketSummary[], notes: readonly TimelineNote[], fresh: boolean): readonly TimelineNote[] {
    if (this.view.query === undefined || notes.length === 0) return notes;
    const lanes = new Set(fresh ? [] : this.layout.lastTimeOf.keys());
    for (const p of added) lanes.add(laneOf(p));
    return notes.filter((n) => lanes.has(n.lane));
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

  #onBatch(b: ViewBatch): void {
    if (b.reset) {
      this.#rebuild(b.added.length > SEQ_ROWS ? b.added.slice(b.added.length - SEQ_ROWS) : b.added, b.notes);
      return;
    }
    this.layout.append(b.added, this.#notesFor(b.added, b.notes, false));
    for (const u of b.updated) this.layout.update(u);
    this.#rate(b.added.length + b.notes.length);
    // Shed the oldest rows in one go rather than shifting row numbers every frame; in place, since laying
    // 5,000 rows out again every 2,000 arrivals was a long task of its own in a burst.
    if (this.layout.rows.length > SEQ_ROWS + SLACK) this.layout.shed(this.layout.rows.length - SEQ_ROWS);
    this.#redraw.arrived(b.added.length + b.notes.length, () => this.version++);
  }
}
