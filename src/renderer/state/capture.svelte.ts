// The renderer's view of the live capture: never the packets themselves (the core holds up to a million), but
// how many there are, the newest seq, the summaries that arrive, handed to the views that keep their own bounded
// state (list window, diagram, topics, chart), and timeline notes (connections ending, wills) placed between
// packets. Field trees and bytes are fetched on demand (see details.svelte.ts).
import type { CaptureDigest, PacketSummary } from '../../shared/api.js';

export interface TimelineNote {
  id: number;
  /** The note belongs after this packet (null: before the first). */
  afterSeq: number | null;
  time: number;
  /** Lane key (client id or `conn #N`) the note concerns. */
  lane: string;
  kind: 'ended' | 'will' | 'keepalive' | 'info';
  text: string;
  /** Set for ungraceful ends: the case where a Last Will is published. */
  ungraceful?: boolean;
  willTopic?: string;
}

export interface CaptureBatch {
  added: PacketSummary[];
  updated: PacketSummary[];
  notes: TimelineNote[];
  /**
   * The whole capture was replaced (load, clear): consumers start again. The packets of the new capture follow
   * in later batches (a rebuild pages through the core), so `added` holds only the first page.
   */
  reset: boolean;
  /** Packets that fell out of the core's bounded store with this batch (the oldest ones). */
  trimmed?: number;
  /** On a reset: how many packets the new capture holds (its pages follow). */
  size?: number;
  /** On a reset: the newest seq the new capture holds; live packets up to it are already counted. */
  upTo?: number;
  /**
   * On a reset: the core's digest of the whole capture up to `upTo` (capture.digest). Topics, chart and rule
   * hits take it instead of reading `added`, which is only the first page.
   */
  digest?: CaptureDigest;
  /**
   * On a reset: how many of the view's newest packets the list and the diagram read (default VIEW_TAIL). A
   * flood's jump reads fewer: there the diagram's usual history is a tenth of a second, read again each second.
   */
  viewTail?: number;
}

/** Notes kept for the diagram; older ones go (their packets have long scrolled away). */
const MAX_NOTES = 2000;
/** Newest summaries kept by seq, for views that name recent packets (those waiting at the tap). */
const RECENT = 2000;
/** Summaries held back while the view is paused; past this the resume rebuilds from the core instead. */
const MAX_HELD = 20_000;

export class CaptureStore {
  /** Packets in the core's store (the unfiltered view's length). */
  total = $state(0);
  /** The newest seq seen; null for an empty capture. */
  lastSeq = $state<number | null>(null);
  /** Time of the first packet of the capture, the zero of relative times. */
  origin = $state(0);
  /** Time of the newest packet. */
  lastTime = $state(0);
  notes = $state.raw<TimelineNote[]>([]);
  /** Freezes the views while the capture goes on: arriving packets wait here until resumed. */
  paused = $state(false);
  heldCount = $state(0);
  selectedSeq = $state<number | null>(null);
  /** The selected packet's summary, when the view that selected it had one (list row, diagram arrow). */
  selectedSummary = $state.raw<PacketSummary | null>(null);
  /** The selected field of the detail view, by filter name, so it stays selected from packet to packet. */
  selectedField = $state<string | null>(null);
  /** Fields a lesson step points at, marked in the detail view. */
  highlightFields = $state<string[]>([]);
  /** The core store's bound (from lab.status): past it the oldest packets go. */
  capacity = 1_000_000;
  /** Packets each fault rule acted on, counted as they stream by (the faults panel retires spent rules by it). */
  readonly ruleHits = new Map<string, number>();
  #held: CaptureBatch = { added: [], updated: [], notes: [], reset: false };
  #heldOverflow = false;
  #listeners = new Set<(b: CaptureBatch) => void>();
  #noteId = 0;
  #recent = new Map<number, PacketSummary>();
  /**
   * The recent seqs in arrival order, oldest at #recentHead: trimming by it is O(1) a packet, where taking a
   * Map's first key walks past every deleted entry still in its table (quadratic in a burst).
   */
  #recentOrder: number[] = [];
  #recentHead = 0;
  /** Asked to rebuild everything from the core (a resume after too much was held). */
  onRebuild: (() => void) | null = null;

  get selected(): PacketSummary | undefined {
    const s = this.selectedSummary;
    return s !== null && s.seq === this.selectedSeq ? s : undefined;
  }

  /** A recent packet's summary (the newest RECENT of them), reactive to new packets. */
  recent(seq: number): PacketSummary | undefined {
    void this.lastSeq;
    return this.#recent.get(seq);
  }

  /** Selects a packet; pass its summary when at hand so the detail's header shows before the tree arrives. */
  select(seq: number | null, summary?: PacketSummary): void {
    this.selectedSeq = seq;
    this.selectedSummary = summary !== undefined && summary.seq === seq ? summary : null;
  }

  /** Subscribes to committed changes (list window, topics, chart and sequence keep incremental state). */
  subscribe(fn: (b: CaptureBatch) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  makeNote(n: Omit<TimelineNote, 'id' | 'afterSeq'>, afterSeq: number | null = this.lastSeq): TimelineNote {
    return { ...n, id: ++this.#noteId, afterSeq };
  }

  /** Applies one frame's worth of events. */
  apply(b: CaptureBatch): void {
    if (this.paused) {
      if (b.reset) {
        this.#held = { added: [], updated: [], notes: [], reset: true, size: b.size ?? 0 };
        if (b.upTo !== undefined) this.#held.upTo = b.upTo;
        if (b.digest !== undefined) this.#held.digest = b.digest;
        if (b.viewTail !== undefined) this.#held.viewTail = b.viewTail;
        this.#heldOverflow = false;
      }
      if (this.#held.added.length + b.added.length > MAX_HELD) this.#heldOverflow = true;
      else this.#held.added.push(...b.added);
      this.#held.updated.push(...b.updated.slice(0, MAX_HELD - this.#held.updated.length));
      this.#held.notes.push(...b.notes.slice(0, MAX_NOTES));
      this.heldCount += b.added.length;
      return;
    }
    this.#commit(b);
  }

  /** Starts a new capture (initial load, resync after reconnecting, `cleared`); its packets follow by `apply`. */
  reset(total: number, first: PacketSummary[] = [], notes: TimelineNote[] = [], upTo?: number, digest?: CaptureDigest, viewTail?: number): void {
    const b: CaptureBatch = { added: first, updated: [], notes, reset: true, size: total };
    if (upTo !== undefined) b.upTo = upTo;
    if (digest !== undefined) b.digest = digest;
    if (viewTail !== undefined) b.viewTail = viewTail;
    this.apply(b);
  }

  setPaused(on: boolean): void {
    this.paused = on;
    if (on) return;
    const held = this.#held;
    const overflow = this.#heldOverflow;
    this.#held = { added: [], updated: [], notes: [], reset: false };
    this.#heldOverflow = false;
    this.heldCount = 0;
    if (overflow) {
      // More arrived than is worth holding in the page: the views rebuild from the core's store instead.
      this.onRebuild?.();
      return;
    }
    if (held.reset || held.added.length || held.updated.length || held.notes.length) this.#commit(held);
  }

  #commit(b: CaptureBatch): void {
    if (b.reset) {
      this.total = b.size ?? b.added.length;
      this.lastSeq = null;
      this.notes = [];
      this.origin = b.added[0]?.time ?? 0;
      this.lastTime = 0;
      this.ruleHits.clear();
      this.#recent.clear();
      // The digest counted every packet up to its newest, the first page's among them.
      if (b.digest !== undefined) for (const [id, n] of Object.entries(b.digest.ruleHits)) this.ruleHits.set(id, n);
      this.#recentOrder = [];
      this.#recentHead = 0;
    }
    const counted = b.reset ? b.digest?.upTo ?? -Infinity : -Infinity;
    if (b.added.length) {
      // Events can repeat packets a query already returned (subscribe, then load): keep seq order, no twins.
      const last = this.lastSeq ?? -Infinity;
      const fresh = b.added[0]!.seq > last ? b.added : b.added.filter((p) => p.seq > last);
      if (fresh !== b.added) b = { ...b, added: fresh };
      if (fresh.length) {
        const newest = fresh[fresh.length - 1]!;
        this.lastSeq = newest.seq;
        this.lastTime = newest.time;
        if (this.origin === 0) this.origin = fresh[0]!.time;
        for (const p of fresh) {
          this.#recent.set(p.seq, p);
          this.#recentOrder.push(p.seq);
          const id = p.fault?.ruleId;
          if (id !== undefined && p.seq > counted) this.ruleHits.set(id, (this.ruleHits.get(id) ?? 0) + 1);
        }
        if (!b.reset) {
          const grown = this.total + fresh.length;
          const over = Math.max(0, grown - this.capacity);
          this.total = grown - over;
          if (over > 0) b = { ...b, trimmed: over };
        }
      }
    }
    if (b.reset && b.upTo !== undefined) this.lastSeq = Math.max(this.lastSeq ?? -1, b.upTo);

    while (this.#recent.size > RECENT && this.#recentHead < this.#recentOrder.length) this.#recent.delete(this.#recentOrder[this.#recentHead++]!);
    if (this.#recentHead > RECENT) {
      this.#recentOrder = this.#recentOrder.slice(this.#recentHead);
      this.#recentHead = 0;
    }
    for (const u of b.updated) {
      const was = this.#recent.get(u.seq);
      if (was === undefined) continue;
      // A fault can reach a packet after it was first sent (a held packet released, a delay ended).
      const id = u.fault?.ruleId;
      if (id !== undefined && was.fault?.ruleId !== id) this.ruleHits.set(id, (this.ruleHits.get(id) ?? 0) + 1);
      this.#recent.set(u.seq, u);
    }
    if (b.notes.length) {
      const notes = this.notes.concat(b.notes);
      this.notes = notes.length > MAX_NOTES ? notes.slice(notes.length - MAX_NOTES) : notes;
    }
    for (const l of this.#listeners) l(b);
  }
}
