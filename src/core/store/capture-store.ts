// Every captured packet, newest last, in a fixed-size ring: appending is O(1) and never moves records; when full,
// the oldest record is overwritten. Sequence numbers are the store's own, contiguous and never reused, so
// `seq - firstSeq` is a record's position and get(seq) needs no search.
//
// The ring is bounded in bytes too: a few large payloads must not hold gigabytes. Records keep their full
// bytes while all bytes held fit the byte budget; past it the oldest large records are cut to their first
// TRUNCATED_BYTES (their tree, built first, still describes the whole packet; `fullLength` keeps the true
// size), and when no large record is left to cut the oldest records go.
import type { PacketRecord } from '../../shared/lab.js';
import { compileQuery, type RecordQuery } from './record-query.js';

export type NewRecord = Omit<PacketRecord, 'seq'>;
export type AppendListener = (record: PacketRecord) => void;

export const DEFAULT_CAPACITY = 200_000;
/** Bytes of all records' raw bytes together. */
export const DEFAULT_BYTE_BUDGET = 128 * 1_048_576;
/** What a large record keeps of its bytes once the budget is reached: its headers and the start of its payload. */
export const TRUNCATED_BYTES = 4096;

export interface CaptureStoreOptions {
  byteBudget?: number;
}

export class CaptureStore {
  readonly capacity: number;
  private readonly ring: Array<PacketRecord | undefined>;
  /** Ring index of the oldest record. */
  private head = 0;
  private count = 0;
  private nextSeq = 1;
  private readonly clientOfConn = new Map<number, string>();
  private readonly listeners = new Set<AppendListener>();
  readonly byteBudget: number;
  private held = 0;
  /** Seqs of records still holding more than TRUNCATED_BYTES, oldest first (from `largeHead` on). */
  private large: number[] = [];
  private largeHead = 0;

  constructor(capacity: number = DEFAULT_CAPACITY, opts: CaptureStoreOptions = {}) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`capacity must be a positive integer, not ${capacity}`);
    const budget = opts.byteBudget ?? DEFAULT_BYTE_BUDGET;
    if (!(budget >= TRUNCATED_BYTES)) throw new Error(`byteBudget must be at least ${TRUNCATED_BYTES}, not ${budget}`);
    this.capacity = capacity;
    this.byteBudget = budget;
    this.ring = new Array<PacketRecord | undefined>(capacity).fill(undefined);
  }

  /** Bytes of raw packet data the store holds now (at most byteBudget, plus the newest record). */
  get bytesHeld(): number {
    return this.held;
  }

  /** Stores the record as given (its bytes are not copied) with the next seq, and returns it. */
  append(record: NewRecord): PacketRecord {
    const stored = record as PacketRecord;
    stored.seq = this.nextSeq++;
    if (this.count === this.capacity) this.evictOldest();
    this.ring[(this.head + this.count) % this.capacity] = stored;
    this.count++;
    this.held += stored.bytes.length;
    if (stored.bytes.length > TRUNCATED_BYTES) this.large.push(stored.seq);
    for (const listener of this.listeners) listener(stored);
    // After the listeners: they see the packet whole as it went by; only what is kept is cut.
    this.keepWithinBudget();
    return stored;
  }

  private evictOldest(): void {
    const old = this.ring[this.head]!;
    this.held -= old.bytes.length;
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
  }

  /** Amortised O(1) per append: every large seq is taken off the queue once. */
  private keepWithinBudget(): void {
    while (this.held > this.byteBudget) {
      if (this.largeHead < this.large.length) {
        const r = this.get(this.large[this.largeHead++]!);
        if (r !== undefined && r.bytes.length > TRUNCATED_BYTES) this.truncate(r);
      } else if (this.count > 1) {
        this.evictOldest();
      } else {
        break;
      }
    }
    if (this.largeHead > 1024 && this.largeHead * 2 > this.large.length) {
      this.large = this.large.slice(this.largeHead);
      this.largeHead = 0;
    }
  }

  private truncate(r: PacketRecord): void {
    // The tree is built from the whole packet before the bytes go (a lazily decoded record would otherwise
    // decode a prefix), then stored as a plain value so that nothing keeps the full bytes alive.
    const decoded = r.decoded;
    Object.defineProperty(r, 'decoded', { value: decoded, enumerable: true, writable: true, configurable: true });
    const full = r.bytes.length;
    // A copy, not a view: a view would keep the whole buffer (often a socket chunk) alive.
    r.bytes = r.bytes.slice(0, TRUNCATED_BYTES);
    r.fullLength = full;
    this.held -= full - TRUNCATED_BYTES;
  }

  /** Called for every appended record; returns the function that unsubscribes. */
  subscribe(listener: AppendListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  get size(): number {
    return this.count;
  }

  /** Seq of the oldest record held, or undefined when empty. */
  get firstSeq(): number | undefined {
    return this.count === 0 ? undefined : this.nextSeq - this.count;
  }

  get lastSeq(): number | undefined {
    return this.count === 0 ? undefined : this.nextSeq - 1;
  }

  get(seq: number): PacketRecord | undefined {
    const first = this.nextSeq - this.count;
    const offset = seq - first;
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.count) return undefined;
    return this.ring[(this.head + offset) % this.capacity];
  }

  /** Drops every record; seq numbering continues, so a seq seen before never names another record. */
  clear(): void {
    this.ring.fill(undefined);
    this.head = 0;
    this.count = 0;
    this.held = 0;
    this.large = [];
    this.largeHead = 0;
    this.clientOfConn.clear();
  }

  /** The Lab learns a connection's client id from its CONNECT and tells the store, for clientId queries. */
  setClientId(connId: number, clientId: string): void {
    this.clientOfConn.set(connId, clientId);
  }

  clientIdOf(connId: number): string | undefined {
    return this.clientOfConn.get(connId);
  }

  /** Matching records, oldest first. */
  query(q: RecordQuery = {}): PacketRecord[] {
    const test = compileQuery(q, (clientId) => this.connIdsOf(clientId));
    const limit = q.limit ?? Infinity;
    const out: PacketRecord[] = [];
    if (limit <= 0) return out;
    // Records are in seq order, so afterSeq can skip straight to its position.
    const first = this.nextSeq - this.count;
    const start = q.afterSeq === undefined ? 0 : Math.max(0, Math.min(this.count, q.afterSeq + 1 - first));
    if (q.fromEnd === true) {
      for (let i = this.count - 1; i >= start && out.length < limit; i--) {
        const r = this.ring[(this.head + i) % this.capacity] as PacketRecord;
        if (test(r)) out.push(r);
      }
      return out.reverse();
    }
    for (let i = start; i < this.count && out.length < limit; i++) {
      const r = this.ring[(this.head + i) % this.capacity] as PacketRecord;
      if (test(r)) out.push(r);
    }
    return out;
  }

  private connIdsOf(clientId: string): Set<number> {
    const ids = new Set<number>();
    for (const [connId, cid] of this.clientOfConn) if (cid === clientId) ids.add(connId);
    return ids;
  }
}
