// Every captured packet, newest last, in a fixed-size ring: appending is O(1) and never moves records; when full,
// the oldest record is overwritten. Sequence numbers are the store's own, contiguous and never reused, so
// `seq - firstSeq` is a record's position and get(seq) needs no search.
//
// A million records must fit in a few hundred megabytes, so a record is not kept as an object: its facts sit in
// typed columns (time, connection, direction, type, version, length, issues), its bytes in a shared arena, and
// its field tree is built again from the bytes when asked (a few thousand recent trees are cached). get()
// materialises a PacketRecord view. What a producer added to a tree beyond its bytes is kept as a patch.
//
// The ring is bounded in bytes too: a few large payloads must not hold gigabytes. Records keep their full
// bytes while all bytes held fit the byte budget; past it the oldest large records (over CUT_FROM) are cut to
// their first TRUNCATED_BYTES (their summary, info and issue count, taken from the whole packet first, still
// describe it; `fullLength` keeps the true size), and when no large record is left to cut the oldest records go.
import type { Direction, FaultRecord, PacketRecord } from '../../shared/lab.js';
import type { DecodedPacket, FieldIssue, MqttVersion, PacketInfo, PacketTypeName, Severity } from '../../shared/packet.js';
import { recordIssues, SEVERITIES, worstSeverity } from '../../shared/record-issues.js';
import { dissect } from '../dissect/index.js';
import { plainPacket, plainPublishStart, type PlainPacket } from '../dissect/plain-packet.js';
import { unbuiltVersion } from '../tap/lazy-record.js';
import { ByteArena, CHUNK_BYTES, SpareChunks, type ChunkWarmer } from './byte-arena.js';
import { publishTopic, TYPE_INDEX, TYPE_NAMES, typeCodeOf } from './record-facts.js';
import { compileQuery, type RecordQuery } from './record-query.js';
import { TreeCache } from './tree-cache.js';
import { applyPatch, diffTrees, type TreePatch } from './tree-patches.js';

export type NewRecord = Omit<PacketRecord, 'seq'>;
export type AppendListener = (record: PacketRecord) => void;

export const DEFAULT_CAPACITY = 1_000_000;
/** Bytes of all records' raw bytes together. */
export const DEFAULT_BYTE_BUDGET = 128 * 1_048_576;
/** What a large record keeps of its bytes once the budget is reached: its headers and the start of its payload. */
export const TRUNCATED_BYTES = 4096;
/**
 * Only records longer than this are cut: a cut copies the TRUNCATED_BYTES it keeps, so it must free at least
 * as much. A 4 kB message (4096 payload bytes plus headers) cut saved ~30 bytes for a 4 kB copy into fresh
 * memory, and the budget then cut ~140 of them per append; such records now go whole, oldest first, and the
 * chunks they free are filled again (bench/tap-profile at 4 kB).
 */
export const CUT_FROM = 2 * TRUNCATED_BYTES;

export interface CaptureStoreOptions {
  byteBudget?: number;
  /** Field trees kept built (least recently used go first). */
  trees?: number;
  /**
   * Where arena chunks with their memory already touched come from (warm-chunks.ts, Node only): a live
   * capture passes one so that filling its first megabytes costs the relay no page faults.
   */
  warmer?: ChunkWarmer;
}

/** The worst-severity column holds 0 for none, else SEVERITIES' index + 1. */
const WORST: readonly (Severity | undefined)[] = [undefined, ...SEVERITIES];
const TO_CLIENT = 1;
/**
 * Where a record's bytes are, in the flags column above the direction bit. Every kind but OWN is packed in a
 * FIFO arena (byte-arena.ts): one allocation per 4 kB message cost the store 20 µs an append in garbage
 * collection (bench/tap-profile, `append` a fifth of the relay's time at 4 kB).
 */
const WHERE = 6;
/** Up to CUT_FROM (never cut): the small arena, released as the oldest records go. */
const IN_SMALL = 0;
/** Larger, up to LARGE_IN_ARENA: the large arena, released as they are cut (oldest first) or go. */
const IN_LARGE = 2;
/** The first TRUNCATED_BYTES of a record the budget cut: the cut arena (cut and released oldest first). */
const IN_CUT = 4;
/** Larger still: a copy of its own (a 1 MB message in a 1 MiB chunk would waste most of the next). */
const OWN = 6;
/**
 * Cut, and plain when whole (plainPacket): its line and info are read again from the bytes kept and its
 * true length when asked, not kept (an object and a string per 4 kB message held until it goes were most of
 * the store's garbage-collection time at 4 kB).
 */
const CUT_PLAIN = 8;
/** Records up to this size go in the large arena: at most 1/16 of a chunk is left unused at a chunk's end. */
const LARGE_IN_ARENA = 64 * 1024;
/** Columns start this small and double up to the capacity: most Labs never hold more than a few hundred. */
const INITIAL_ROWS = 1024;

/** What the summary of a cut record keeps from its whole packet. */
interface CutFacts {
  full: number;
  summary: string;
  info: PacketInfo;
}

/**
 * Connection-level findings a producer puts beside the tree (`PacketRecord.findings`, issue 11): kept per
 * record, given back by get(), and counted with the tree's own issues.
 */
type Finding = FieldIssue & { filter: string; offset: number };
type WithFindings = { findings?: Finding[] };

/** Issue count and worst severity of a record's tree (connection-level findings included). */
export interface IssueFacts {
  count: number;
  severity?: Severity;
}

export class CaptureStore {
  readonly capacity: number;
  readonly byteBudget: number;
  /** Ring slot of the oldest record. */
  private head = 0;
  private count = 0;
  private nextSeq = 1;
  private rows = 0;
  // The columns, one entry per ring slot.
  private time = new Float64Array(0);
  private pos = new Float64Array(0);
  private kept = new Uint32Array(0);
  private length = new Uint32Array(0);
  private conn = new Int32Array(0);
  private flags = new Uint8Array(0);
  private typeIdx = new Uint8Array(0);
  private typeCode = new Int8Array(0);
  private ver = new Uint8Array(0);
  /** Issues in the record's tree; -1 until a tree has been built. */
  private issueCount = new Int32Array(0);
  private worst = new Uint8Array(0);
  /** One set of spare chunks for the three arenas: what one releases, another fills. */
  private readonly spares: SpareChunks;
  private readonly arena: ByteArena;
  private readonly largeArena: ByteArena;
  private readonly cutArena: ByteArena;
  // Sparse facts, by seq: few records have them.
  private readonly faultMap = new Map<number, FaultRecord>();
  /** Records over LARGE_IN_ARENA, each its own copy (cut ones too). */
  private readonly large = new Map<number, Uint8Array>();
  /** Cut records that were not plain (CUT_PLAIN marks the others): their line and info, taken before the cut. */
  private readonly cut = new Map<number, CutFacts>();
  private readonly patches = new Map<number, TreePatch>();
  private readonly findings = new Map<number, Finding[]>();
  /** Trees that cannot be built again from bytes by the MQTT dissector (HTTP, decoded by its own reader). */
  private readonly pinned = new Map<number, DecodedPacket>();
  private readonly trees: TreeCache;
  private readonly clientOfConn = new Map<number, string>();
  private readonly listeners = new Set<AppendListener>();
  private readonly clearListeners = new Set<() => void>();
  private held = 0;
  /** Seqs of records over CUT_FROM not yet cut, oldest first (from `largeHead` on). */
  private largeQueue: number[] = [];
  private largeHead = 0;
  /** Changes on clear(): views derived from the store (filter positions) start again. */
  private gen = 0;
  /** reserve() was called: a clear keeps the memory for the records to come. */
  private reserved = false;
  /** Trees the store has built from bytes (tests and the bench check that summary-level work builds none). */
  treesBuilt = 0;

  constructor(capacity: number = DEFAULT_CAPACITY, opts: CaptureStoreOptions = {}) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`capacity must be a positive integer, not ${capacity}`);
    const budget = opts.byteBudget ?? DEFAULT_BYTE_BUDGET;
    if (!(budget >= TRUNCATED_BYTES)) throw new Error(`byteBudget must be at least ${TRUNCATED_BYTES}, not ${budget}`);
    this.capacity = capacity;
    this.byteBudget = budget;
    this.trees = new TreeCache(opts.trees);
    this.spares = new SpareChunks(4, opts.warmer);
    this.arena = new ByteArena(CHUNK_BYTES, this.spares);
    this.largeArena = new ByteArena(CHUNK_BYTES, this.spares);
    this.cutArena = new ByteArena(CHUNK_BYTES, this.spares);
    this.resize(Math.min(capacity, INITIAL_ROWS));
  }

  /**
   * Has the warmer touch, off this thread, the chunks the store's bytes will fill: its byte budget, or less
   * when the capacity cannot use it all (4 kB a record at most counted). On this kind of virtual machine a
   * page of fresh memory costs about 15 µs on first touch, so a busy broker's first 128 MiB through the tap
   * paid ~0.5 s of CPU on the 2 cores the relay, the broker and the clients share (bench/tap, q0 4 kB: the
   * warmer's thread alone took more CPU than the relay's). Chunks come as the warmer makes them, one at a
   * time; the arenas take them as they grow, and what is not yet used counts in arenaBytes. Without a warmer
   * (the page's store) it does nothing.
   */
  reserve(): void {
    this.reserved = true;
    const want = Math.min(this.byteBudget, this.capacity * 4096);
    // Chunks already on their way count: a second call soon after the first (renewReserve) asks for no more.
    this.spares.reserve(Math.ceil((want - this.arenaBytes) / CHUNK_BYTES) - this.spares.pending);
  }

  /**
   * For after this process started a child (a lesson's mosquitto, `web --open`'s browser): the fork leaves
   * every page of the parent copy-on-write, and the first write to each afterwards faults (~20 µs a page on
   * this kind of virtual machine, what fresh memory cost), so the reserve would be paid for again on the
   * relay's thread (bench/tap: a bare store reserved before Chromium started took 2 faults per 4 kB message).
   * The spares are dropped and the reserve made afresh on the warmer's thread; chunks the arenas already hold
   * stay. Nothing when the store did not reserve.
   */
  renewReserve(): void {
    if (!this.reserved) return;
    this.spares.drop();
    this.reserve();
  }

  /** Bytes of raw packet data the store holds now (at most byteBudget, plus the newest record). */
  get bytesHeld(): number {
    return this.held;
  }

  /** Changes whenever the store is cleared. */
  get generation(): number {
    return this.gen;
  }

  /**
   * Takes the record's facts and a copy of its bytes, numbers it, and returns the record given (with its seq),
   * which the store does not keep: later changes to it reach the store only through setFault().
   */
  append(record: NewRecord): PacketRecord {
    const stored = record as PacketRecord;
    const seq = this.nextSeq++;
    stored.seq = seq;
    if (this.count === this.capacity) this.evictOldest();
    if (this.count === this.rows) this.resize(Math.min(this.capacity, this.rows * 2));
    const slot = (this.head + this.count) % this.rows;
    this.count++;
    const bytes = stored.bytes;
    this.time[slot] = stored.time;
    this.conn[slot] = stored.connId;
    const dir = stored.direction === 'toClient' ? TO_CLIENT : 0;
    this.kept[slot] = bytes.length;
    // Always a copy: the record's bytes are often a Buffer viewing a whole socket chunk (and Buffer's slice()
    // is a view, which once kept every chunk a large record came from alive).
    if (bytes.length <= CUT_FROM) {
      this.flags[slot] = dir | IN_SMALL;
      this.pos[slot] = this.arena.put(bytes);
    } else if (bytes.length <= LARGE_IN_ARENA) {
      this.flags[slot] = dir | IN_LARGE;
      this.pos[slot] = this.largeArena.put(bytes);
      this.largeQueue.push(seq);
    } else {
      this.flags[slot] = dir | OWN;
      this.pos[slot] = -1;
      const own = new Uint8Array(bytes.length);
      own.set(bytes); // a block copy (the typed-array constructor copied element by element)
      this.large.set(seq, own);
      this.largeQueue.push(seq);
    }
    this.held += bytes.length;
    if (stored.fault !== undefined) this.faultMap.set(seq, stored.fault);
    const findings = (stored as WithFindings).findings;
    if (findings !== undefined && findings.length > 0) this.findings.set(seq, findings);
    this.takeFacts(slot, seq, stored);
    for (const listener of this.listeners) listener(stored);
    // After the listeners: they see the packet whole as it went by; only what is kept is cut.
    this.keepWithinBudget();
    return stored;
  }

  /** Type, version and length without building a tree when nobody has; the tree's own facts when it exists. */
  private takeFacts(slot: number, seq: number, r: PacketRecord): void {
    const version = unbuiltVersion(r);
    if (version !== undefined) {
      const code = typeCodeOf(r.bytes);
      this.typeCode[slot] = code;
      this.typeIdx[slot] = code < 0 ? TYPE_INDEX.get('UNKNOWN')! : code;
      this.ver[slot] = version;
      this.length[slot] = r.bytes.length;
      this.issueCount[slot] = -1;
      this.worst[slot] = 0;
      return;
    }
    const d = r.decoded;
    this.typeCode[slot] = d.typeCode;
    this.typeIdx[slot] = TYPE_INDEX.get(d.type) ?? TYPE_INDEX.get('UNKNOWN')!;
    this.ver[slot] = d.version;
    this.length[slot] = r.fullLength ?? d.length;
    this.noteIssues(slot, seq, d);
    if (d.type === 'HTTP') {
      this.pinned.set(seq, d);
      return;
    }
    // A tree with no issues is exactly what the dissector makes of its bytes; one with issues may carry
    // findings added after the fact, kept as a patch.
    if (d.issues.length > 0 && r.fullLength === undefined) {
      const patch = diffTrees(d, dissect(r.bytes, { version: d.version }));
      if (patch !== null) this.patches.set(seq, patch);
    }
    this.trees.put(seq, d);
  }

  private noteIssues(slot: number, seq: number, d: DecodedPacket): void {
    const r = { decoded: d, findings: this.findings.get(seq) };
    const worst = worstSeverity(r);
    this.issueCount[slot] = recordIssues(r).length;
    this.worst[slot] = worst === undefined ? 0 : SEVERITIES.indexOf(worst) + 1;
  }

  private resize(rows: number): void {
    // Unrolls the ring into new columns, oldest first.
    // The ring's two runs, copied in bulk (an element loop took as long as the appends that filled it).
    const firstRun = Math.min(this.count, this.rows - this.head);
    const grow = <T extends Float64Array | Uint32Array | Int32Array | Uint8Array | Int8Array>(col: T, make: (n: number) => T): T => {
      const next = make(rows);
      next.set(col.subarray(this.head, this.head + firstRun) as never, 0);
      if (firstRun < this.count) next.set(col.subarray(0, this.count - firstRun) as never, firstRun);
      return next;
    };
    this.time = grow(this.time, (n) => new Float64Array(n));
    this.pos = grow(this.pos, (n) => new Float64Array(n));
    this.kept = grow(this.kept, (n) => new Uint32Array(n));
    this.length = grow(this.length, (n) => new Uint32Array(n));
    this.conn = grow(this.conn, (n) => new Int32Array(n));
    this.flags = grow(this.flags, (n) => new Uint8Array(n));
    this.typeIdx = grow(this.typeIdx, (n) => new Uint8Array(n));
    this.typeCode = grow(this.typeCode, (n) => new Int8Array(n));
    this.ver = grow(this.ver, (n) => new Uint8Array(n));
    this.issueCount = grow(this.issueCount, (n) => new Int32Array(n));
    this.worst = grow(this.worst, (n) => new Uint8Array(n));
    this.head = 0;
    this.rows = rows;
  }

  private evictOldest(): void {
    const slot = this.head;
    const seq = this.nextSeq - this.count;
    const kept = this.kept[slot]!;
    this.held -= kept;
    const pos = this.pos[slot]!;
    const where = this.flags[slot]! & WHERE;
    this.forget(seq);
    this.head = (this.head + 1) % this.rows;
    this.count--;
    if (where === IN_SMALL) this.arena.releaseBefore(pos + kept);
    else if (where === IN_CUT) this.cutArena.releaseBefore(pos + kept);
    else if (where === IN_LARGE) this.releaseLarge();
  }

  /**
   * Frees the large arena's chunks before the oldest record in it that still holds its whole bytes (all before
   * it were cut or have gone: both happen oldest first).
   */
  private releaseLarge(): void {
    const q = this.largeQueue;
    for (let i = this.largeHead; i < q.length; i++) {
      const slot = this.slotOf(q[i]!);
      if (slot < 0) {
        // Gone before the budget reached it: nothing to cut there.
        if (i === this.largeHead) this.largeHead++;
        continue;
      }
      if ((this.flags[slot]! & WHERE) !== IN_LARGE) continue;
      this.largeArena.releaseBefore(this.pos[slot]!);
      return;
    }
    this.largeArena.releaseBefore(this.largeArena.nextPosition);
  }

  private forget(seq: number): void {
    // Most of these are empty in steady traffic; asking an empty Map still cost a builtin call each, seven
    // per evicted record (Map delete was 2.4 % of `mqtt-lab broker` relaying 4 kB messages, perf).
    if (this.faultMap.size !== 0) this.faultMap.delete(seq);
    if (this.large.size !== 0) this.large.delete(seq);
    if (this.cut.size !== 0) this.cut.delete(seq);
    if (this.patches.size !== 0) this.patches.delete(seq);
    if (this.findings.size !== 0) this.findings.delete(seq);
    if (this.pinned.size !== 0) this.pinned.delete(seq);
    this.trees.delete(seq);
  }

  /** Amortised O(1) per append: every large seq is taken off the queue once. */
  private keepWithinBudget(): void {
    while (this.held > this.byteBudget) {
      if (this.largeHead < this.largeQueue.length) {
        this.truncate(this.largeQueue[this.largeHead++]!);
      } else if (this.count > 1) {
        this.evictOldest();
      } else {
        break;
      }
    }
    if (this.largeHead > 1024 && this.largeHead * 2 > this.largeQueue.length) {
      this.largeQueue = this.largeQueue.slice(this.largeHead);
      this.largeHead = 0;
    }
  }

  private truncate(seq: number): void {
    const slot = this.slotOf(seq);
    if (slot < 0 || this.kept[slot]! <= TRUNCATED_BYTES) return;
    const bytes = this.bytesAt(slot, seq);
    // The summary facts come from the whole packet, before its bytes go. A plain packet nobody changed (nearly
    // every large PUBLISH) gives them from its bytes: building a tree to cut each 4 kB message halved the
    // tap's rate once the budget was reached (bench/tap, 4 kB cells).
    const version = this.ver[slot] as MqttVersion;
    const plain = this.patches.has(seq) || this.pinned.has(seq) ? null : plainPacket(bytes, version);
    if (plain !== null && plainPublishStart(bytes.subarray(0, TRUNCATED_BYTES), version, bytes.length) !== null) {
      this.flags[slot]! |= CUT_PLAIN;
    } else {
      const facts = plain ?? this.tree(seq)!;
      this.cut.set(seq, { full: bytes.length, summary: facts.summary, info: facts.info });
    }
    this.patches.delete(seq);
    this.trees.delete(seq);
    this.kept[slot] = TRUNCATED_BYTES;
    this.held -= bytes.length - TRUNCATED_BYTES;
    if ((this.flags[slot]! & WHERE) === OWN) {
      this.large.set(seq, bytes.slice(0, TRUNCATED_BYTES)); // a copy: `bytes` is the store's own Uint8Array
      return;
    }
    this.pos[slot] = this.cutArena.put(bytes.subarray(0, TRUNCATED_BYTES));
    this.flags[slot] = (this.flags[slot]! & ~WHERE) | IN_CUT;
    this.releaseLarge();
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

  /** Ring slot of a seq held, or -1. */
  private slotOf(seq: number): number {
    const offset = seq - (this.nextSeq - this.count);
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.count) return -1;
    return (this.head + offset) % this.rows;
  }

  has(seq: number): boolean {
    return this.slotOf(seq) >= 0;
  }

  /** A record as a PacketRecord: its bytes copied out, its tree built when `decoded` is first read. */
  get(seq: number): PacketRecord | undefined {
    const slot = this.slotOf(seq);
    if (slot < 0) return undefined;
    const r = { seq, time: this.time[slot]!, connId: this.conn[slot]!, direction: this.directionAt(slot), bytes: this.bytesAt(slot, seq).slice() } as PacketRecord;
    let tree: DecodedPacket | undefined;
    Object.defineProperty(r, 'decoded', {
      enumerable: true,
      configurable: true,
      get: () => (tree ??= this.tree(seq) ?? dissect(r.bytes, { version: this.ver[slot] as MqttVersion })),
      set: (v: DecodedPacket) => {
        tree = v;
      },
    });
    if (this.cutAt(slot, seq)) r.fullLength = this.length[slot]!;
    const fault = this.faultMap.get(seq);
    if (fault !== undefined) r.fault = fault;
    const findings = this.findings.get(seq);
    if (findings !== undefined) (r as WithFindings).findings = findings;
    return r;
  }

  /** The record's bytes as the store holds them (a view: copy to keep). */
  bytesOf(seq: number): Uint8Array | undefined {
    const slot = this.slotOf(seq);
    return slot < 0 ? undefined : this.bytesAt(slot, seq);
  }

  private bytesAt(slot: number, seq: number): Uint8Array {
    const pos = this.pos[slot]!;
    return this.arenaOf(slot)?.view(pos, this.kept[slot]!) ?? this.large.get(seq)!;
  }

  /** The arena a record's bytes are in; undefined for a record with a copy of its own. */
  private arenaOf(slot: number): ByteArena | undefined {
    switch (this.flags[slot]! & WHERE) {
      case IN_SMALL: return this.arena;
      case IN_LARGE: return this.largeArena;
      case IN_CUT: return this.cutArena;
      default: return undefined;
    }
  }

  private directionAt(slot: number): Direction {
    return (this.flags[slot]! & TO_CLIENT) !== 0 ? 'toClient' : 'toBroker';
  }

  /**
   * The record's field tree, built from its bytes unless recently built (the caller must not change it).
   * `keep: false` for a scan over many records: the tree is not cached, so the scan does not push out the
   * trees the views are showing.
   */
  tree(seq: number, keep = true): DecodedPacket | undefined {
    const slot = this.slotOf(seq);
    if (slot < 0) return undefined;
    const pinned = this.pinned.get(seq);
    if (pinned !== undefined) return pinned;
    const cached = this.trees.get(seq);
    if (cached !== undefined) return cached;
    const bytes = this.bytesAt(slot, seq);
    const version = this.ver[slot] as MqttVersion;
    const cut = this.cutFacts(slot, seq);
    let tree: DecodedPacket;
    this.treesBuilt++;
    if (cut !== undefined) {
      tree = dissect(bytes, { version, keptOf: cut.full });
      // The line and the values a view lists by are those of the whole packet, read before it was cut.
      tree.summary = cut.summary;
      tree.info = cut.info;
      tree.length = cut.full;
      this.noteIssues(slot, seq, tree);
    } else {
      tree = dissect(bytes, { version });
      const patch = this.patches.get(seq);
      if (patch !== undefined) applyPatch(tree, patch);
      this.noteIssues(slot, seq, tree);
    }
    if (keep) this.trees.put(seq, tree);
    return tree;
  }

  // ---- Per-record facts, read without building a tree (summaries, filters, queries) ----

  timeOf(seq: number): number | undefined {
    const slot = this.slotOf(seq);
    return slot < 0 ? undefined : this.time[slot];
  }

  connIdOf(seq: number): number | undefined {
    const slot = this.slotOf(seq);
    return slot < 0 ? undefined : this.conn[slot];
  }

  directionOf(seq: number): Direction | undefined {
    const slot = this.slotOf(seq);
    return slot < 0 ? undefined : this.directionAt(slot);
  }

  typeOf(seq: number): PacketTypeName | undefined {
    const slot = this.slotOf(seq);
    return slot < 0 ? undefined : TYPE_NAMES[this.typeIdx[slot]!];
  }

  typeCodeOf(seq: number): number | undefined {
    const slot = this.slotOf(seq);
    return slot < 0 ? undefined : this.typeCode[slot];
  }

  versionOf(seq: number): MqttVersion | undefined {
    const slot = this.slotOf(seq);
    return slot < 0 ? undefined : (this.ver[slot] as MqttVersion);
  }

  /** The packet's true length (fixed header + remaining length), whatever the store kept of it. */
  lengthOf(seq: number): number | undefined {
    const slot = this.slotOf(seq);
    return slot < 0 ? undefined : this.length[slot];
  }

  /** The first byte (type and flags), read in place: a filter over a million records reads it for each. */
  headerByteOf(seq: number): number | undefined {
    const slot = this.slotOf(seq);
    if (slot < 0 || this.kept[slot] === 0) return undefined;
    return this.arenaOf(slot)?.byteAt(this.pos[slot]!) ?? this.large.get(seq)![0];
  }

  faultOf(seq: number): FaultRecord | undefined {
    return this.faultMap.get(seq);
  }

  /** The connection-level findings the producer put beside the record's tree (few records have any). */
  findingsOf(seq: number): Finding[] | undefined {
    return this.findings.get(seq);
  }

  /** Every fault held, by seq (few records have one). */
  faults(): IterableIterator<[number, FaultRecord]> {
    return this.faultMap.entries();
  }

  /** Whether the store kept only the start of the record's bytes (its byte budget). */
  isCut(seq: number): boolean {
    const slot = this.slotOf(seq);
    return slot >= 0 && this.cutAt(slot, seq);
  }

  private cutAt(slot: number, seq: number): boolean {
    return (this.flags[slot]! & CUT_PLAIN) !== 0 || this.cut.has(seq);
  }

  /**
   * A cut PUBLISH that was plain when whole (nearly every large one): its facts read again from the bytes
   * kept, so a summary needs no tree (the live log and the event stream read every record as it arrives, and
   * past the byte budget each record over CUT_FROM is cut as it is appended). Undefined for any other record.
   */
  cutPlainOf(seq: number): PlainPacket | undefined {
    const slot = this.slotOf(seq);
    if (slot < 0 || (this.flags[slot]! & CUT_PLAIN) === 0) return undefined;
    return plainPublishStart(this.bytesAt(slot, seq), this.ver[slot] as MqttVersion, this.length[slot]!) ?? undefined;
  }

  /** What a cut record's line and info were when whole: kept, or read again from the bytes kept. */
  private cutFacts(slot: number, seq: number): CutFacts | undefined {
    if ((this.flags[slot]! & CUT_PLAIN) === 0) return this.cut.get(seq);
    const full = this.length[slot]!;
    const p = plainPublishStart(this.bytesAt(slot, seq), this.ver[slot] as MqttVersion, full)!;
    return { full, summary: p.summary, info: p.info };
  }

  /** Issue count and worst severity; `built` false answers undefined rather than build the tree to know. */
  issuesOf(seq: number, built = true): IssueFacts | undefined {
    const slot = this.slotOf(seq);
    if (slot < 0) return undefined;
    if (this.issueCount[slot]! < 0) {
      if (!built) return undefined;
      this.tree(seq);
    }
    const count = this.issueCount[slot]!;
    const severity = WORST[this.worst[slot]!];
    return severity === undefined ? { count } : { count, severity };
  }

  /** A PUBLISH's topic as its tree says it, read from the bytes; undefined when only the tree can tell. */
  publishTopicOf(seq: number): string | undefined {
    const slot = this.slotOf(seq);
    if (slot < 0 || this.typeCode[slot] !== 3) return undefined;
    return publishTopic(this.bytesAt(slot, seq), this.ver[slot] as MqttVersion);
  }

  /**
   * The version the record's tree is built for when that tree is exactly `dissect(bytes, { version })` (no
   * patch, not cut, not pinned): summaries may then read the bytes instead of the tree. Undefined otherwise.
   */
  plainVersionOf(seq: number): MqttVersion | undefined {
    const slot = this.slotOf(seq);
    if (slot < 0 || this.patches.has(seq) || this.cutAt(slot, seq) || this.pinned.has(seq)) return undefined;
    return this.ver[slot] as MqttVersion;
  }

  /** A record's fault changed after it was appended (a held packet released). */
  setFault(seq: number, fault: FaultRecord | undefined): void {
    if (!this.has(seq)) return;
    if (fault === undefined) this.faultMap.delete(seq);
    else this.faultMap.set(seq, fault);
  }

  /** Drops every record; seq numbering continues, so a seq seen before never names another record. */
  clear(): void {
    this.head = 0;
    this.count = 0;
    this.held = 0;
    this.largeQueue = [];
    this.largeHead = 0;
    this.arena.clear(this.reserved);
    this.largeArena.clear(this.reserved);
    this.cutArena.clear(this.reserved);
    this.faultMap.clear();
    this.large.clear();
    this.cut.clear();
    this.patches.clear();
    this.findings.clear();
    this.pinned.clear();
    this.trees.clear();
    this.clientOfConn.clear();
    this.resize(Math.min(this.capacity, INITIAL_ROWS));
    this.gen++;
    // Whoever clears (a command, a capture opened from a file) cannot forget to tell the views.
    for (const listener of this.clearListeners) listener();
  }

  /** Called after every clear(); returns the function that unsubscribes. */
  onCleared(listener: () => void): () => void {
    this.clearListeners.add(listener);
    return () => {
      this.clearListeners.delete(listener);
    };
  }

  /** The Lab learns a connection's client id from its CONNECT and tells the store, for clientId queries. */
  setClientId(connId: number, clientId: string): void {
    this.clientOfConn.set(connId, clientId);
  }

  clientIdOf(connId: number): string | undefined {
    return this.clientOfConn.get(connId);
  }

  /** The field query as one predicate over seqs held (limit, fromEnd and afterSeq aside). */
  matcher(q: RecordQuery): (seq: number) => boolean {
    return compileQuery(q, this, (clientId) => this.connIdsOf(clientId));
  }

  /** Seqs of the matching records, oldest first. */
  querySeqs(q: RecordQuery = {}): number[] {
    const test = this.matcher(q);
    const limit = q.limit ?? Infinity;
    const out: number[] = [];
    if (limit <= 0 || this.count === 0) return out;
    // Records are in seq order, so afterSeq can skip straight to its position.
    const first = this.nextSeq - this.count;
    const from = q.afterSeq === undefined ? first : Math.max(first, q.afterSeq + 1);
    const last = this.nextSeq - 1;
    if (q.fromEnd === true) {
      for (let s = last; s >= from && out.length < limit; s--) if (test(s)) out.push(s);
      return out.reverse();
    }
    for (let s = from; s <= last && out.length < limit; s++) if (test(s)) out.push(s);
    return out;
  }

  /** Matching records, oldest first. */
  query(q: RecordQuery = {}): PacketRecord[] {
    return this.querySeqs(q).map((s) => this.get(s)!);
  }

  private connIdsOf(clientId: string): Set<number> {
    const ids = new Set<number>();
    for (const [connId, cid] of this.clientOfConn) if (cid === clientId) ids.add(connId);
    return ids;
  }

  /** Memory the store's own structures take, roughly (columns and arena; trees and sparse facts not counted). */
  get columnBytes(): number {
    return this.rows * (8 + 8 + 4 + 4 + 4 + 1 + 1 + 1 + 1 + 4 + 1) + this.arenaBytes;
  }

  /** Bytes of arena chunks allocated (large records of their own not counted). */
  get arenaBytes(): number {
    return this.arena.allocated + this.largeArena.allocated + this.cutArena.allocated + this.arena.sparesAllocated;
  }
}
