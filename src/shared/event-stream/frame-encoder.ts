// Builds one stream frame (frame.ts) event by event, knowing its size in bytes as it grows, so the sender can
// stop at a bound and take back the event that would pass it.
import type { PacketSummary } from '../api.js';
import {
  INFO_PREFIX, TAG_BOOLEAN, TAG_JSON, TAG_NUMBER, TAG_STRING, TIME_UNIT, UPDATE, type Head,
} from './frame.js';
import { toTemplate } from './summary-template.js';

/** Summary keys with a fixed slot in every row (or in its head); the rest go by shape. */
const FIXED_KEYS = new Set(['seq', 'time', 'connId', 'clientId', 'direction', 'type', 'typeCode', 'version', 'length', 'summary', 'info']);
const SKELETON = '{"kind":"stream","s":[],"h":[],"k":[],"e":[]}'.length;

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
  #headKeys: string[] = [];
  #headIdx = new Map<string, number>();
  #shapes: string[][] = [];
  #shapeKeys: string[] = [];
  #shapeIdx = new Map<string, number>();
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
    this.#heads.length = c.heads;
    for (const k of this.#headKeys.splice(c.heads)) this.#headIdx.delete(k);
    this.#shapes.length = c.shapes;
    for (const k of this.#shapeKeys.splice(c.shapes)) this.#shapeIdx.delete(k);
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
    // The shape's keys and the row's values, gathered in this encoder's own arrays (no closure or arrays per
    // row: under a burst every allocation here is paid again in garbage collection).
    const keys = this.#keys;
    const values = this.#values;
    keys.length = 0;
    values.length = 0;
    const info = p.info as Record<string, unknown>;
    for (const k in info) this.#take(INFO_PREFIX + k + ':', info[k]);
    const rest = p as unknown as Record<string, unknown>;
    for (const k in rest) if (!FIXED_KEYS.has(k)) this.#take(k + ':', rest[k]);
    row.push(this.#shape(keys));
    for (let i = 0; i < values.length; i++) row.push(values[i]);
    this.#entry(JSON.stringify(row));
  }

  #keys: string[] = [];
  #values: unknown[] = [];

  #take(key: string, v: unknown): void {
    if (v === undefined) return;
    if (typeof v === 'number' && Number.isFinite(v)) {
      this.#keys.push(key + TAG_NUMBER);
      this.#values.push(v);
    } else if (typeof v === 'boolean') {
      this.#keys.push(key + TAG_BOOLEAN);
      this.#values.push(v ? 1 : 0);
    } else if (typeof v === 'string') {
      this.#keys.push(key + TAG_STRING);
      this.#values.push(this.#string(v));
    } else {
      this.#keys.push(key + TAG_JSON);
      this.#values.push(v);
    }
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
    const key = `${p.connId}|${p.direction}|${p.type}|${p.typeCode}|${p.version}|${p.clientId === undefined ? '-' : '+' + p.clientId}`;
    let i = this.#headIdx.get(key);
    if (i === undefined) {
      const head: Head = [p.connId, p.clientId ?? null, p.direction, p.type, p.typeCode, p.version];
      i = this.#heads.push(head) - 1;
      this.#headKeys.push(key);
      this.#headIdx.set(key, i);
      this.#bytes += JSON.stringify(head).length + 1;
    }
    return i;
  }

  #shape(keys: string[]): number {
    const key = keys.join('\n');
    let i = this.#shapeIdx.get(key);
    if (i === undefined) {
      // A copy: `keys` is the encoder's scratch array.
      i = this.#shapes.push(keys.slice()) - 1;
      this.#shapeKeys.push(key);
      this.#shapeIdx.set(key, i);
      this.#bytes += JSON.stringify(keys).length + 1;
    }
    return i;
  }
}
