// What the packet list and the sequence diagram show: the capture narrowed by type, client, topic and a
// Wireshark-style display filter. New packets are filtered as they arrive, so a filter costs one pass when it
// changes and then O(new packets) per frame.
import type { WirePacket } from '../../shared/api.js';
import { evaluate, filterNames, PSEUDO_FIELDS } from '../../shared/filter/evaluate.js';
import { FilterSyntaxError, fieldsOf, parseFilter } from '../../shared/filter/parse.js';
import { topicMatches } from '../../shared/topic-filter.js';
import type { CaptureBatch, CaptureStore } from './capture.svelte.js';
import { lowerBoundSeq } from '../lib/seq-search.js';

export interface FilterProblem {
  message: string;
  start: number;
  end: number;
}

export function laneOf(p: WirePacket): string {
  return p.clientId ?? `conn #${p.connId}`;
}

export class FilterStore {
  types = $state<string[]>([]);
  client = $state('');
  /** Lanes (clients) picked in the diagram's lane filter; empty = all. */
  lanes = $state<string[]>([]);
  topic = $state('');
  text = $state('');
  /** The expression currently applied (the box may hold an edited, not yet valid one). */
  applied = $state('');
  error = $state<FilterProblem | null>(null);
  warning = $state<string | null>(null);
  visible = $state.raw<WirePacket[]>([]);
  /** Client ids seen, for the client menu. */
  clientsSeen = $state.raw<string[]>([]);
  #pred: ((p: WirePacket) => boolean) | null = null;
  #names = new Set<string>(['mqtt', ...PSEUDO_FIELDS]);
  #sampled = new Map<string, number>();
  #clients = new Set<string>();
  #listeners = new Set<(b: CaptureBatch) => void>();

  constructor(private readonly capture: CaptureStore) {
    capture.subscribe((b) => this.#onBatch(b));
  }

  /** Subscribes to changes of what is visible: like the capture's batches, with only accepted packets. */
  subscribe(fn: (b: CaptureBatch) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Whether any filter narrows the view (reactive: the count and the empty message depend on it). */
  active = $state(false);

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
    const expr = parseFilter(this.text);
    const types = new Set(this.types);
    const client = this.client;
    const topic = this.topic.trim();
    const wild = topic.includes('+') || topic.includes('#');
    const tests: Array<(p: WirePacket) => boolean> = [];
    if (types.size) tests.push((p) => types.has(p.decoded.type));
    if (client) tests.push((p) => laneOf(p) === client);
    if (this.lanes.length) {
      const lanes = new Set(this.lanes);
      tests.push((p) => lanes.has(laneOf(p)));
    }
    if (topic) {
      tests.push((p) => {
        const i = p.decoded.info;
        const ts = i.topic !== undefined ? [i.topic] : (i.topics ?? []);
        return ts.some((t) => (wild ? topicMatches(topic, t) : t.includes(topic)));
      });
    }
    if (expr) tests.push((p) => evaluate(expr, p));
    this.#pred = tests.length === 0 ? null : (p) => tests.every((t) => t(p));
    this.active = this.#pred !== null;
    this.#recompute();
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

  #recompute(): void {
    const all = this.capture.packets;
    this.visible = this.#pred ? all.filter(this.#pred) : all;
    this.#emit({ added: this.visible, updated: [], notes: this.capture.notes, reset: true });
  }

  #emit(b: CaptureBatch): void {
    for (const l of this.#listeners) l(b);
  }

  #learn(list: WirePacket[]): void {
    let clients = false;
    for (const p of list) {
      const lane = laneOf(p);
      if (!this.#clients.has(lane)) {
        this.#clients.add(lane);
        clients = true;
      }
      // Field names depend on type and version; a few packets of each kind are enough to learn them.
      const kind = `${p.decoded.type}/${p.decoded.version}`;
      const n = this.#sampled.get(kind) ?? 0;
      if (n < 8) {
        this.#sampled.set(kind, n + 1);
        filterNames(p.decoded.fields, this.#names);
      }
    }
    if (clients) this.clientsSeen = [...this.#clients];
  }

  #onBatch(b: CaptureBatch): void {
    this.#learn(b.added);
    if (b.reset) {
      this.#recompute();
      return;
    }
    if (!this.#pred) {
      this.visible = this.capture.packets;
      this.#emit(b);
      return;
    }
    let vis = this.visible;
    if (b.trimmedTo !== undefined) vis = vis.slice(lowerBoundSeq(vis, b.trimmedTo));
    const more = b.added.length ? b.added.filter(this.#pred) : b.added;
    if (more.length) vis = vis.concat(more);
    if (b.updated.length) {
      if (vis === this.visible) vis = vis.slice();
      for (const u of b.updated) {
        const i = lowerBoundSeq(vis, u.seq);
        if (vis[i]?.seq === u.seq) vis[i] = u;
      }
    }
    if (vis !== this.visible) this.visible = vis;
    this.#emit({ ...b, added: more });
  }
}
