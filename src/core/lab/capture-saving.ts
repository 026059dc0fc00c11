// capture.save of a big capture, a few milliseconds at a time. Written in one go, a million records held
// the core's event loop for seconds: the tap stopped relaying, the live stream and the page froze. Here the
// work is cut into slices with a turn of the event loop between them, and the file comes out as chunks the
// consumer pulls (a file stream, a page downloading over WebSocket or IPC): nothing runs ahead of it.
//
// The file holds the capture as it was when the save started: records up to the store's last seq then.
// Packets that arrive during the save go into the store as usual and not into the file. A record the
// store lets go during the save (it is full, so each new packet pushes out the oldest) is kept for the save
// from the moment it is at risk (see #rescue). A clear of the store (packets.clear, capture.open) fails the
// save with a message: the records it had not yet read are gone, and a file with a hole in it would be a
// lie about what was captured.
import type { Connection } from '../../shared/lab.js';
import type { SaveProgress } from '../../shared/api.js';
import { ChunkedSink } from '../pcap/chunked-sink.js';
import { CaptureWriter, type PacketSource, type RecordedConnection, type RecordedPacket } from '../pcap/index.js';
import { performance } from 'node:perf_hooks';
import { TRUNCATED_BYTES, type CaptureStore } from '../store/capture-store.js';
import { connectionFor, travelled } from './capture-contents.js';
import type { LabParts } from './lab-parts.js';

/**
 * Work per slice before the event loop gets a turn. 2 ms rather than 4: in bench/capture-save (200k, a
 * loaded machine) the longest block fell and a QoS 1 publisher kept a little more of its rate.
 */
export const SLICE_MS = 2;
/** Records handled between two looks at the clock. */
const STEP = 64;

/** Why a save ended without a file; its message is what the user is told. */
export class SaveAborted extends Error {}

/** A record as the save took it from the store; `keep`: it goes in the file (it travelled, as plain TCP). */
interface Taken extends RecordedPacket {
  keep: boolean;
}

/** Shortest rest between slices (ms), when nothing else wants the loop. */
export const GAP_MS = 1;
/** Time the rest of the lab used during a rest that counts as "it is busy": the next rest is then a whole slice. */
const BUSY_MS = 0.25;

/**
 * A rest on a timer rather than setImmediate: a relayed message crosses several sockets, one event-loop
 * turn each, and a timer lets the loop poll for I/O turn after turn until it fires, where setImmediate
 * would put a slice of the save between every two hops.
 */
const rest = (ms: number): Promise<void> => new Promise((resolve) => (ms <= 0 ? setImmediate(resolve) : setTimeout(resolve, ms)));

export class CaptureSaveJob {
  readonly #lab: LabParts;
  readonly #store: CaptureStore;
  readonly #brokerPort: number;
  readonly #sliceMs: number;
  readonly #gapMs: number;
  readonly #generation: number;
  readonly #first: number;
  readonly #last: number;
  /** Records the store let go before the save wrote them, by seq. */
  readonly #rescued = new Map<number, Taken>();
  readonly #offs: Array<() => void> = [];
  readonly #outer: RecordedPacket[] = [];
  readonly #keyLines: string[] = [];
  readonly #live: Map<number, Connection>;
  readonly #ports: ReturnType<LabParts['status']>;
  #phase: SaveProgress['phase'] = 'reading';
  #done = 0;
  #total: number;
  #stopped: string | null = null;
  #writer: CaptureWriter | null = null;

  constructor(lab: LabParts, brokerPort = lab.tapAddress.port, opts: { sliceMs?: number; gapMs?: number } = {}) {
    this.#lab = lab;
    this.#store = lab.store;
    this.#brokerPort = brokerPort;
    this.#sliceMs = opts.sliceMs ?? SLICE_MS;
    this.#gapMs = opts.gapMs ?? GAP_MS;
    const store = lab.store;
    this.#generation = store.generation;
    this.#first = store.firstSeq ?? 1;
    this.#last = store.lastSeq ?? 0;
    this.#total = Math.max(0, this.#last - this.#first + 1);
    // The outer layers' units and connections as they are now: a copy, so later ones stay out.
    const log = lab.transports.log;
    const outerConns = new Set<number>();
    for (const u of log.kept()) {
      if (u.layer !== log.layersOf(u.connId)?.[0]) continue;
      this.#outer.push({ time: u.time, connId: u.connId, direction: u.direction, bytes: u.bytes });
      if (!outerConns.has(u.connId)) {
        outerConns.add(u.connId);
        this.#keyLines.push(...log.keyLog(u.connId));
      }
    }
    this.#live = new Map(lab.tap.connections().map((c) => [c.connId, { ...c }]));
    this.#ports = lab.status();
    if (this.#total > 0) {
      this.#offs.push(store.subscribe(() => this.#rescue()));
      this.#offs.push(store.onCleared(() => this.#stop('The capture was cleared while it was being saved, so the file could not be finished. Save again.')));
      // The next append into a full store pushes out the oldest record before anyone hears of it.
      this.#rescue();
    }
  }

  /** How far the save is: records read, then packets written. */
  progress(): SaveProgress {
    return { phase: this.#phase, done: this.#done, total: this.#total };
  }

  /** Stops the save; the consumer's next pull fails with `reason`. */
  cancel(reason = 'The save was cancelled.'): void {
    this.#stop(reason);
  }

  /** The file, chunk by chunk (each a fresh copy), a slice of work per turn; fails with SaveAborted when stopped. */
  async *chunks(): AsyncGenerator<Uint8Array, void, undefined> {
    const ready: Uint8Array[] = [];
    const steps = this.#steps((c) => ready.push(Uint8Array.prototype.slice.call(c)));
    let gap = this.#gapMs;
    try {
      for (;;) {
        const until = performance.now() + this.#sliceMs;
        let finished = false;
        // At least one step a slice, however short the slice.
        do {
          if (steps.next().done === true) {
            finished = true;
            break;
          }
        } while (ready.length === 0 && performance.now() < until);
        while (ready.length > 0) yield ready.shift()!;
        if (finished) return;
        // While the tap relays (or anything else runs), the save takes at most half the loop: it rests as long
        // as it worked. An idle lab gets its save at nearly full speed.
        const before = performance.eventLoopUtilization();
        await rest(gap);
        gap = performance.eventLoopUtilization(before).active > BUSY_MS ? Math.max(this.#gapMs, this.#sliceMs) : this.#gapMs;
      }
    } finally {
      this.#release();
    }
  }

  #stop(reason: string): void {
    this.#stopped ??= reason;
    this.#release();
  }

  #release(): void {
    for (const off of this.#offs.splice(0)) off();
  }

  #check(): void {
    if (this.#stopped !== null) throw new SaveAborted(this.#stopped);
    if (this.#store.generation !== this.#generation) throw new SaveAborted('The capture was cleared while it was being saved, so the file could not be finished. Save again.');
  }

  /**
   * Called after each append while the save runs (after a full store pushed out its oldest record, before
   * it trims to its byte budget): every record of the save that the store may let go before the next
   * call is kept here. Those are the oldest ones whose bytes cover what is over the budget now, and one
   * more when the store is full (the next append pushes it out first). Each keeps a copy of its bytes:
   * the store hands the arena chunks it lets go to the next records (byte-arena.ts, SpareChunks), so a
   * view would read the newer packets' bytes by the time the save writes it.
   */
  #rescue(): void {
    const store = this.#store;
    if (this.#stopped !== null || store.generation !== this.#generation) return;
    let over = store.bytesHeld - store.byteBudget;
    let extra = store.size >= store.capacity ? 1 : 0;
    for (let s = store.firstSeq ?? Infinity; s <= this.#last && (over > 0 || extra > 0); s++) {
      const kept = store.bytesOf(s)!.length;
      if (!this.#rescued.has(s)) {
        const taken = this.#take(s);
        // Uint8Array's slice, which copies, whatever the view is (a Buffer's slice() is another view).
        this.#rescued.set(s, { ...taken, bytes: Uint8Array.prototype.slice.call(taken.bytes) });
      }
      if (over > 0) over -= kept;
      else extra--;
    }
  }

  /** Whether the record goes in the file, decided once; what the file needs of it. */
  #take(seq: number): Taken {
    const store = this.#store;
    const connId = store.connIdOf(seq)!;
    // Bytes over 4 kB are the store's own copy, which it replaces (never changes) when it cuts them to fit its budget.
    return {
      time: store.timeOf(seq)!, connId, direction: store.directionOf(seq)!, bytes: store.bytesOf(seq)!,
      keep: travelled(store, seq) && !this.#lab.transports.log.has(connId),
    };
  }

  /** The record at `seq`, from what was rescued or from the store. */
  #read(seq: number): Taken {
    const r = this.#rescued.get(seq);
    if (r !== undefined) return r;
    if (!this.#store.has(seq)) throw new SaveAborted(`Packet #${seq} left the capture store before it was saved; the file could not be finished.`);
    return this.#take(seq);
  }

  /** The save as a sequence of small steps; `emit` gets each full chunk of the file. */
  *#steps(emit: (chunk: Uint8Array) => void): Generator<void, void, undefined> {
    // 1. Which records go in, and whether they are in time order (records are appended as they happen, so a
    //    released held packet is about the only thing out of order).
    const store = this.#store;
    let seqs = new Float64Array(this.#total);
    const times = new Float64Array(this.#total);
    let n = 0;
    let sorted = true;
    for (let s = this.#first; s <= this.#last; s++) {
      if ((s - this.#first) % STEP === 0) {
        this.#check();
        this.#done = s - this.#first;
        yield;
      }
      const r = this.#read(s);
      if (!r.keep) continue;
      // A large record's bytes may be cut to fit the budget before they are written: hold on to them now.
      if (r.bytes.length > TRUNCATED_BYTES) this.#rescued.set(s, r);
      if (n > 0 && r.time < times[n - 1]!) sorted = false;
      times[n] = r.time;
      seqs[n++] = s;
    }
    this.#check();
    seqs = seqs.subarray(0, n);
    // Rare (a held packet released late), and one sort of a typed array of positions: not sliced.
    if (!sorted) {
      const idx = new Uint32Array(n);
      for (let i = 0; i < n; i++) idx[i] = i;
      const t = times.slice(0, n);
      const q = seqs.slice();
      idx.sort((a, b) => t[a]! - t[b]! || q[a]! - q[b]!);
      for (let i = 0; i < n; i++) {
        seqs[i] = q[idx[i]!]!;
        times[i] = t[idx[i]!]!;
      }
    }
    yield;
    // 2. Merged with the outer layers' packets in time order (store records first on a tie).
    const others = this.#outer.map((p, i) => ({ p, i })).sort((a, b) => a.p.time - b.p.time || a.i - b.i).map((x) => x.p);
    let order: Float64Array = seqs;
    if (others.length > 0) {
      order = new Float64Array(n + others.length);
      for (let i = 0, j = 0, k = 0; k < order.length; k++) {
        if (k % STEP === 0) yield;
        order[k] = j >= others.length || (i < n && times[i]! <= others[j]!.time) ? seqs[i++]! : -1 - j++;
      }
    }
    const source = this.#source(order, others);
    // 3. Each connection's endpoints (from its first packet) and its last position.
    const conns = new Map<number, RecordedConnection>();
    const lastIndex = new Map<number, number>();
    for (let k = 0; k < order.length; k++) {
      if (k % STEP === 0) {
        this.#check();
        yield;
      }
      const connId = source.connIdAt(k);
      lastIndex.set(connId, k);
      if (!conns.has(connId)) conns.set(connId, this.#connection(connId, source.at(k).time));
    }
    // 4. The file.
    this.#phase = 'writing';
    this.#done = 0;
    this.#total = order.length;
    const sink = new ChunkedSink(emit);
    const opts = this.#keyLines.length > 0 ? { tlsKeyLog: this.#keyLines.map((l) => `${l}\n`).join('') } : {};
    const writer = (this.#writer = new CaptureWriter(sink.write, source, conns.values(), opts, lastIndex));
    while (writer.written < order.length) {
      this.#check();
      writer.writeUntil(writer.written + STEP);
      this.#done = writer.written;
      yield;
    }
    writer.finish();
    sink.end();
    this.#phase = 'done';
    this.#release();
  }

  /** Positions as in storePackets: a seq, or -1 - an index into `outer`; one packet object refilled per read. */
  #source(order: Float64Array, outer: RecordedPacket[]): PacketSource {
    const store = this.#store;
    const rescued = this.#rescued;
    const gone = (seq: number): never => {
      throw new SaveAborted(`Packet #${seq} left the capture store before it was saved; the file could not be finished.`);
    };
    const packet: RecordedPacket = { time: 0, connId: 0, direction: 'toBroker', bytes: new Uint8Array(0) };
    return {
      length: order.length,
      connIdAt: (k) => {
        const e = order[k]!;
        if (e < 0) return outer[-1 - e]!.connId;
        return rescued.get(e)?.connId ?? store.connIdOf(e) ?? gone(e);
      },
      at: (k) => {
        const e = order[k]!;
        if (e < 0) return outer[-1 - e]!;
        const r = rescued.get(e);
        if (r !== undefined) return r;
        const bytes = store.bytesOf(e) ?? gone(e);
        packet.time = store.timeOf(e)!;
        packet.connId = store.connIdOf(e)!;
        packet.direction = store.directionOf(e)!;
        packet.bytes = bytes;
        return packet;
      },
    };
  }

  #connection(connId: number, firstTime: number): RecordedConnection {
    return connectionFor(this.#lab, connId, firstTime, this.#live.get(connId), this.#ports, this.#brokerPort);
  }
}
