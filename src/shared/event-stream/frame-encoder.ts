// Builds one stream frame (frame.ts) event by event, knowing its size in bytes as it grows, so the sender can
// stop at a bound and take back the event that would pass it.
import type { PacketSummary } from '../api.js';
import {
  INFO_PREFIX, TAG_BOOLEAN, TAG_JSON, TAG_NUMBER, TAG_STRING, TIME_UNIT, UPDATE, type Head,
} from './frame.js';
import { toTemplate } from './summary-template.js';

/** Summary keys with a fixed slot in every row (or in its head); the rest go by shape. */
const FIXED_KEYS = new Set(['seq', 'time', 'connId', 'clientId', 'direction', 'type', 'typeCode', 'version', 'length', 'summary', 'info']);
/** The tags of info keys in the shape tree (any strings the summary tags are not). */
const INFO_TAGS: Record<string, string> = { [TAG_NUMBER]: 'i' + TAG_NUMBER, [TAG_BOOLEAN]: 'i' + TAG_BOOLEAN, [TAG_STRING]: 'i' + TAG_STRING, [TAG_JSON]: 'i' + TAG_JSON };
const SKELETON = '{"kind":"stream","s":[],"h":[],"k":[],"e":[]}'.length;

/**
 * A row shape as a path of (key, tag) steps: a row walks it key by key, so finding its shape hashes only the
 * keys' own (interned) names, not a joined string made per row (joining was 5 % of `mqtt-lab web` relaying
 * with a page open). Info keys take their own tags, so `info.topic` and a summary's `topic` never meet.
 */
interface ShapeNode {
  next: Map<string, Map<string, ShapeNode>>;
  /** The shape's index in this frame, or -1. */
  index: number;
  /** The shape's keys as the frame lists them (made once, when the shape is first used). */
  keys: string[] | null;
  parent: ShapeNode | null;
  key: string;
}

const newNode = (parent: ShapeNode | null, key: string): ShapeNode => ({ next: new Map(), index: -1, keys: null, parent, key });

export interface Checkpoint {
  strings: number;
  heads: number;
  shapes: number;
  entries: number;
  bytes: number;
  prevSeq: number;
  prevTime: number;
}

/** Is this a summary the row codec can pack? Anything else travels as a plain event, whole. */
export function isPackable(data: unknown): data is PacketSummary {
  const d = data as Partial<PacketSummary> | null;
  return typeof d === 'object' && d !== null && Number.isSafeInteger(d.seq) && typeof d.time === 'number' && Number.isFinite(d.time)
    && typeof d.connId === 'number' && typeof d.summary === 'string' && typeof d.info === 'object' && d.info !== null
    && typeof d.type === 'string' && typeof d.direction === 'string' && typeof d.length === 'number' && typeof d.typeCode === 'number';
}

export class FrameEncoder {
  #strings: string[] = [];
  #stringIdx = new Map<string, number>();
  #heads: Head[] = [];
  /** The heads of each connection in this frame, by index: a few per connection, found by comparing fields. */
  #headsOf = new Map<number, number[]>();
  #shapes: string[][] = [];
  /** The node of each shape in #shapes, to forget them on rollback. */
  #shapeNodes: ShapeNode[] = [];
  #shapeRoot = newNode(null, '');
  /** Where the row being added has got to in the shape tree. */
  #at: ShapeNode = this.#shapeRoot;
  #entries: string[] = [];
  #bytes = SKELETON;
  #prevSeq = 0;
  #prevTime = 0;

  /** Events in the frame so far. */
  get count(): number {
    return this.#entries.length;
  }

  /** Length of the frame's JSON text so far (commas counted generously: never less than the real length). */
  get bytes(): number {
    return this.#bytes;
  }

  checkpoint(): Checkpoint {
    return {
      strings: this.#strings.length, heads: this.#heads.length, shapes: this.#shapes.length, entries: this.#entries.length,
      bytes: this.#bytes, prevSeq: this.#prevSeq, prevTime: this.#prevTime,
    };
  }

  /** Takes back everything added since `c`. */
  rollback(c: Checkpoint): void {
    for (const s of this.#strings.splice(c.strings)) this.#stringIdx.delete(s);
    for (const h of this.#heads.splice(c.heads)) {
      const list = this.#headsOf.get(h[0])!;
      const cut = list.findIndex((i) => i >= c.heads);
      if (cut >= 0) list.length = cut;
    }
    this.#shapes.length = c.shapes;
    for (const n of this.#shapeNodes.splice(c.shapes)) n.index = -1;
    this.#entries.length = c.entries;
    this.#bytes = c.bytes;
    this.#prevSeq = c.prevSeq;
    this.#prevTime = c.prevTime;
  }

  /** A packet or packet-update event; `p` must pass isPackable. */
  addPacket(p: PacketSummary, update: boolean): void {
    const row: unknown[] = update ? [UPDATE] : [];
    row.push(p.seq - this.#prevSeq, this.#timeDelta(p.time), this.#head(p), p.length);
    this.#prevSeq = p.seq;
    this.#prevTime = p.time;
    const template = toTemplate(p.summary, p.info);
    row.push(template === null ? -1 - this.#string(p.summary) : this.#string(template));
    // The shape's path and the row's values, gathered in this encoder's own state (no closure, array or
    // string per row: under a burst every allocation here is paid again in garbage collection).
    const values = this.#values;
    values.length = 0;
    this.#at = this.#shapeRoot;
    const info = p.info as Record<string, unknown>;
    for (const k in info) this.#take(k, info[k], true);
    const rest = p as unknown as Record<string, unknown>;
    for (const k in rest) if (!FIXED_KEYS.has(k)) this.#take(k, rest[k], false);
    row.push(this.#shape(this.#at));
    for (let i = 0; i < values.length; i++) row.push(values[i]);
    this.#entry(JSON.stringify(row));
  }

  #values: unknown[] = [];

  #take(key: string, v: unknown, inInfo: boolean): void {
    if (v === undefined) return;
    let tag: string;
    if (typeof v === 'number' && Number.isFinite(v)) {
      tag = TAG_NUMBER;
      this.#values.push(v);
    } else if (typeof v === 'boolean') {
      tag = TAG_BOOLEAN;
      this.#values.push(v ? 1 : 0);
    } else if (typeof v === 'string') {
      tag = TAG_STRING;
      this.#values.push(this.#string(v));
    } else {
      tag = TAG_JSON;
      this.#values.push(v);
    }
    this.#step(key, tag, inInfo);
  }

  /** One key further along the shape tree (its listed name is made only when its node is new). */
  #step(key: string, tag: string, inInfo: boolean): void {
    const at = this.#at;
    // Info keys take tags of their own: an info key and a summary key of one name are different steps.
    let byTag = at.next.get(key);
    if (byTag === undefined) at.next.set(key, (byTag = new Map()));
    const t = inInfo ? INFO_TAGS[tag]! : tag;
    let node = byTag.get(t);
    if (node === undefined) byTag.set(t, (node = newNode(at, `${inInfo ? INFO_PREFIX : ''}${key}:${tag}`)));
    this.#at = node;
  }

  /** Any other event, whole. */
  addEvent(event: string, data: unknown): void {
    this.#entry(JSON.stringify([event, data ?? null]));
  }

  /** The frame's JSON text. */
  finish(): string {
    return `{"kind":"stream","s":${JSON.stringify(this.#strings)},"h":${JSON.stringify(this.#heads)},"k":${JSON.stringify(this.#shapes)},"e":[${this.#entries.join(',')}]}`;
  }

  #entry(json: string): void {
    this.#entries.push(json);
    this.#bytes += json.length + 1;
  }

  #timeDelta(time: number): number | string {
    const ticks = (time - this.#prevTime) / TIME_UNIT;
    return Number.isSafeInteger(ticks) && this.#prevTime + ticks * TIME_UNIT === time ? ticks : String(time);
  }

  #string(s: string): number {
    let i = this.#stringIdx.get(s);
    if (i === undefined) {
      i = this.#strings.push(s) - 1;
      this.#stringIdx.set(s, i);
      this.#bytes += JSON.stringify(s).length + 1;
    }
    return i;
  }

  #head(p: PacketSummary): number {
    // Compared field by field: a key string made per row was a string to build and hash for every packet.
    let list = this.#headsOf.get(p.connId);
    if (list === undefined) this.#headsOf.set(p.connId, (list = []));
    const clientId = p.clientId ?? null;
    for (let j = 0; j < list.length; j++) {
      const i = list[j]!;
      const h = this.#heads[i]!;
      if (h[2] === p.direction && h[3] === p.type && h[4] === p.typeCode && h[5] === p.version && h[1] === clientId) return i;
    }
    const head: Head = [p.connId, clientId, p.direction, p.type, p.typeCode, p.version];
    const i = this.#heads.push(head) - 1;
    list.push(i);
    this.#bytes += JSON.stringify(head).length + 1;
    return i;
  }

  #shape(node: ShapeNode): number {
    if (node.index < 0) {
      if (node.keys === null) {
        const keys: string[] = [];
        for (let n: ShapeNode | null = node; n !== null && n.parent !== null; n = n.parent) keys.push(n.key);
        node.keys = keys.reverse();
      }
      node.index = this.#shapes.push(node.keys) - 1;
      this.#shapeNodes.push(node);
      this.#bytes += JSON.stringify(node.keys).length + 1;
    }
    return node.index;
  }
}
