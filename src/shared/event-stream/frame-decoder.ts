// Turns a stream frame (frame.ts) back into the Lab's events, in order: packet rows become the very
// PacketSummary objects the sender packed.
import type { PacketSummary } from '../api.js';
import type { PacketInfo } from '../packet.js';
import { INFO_PREFIX, TAG_BOOLEAN, TAG_NUMBER, TAG_STRING, TIME_UNIT, UPDATE, type Head, type StreamFrame } from './frame.js';
import { fromTemplate } from './summary-template.js';

export class FrameError extends Error {}

/** A parsed JSON value that claims to be a stream frame: checked for its outline, then decoded. */
export function isStreamFrame(v: unknown): v is StreamFrame {
  const f = v as Partial<StreamFrame> | null;
  return typeof f === 'object' && f !== null && f.kind === 'stream'
    && Array.isArray(f.s) && Array.isArray(f.h) && Array.isArray(f.k) && Array.isArray(f.e);
}

interface Shape {
  keys: string[];
  info: boolean[];
  tags: string[];
}

/** Calls `emit` for each event of the frame, in order. Throws FrameError on a frame it cannot read. */
export function decodeFrame(frame: StreamFrame, emit: (event: string, data: unknown) => void): void {
  const shapes: Shape[] = frame.k.map((keys) => {
    const s: Shape = { keys: [], info: [], tags: [] };
    for (const tagged of keys) {
      const cut = tagged.lastIndexOf(':');
      const key = tagged.slice(0, cut);
      const inInfo = key.startsWith(INFO_PREFIX);
      s.keys.push(inInfo ? key.slice(INFO_PREFIX.length) : key);
      s.info.push(inInfo);
      s.tags.push(tagged.slice(cut + 1));
    }
    return s;
  });
  let prevSeq = 0;
  let prevTime = 0;
  const str = (i: unknown): string => {
    const s = frame.s[i as number];
    if (typeof s !== 'string') throw new FrameError(`string ${String(i)} is not in the frame`);
    return s;
  };
  for (const entry of frame.e) {
    if (!Array.isArray(entry) || entry.length === 0) throw new FrameError('an event entry is not a non-empty array');
    const update = entry[0] === UPDATE;
    if (!update && typeof entry[0] !== 'number') {
      if (typeof entry[0] !== 'string') throw new FrameError('an event entry has no event name');
      emit(entry[0], entry[1]);
      continue;
    }
    let i = update ? 1 : 0;
    const seq = prevSeq + (entry[i++] as number);
    const dt = entry[i++];
    const time = typeof dt === 'string' ? Number(dt) : prevTime + (dt as number) * TIME_UNIT;
    prevSeq = seq;
    prevTime = time;
    const head = frame.h[entry[i++] as number] as Head | undefined;
    if (!Array.isArray(head)) throw new FrameError(`packet ${seq} points at a head not in the frame`);
    const length = entry[i++] as number;
    const t = entry[i++] as number;
    const shape = shapes[entry[i++] as number];
    if (shape === undefined) throw new FrameError(`packet ${seq} points at a shape not in the frame`);
    const info: PacketInfo = {};
    const p = {
      seq, time, connId: head[0], direction: head[2], type: head[3], typeCode: head[4], version: head[5], length, summary: '', info,
    } as PacketSummary;
    if (head[1] !== null) p.clientId = head[1];
    const bag = p as unknown as Record<string, unknown>;
    const infoBag = info as Record<string, unknown>;
    for (let k = 0; k < shape.keys.length; k++) {
      const raw = entry[i + k];
      const tag = shape.tags[k];
      const v = tag === TAG_STRING ? str(raw) : tag === TAG_BOOLEAN ? raw === 1 : tag === TAG_NUMBER ? (raw as number) : raw;
      (shape.info[k] ? infoBag : bag)[shape.keys[k]!] = v;
    }
    p.summary = t < 0 ? str(-1 - t) : fromTemplate(str(t), info);
    emit(update ? 'packet-update' : 'packet', p);
  }
}
