// Time series of numeric JSON payload fields (`{"temperature": 21.5}` on home/temp gives the series
// `home/temp › temperature`), from what publishers send to the broker, for the live chart.
import { numericFields } from '../lib/payload.js';
import { publishOf } from '../lib/publish-view.js';
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

export class SeriesStore {
  series = new Map<string, Series>();
  version = $state(0);
  /** Keys the chart shows; empty means "the first few". */
  chosen = $state<string[]>([]);

  constructor(capture: CaptureStore) {
    capture.subscribe((b) => this.#onBatch(b));
  }

  get keys(): string[] {
    void this.version;
    return [...this.series.keys()];
  }

  #onBatch(b: CaptureBatch): void {
    if (b.reset) this.series = new Map();
    let changed = b.reset;
    for (const p of b.added) {
      const pub = publishOf(p);
      // A cut preview is not the whole JSON: its numbers cannot be read from it.
      if (!pub || !pub.toBroker || pub.text === undefined || pub.cut || pub.text.length > 4096) continue;
      for (const [field, value] of numericFields(pub.text)) {
        const key = `${pub.topic} › ${field}`;
        let s = this.series.get(key);
        if (!s) {
          if (this.series.size >= MAX_SERIES) continue;
          s = { key, topic: pub.topic, field, t: [], v: [] };
          this.series.set(key, s);
        }
        s.t.push(pub.time);
        s.v.push(value);
        if (s.t.length > MAX_POINTS) {
          s.t.splice(0, s.t.length - MAX_POINTS);
          s.v.splice(0, s.v.length - MAX_POINTS);
        }
        changed = true;
      }
    }
    if (changed) this.version++;
  }
}
