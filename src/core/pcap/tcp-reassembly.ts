// Puts one direction of a TCP connection back in order: retransmissions and overlaps are trimmed, segments
// that arrive early wait for the gap before them, and a gap that can never fill is reported, not papered over.

/** Where a byte came from: the frame whose arrival made it deliverable in order. */
export interface FrameRef {
  frame: number;
  time: number;
}

export type ReassemblyEvent =
  | { kind: 'data'; bytes: Uint8Array; at: FrameRef }
  /** `missing` bytes at stream offset `offset` were never captured; delivery resumes after them. */
  | { kind: 'gap'; offset: number; missing: number; at: FrameRef; why: string }
  /** The sender closed (FIN, once every byte before it has been delivered) or reset the connection. */
  | { kind: 'end'; cause: 'fin' | 'rst'; at: FrameRef };

export interface ReassemblerOptions {
  /** Out-of-order bytes held while waiting for a gap to fill; beyond this the gap is declared lost. */
  maxBufferedBytes?: number;
}

export const DEFAULT_MAX_BUFFERED = 16 * 1024 * 1024;

interface Pending {
  offset: number;
  bytes: Uint8Array;
  at: FrameRef;
}

export class TcpReassembler {
  readonly #maxBuffered: number;
  /** Sequence number of stream offset 0 (the byte after the SYN, or the first byte seen). */
  #base = 0;
  #started = false;
  /** Stream offset of the next byte to deliver. */
  #next = 0;
  /** Early segments, sorted by offset. */
  #pending: Pending[] = [];
  #pendingBytes = 0;
  #finOffset: number | null = null;
  #ended = false;

  constructor(opts: ReassemblerOptions = {}) {
    this.#maxBuffered = opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED;
  }

  /** Bytes delivered so far, i.e. the stream offset of the next byte expected. */
  get delivered(): number {
    return this.#next;
  }

  get bufferedBytes(): number {
    return this.#pendingBytes;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Offset of the stream's first byte as a sequence number, once known. */
  get baseSeq(): number | undefined {
    return this.#started ? this.#base : undefined;
  }

  segment(seq: number, flags: { syn: boolean; fin: boolean; rst: boolean }, payload: Uint8Array, at: FrameRef): ReassemblyEvent[] {
    const events: ReassemblyEvent[] = [];
    // The SYN occupies one sequence number; any data it carries starts after it.
    const dataSeq = flags.syn ? (seq + 1) >>> 0 : seq;
    if (!this.#started) {
      this.#started = true;
      this.#base = dataSeq;
    }
    const offset = this.#offsetOf(dataSeq);
    if (payload.length > 0) this.#accept(offset, payload, at, events);
    if (flags.fin && this.#finOffset === null) this.#finOffset = offset + payload.length;
    if (flags.rst) {
      this.#flushGaps(at, 'the connection was reset before they arrived', events);
      this.#end('rst', at, events);
    } else {
      this.#checkFin(at, events);
    }
    return events;
  }

  /**
   * The peer acknowledged everything before `ack`. Bytes below it that we have not seen were received by
   * the peer but missed by the capture, so they will never be retransmitted: stop waiting for them.
   */
  acknowledged(ack: number, at: FrameRef): ReassemblyEvent[] {
    const events: ReassemblyEvent[] = [];
    if (!this.#started || this.#ended) return events;
    let acked = this.#offsetOf(ack);
    if (this.#finOffset !== null && acked > this.#finOffset) acked = this.#finOffset; // the FIN's own number
    if (acked <= this.#next) return events;
    const why = 'the peer acknowledged them, so the capture missed them';
    const first = this.#pending[0];
    if (first && first.offset <= acked) {
      this.#skipTo(first.offset, at, why, events);
    } else {
      this.#skipTo(acked, at, why, events);
    }
    this.#checkFin(at, events);
    return events;
  }

  /**
   * Nothing more will arrive (the capture ended): whatever still waits behind a gap is delivered after
   * reporting the gap, credited to its own frame. `why` explains the gap.
   */
  finish(why = 'the capture ended without them'): ReassemblyEvent[] {
    const events: ReassemblyEvent[] = [];
    this.#flushGaps(null, why, events);
    return events;
  }

  #accept(offset: number, payload: Uint8Array, at: FrameRef, events: ReassemblyEvent[]): void {
    const end = offset + payload.length;
    if (end <= this.#next) return; // a retransmission of bytes already delivered
    if (offset <= this.#next) {
      events.push({ kind: 'data', bytes: payload.subarray(this.#next - offset), at });
      this.#next = end;
      this.#drain(at, events);
      return;
    }
    this.#hold(offset, payload, at);
    if (this.#pendingBytes > this.#maxBuffered) {
      this.#skipTo(this.#pending[0]!.offset, at, `more than ${this.#maxBuffered} bytes arrived after them`, events);
    }
  }

  #hold(offset: number, bytes: Uint8Array, at: FrameRef): void {
    const p = this.#pending;
    let lo = 0;
    let hi = p.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (p[mid]!.offset <= offset) lo = mid + 1;
      else hi = mid;
    }
    const before = p[lo - 1];
    // An exact retransmission of a segment that is already waiting adds nothing.
    if (before && before.offset === offset && before.bytes.length >= bytes.length) return;
    p.splice(lo, 0, { offset, bytes, at });
    this.#pendingBytes += bytes.length;
  }

  /**
   * Delivers waiting segments that now continue the stream. Overlaps keep the bytes that arrived in order
   * first. Released bytes are credited to `at` (the frame that filled the gap) or, at the end of the
   * capture, to their own frame.
   */
  #drain(at: FrameRef | null, events: ReassemblyEvent[]): void {
    const p = this.#pending;
    let used = 0;
    while (used < p.length && p[used]!.offset <= this.#next) {
      const s = p[used++]!;
      this.#pendingBytes -= s.bytes.length;
      const end = s.offset + s.bytes.length;
      if (end <= this.#next) continue;
      events.push({ kind: 'data', bytes: s.bytes.subarray(this.#next - s.offset), at: at ?? s.at });
      this.#next = end;
    }
    if (used > 0) p.splice(0, used);
  }

  #skipTo(offset: number, at: FrameRef | null, why: string, events: ReassemblyEvent[]): void {
    const missing = offset - this.#next;
    const ref = at ?? this.#pending[0]?.at ?? { frame: 0, time: 0 };
    events.push({ kind: 'gap', offset: this.#next, missing, at: ref, why });
    this.#next = offset;
    this.#drain(at, events);
  }

  #flushGaps(at: FrameRef | null, why: string, events: ReassemblyEvent[]): void {
    while (this.#pending.length > 0) this.#skipTo(this.#pending[0]!.offset, at, why, events);
  }

  #checkFin(at: FrameRef, events: ReassemblyEvent[]): void {
    if (this.#finOffset !== null && !this.#ended && this.#next >= this.#finOffset && this.#pending.length === 0) {
      this.#end('fin', at, events);
    }
  }

  #end(cause: 'fin' | 'rst', at: FrameRef, events: ReassemblyEvent[]): void {
    if (this.#ended) return;
    this.#ended = true;
    events.push({ kind: 'end', cause, at });
  }

  /** Maps a 32-bit sequence number to a stream offset, taking the nearest wrap-around to the current one. */
  #offsetOf(seq: number): number {
    const expected = (this.#base + this.#next) >>> 0;
    return this.#next + ((seq - expected) | 0);
  }
}
