// The renderer's copy of the capture: every packet in seq order, bounded like the Lab's store, plus
// timeline notes (connections ending, wills) placed between packets. Big arrays are `$state.raw` and
// replaced whole once per animation frame, never mutated in place, so Svelte never deep-proxies them.
import type { WirePacket } from '../../shared/api.js';
import { lowerBoundSeq } from '../lib/seq-search.js';

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
  added: WirePacket[];
  updated: WirePacket[];
  notes: TimelineNote[];
  /** The whole capture was replaced (load, clear): consumers rebuild from `added`. */
  reset: boolean;
  /** The oldest packets fell out of the bounded capture: every seq below this one is gone. */
  trimmedTo?: number;
}


export class CaptureStore {
  packets = $state.raw<WirePacket[]>([]);
  notes = $state.raw<TimelineNote[]>([]);
  /** Freezes the views while the capture goes on: arriving packets wait here until resumed. */
  paused = $state(false);
  heldCount = $state(0);
  selectedSeq = $state<number | null>(null);
  /** The selected field of the detail view, by filter name, so it stays selected from packet to packet. */
  selectedField = $state<string | null>(null);
  /** Fields a lesson step points at, marked in the detail view. */
  highlightFields = $state<string[]>([]);
  capacity = 200_000;
  #held: CaptureBatch = { added: [], updated: [], notes: [], reset: false };
  #listeners = new Set<(b: CaptureBatch) => void>();
  #noteId = 0;

  get selected(): WirePacket | undefined {
    const seq = this.selectedSeq;
    if (seq === null) return undefined;
    return this.get(seq);
  }

  get(seq: number): WirePacket | undefined {
    const list = this.packets;
    const i = lowerBoundSeq(list, seq);
    return list[i]?.seq === seq ? list[i] : undefined;
  }

  get lastSeq(): number | null {
    return this.#held.added.at(-1)?.seq ?? this.packets.at(-1)?.seq ?? null;
  }

  /** Subscribes to committed changes (topics, chart and sequence layout keep incremental state). */
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
      if (b.reset) this.#held = { added: [], updated: [], notes: [], reset: true };
      this.#held.added.push(...b.added);
      this.#held.updated.push(...b.updated);
      this.#held.notes.push(...b.notes);
      this.heldCount = this.#held.added.length;
      return;
    }
    this.#commit(b);
  }

  /** Replaces everything (initial load, resync after reconnecting, `cleared`). */
  reset(packets: WirePacket[], notes: TimelineNote[] = []): void {
    this.apply({ added: packets, updated: [], notes, reset: true });
  }

  setPaused(on: boolean): void {
    this.paused = on;
    if (!on) {
      const held = this.#held;
      this.#held = { added: [], updated: [], notes: [], reset: false };
      this.heldCount = 0;
      if (held.reset || held.added.length || held.updated.length || held.notes.length) this.#commit(held);
    }
  }

  #commit(b: CaptureBatch): void {
    let packets = b.reset ? [] : this.packets;
    let notes = b.reset ? [] : this.notes;
    let trimmedTo: number | undefined;
    if (b.added.length) {
      // Events can repeat packets a query already returned (subscribe, then load): keep seq order, no twins.
      const last = packets.at(-1)?.seq ?? -Infinity;
      const fresh = b.added[0]!.seq > last ? b.added : b.added.filter((p) => p.seq > last);
      b = { ...b, added: fresh };
      packets = packets.concat(fresh);
    }
    if (packets.length > this.capacity) {
      packets = packets.slice(packets.length - this.capacity);
      const first = packets[0]!.seq;
      notes = notes.filter((n) => n.afterSeq === null || n.afterSeq >= first);
      trimmedTo = first;
    }
    if (b.updated.length) {
      packets = packets === this.packets ? packets.slice() : packets;
      for (const u of b.updated) {
        const i = lowerBoundSeq(packets, u.seq);
        if (packets[i]?.seq === u.seq) packets[i] = u;
      }
    }
    if (b.notes.length) notes = notes.concat(b.notes);
    if (packets !== this.packets) this.packets = packets;
    if (notes !== this.notes) this.notes = notes;
    const batch: CaptureBatch = b.reset ? { added: packets, updated: [], notes, reset: true } : b;
    if (trimmedTo !== undefined) batch.trimmedTo = trimmedTo;
    for (const l of this.#listeners) l(batch);
  }
}
