// What the packet list and the sequence diagram are narrowed to: packet types, a client, lanes, a topic and a
// Wireshark-style display filter. The page only checks the expression as it is typed (for the message under
// the box) and composes the choices into one expression; the core evaluates it over its store (view.svelte.ts).
import type { PacketSummary, WirePacket } from '../../shared/api.js';
import { filterNames, PSEUDO_FIELDS } from '../../shared/filter/evaluate.js';
import { FilterSyntaxError, fieldsOf, parseFilter } from '../../shared/filter/parse.js';
import { composeFilter } from '../lib/filter-compose.js';
import type { CaptureBatch, CaptureStore } from './capture.svelte.js';

export interface FilterProblem {
  message: string;
  start: number;
  end: number;
}

export function laneOf(p: Pick<PacketSummary, 'clientId' | 'connId'>): string {
  return p.clientId ?? `conn #${p.connId}`;
}

/** Packets of each type and version whose trees are fetched to learn the field names the box suggests. */
const SAMPLES_PER_KIND = 2;

export class FilterStore {
  types = $state<string[]>([]);
  client = $state('');
  /** Lanes (clients) picked in the diagram's lane filter; empty = all. */
  lanes = $state<string[]>([]);
  topic = $state('');
  text = $state('');
  /** The expression currently applied (the box may hold an edited, not yet valid one). */
  applied = $state('');
  /** Everything applied, as one expression for the core ('' for none). */
  query = $state('');
  error = $state<FilterProblem | null>(null);
  warning = $state<string | null>(null);
  /** Client ids seen, for the client menu. */
  clientsSeen = $state.raw<string[]>([]);
  /** Whether any filter narrows the view (reactive: the count and the empty message depend on it). */
  active = $state(false);
  #names = new Set<string>(['mqtt', ...PSEUDO_FIELDS]);
  #sampled = new Map<string, number>();
  #clients = new Set<string>();
  /** Told when the applied filter changes (the view fetches itself again). */
  onChange: (() => void) | null = null;
  /** Fetches a few whole packets (to learn field names); set by the LabStore. */
  sample: ((seqs: number[]) => void) | null = null;

  constructor(capture: CaptureStore) {
    capture.subscribe((b) => this.#onBatch(b));
  }

  /** Field names seen in the capture, for suggestions. */
  get knownNames(): string[] {
    return [...this.#names].sort();
  }

  /** Checks the box's text as it is typed; returns whether it is valid (and may be applied). */
  check(text: string): boolean {
    try {
      const e = parseFilter(text);
      this.error = null;
      const unknown = [...fieldsOf(e)].filter((f) => !this.#names.has(f));
      this.warning = unknown.length
        ? `No packet in the capture has ${unknown.map((f) => `'${f}'`).join(', ')} yet: ${unknown.length > 1 ? 'they match' : 'it matches'} nothing`
        : null;
      return true;
    } catch (err) {
      if (err instanceof FilterSyntaxError) this.error = { message: err.message, start: err.start, end: err.end };
      else this.error = { message: String(err), start: 0, end: text.length };
      this.warning = null;
      return false;
    }
  }

  /** Applies the current type/client/topic choices and the expression text. */
  apply(): void {
    if (!this.check(this.text)) return;
    this.applied = this.text;
    const q = composeFilter({ types: this.types, client: this.client, lanes: this.lanes, topic: this.topic, expr: this.text });
    this.active = q !== '';
    if (q !== this.query) {
      this.query = q;
      this.onChange?.();
    }
  }

  clear(): void {
    this.types = [];
    this.client = '';
    this.lanes = [];
    this.topic = '';
    this.text = '';
    this.error = null;
    this.warning = null;
    this.apply();
  }

  /** Learns the field names of a whole packet (each one the page fetches passes by here). */
  learn(p: WirePacket): void {
    filterNames(p.decoded.fields, this.#names);
  }

  #onBatch(b: CaptureBatch): void {
    let clients = false;
    const samples: number[] = [];
    if (b.digest !== undefined) {
      // The whole capture's lanes and samples: the batch itself is only its first page.
      for (const c of b.digest.connections) {
        const lane = laneOf(c);
        if (!this.#clients.has(lane)) {
          this.#clients.add(lane);
          clients = true;
        }
      }
      samples.push(...b.digest.samples);
    }
    for (const p of b.added) {
      const lane = laneOf(p);
      if (!this.#clients.has(lane)) {
        this.#clients.add(lane);
        clients = true;
      }
      // Field names depend on type and version; a couple of packets of each kind are enough to learn them.
      const kind = `${p.type}/${p.version}`;
      const n = this.#sampled.get(kind) ?? 0;
      if (n < SAMPLES_PER_KIND) {
        this.#sampled.set(kind, n + 1);
        samples.push(p.seq);
      }
    }
    if (clients) this.clientsSeen = [...this.#clients];
    if (samples.length) this.sample?.(samples);
  }
}
