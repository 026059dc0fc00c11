// The one batcher both transports use (WebSocket server, Electron IPC bridge): Lab events are gathered for a
// tick and sent as one bounded frame; the receiver hands back credit as it processes frames, and without credit
// nothing is sent. A receiver that falls behind lets packet events pile up only to a bound: past it, the packets
// it cannot be sent are replaced by one `missed {fromSeq, toSeq}` event, so nothing is lost without a word and
// the page catches up by query. In a flood (more packets a second than any page can draw one by one) the
// packets are not sent at all: a `missed … flood` marker stands for each second of them, and the page jumps
// to the newest instead of reading them all. Other events (connections, clients, steps, lessons…) are few and
// never dropped: those that carry a whole state replace their queued predecessor, the rest queue.
import type { EventName, PacketSummary } from '../api.js';
import type { Clock, TimerHandle } from '../clock.js';
import { FrameEncoder, isPackable } from './frame-encoder.js';

export interface SenderOptions {
  clock: Clock;
  /** Sends one frame's JSON text; the sender already holds a credit for it. */
  send(frame: string): void;
  /** Time events are gathered before a frame goes out (ms). */
  tickMs?: number;
  /** Frames the receiver may be sent before it grants any credit. */
  initialCredit?: number;
  /** Credit the receiver may hold at most (a grant past it is cut). */
  maxCredit?: number;
  /** Events in one frame at most. */
  maxFrameEvents?: number;
  /** Bytes of one frame at most, unless one event alone is larger (it then goes alone). */
  maxFrameBytes?: number;
  /** Packet events waiting at most; past this, a `missed` marker stands in for the rest. */
  maxQueuedPackets?: number;
  /** Other events waiting at most; past this `onOverflow` is called (the receiver has stopped reading). */
  maxQueuedOther?: number;
  onOverflow?: () => void;
  /**
   * Packets a second (kept up for 100 ms) above which the stream skips them: at that rate a page drawing
   * every packet used as much CPU as the relay, on the same cores, and slowed the very traffic it showed
   * (bench/tap, `web` + page). Past it, one flood marker stands for each `floodMarkerMs` of packets. Off unless
   * given (the transports give FLOOD_ROWS_PER_S).
   */
  floodRowsPerS?: number;
  /** How long one flood marker gathers packets before it goes (ms): how often a flooded page jumps to the newest. */
  floodMarkerMs?: number;
  /**
   * The summary of a packet by seq as it is now, or undefined once it is gone (the capture cleared). Given,
   * packet events wait as their seq alone and are summarised when their frame is built: a page slow to grant
   * credit then makes the server hold numbers, not tens of thousands of summary objects that live just long
   * enough to be promoted (GC was 40 % of `mqtt-lab web` relaying with a page open, bench/tap-profile).
   */
  summaryAt?: (seq: number) => PacketSummary | undefined;
}

export const STREAM_DEFAULTS = {
  tickMs: 16,
  initialCredit: 16,
  maxCredit: 64,
  maxFrameEvents: 500,
  maxFrameBytes: 512 * 1024,
  maxQueuedPackets: 50_000,
  maxQueuedOther: 100_000,
  floodRowsPerS: Infinity,
  floodMarkerMs: 1000,
} as const;

/**
 * The flood bound the transports use. A classroom's traffic, a student's load test at 10,000 packets a second
 * (bench/ui's burst) and a lesson's step by step all stay under it and stream every packet. Higher, a page
 * drawing 20,000 a second took enough of the machine to hold the relay at about that rate, and stayed there
 * (bench/tap, `web` at 4 kB: 0.4 × direct).
 */
export const FLOOD_ROWS_PER_S = 15_000;
/** The packet rate is kept in buckets of FLOOD_BUCKET_MS over the last half second. */
const FLOOD_BUCKET_MS = 50;
const FLOOD_BUCKETS = 10;

export interface SenderStats {
  frames: number;
  bytes: number;
  /** Packet (and packet-update) events sent as rows. */
  packets: number;
  /** Missed markers sent, and the packet events they stood for. */
  markers: number;
  missedPackets: number;
}

/** Frames one late tick may send to make up for the ticks it missed. */
const MAX_CATCH_UP = 16;
/**
 * Time one timer may spend building frames (ms). Frames owed past it are built on the next turn of the event
 * loop, after its I/O: in the browser-mode server the relay shares this thread, and 16 frames of 500 rows
 * built at once held every relayed packet back for that long.
 */
const BUILD_BUDGET_MS = 4;

type Item =
  | { kind: 'packet'; event: 'packet' | 'packet-update'; data: PacketSummary; dead?: boolean }
  | { kind: 'other'; event: string; data: unknown; key?: string; dead?: boolean }
  | { kind: 'missed'; fromSeq: number; toSeq: number; count: number; dead?: boolean; flood?: { since: number } };

/** The events whose data is a whole state: a newer one makes a queued older one useless. */
function stateKey(event: string, data: unknown): string | undefined {
  const d = data as Record<string, unknown> | null;
  switch (event) {
    case 'rules': case 'step': case 'lessons': case 'class':
      return event;
    case 'connection':
      return d && typeof d.connId === 'number' ? `connection:${d.connId}` : undefined;
    case 'client':
      return d && typeof d.id === 'string' ? `client:${d.id}` : undefined;
    case 'progress':
      return d && typeof d.lessonId === 'string' ? `progress:${d.lessonId}` : undefined;
    default:
      return undefined;
  }
}

/**
 * A packet event queued by seq (SenderOptions.summaryAt): the seq for a 'packet', minus the seq for a
 * 'packet-update'. A small integer, so a queue of them is no work for the garbage collector.
 */
type SeqItem = number;

export class EventSender {
  readonly stats: SenderStats = { frames: 0, bytes: 0, packets: 0, markers: 0, missedPackets: 0 };
  #o: Required<Omit<SenderOptions, 'onOverflow' | 'summaryAt'>> & Pick<SenderOptions, 'onOverflow' | 'summaryAt'>;
  #queue: Array<Item | SeqItem> = [];
  #head = 0;
  /** Queued states a newer one replaced: skipped when their turn comes. */
  #deadCount = 0;
  #packets = 0;
  #others = 0;
  /** Queued packet events by seq, for a packet-update to replace. */
  #bySeq = new Map<number, Item & { kind: 'packet' }>();
  // Which seqs wait as SeqItems (their summary is read when sent, so an update of one needs nothing more),
  // without a set of tens of thousands: packets come in seq order and leave in it, so those queued are the
  // range [#lowSeq, #highSeq] less the ones in markers (which #covered finds); updates of packets already
  // sent are few and kept in a set.
  #lowSeq = 1;
  #highSeq = 0;
  #queuedUpdates = new Set<number>();
  #byKey = new Map<string, Item & { kind: 'other' }>();
  /** The marker still collecting packets (it stays open while the queue is over its bound). */
  #openMarker: (Item & { kind: 'missed' }) | null = null;
  /** Markers waiting to be sent. */
  #markers = new Set<Item & { kind: 'missed' }>();
  #credit: number;
  #timer: TimerHandle | null = null;
  /** Packet events pushed in each recent bucket of FLOOD_BUCKET_MS, newest last, and the newest bucket's start. */
  #rate: number[] = new Array<number>(FLOOD_BUCKETS).fill(0);
  #rateAt = -Infinity;
  #rateSum = 0;
  #flooding = false;
  /** The clock when #flood last counted a packet: the flood marker that packet goes to is timed by it. */
  #floodNow = 0;
  /** The newest seq a flood marker stands for. */
  #floodTo = 0;
  #lastTick: number | null = null;
  /** Frames a tick owed but left for the next turn of the loop (BUILD_BUDGET_MS). */
  #owed = 0;
  #closed = false;

  constructor(opts: SenderOptions) {
    this.#o = { ...STREAM_DEFAULTS, ...opts };
    this.#credit = this.#o.initialCredit;
  }

  get credit(): number {
    return this.#credit;
  }

  /** Events waiting to be sent (markers count as one). */
  get queued(): number {
    return this.#queue.length - this.#head - this.#deadCount;
  }

  push(event: EventName | string, data: unknown): void {
    if (this.#closed) return;
    if (event === 'packet' && isPackable(data) && this.#flood()) this.#miss(data.seq, true);
    else if ((event === 'packet' || event === 'packet-update') && isPackable(data)) this.#pushPacket(event, data);
    else this.#pushOther(event, data);
    this.#schedule();
  }

  /**
   * A 'packet' event known by its seq alone (needs summaryAt): its summary is made when its frame is built,
   * and never when the packet goes by (Lab.onPacketSeq).
   */
  pushPacketSeq(seq: number): void {
    if (this.#closed) return;
    const summaryAt = this.#o.summaryAt;
    if (summaryAt === undefined) throw new Error('pushPacketSeq needs the summaryAt option');
    if (this.#flood()) this.#miss(seq, true);
    else if (seq > this.#highSeq) this.#pushSeq('packet', seq);
    else {
      // Out of seq order (a Lab never does this): it waits whole, as any summary pushed out of order.
      const p = summaryAt(seq);
      if (p !== undefined) this.#pushPacket('packet', p);
    }
    this.#schedule();
  }

  /** The receiver processed frames and can take `n` more. */
  grant(n: number): void {
    if (this.#closed || !(n > 0)) return;
    this.#credit = Math.min(this.#o.maxCredit, this.#credit + Math.floor(n));
    this.#schedule();
  }

  /** Forgets everything queued (the receiver went away; a new one starts from a query, with fresh credit). */
  reset(): void {
    this.#queue = [];
    this.#head = 0;
    this.#deadCount = 0;
    this.#packets = 0;
    this.#others = 0;
    this.#bySeq.clear();
    this.#lowSeq = 1;
    this.#highSeq = 0;
    this.#queuedUpdates.clear();
    this.#byKey.clear();
    this.#openMarker = null;
    this.#markers.clear();
    this.#credit = this.#o.initialCredit;
    this.#owed = 0;
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== null) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.reset();
  }

  #pushPacket(event: 'packet' | 'packet-update', p: PacketSummary): void {
    // By seq when it can be (a packet out of seq order, which a Lab never emits, waits whole).
    if (this.#o.summaryAt !== undefined && p.seq > 0 && (event === 'packet-update' || p.seq > this.#highSeq)) return this.#pushSeq(event, p.seq);
    const queued = this.#bySeq.get(p.seq);
    if (queued !== undefined) {
      // The newest state of a packet not yet sent replaces the one waiting; a 'packet' stays a 'packet'.
      queued.data = p;
      return;
    }
    if (event === 'packet-update' && this.#covered(p.seq)) return;
    if (this.#packets >= this.#o.maxQueuedPackets) {
      this.#miss(p.seq);
      return;
    }
    this.#openMarker = null;
    const item = { kind: 'packet' as const, event, data: p };
    this.#queue.push(item);
    this.#bySeq.set(p.seq, item);
    this.#packets++;
  }

  #pushSeq(event: 'packet' | 'packet-update', seq: number): void {
    if (event === 'packet-update') {
      // Queued already: its summary is read when its frame is built, so the newest state goes anyway.
      if ((seq >= this.#lowSeq && seq <= this.#highSeq) || this.#queuedUpdates.has(seq) || this.#covered(seq)) return;
    }
    if (this.#packets >= this.#o.maxQueuedPackets) {
      this.#miss(seq);
      return;
    }
    this.#openMarker = null;
    if (event === 'packet') {
      if (this.#lowSeq > this.#highSeq) this.#lowSeq = seq;
      this.#highSeq = seq;
      this.#queue.push(seq);
    } else {
      this.#queuedUpdates.add(seq);
      this.#queue.push(-seq);
    }
    this.#packets++;
  }

  /**
   * Counts a packet event and says whether packets now come as a flood. One begins when the last two full
   * buckets (100 ms) were each over the bound, or at once when the last 100 ms held twice the bound: judged
   * over half a second, the first 10,000 packets of a flood were drawn one by one, a quarter of a bench round,
   * and the page took as much CPU as before; judged on one bucket, packets that a stalled sender (or relay) let
   * out together would count as one. It ends when the half second's rate is under half the bound (a rate
   * hovering at the bound must not switch the page between jumping and streaming every few packets).
   */
  #flood(): boolean {
    const bound = this.#o.floodRowsPerS;
    if (!(bound < Infinity)) return false;
    const now = (this.#floodNow = this.#o.clock.now());
    const r = this.#rate;
    if (now - this.#rateAt >= FLOOD_BUCKET_MS) {
      const steps = Math.min(FLOOD_BUCKETS, Math.floor((now - this.#rateAt) / FLOOD_BUCKET_MS));
      for (let k = 0; k < steps; k++) {
        this.#rateSum -= r.shift()!;
        r.push(0);
      }
      this.#rateAt = steps === FLOOD_BUCKETS ? now : this.#rateAt + steps * FLOOD_BUCKET_MS;
    }
    const last = FLOOD_BUCKETS - 1;
    r[last]!++;
    this.#rateSum++;
    const perBucket = (bound * FLOOD_BUCKET_MS) / 1000;
    this.#flooding = (r[last - 1]! > perBucket && r[last - 2]! > perBucket)
      || r[last]! + r[last - 1]! > 4 * perBucket
      || (this.#flooding && this.#rateSum > (perBucket * FLOOD_BUCKETS) / 2);
    return this.#flooding;
  }

  /** Is seq in a marker still waiting to be sent? Then the page re-reads it anyway. */
  #covered(seq: number): boolean {
    for (const m of this.#markers) if (seq >= m.fromSeq && seq <= m.toSeq) return true;
    return false;
  }

  #miss(seq: number, flood = false): void {
    let m = this.#openMarker;
    // A flood marker gathers for floodMarkerMs, then goes: the page jumps to the newest that often.
    if (m !== null && (m.flood !== undefined) !== flood) m = this.#openMarker = null;
    if (m !== null && m.flood !== undefined && this.#floodNow - m.flood.since >= this.#o.floodMarkerMs) m = this.#openMarker = null;
    if (m !== null) {
      // An update of an earlier packet may land out of order: the range then grows to take it in, and the page
      // re-reads (and replaces by seq) packets in it it already had.
      m.fromSeq = Math.min(m.fromSeq, seq);
      m.toSeq = Math.max(m.toSeq, seq);
      m.count++;
      if (m.flood !== undefined) this.#floodTo = m.toSeq;
      return;
    }
    const marker: Item & { kind: 'missed' } = { kind: 'missed' as const, fromSeq: seq, toSeq: seq, count: 1 };
    if (flood) {
      marker.flood = { since: this.#floodNow };
      // The packets still waiting to be sent are the flood's first: the page that jumps past them need not
      // draw them first (a 4 kB bench round is over in a tenth of a second, and a third of it had streamed).
      // (Those an earlier flood marker took in are its own.)
      const from = Math.max(this.#lowSeq, this.#floodTo + 1);
      if (from <= this.#highSeq && from < seq) {
        marker.count += seq - from;
        marker.fromSeq = from;
      }
      this.#floodTo = seq;
    }
    this.#queue.push(marker);
    this.#markers.add(marker);
    this.#openMarker = marker;
  }

  #pushOther(event: string, data: unknown): void {
    const key = stateKey(event, data);
    if (key !== undefined) {
      const old = this.#byKey.get(key);
      if (old !== undefined) {
        // Kept in order: the new state goes to the back, the old one is skipped.
        old.dead = true;
        this.#deadCount++;
        this.#others--;
      }
    }
    const item = { kind: 'other' as const, event, data, key };
    this.#queue.push(item);
    if (key !== undefined) this.#byKey.set(key, item);
    this.#others++;
    if (this.#others > this.#o.maxQueuedOther) this.#o.onOverflow?.();
  }

  #schedule(): void {
    if (this.#timer !== null || this.#closed || this.#credit <= 0 || this.queued === 0) return;
    this.#timer = this.#o.clock.setTimeout(() => this.#tick(), this.#o.tickMs);
  }

  #tick(): void {
    this.#timer = null;
    if (this.#closed) return;
    // A frame per tick of time, not per timer: when a busy event loop fires the timer late, the ticks it
    // skipped are made up (within the credit), or a loaded server would fall behind a page that keeps up.
    const now = this.#o.clock.now();
    let n = this.#owed;
    this.#owed = 0;
    if (n === 0) {
      const late = this.#lastTick === null ? 1 : Math.floor((now - this.#lastTick) / this.#o.tickMs);
      this.#lastTick = now;
      n = Math.min(MAX_CATCH_UP, Math.max(1, late));
    }
    for (let built = 0; n > 0 && this.#credit > 0; n--, built++) {
      if (built > 0 && this.#o.clock.now() - now >= BUILD_BUDGET_MS) {
        this.#owed = n;
        break;
      }
      const frame = this.#build();
      if (frame === null) {
        n = 0;
        break;
      }
      this.#credit--;
      this.stats.frames++;
      this.stats.bytes += frame.length;
      this.#o.send(frame);
    }
    if (this.#owed > 0 && this.#credit > 0 && this.queued > 0) this.#timer = this.#o.clock.setTimeout(() => this.#tick(), 0);
    else {
      this.#owed = 0;
      this.#schedule();
    }
  }

  /** Takes events off the queue into one frame, up to the bounds. */
  #build(): string | null {
    const enc = new FrameEncoder();
    const q = this.#queue;
    while (this.#head < q.length && enc.count < this.#o.maxFrameEvents) {
      const it = q[this.#head]!;
      if (typeof it === 'number') {
        const seq = Math.abs(it);
        // A marker still to come stands for it (a flood took in the packets waiting when it began): the page
        // reads or jumps past that range anyway.
        const covered = this.#markers.size > 0 && this.#covered(seq);
        // Gone (the capture was cleared since): the page is told so by the 'cleared' event queued after it.
        const p = covered ? undefined : this.#o.summaryAt!(seq);
        const mark = enc.checkpoint();
        if (p !== undefined) enc.addPacket(p, it < 0);
        if (enc.bytes > this.#o.maxFrameBytes && enc.count > 1) {
          enc.rollback(mark);
          break;
        }
        this.#head++;
        this.#packets--;
        if (it > 0) this.#lowSeq = seq + 1;
        else this.#queuedUpdates.delete(seq);
        if (p !== undefined) this.stats.packets++;
        continue;
      }
      if (it.dead) {
        this.#head++;
        this.#deadCount--;
        continue;
      }
      // A flood marker still gathering waits (and what came after it waits behind it, in order).
      if (it.kind === 'missed' && it.flood !== undefined && it === this.#openMarker && this.#o.clock.now() - it.flood.since < this.#o.floodMarkerMs) break;
      const mark = enc.checkpoint();
      if (it.kind === 'packet') enc.addPacket(it.data, it.event === 'packet-update');
      else if (it.kind === 'missed') enc.addEvent('missed', it.flood === undefined ? { fromSeq: it.fromSeq, toSeq: it.toSeq } : { fromSeq: it.fromSeq, toSeq: it.toSeq, flood: true });
      else enc.addEvent(it.event, it.data);
      if (enc.bytes > this.#o.maxFrameBytes && enc.count > 1) {
        enc.rollback(mark);
        break;
      }
      this.#head++;
      this.#taken(it);
    }
    // Compacts the array now and then instead of shifting it per event.
    if (this.#head > 4096 && this.#head * 2 > q.length) {
      this.#queue = q.slice(this.#head);
      this.#head = 0;
    }
    return enc.count === 0 ? null : enc.finish();
  }

  #taken(it: Item): void {
    if (it.kind === 'packet') {
      this.#packets--;
      this.#bySeq.delete(it.data.seq);
      this.stats.packets++;
    } else if (it.kind === 'missed') {
      if (this.#openMarker === it) this.#openMarker = null;
      // Packets before the marker have left; those in it were never queued.
      this.#lowSeq = Math.max(this.#lowSeq, it.toSeq + 1);
      this.#markers.delete(it);
      this.stats.markers++;
      this.stats.missedPackets += it.count;
    } else {
      this.#others--;
      if (it.key !== undefined && this.#byKey.get(it.key) === it) this.#byKey.delete(it.key);
    }
  }
}
