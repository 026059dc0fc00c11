// The view of the capture the list and the diagram show: the whole store, or the packets matching the filter,
// evaluated by the core (`packets.window`, `packets.query({ filter })`). The page keeps no copy of the view:
// only its length, a cursor (every matching packet up to this seq is counted, none after it), and a stream of
// batches for the views that keep their own bounded state (the list window, the sequence diagram).
import type { LabApi, PacketSummary, PacketWindow } from '../../shared/api.js';
import type { CaptureBatch, CaptureStore, TimelineNote } from './capture.svelte.js';
import type { FilterStore } from './filter.svelte.js';

export interface ViewBatch {
  added: PacketSummary[];
  updated: PacketSummary[];
  notes: TimelineNote[];
  /** The view changed whole (filter, new capture): `added` are its last packets, from position `offset`. */
  reset: boolean;
  offset: number;
  /** Packets that left the front of the view (the core's store is bounded). */
  trimmed: number;
}

/** Newest packets of the view fetched on a reset: the diagram's history and the list's tail. */
export const VIEW_TAIL = 5000;
/** Packets per answer when the tail is read (see #tail). */
const TAIL_PAGE = 1000;
/** Room for packets arriving while the tail is fetched (a window page holds at most 10,000). */
const SLACK = 4000;
/** Matching packets per incremental query while following a filtered live capture. */
const CATCH_UP = 5000;

export class ViewStore {
  /** Packets in the view. */
  total = $state(0);
  /** The view is being fetched (new filter, new capture). */
  loading = $state(false);
  /** Why the core could not evaluate the filter, if it could not. */
  failure = $state<string | null>(null);
  #cursor = -1;
  #generation = 0;
  #listeners = new Set<(b: ViewBatch) => void>();
  /** Live batches that arrive while the view is fetched, applied after it. */
  #pending: CaptureBatch[] = [];
  #catching = false;
  #more = false;
  /** The store trimmed matching packets we cannot count in the page: re-sync the tail on the next catch-up. */
  #trimDirty = false;

  constructor(private readonly api: Pick<LabApi, 'call'>, private readonly capture: CaptureStore, private readonly filter: FilterStore) {
    capture.subscribe((b) => this.#onCapture(b));
  }

  get query(): string | undefined {
    return this.filter.query === '' ? undefined : this.filter.query;
  }

  subscribe(fn: (b: ViewBatch) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Fetches the view from scratch (the filter changed, or the capture was replaced), its newest `tail` at once. */
  async reload(tail = VIEW_TAIL): Promise<void> {
    const gen = ++this.#generation;
    this.loading = true;
    this.#pending = [];
    this.#trimDirty = false;
    this.#catching = false;
    this.#more = false;
    try {
      const t = await this.#tail(tail, this.capture.total);
      if (gen !== this.#generation) return;
      this.failure = null;
      this.total = t.total;
      this.#cursor = t.cursor;
      this.#emit({ added: t.rows, updated: [], notes: this.capture.notes, reset: true, offset: t.offset, trimmed: 0 });
    } catch (e) {
      if (gen !== this.#generation) return;
      this.failure = e instanceof Error ? e.message : String(e);
      this.total = 0;
      this.#emit({ added: [], updated: [], notes: [], reset: true, offset: 0, trimmed: 0 });
    } finally {
      if (gen === this.#generation) {
        this.loading = false;
        const pending = this.#pending;
        this.#pending = [];
        for (const b of pending) this.#onCapture(b);
      }
    }
  }

  /**
   * The last `want` packets of the view, reaching its end: the newest page first, then older pages before it,
   * each answer a task of its own (one answer of 5,000 summaries, with the views taking it, was the longest
   * task of opening a big capture). Positions only move down while this runs (the store trims its front), so
   * an older page asked for later overlaps what is held, never leaves a hole; the overlap is dropped by seq.
   */
  async #tail(want: number, guess: number): Promise<{ total: number; offset: number; rows: PacketSummary[]; cursor: number }> {
    const gen = this.#generation;
    const newest = await this.#tailPage(Math.min(want, TAIL_PAGE), guess);
    const filter = this.query;
    let rows = newest.rows;
    let offset = newest.offset;
    while (rows.length < want && offset > 0 && gen === this.#generation) {
      const n = Math.min(TAIL_PAGE, want - rows.length, offset);
      const w = await this.api.call('packets.window', filter === undefined ? { offset: offset - n, limit: n } : { filter, offset: offset - n, limit: n });
      const first = rows[0]?.seq ?? Infinity;
      const older = w.rows.length && w.rows[w.rows.length - 1]!.seq >= first ? w.rows.filter((p) => p.seq < first) : w.rows;
      if (older.length === 0) break;
      rows = older.concat(rows);
      offset -= older.length;
    }
    return { total: newest.total, offset, rows, cursor: newest.cursor };
  }

  /**
   * The view's last `want` packets in one answer. The view may grow between asking its size and asking its
   * end, so the page is asked with room to spare and asked again if it still fell short.
   */
  async #tailPage(want: number, guess: number): Promise<{ total: number; offset: number; rows: PacketSummary[]; cursor: number }> {
    const filter = this.query;
    for (let attempt = 0; ; attempt++) {
      const sent = this.capture.lastSeq ?? -1;
      const offset = Math.max(0, guess - want);
      const w: PacketWindow = await this.api.call('packets.window', filter === undefined ? { offset, limit: want + SLACK } : { filter, offset, limit: want + SLACK });
      const atEnd = w.offset + w.rows.length >= w.total && (w.rows.length > 0 || w.total === 0 || offset === 0);
      if (atEnd || attempt >= 4) {
        // Every match up to the core's end was counted; that end is at least what the page had seen when asking.
        const cursor = Math.max(w.rows.at(-1)?.seq ?? -1, sent);
        const keep = w.rows.length > want ? w.rows.slice(w.rows.length - want) : w.rows;
        return { total: w.total, offset: w.offset + (w.rows.length - keep.length), rows: keep, cursor };
      }
      guess = w.total;
    }
  }

  #emit(b: ViewBatch): void {
    for (const l of this.#listeners) l(b);
  }

  #onCapture(b: CaptureBatch): void {
    if (b.reset) {
      void this.reload(b.viewTail);
      return;
    }
    if (this.loading) {
      this.#pending.push(b);
      return;
    }
    if (this.query === undefined) {
      const added = b.added.length && b.added[0]!.seq <= this.#cursor ? b.added.filter((p) => p.seq > this.#cursor) : b.added;
      if (added.length) this.#cursor = added[added.length - 1]!.seq;
      const trimmed = b.trimmed ?? 0;
      this.total = this.total + added.length - trimmed;
      if (added.length || b.updated.length || b.notes.length || trimmed) this.#emit({ added, updated: b.updated, notes: b.notes, reset: false, offset: 0, trimmed });
      return;
    }
    if (b.trimmed) this.#trimDirty = true;
    if (b.updated.length || b.notes.length) this.#emit({ added: [], updated: b.updated, notes: b.notes, reset: false, offset: 0, trimmed: 0 });
    if (b.added.length) void this.#catchUp();
  }

  /** Brings a filtered view up to the capture's end: the core filters the new packets, one request at a time. */
  async #catchUp(): Promise<void> {
    if (this.#catching) {
      this.#more = true;
      return;
    }
    this.#catching = true;
    const gen = this.#generation;
    const filter = this.query!;
    try {
      do {
        this.#more = false;
        if (this.#trimDirty) {
          // Matching packets left the store's front: the core's count is the truth, the tail follows it.
          this.#trimDirty = false;
          const before = this.total;
          const t = await this.#tail(Math.min(VIEW_TAIL, SLACK), this.total);
          if (gen !== this.#generation) return;
          const fresh = t.rows.filter((p) => p.seq > this.#cursor);
          const trimmed = Math.max(0, before + fresh.length - t.total);
          this.total = t.total;
          this.#cursor = t.cursor;
          this.#emit({ added: fresh, updated: [], notes: [], reset: false, offset: 0, trimmed });
          continue;
        }
        for (;;) {
          const sent = this.capture.lastSeq ?? -1;
          const rows = await this.api.call('packets.query', { filter, afterSeq: this.#cursor, limit: CATCH_UP });
          if (gen !== this.#generation) return;
          const full = rows.length >= CATCH_UP;
          const fresh = rows.length && rows[0]!.seq <= this.#cursor ? rows.filter((p) => p.seq > this.#cursor) : rows;
          this.#cursor = Math.max(fresh.at(-1)?.seq ?? this.#cursor, full ? -1 : sent, this.#cursor);
          if (fresh.length) {
            this.total += fresh.length;
            this.#emit({ added: fresh, updated: [], notes: [], reset: false, offset: 0, trimmed: 0 });
          }
          if (!full) break;
        }
      } while (this.#more);
    } catch (e) {
      if (gen === this.#generation) this.failure = e instanceof Error ? e.message : String(e);
    } finally {
      if (gen === this.#generation) this.#catching = false;
    }
  }
}
