// Time series of numeric JSON payload fields (`{"temperature": 21.5}` on home/temp gives the series
// `home/temp › temperature`), from what publishers send to the broker, for the live chart. The summaries
// carry a payload's first characters; a JSON payload cut there is read whole from the packet.
import type { CaptureDigest, PacketSummary, WirePacket } from '../../shared/api.js';
import { numericFields, payloadText } from '../lib/payload.js';
import type { CaptureBatch, CaptureStore } from './capture.svelte.js';

export interface Series {
  key: string;
  topic: string;
  field: string;
  t: number[];
  v: number[];
}

const MAX_POINTS = 5000;
const MAX_SERIES = 64;
/** Payloads longer than this are not read for numbers (nor fetched whole). */
const MAX_TEXT = 4096;
/** Cut payloads fetched whole at most at once; a flood of long JSON is charted from the newest. */
const MAX_FETCHING = 500;

export class SeriesStore {
  series = new Map<string, Series>();
  version = $state(0);
  /** Keys the chart shows; empty means "the first few". */
  chosen = $state<string[]>([]);
  /** Fetches whole packets (set by the LabStore). */
  fetchPackets: ((seqs: number[]) => Promise<Array<WirePacket | undefined>>) | null = null;
  #generation = 0;
  #fetching = 0;

  constructor(capture: CaptureStore) {
    capture.subscribe((b) => this.#onBatch(b));
  }

  get keys(): string[] {
    void this.version;
    return [...this.series.keys()];
  }

  /**
   * Starts the chart from the core's digest of the whole capture (the newest messages per topic) instead of
   * reading every packet through; live packets after `digest.upTo` follow as batches (a reset batch carries it).
   */
  #loadDigest(d: CaptureDigest): void {
    this.series = new Map();
    this.#generation++;
    const cut: number[] = [];
    for (const t of d.topics) {
      for (const m of t.messages) {
        if (m.cut) {
          const first = m.text?.trimStart()[0];
          if ((first === '{' || first === '[') && m.size <= MAX_TEXT) cut.push(m.seq);
        } else if (m.text !== undefined) this.#add(t.topic, m.time, m.text);
      }
    }
    this.version++;
    if (cut.length) void this.#fetchCut(cut);
  }

  #onBatch(b: CaptureBatch): void {
    if (b.reset && b.digest !== undefined) {
      // The digest stands for every packet up to its newest, the first page's among them; packets held
      // back by a pause may follow in the same batch.
      this.#loadDigest(b.digest);
      const upTo = b.digest.upTo ?? -Infinity;
      b = { ...b, reset: false, added: b.added.filter((p) => p.seq > upTo) };
    }
    if (b.reset) {
      this.series = new Map();
      this.#generation++;
    }
    let changed = b.reset;
    const cut: number[] = [];
    for (const p of b.added) {
      if (p.type !== 'PUBLISH' || p.direction !== 'toBroker' || !p.info.topic) continue;
      if (p.payloadCut) {
        const first = p.payloadText?.trimStart()[0];
        if ((first === '{' || first === '[') && (p.info.payloadLength ?? 0) <= MAX_TEXT) cut.push(p.seq);
        continue;
      }
      if (p.payloadText === undefined) continue;
      changed = this.#add(p.info.topic, p.time, p.payloadText) || changed;
    }
    if (changed) this.version++;
    if (cut.length) void this.#fetchCut(cut);
  }

  async #fetchCut(seqs: number[]): Promise<void> {
    if (!this.fetchPackets) return;
    const room = Math.max(0, MAX_FETCHING - this.#fetching);
    const take = seqs.length > room ? seqs.slice(seqs.length - room) : seqs;
    if (!take.length) return;
    const gen = this.#generation;
    this.#fetching += take.length;
    try {
      const got = await this.fetchPackets(take);
      if (gen !== this.#generation) return;
      let changed = false;
      for (const w of got) {
        const text = w && payloadText(w);
        if (w && text !== undefined && w.decoded.info.topic) changed = this.#add(w.decoded.info.topic, w.time, text) || changed;
      }
      if (changed) this.version++;
    } finally {
      this.#fetching -= take.length;
    }
  }

  #add(topic: string, time: number, text: string): boolean {
    if (text.length > MAX_TEXT) return false;
    let changed = false;
    for (const [field, value] of numericFields(text)) {
      const key = `${topic} › ${field}`;
      let s = this.series.get(key);
      if (!s) {
        if (this.series.size >= MAX_SERIES) continue;
        s = { key, topic, field, t: [], v: [] };
        this.series.set(key, s);
      }
      // A fetched point can land after newer ones: keep each series in time order.
      let at = s.t.length;
      while (at > 0 && s.t[at - 1]! > time) at--;
      s.t.splice(at, 0, time);
      s.v.splice(at, 0, value);
      if (s.t.length > MAX_POINTS) {
        s.t.splice(0, s.t.length - MAX_POINTS);
        s.v.splice(0, s.v.length - MAX_POINTS);
      }
      changed = true;
    }
    return changed;
  }
}
