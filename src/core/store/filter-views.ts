// The capture seen through a display filter, by position: what a windowed list asks for page by page while
// it scrolls a million rows. The seqs matching each recent filter are kept (4 bytes each) and extended as
// records arrive, so a page is a binary search and a slice, not a scan; clear() starts them again, and
// records evicted from the store simply fall off the front.
import { evaluate } from '../../shared/filter/evaluate.js';
import { FilterSyntaxError, fieldsOf, parseFilter, type Expr } from '../../shared/filter/parse.js';
import type { CaptureStore } from './capture-store.js';
import { RecordSubject } from './record-subject.js';

/** Filters whose matches are kept; the least recently used beyond this are dropped. */
const KEPT_VIEWS = 8;

class MatchList {
  seqs = new Uint32Array(1024);
  n = 0;
  /** Index of the first seq still in the store. */
  lo = 0;

  push(seq: number): void {
    if (this.n === this.seqs.length) {
      // Dropping the evicted front before growing keeps a long-running capture from growing without bound.
      if (this.lo > this.n / 2) this.compact();
      else {
        const next = new Uint32Array(this.seqs.length * 2);
        next.set(this.seqs.subarray(0, this.n));
        this.seqs = next;
      }
    }
    this.seqs[this.n++] = seq;
  }

  private compact(): void {
    this.seqs.copyWithin(0, this.lo, this.n);
    this.n -= this.lo;
    this.lo = 0;
  }

  /** Index of the first entry >= seq, from `lo`. */
  lowerBound(seq: number): number {
    let a = this.lo;
    let b = this.n;
    while (a < b) {
      const m = (a + b) >> 1;
      if (this.seqs[m]! < seq) a = m + 1;
      else b = m;
    }
    return a;
  }

  dropBefore(seq: number): void {
    this.lo = this.lowerBound(seq);
  }

  insert(seq: number): void {
    const i = this.lowerBound(seq);
    if (this.seqs[i] === seq && i < this.n) return;
    this.push(0);
    this.seqs.copyWithin(i + 1, i, this.n - 1);
    this.seqs[i] = seq;
  }

  remove(seq: number): void {
    const i = this.lowerBound(seq);
    if (i >= this.n || this.seqs[i] !== seq) return;
    this.seqs.copyWithin(i, i + 1, this.n);
    this.n--;
  }

  get total(): number {
    return this.n - this.lo;
  }
}

interface View {
  expr: Expr;
  matches: MatchList;
  /** The newest seq tested. */
  scanned: number;
  generation: number;
}

/** A filter that does not parse: its message says where and why (the page shows it under the filter box). */
export class FilterError extends Error {
  constructor(readonly filter: string, readonly syntax: FilterSyntaxError) {
    super(`display filter: ${syntax.message}`);
    this.name = 'FilterError';
  }
}

export interface SeqWindow {
  total: number;
  offset: number;
  seqs: number[];
}

export class FilterViews {
  private readonly views = new Map<string, View>();
  private readonly subject: RecordSubject;
  /** The field names of each expression evaluated, so the subject reads just those from the bytes. */
  private readonly fields = new WeakMap<Expr, ReadonlySet<string>>();

  constructor(private readonly store: CaptureStore) {
    this.subject = new RecordSubject(store);
  }

  /** Whether the record matches the filter (null: an empty filter, which every record matches). */
  test(expr: Expr | null, seq: number): boolean {
    return expr === null || this.matches(expr, seq);
  }

  private matches(expr: Expr, seq: number): boolean {
    let fields = this.fields.get(expr);
    if (fields === undefined) this.fields.set(expr, (fields = fieldsOf(expr)));
    return evaluate(expr, this.subject.wants(fields).at(seq));
  }

  /** The parsed filter; a syntax error throws FilterError. */
  parse(filter: string): Expr | null {
    try {
      return parseFilter(filter);
    } catch (e) {
      if (e instanceof FilterSyntaxError) throw new FilterError(filter, e);
      throw e;
    }
  }

  /** The kept view of a filter (made, or made again after a clear); null for an empty filter (everything). */
  private viewOf(filter: string | undefined): View | null {
    if (filter === undefined || filter.trim() === '') return null;
    const store = this.store;
    let v = this.views.get(filter);
    if (v === undefined || v.generation !== store.generation) {
      const expr = this.parse(filter);
      if (expr === null) return null;
      v = { expr, matches: new MatchList(), scanned: 0, generation: store.generation };
    }
    // Most recently used last.
    this.views.delete(filter);
    this.views.set(filter, v);
    if (this.views.size > KEPT_VIEWS) this.views.delete(this.views.keys().next().value!);
    return v;
  }

  /** Tests records not yet tested, until `deadline` (performance.now()); true when the view is up to date. */
  private scan(v: View, deadline = Infinity): boolean {
    const first = this.store.firstSeq;
    const last = this.store.lastSeq;
    if (first === undefined || last === undefined) return true;
    let s = Math.max(v.scanned + 1, first);
    while (s <= last) {
      const end = Math.min(last, s + 4095);
      for (; s <= end; s++) if (this.matches(v.expr, s)) v.matches.push(s);
      v.scanned = end;
      if (performance.now() > deadline) break;
    }
    v.matches.dropBefore(first);
    return s > last;
  }

  /** The matches of a filter, brought up to the newest record; null for an empty filter (everything). */
  private view(filter: string | undefined): View | null {
    const v = this.viewOf(filter);
    if (v !== null) this.scan(v);
    return v;
  }

  /**
   * Brings a filter's view up to date in slices of `sliceMs`, yielding between them: the first pass over a
   * million records (seconds, for a filter that reads trees) must not stall the tap sharing this thread.
   * A syntax error rejects with FilterError.
   */
  async prepare(filter: string | undefined, sliceMs = 20): Promise<void> {
    for (;;) {
      const v = this.viewOf(filter);
      if (v === null || this.scan(v, performance.now() + sliceMs)) return;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }

  /** Rows offset..offset+limit of the (filtered) capture, as seqs, with the view's size. */
  window(filter: string | undefined, offset: number, limit: number): SeqWindow {
    const v = this.view(filter);
    if (v === null) {
      const total = this.store.size;
      const first = this.store.firstSeq ?? 0;
      const from = Math.min(Math.max(0, offset), total);
      const seqs: number[] = [];
      for (let i = from; i < Math.min(total, from + limit); i++) seqs.push(first + i);
      return { total, offset: from, seqs };
    }
    const m = v.matches;
    const total = m.total;
    const from = Math.min(Math.max(0, offset), total);
    const seqs = Array.from(m.seqs.subarray(m.lo + from, m.lo + Math.min(total, from + limit)));
    return { total, offset: from, seqs };
  }

  /** Position of a seq in the (filtered) capture, or -1. */
  indexOf(filter: string | undefined, seq: number): number {
    const v = this.view(filter);
    if (v === null) return this.store.has(seq) ? seq - this.store.firstSeq! : -1;
    const m = v.matches;
    const i = m.lowerBound(seq);
    return i < m.n && m.seqs[i] === seq ? i - m.lo : -1;
  }

  /** The seqs matching a filter after `afterSeq`, oldest first (a view: read it before the next call). */
  seqsAfter(filter: string, afterSeq: number | undefined): Uint32Array {
    const v = this.view(filter);
    if (v === null) throw new Error('seqsAfter needs a filter');
    const m = v.matches;
    const start = afterSeq === undefined ? m.lo : m.lowerBound(afterSeq + 1);
    return m.seqs.subarray(start, m.n);
  }

  /** A record changed after it was matched (a fault released): its membership is tested again. */
  updated(seq: number): void {
    for (const v of this.views.values()) {
      if (v.generation !== this.store.generation || seq > v.scanned || !this.store.has(seq)) continue;
      if (this.matches(v.expr, seq)) v.matches.insert(seq);
      else v.matches.remove(seq);
    }
  }
}
