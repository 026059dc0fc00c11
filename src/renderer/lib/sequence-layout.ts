// The sequence diagram's model, kept incrementally: one row per packet (or timeline note) in arrival order,
// a lane per client, QoS 1/2 exchanges grouped by packet id, Last Will deliveries recognised. Geometry
// (pixels) is the view's business; this is plain data so it can be tested without a browser.
import type { PacketSummary } from '../../shared/api.js';
import type { TimelineNote } from '../state/capture.svelte.js';
import { arrowLabel } from './labels.js';

export interface SeqGroup {
  id: number;
  lane: string;
  qos: 1 | 2;
  packetId: number;
  /** Which way the PUBLISH went: a client publishing, or the broker delivering to it. */
  toBroker: boolean;
  firstRow: number;
  lastRow: number;
  done: boolean;
  /** A new PUBLISH reused the id before the exchange finished (its ack was lost). */
  abandoned: boolean;
  /** Slot among overlapping groups, so their brackets sit side by side. */
  depth: number;
}

export interface SeqRow {
  row: number;
  time: number;
  lane: string;
  p?: PacketSummary;
  note?: TimelineNote;
  toBroker?: boolean;
  label?: string;
  group?: SeqGroup;
  /** The client whose Last Will this PUBLISH delivers. */
  willOf?: string;
  /** performance.now() when the row was added, for the arrival animation. */
  addedAt: number;
}

interface PendingWill {
  topic: string;
  lane: string;
  until: number;
}

const WILL_WINDOW_MS = 5000;
/** A group open but untouched for this many rows no longer competes for a bracket slot. */
const SLOT_ROWS = 40;
/** A paced backlog longer than this (measured before the new row) is dropped. */
const MAX_BACKLOG_MS = 4000;
/** Rows before the new one a backlog may always hold, whatever the pace. */
const PACED_BURST = 7;

export class SequenceLayout {
  rows: SeqRow[] = [];
  lanes: string[] = [];
  groups: SeqGroup[] = [];
  /** Longest group span in rows, to bound the backward search for groups overlapping a window. */
  maxGroupSpan = 0;
  /** Rows of packets that were (or are) held at the tap: their arrows can end far below their row. */
  holdRows: number[] = [];
  /** HTTP requests or responses are among the rows: the diagram then draws the web server's lane. */
  hasHttp = false;
  /** Per lane, the time of its latest packet: a crowded diagram folds lanes that have gone quiet. */
  readonly lastTimeOf = new Map<string, number>();
  #laneSet = new Set<string>();
  #rowOfSeq = new Map<number, number>();
  #open = new Map<string, SeqGroup>();
  #connLane = new Map<number, string>();
  #willTopic = new Map<string, string>();
  #pendingWills: PendingWill[] = [];
  #groupId = 0;
  /**
   * Groups touched in the last SLOT_ROWS rows (with the row they were touched at), oldest first: the only ones
   * a new group's bracket slot depends on. Searching every open group instead is quadratic in a burst, where
   * thousands of QoS 1 exchanges are in flight at once.
   */
  #touched: Array<{ g: SeqGroup; at: number }> = [];
  #touchedHead = 0;
  /** The clock read once per append: a batch of rows arrives at one moment. */
  #batchNow: number | null = null;
  /**
   * Milliseconds between the appearance of successive rows: packets that arrive within a millisecond are drawn
   * one after the other, in sequence order, so the order is seen. 0 draws them as they come.
   */
  pace = 0;
  #lastAt = -Infinity;

  constructor(private readonly now: () => number = () => performance.now()) {}

  laneOf(p: PacketSummary): string {
    const known = p.clientId ?? this.#connLane.get(p.connId);
    if (known !== undefined) return known;
    if (p.type === 'CONNECT' && p.info.clientId !== undefined) return p.info.clientId || `conn #${p.connId}`;
    return `conn #${p.connId}`;
  }

  rowOfSeq(seq: number): SeqRow | undefined {
    const i = this.#rowOfSeq.get(seq);
    return i === undefined ? undefined : this.rows[i];
  }

  /** The first row at or after time `t` (rows are in arrival order, which is time order). */
  rowAtTime(t: number): number {
    let lo = 0;
    let hi = this.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.rows[mid]!.time < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Groups overlapping rows [from, to]. */
  groupsIn(from: number, to: number): SeqGroup[] {
    const g = this.groups;
    let lo = 0;
    let hi = g.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (g[mid]!.firstRow <= to) lo = mid + 1;
      else hi = mid;
    }
    const out: SeqGroup[] = [];
    for (let i = lo - 1; i >= 0; i--) {
      const x = g[i]!;
      if (x.firstRow < from - this.maxGroupSpan) break;
      if (x.lastRow >= from) out.push(x);
    }
    return out;
  }

  /** Adds packets and notes; a note goes after the packet its `afterSeq` names. */
  append(packets: readonly PacketSummary[], notes: readonly TimelineNote[] = []): void {
    this.#batchNow = null;
    let n = 0;
    const sorted = notes.length > 1 ? [...notes].sort((a, b) => (a.afterSeq ?? -1) - (b.afterSeq ?? -1)) : notes;
    for (const p of packets) {
      while (n < sorted.length && (sorted[n]!.afterSeq ?? -1) < p.seq) this.#addNote(sorted[n++]!);
      this.#addPacket(p);
    }
    while (n < sorted.length) this.#addNote(sorted[n++]!);
  }

  update(p: PacketSummary): boolean {
    const r = this.rowOfSeq(p.seq);
    if (!r) return false;
    r.p = p;
    return true;
  }

  /**
   * When the next row appears: one pace after the previous row while a backlog builds, else now. A backlog too
   * long to wait for is dropped whole: every row still pending appears now with the new one, so rows always
   * appear in seq order and none is left after lastAppearAt (the view stops ticking there).
   */
  #appearAt(): number {
    const now = (this.#batchNow ??= this.now());
    if (this.#lastAt <= now) {
      this.#lastAt = this.pace > 0 && this.#lastAt + this.pace > now ? this.#lastAt + this.pace : now;
      return this.#lastAt;
    }
    // Measured before the new row: a QoS 2 exchange through the broker (8 arrows) is still drawn one by one.
    if (this.pace > 0 && this.#lastAt - now < Math.max(MAX_BACKLOG_MS, PACED_BURST * this.pace)) {
      this.#lastAt += this.pace;
      return this.#lastAt;
    }
    for (let i = this.rows.length - 1; i >= 0 && this.rows[i]!.addedAt > now; i--) this.rows[i]!.addedAt = now;
    this.#lastAt = now;
    return now;
  }

  /** When the last row appears (in the future while a paced sequence is still being drawn). */
  get lastAppearAt(): number {
    return this.#lastAt;
  }

  #lane(key: string): void {
    if (!this.#laneSet.has(key)) {
      this.#laneSet.add(key);
      this.lanes.push(key);
    }
  }

  #addNote(note: TimelineNote): void {
    this.#lane(note.lane);
    const row: SeqRow = { row: this.rows.length, time: note.time, lane: note.lane, note, group: undefined, addedAt: this.#appearAt() };
    this.rows.push(row);
    if (note.kind === 'will' && note.willTopic !== undefined) {
      this.#pendingWills.push({ topic: note.willTopic, lane: note.lane, until: note.time + WILL_WINDOW_MS });
    } else if (note.kind === 'ended' && note.ungraceful) {
      const topic = this.#willTopic.get(note.lane);
      if (topic !== undefined) this.#pendingWills.push({ topic, lane: note.lane, until: note.time + WILL_WINDOW_MS });
    }
  }

  #addPacket(p: PacketSummary): void {
    const d = p;
    if (d.type === 'CONNECT' && d.info.clientId) this.#connLane.set(p.connId, d.info.clientId);
    const lane = this.laneOf(p);
    this.#lane(lane);
    const toBroker = p.direction === 'toBroker';
    // Every row has the same properties from the start (group set later), so rows share one shape.
    const row: SeqRow = { row: this.rows.length, time: p.time, lane, p, toBroker, label: arrowLabel(p), group: undefined, addedAt: this.#appearAt() };
    this.#rowOfSeq.set(p.seq, row.row);
    this.rows.push(row);
    this.lastTimeOf.set(lane, p.time);
    if (p.fault?.action === 'hold' || p.fault?.action === 'step') this.holdRows.push(row.row);
    if (p.type === 'HTTP') this.hasHttp = true;

    if (d.type === 'CONNECT') {
      if (d.will !== undefined) this.#willTopic.set(lane, d.will.topic);
      else this.#willTopic.delete(lane);
    } else if (d.type === 'DISCONNECT' && toBroker) {
      // A graceful end: the broker discards the will (MQTT-3.1.2-10), so nothing will be published.
      this.#willTopic.delete(lane);
    } else if (d.type === 'PUBLISH' && !toBroker && this.#pendingWills.length) {
      this.#pendingWills = this.#pendingWills.filter((w) => w.until >= p.time);
      const w = this.#pendingWills.find((x) => x.topic === d.info.topic);
      if (w) row.willOf = w.lane;
    }
    this.#group(row, p);
  }

  /** Bracket slots taken by open groups touched within SLOT_ROWS rows before `row`. */
  #usedSlots(row: number): Set<number> {
    const t = this.#touched;
    while (this.#touchedHead < t.length && row - t[this.#touchedHead]!.at >= SLOT_ROWS) this.#touchedHead++;
    if (this.#touchedHead > 1024) {
      t.splice(0, this.#touchedHead);
      this.#touchedHead = 0;
    }
    const used = new Set<number>();
    for (let i = this.#touchedHead; i < t.length; i++) {
      const g = t[i]!.g;
      // Done and abandoned groups have left #open.
      if (!g.done && !g.abandoned && row - g.lastRow < SLOT_ROWS) used.add(g.depth);
    }
    return used;
  }

  /**
   * Forgets the oldest `n` rows in place, as if the layout had been built from the rest: rows are renumbered,
   * groups that began before them go (their later rows lose the bracket), lanes and their last times are those
   * of the rows kept. Cheap enough for a live burst, unlike laying the kept rows out again.
   */
  shed(n: number): void {
    if (n <= 0) return;
    const kept = this.rows.slice(n);
    const lanes = new Set<string>();
    this.lastTimeOf.clear();
    this.#rowOfSeq.clear();
    for (let i = 0; i < kept.length; i++) {
      const r = kept[i]!;
      r.row = i;
      // Assigned, not deleted: a deleted property turns each row into a slow dictionary object.
      if (r.group !== undefined && r.group.firstRow < n) r.group = undefined;
      if (r.p !== undefined) {
        this.#rowOfSeq.set(r.p.seq, i);
        this.lastTimeOf.set(r.lane, r.time);
      }
      lanes.add(r.lane);
    }
    this.rows = kept;
    this.lanes = this.lanes.filter((l) => lanes.has(l));
    this.#laneSet = lanes;
    const groups: SeqGroup[] = [];
    const dropped = new Set<SeqGroup>();
    for (const g of this.groups) {
      if (g.firstRow < n) {
        dropped.add(g);
        continue;
      }
      g.firstRow -= n;
      g.lastRow -= n;
      groups.push(g);
    }
    this.groups = groups;
    for (const [k, g] of this.#open) if (dropped.has(g)) this.#open.delete(k);
    this.holdRows = this.holdRows.filter((r) => r >= n).map((r) => r - n);
    this.#touched = this.#touched.slice(this.#touchedHead).filter((e) => !dropped.has(e.g)).map((e) => ({ g: e.g, at: e.at - n }));
    this.#touchedHead = 0;
  }

  #group(row: SeqRow, p: PacketSummary): void {
    const d = p;
    const id = d.info.packetId;
    if (id === undefined) return;
    const dir = p.direction === 'toBroker';
    let publishToBroker: boolean;
    switch (d.type) {
      case 'PUBLISH':
        if ((d.info.qos ?? 0) === 0) return;
        publishToBroker = dir;
        break;
      case 'PUBREL':
        publishToBroker = dir;
        break;
      case 'PUBACK': case 'PUBREC': case 'PUBCOMP':
        publishToBroker = !dir;
        break;
      default:
        return;
    }
    const key = `${row.lane}|${publishToBroker ? 'up' : 'down'}|${id}`;
    let g = this.#open.get(key);
    if (d.type === 'PUBLISH') {
      if (g && !d.info.dup) {
        g.abandoned = true;
        this.#open.delete(key);
        g = undefined;
      }
      if (!g) {
        // Brackets all stand right of the broker, so overlapping exchanges of any lane take the next slot.
        // A group left open long ago (its ack was lost for good) no longer competes for a slot.
        const used = this.#usedSlots(row.row);
        let depth = 0;
        while (used.has(depth)) depth++;
        g = {
          id: ++this.#groupId, lane: row.lane, qos: d.info.qos === 2 ? 2 : 1, packetId: id, toBroker: publishToBroker,
          firstRow: row.row, lastRow: row.row, done: false, abandoned: false, depth: Math.min(depth, 3),
        };
        this.#open.set(key, g);
        this.groups.push(g);
      }
    }
    if (!g) return;
    g.lastRow = row.row;
    this.#touched.push({ g, at: row.row });
    this.maxGroupSpan = Math.max(this.maxGroupSpan, g.lastRow - g.firstRow);
    row.group = g;
    // A dropped final ack never reached its receiver: for it, the exchange is still open.
    if ((d.type === 'PUBACK' || d.type === 'PUBCOMP') && p.fault?.action !== 'drop') {
      g.done = true;
      this.#open.delete(key);
    }
  }
}
