// Whole packets (bytes and field tree) on demand: the live stream carries summaries only, so the detail view,
// lesson highlights and cut payloads fetch what they need with `packets.getMany`, through this one bounded
// cache. Requests made in the same task go out as one call; a packet already cached is answered at once.
import type { LabApi, WirePacket } from '../../shared/api.js';

/** Packets kept; stepping through a list or re-opening recent packets stays instant. */
export const DETAIL_CACHE_SIZE = 2000;
/** Seqs per getMany call (the contract allows 10,000; a detail view needs a handful). */
const BATCH = 500;

export class DetailCache {
  /** Bumped whenever packets arrive or are dropped, so views reading `get` re-run. */
  version = $state(0);
  /** Insertion order is recency order: a hit moves the packet to the end, the front is evicted first. */
  #lru = new Map<number, WirePacket>();
  #wanted = new Set<number>();
  #inFlight = new Set<number>();
  /** Seqs the core no longer has (trimmed, cleared): asked once, not again. */
  #gone = new Set<number>();
  #waiters = new Map<number, Array<(p: WirePacket | undefined) => void>>();
  #scheduled = false;
  #generation = 0;
  /** Told about every packet that arrives (the filter box learns field names from them). */
  onPacket: ((p: WirePacket) => void) | null = null;

  constructor(private readonly api: Pick<LabApi, 'call'>, readonly capacity = DETAIL_CACHE_SIZE) {}

  get size(): number {
    return this.#lru.size;
  }

  /** The cached packet, or undefined while it is fetched (reactive: views re-run when it arrives). */
  get(seq: number): WirePacket | undefined {
    void this.version;
    const p = this.#lru.get(seq);
    if (p !== undefined) {
      this.#lru.delete(seq);
      this.#lru.set(seq, p);
      return p;
    }
    this.#want(seq);
    return undefined;
  }

  /** Cached without fetching or touching recency (tests, and views that must not cause traffic). */
  peek(seq: number): WirePacket | undefined {
    return this.#lru.get(seq);
  }

  /** Whether the core said it no longer has the packet. */
  isGone(seq: number): boolean {
    void this.version;
    return this.#gone.has(seq);
  }

  /** The packets, fetched if need be; those the core no longer has come back undefined. */
  fetch(seqs: readonly number[]): Promise<Array<WirePacket | undefined>> {
    return Promise.all(seqs.map((seq) => {
      const p = this.#lru.get(seq);
      if (p !== undefined || this.#gone.has(seq)) return Promise.resolve(p);
      return new Promise<WirePacket | undefined>((resolve) => {
        let list = this.#waiters.get(seq);
        if (list === undefined) this.#waiters.set(seq, (list = []));
        list.push(resolve);
        this.#want(seq);
      });
    }));
  }

  /** Fetches packets a view is likely to open next (the selection's neighbours), without waiting for them. */
  prefetch(seqs: readonly number[]): void {
    for (const s of seqs) if (!this.#lru.has(s)) this.#want(s);
  }

  /** A packet changed (a finding added, a held packet released): the next read fetches it again. */
  invalidate(seq: number): void {
    if (this.#lru.delete(seq)) this.version++;
  }

  /** The capture was replaced: nothing cached belongs to it. */
  clear(): void {
    this.#generation++;
    this.#lru.clear();
    this.#gone.clear();
    this.#wanted.clear();
    this.#inFlight.clear();
    for (const list of this.#waiters.values()) for (const w of list) w(undefined);
    this.#waiters.clear();
    this.version++;
  }

  #want(seq: number): void {
    if (this.#inFlight.has(seq) || this.#gone.has(seq)) return;
    this.#wanted.add(seq);
    if (this.#scheduled) return;
    this.#scheduled = true;
    // A microtask: every `get` of this render (and the prefetches after it) go out together.
    queueMicrotask(() => void this.#flush());
  }

  async #flush(): Promise<void> {
    this.#scheduled = false;
    const seqs = [...this.#wanted];
    this.#wanted.clear();
    for (const s of seqs) this.#inFlight.add(s);
    const gen = this.#generation;
    for (let i = 0; i < seqs.length; i += BATCH) {
      const part = seqs.slice(i, i + BATCH);
      let got: WirePacket[] = [];
      try {
        got = await this.api.call('packets.getMany', { seqs: part });
      } catch {
        // The link went down: nothing is marked gone, the next read asks again.
        if (gen === this.#generation) for (const s of part) this.#inFlight.delete(s);
        continue;
      }
      if (gen !== this.#generation) return;
      const found = new Set<number>();
      for (const p of got) {
        found.add(p.seq);
        this.#inFlight.delete(p.seq);
        this.#lru.delete(p.seq);
        this.#lru.set(p.seq, p);
        this.onPacket?.(p);
        this.#resolve(p.seq, p);
      }
      for (const s of part) {
        if (found.has(s)) continue;
        this.#inFlight.delete(s);
        this.#gone.add(s);
        this.#resolve(s, undefined);
      }
      while (this.#lru.size > this.capacity) this.#lru.delete(this.#lru.keys().next().value!);
      this.version++;
    }
  }

  #resolve(seq: number, p: WirePacket | undefined): void {
    const list = this.#waiters.get(seq);
    if (list === undefined) return;
    this.#waiters.delete(seq);
    for (const w of list) w(p);
  }
}
