// Every captured packet, newest last, in a fixed-size ring: appending is O(1) and never moves records; when full,
// the oldest record is overwritten. Sequence numbers are the store's own, contiguous and never reused, so
// `seq - firstSeq` is a record's position and get(seq) needs no search.
import type { PacketRecord } from '../../shared/lab.js';
import { compileQuery, type RecordQuery } from './record-query.js';

export type NewRecord = Omit<PacketRecord, 'seq'>;
export type AppendListener = (record: PacketRecord) => void;

export const DEFAULT_CAPACITY = 200_000;

export class CaptureStore {
  readonly capacity: number;
  private readonly ring: Array<PacketRecord | undefined>;
  /** Ring index of the oldest record. */
  private head = 0;
  private count = 0;
  private nextSeq = 1;
  private readonly clientOfConn = new Map<number, string>();
  private readonly listeners = new Set<AppendListener>();

  constructor(capacity: number = DEFAULT_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`capacity must be a positive integer, not ${capacity}`);
    this.capacity = capacity;
    this.ring = new Array<PacketRecord | undefined>(capacity).fill(undefined);
  }

  /** Stores the record as given (its bytes are not copied) with the next seq, and returns it. */
  append(record: NewRecord): PacketRecord {
    const stored = record as PacketRecord;
    stored.seq = this.nextSeq++;
    if (this.count < this.capacity) {
      this.ring[(this.head + this.count) % this.capacity] = stored;
      this.count++;
    } else {
      this.ring[this.head] = stored;
      this.head = (this.head + 1) % this.capacity;
    }
    for (const listener of this.listeners) listener(stored);
    return stored;
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
