// The packet list's rows, by position in the view: only those around what is on screen (and the live tail
// while following) are held; the rest are asked of the core with `packets.window` as the list scrolls. Rows
// are keyed by an absolute position that does not move when the store trims its oldest packets (position in
// the view + packets trimmed since the view was fetched), so a page fetched before a trim stays valid.
import type { LabApi, PacketSummary } from '../../shared/api.js';
import type { CaptureStore } from './capture.svelte.js';
import type { ViewBatch, ViewStore } from './view.svelte.js';
import { BurstPace } from '../lib/burst-pace.js';

/** Rows held at most; beyond it those farthest from the screen go. */
export const WINDOW_ROWS = 6000;
/** Rows fetched beyond each end of the wanted range, so scrolling on finds them there. */
const MARGIN = 150;
/**
 * The margin while the list moves by more than a screen between fetches (a dragged scrollbar, a fling): rows
 * fetched far ahead would be stale before they arrive, and each costs parsing, so only the screen is asked.
 */
const FAST_MARGIN = 8;
/** Rows held past WINDOW_ROWS before the far ones are shed, so shedding is an occasional pass, not every fetch. */
const EVICT_SLACK = 1500;
/** The core's largest page. */
const MAX_PAGE = 10_000;

export class ListWindow {
  /** Bumped when rows arrive or go, so the list re-reads them. */
  version = $state(0);
  /** Following the live end: new rows are appended as they arrive. Set by the list. */
  follow = true;
  #rows = new Map<number, PacketSummary>();
  #absOfSeq = new Map<number, number>();
  #dropped = 0;
  #generation = 0;
  #want: [number, number] = [0, 0];
  /** The range the last fetch was for: how far the list moved since tells a fling from a slow scroll. */
  #fetchedFor: [number, number] = [0, 0];
  #fetching = false;
  #bumpQueued = false;
  /** The filter the held rows were read with: rows of another view are not this one's. */
  #query: string | undefined;
  /** While following, rows below this absolute position have been let go (see #trimBehind). */
  #floor = 0;
  /** The view's length as the list draws it: in a burst it moves on at the redraw pace (lib/burst-pace.ts). */
  #shown = $state(0);
  readonly #pace: BurstPace;

  constructor(private readonly api: Pick<LabApi, 'call'>, private readonly view: ViewStore, private readonly capture: CaptureStore, pace = new BurstPace()) {
    this.#pace = pace;
    this.#shown = view.total;
    this.#query = view.query;
    view.subscribe((b) => this.#onView(b));
  }

  /**
   * Rows in the view, as the list draws them. Every batch's rows are held as it comes; in a burst the length
   * the list is drawn with moves on 20 times a second rather than every frame (and once after the last batch).
   */
  get total(): number {
    return this.#shown;
  }

  /** Rows held now (for tests and the heap figures). */
  get held(): number {
    return this.#rows.size;
  }

  /** The row at a position of the view, or undefined while it is fetched (reactive). */
  rowAt(i: number): PacketSummary | undefined {
    void this.version;
    return this.#rows.get(i + this.#dropped);
  }

  /** Position of a packet in the view if its row is held, else -1 (see locate). */
  indexOfSeq(seq: number): number {
    const abs = this.#absOfSeq.get(seq);
    return abs === undefined || abs < this.#dropped ? -1 : abs - this.#dropped;
  }

  /** Position of a packet in the view, asking the core when its row is not held; -1 when it is not in the view. */
  async locate(seq: number): Promise<number> {
    const i = this.indexOfSeq(seq);
    if (i >= 0) return i;
    const q = this.view.query;
    return this.api.call('packets.indexOf', q === undefined ? { seq } : { seq, filter: q });
  }

  /** The row at a position, fetched if need be. */
  async row(i: number): Promise<PacketSummary | undefined> {
    const have = this.rowAt(i);
    if (have !== undefined || i < 0 || i >= this.total) return have;
    await this.#fetch(Math.max(0, i - MARGIN), 2 * MARGIN);
    return this.rowAt(i);
  }

  /** The list shows rows [first, last): fetches what of them is missing. */
  ensure(first: number, last: number): void {
    this.#want = [first, last];
    void this.#fill();
  }

  async #fill(): Promise<void> {
    if (this.#fetching) return;
    const [first, last] = this.#want;
    let lo = -1;
    let hi = -1;
    for (let i = Math.max(0, first); i < Math.min(last, this.total); i++) {
      if (this.#rows.has(i + this.#dropped)) continue;
      if (lo < 0) lo = i;
      hi = i;
    }
    if (lo < 0) return;
    const fast = Math.abs(first - this.#fetchedFor[0]) > Math.max(last - first, 1);
    this.#fetchedFor = [first, last];
    const margin = fast ? FAST_MARGIN : MARGIN;
    const from = Math.max(0, lo - margin);
    await this.#fetch(from, Math.min(MAX_PAGE, hi + 1 + margin - from));
    // The list may have scrolled on while the page was on its way.
    const [f2, l2] = this.#want;
    if (f2 !== first || l2 !== last) void this.#fill();
  }

  async #fetch(offset: number, limit: number): Promise<void> {
    const gen = this.#generation;
    const q = this.view.query;
    this.#fetching = true;
    try {
      const w = await this.api.call('packets.window', q === undefined ? { offset, limit } : { filter: q, offset, limit });
      if (gen !== this.#generation) return;
      this.#put(w.offset + this.#dropped, w.rows);
      this.#evict();
      this.#bumpAtFrame();
    } catch {
      // The link went down or the filter failed (the view says why); the rows stay "loading" until asked again.
    } finally {
      if (gen === this.#generation) this.#fetching = false;
    }
  }

  /**
   * Rows fetched while the list scrolls are shown with the next frame's update, not in the task their answer
   * came in: there, the list's DOM changed between frames, and the next scroll event's read of the position
   * laid the page out once for those rows and the frame again for the scroll. At the frame, one layout serves
   * both. (The timer is for a hidden page, which gets no frames.)
   */
  #bumpAtFrame(): void {
    if (this.#bumpQueued) return;
    this.#bumpQueued = true;
    const bump = (): void => {
      if (!this.#bumpQueued) return;
      this.#bumpQueued = false;
      clearTimeout(fallback);
      this.version++;
    };
    requestAnimationFrame(bump);
    const fallback = setTimeout(bump, 100);
  }

  #put(abs: number, rows: readonly PacketSummary[]): void {
    for (let k = 0; k < rows.length; k++) {
      const p = rows[k]!;
      const old = this.#rows.get(abs + k);
      if (old !== undefined && old.seq !== p.seq) this.#absOfSeq.delete(old.seq);
      this.#rows.set(abs + k, p);
      this.#absOfSeq.set(p.seq, abs + k);
    }
  }

  /**
   * Following a live capture, the rows that fell more than half a window behind the end are let go as they
   * fall, a batch's worth at a time. Left to #evict, they went in one pass over every held row each time the
   * bound was passed: at 10,000 packets/s that was a pass over 7,500 rows twice a second, one of the burst's
   * long tasks. Rows held elsewhere (fetched while scrolled back) are still #evict's.
   */
  #trimBehind(abs: number): void {
    if (abs <= this.#floor) return;
    if (abs - this.#floor <= this.#rows.size) {
      for (let k = this.#floor; k < abs; k++) {
        const p = this.#rows.get(k);
        if (p !== undefined) this.#forgetRow(k, p);
      }
    } else {
      // A long way since the last trim (the list was scrolled back meanwhile): the held rows are fewer.
      for (const [k, p] of this.#rows) if (k >= this.#floor && k < abs) this.#forgetRow(k, p);
    }
    this.#floor = abs;
  }

  /**
   * Lets one held row go (#trimBehind while following, #evict otherwise). The other ways rows leave: #put
   * replaces a row in place, #shiftTo moves them all; the seq index follows the row in each.
   */
  #forgetRow(abs: number, p: PacketSummary): void {
    this.#rows.delete(abs);
    if (this.#absOfSeq.get(p.seq) === abs) this.#absOfSeq.delete(p.seq);
  }

  /**
   * The same view read again (the page loaded or resynchronised, the filter unchanged): the rows held are
   * still its rows, moved down by what the store trimmed meanwhile, so they are moved to their new positions
   * instead of going back to "loading…" under a person who scrolled while the capture loaded. Only when every
   * packet held in both says the same shift: a view packets only join at the end and leave at the front.
   */
  #shiftTo(b: ViewBatch): boolean {
    let shift: number | undefined;
    for (let k = 0; k < b.added.length; k++) {
      const p = b.added[k]!;
      const was = this.#absOfSeq.get(p.seq);
      if (was === undefined) continue;
      // A lab started again numbers its packets from 1: the same seq must be the same packet.
      const held = this.#rows.get(was);
      if (held === undefined || held.time !== p.time || held.type !== p.type || held.connId !== p.connId) return false;
      const d = b.offset + k - was;
      if (shift === undefined) shift = d;
      else if (d !== shift) return false;
    }
    if (shift === undefined) return false;
    const rows = [...this.#rows];
    this.#rows.clear();
    this.#absOfSeq.clear();
    for (const [abs, p] of rows) {
      const at = abs + shift;
      if (at < 0) continue;
      this.#rows.set(at, p);
      this.#absOfSeq.set(p.seq, at);
    }
    return true;
  }

  #evict(): void {
    if (this.#rows.size <= WINDOW_ROWS + EVICT_SLACK) return;
    // Keep what is on screen and around it; the live tail goes too once scrolled away from (it is refetched).
    const centre = ((this.#want[0] + this.#want[1]) >> 1) + this.#dropped;
    const keep = WINDOW_ROWS >> 1;
    for (const [abs, p] of this.#rows) {
      if (abs < this.#dropped || Math.abs(abs - centre) > keep) this.#forgetRow(abs, p);
    }
  }

  #onView(b: ViewBatch): void {
    if (b.reset) {
      this.#generation++;
      this.#fetching = false;
      const kept = this.view.query === this.#query && this.#shiftTo(b);
      this.#query = this.view.query;
      if (!kept) {
        this.#rows.clear();
        this.#absOfSeq.clear();
      }
      this.#dropped = 0;
      this.#floor = b.offset;
      this.#put(b.offset, b.added);
      this.#pace.redrawNow(() => {
        this.#shown = this.view.total;
        this.version++;
      });
      // Kept rows stay on screen while the rows around the screen are read again: events may have been
      // missed before the reset (a link that dropped, a gap), and a row's faults or issues with them.
      if (kept) void this.#fetch(Math.max(0, this.#want[0] - MARGIN), Math.min(MAX_PAGE, this.#want[1] - this.#want[0] + 2 * MARGIN)).then(() => this.#fill());
      else void this.#fill();
      return;
    }
    this.#dropped += b.trimmed;
    if (b.added.length && this.follow) this.#put(this.view.total - b.added.length + this.#dropped, b.added);
    for (const u of b.updated) {
      const abs = this.#absOfSeq.get(u.seq);
      if (abs !== undefined) this.#rows.set(abs, u);
      if (this.capture.selectedSummary?.seq === u.seq) this.capture.selectedSummary = u;
    }
    if (b.added.length || b.updated.length || b.trimmed) {
      if (b.added.length && this.follow) {
        const n = this.view.total;
        this.#want = [Math.max(0, n - 100), n];
        this.#trimBehind(this.#dropped + n - (WINDOW_ROWS >> 1));
      }
      this.#evict();
      this.#pace.arrived(b.added.length, () => {
        this.#shown = this.view.total;
        this.version++;
      });
    }
  }
}
