// Reads what a sender sent back into events, and checks the stream's promise: every packet pushed arrives
// exactly once or lies in a `missed` range, in seq order, and no event of any other kind is lost.
import type { PacketSummary } from '../../src/shared/api.js';
import { decodeFrame, isStreamFrame } from '../../src/shared/event-stream/index.js';

export interface Received {
  frames: number;
  bytes: number;
  events: Array<{ event: string; data: unknown }>;
  packets: PacketSummary[];
  missed: Array<{ fromSeq: number; toSeq: number }>;
}

export function emptyReceived(): Received {
  return { frames: 0, bytes: 0, events: [], packets: [], missed: [] };
}

export function readFrame(into: Received, text: string): void {
  const f: unknown = JSON.parse(text);
  if (!isStreamFrame(f)) throw new Error(`not a stream frame: ${text.slice(0, 80)}`);
  into.frames++;
  into.bytes += text.length;
  decodeFrame(f, (event, data) => {
    into.events.push({ event, data });
    if (event === 'packet') into.packets.push(data as PacketSummary);
    if (event === 'missed') into.missed.push(data as { fromSeq: number; toSeq: number });
  });
}

/** Seqs pushed that neither arrived nor lie in a marker; seqs that arrived twice. */
export function accountFor(pushed: number[], got: Received): { lost: number[]; twice: number[]; outOfOrder: boolean } {
  const seen = new Map<number, number>();
  for (const p of got.packets) seen.set(p.seq, (seen.get(p.seq) ?? 0) + 1);
  const inMarker = (s: number): boolean => got.missed.some((m) => s >= m.fromSeq && s <= m.toSeq);
  const lost = pushed.filter((s) => !seen.has(s) && !inMarker(s));
  const twice = [...seen].filter(([, n]) => n > 1).map(([s]) => s);
  const seqs = got.packets.map((p) => p.seq);
  const outOfOrder = seqs.some((s, i) => i > 0 && s <= seqs[i - 1]!);
  return { lost, twice, outOfOrder };
}
