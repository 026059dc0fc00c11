// Reads stream frames as they went on the wire and says what each packet cost: a packet row's own bytes plus
// an equal share of its frame's tables and framing, so the per-type averages add up to the bytes sent.
import type { PacketSummary } from '../../src/shared/api.js';
import { decodeFrame, isStreamFrame } from '../../src/shared/event-stream/index.js';

export class StreamMeter {
  frames = 0;
  bytes = 0;
  packets = 0;
  readonly missed: Array<{ fromSeq: number; toSeq: number }> = [];
  readonly seqs = new Set<number>();
  readonly byType = new Map<string, { n: number; bytes: number }>();

  add(text: string): void {
    const f: unknown = JSON.parse(text);
    if (!isStreamFrame(f)) return;
    this.frames++;
    this.bytes += text.length;
    const rows: Array<{ type: string; bytes: number }> = [];
    let rowBytes = 0;
    let i = 0;
    const sizes = f.e.map((e) => JSON.stringify(e).length + 1);
    decodeFrame(f, (event, data) => {
      const size = sizes[i++]!;
      if (event === 'packet') {
        const p = data as PacketSummary;
        rows.push({ type: p.type, bytes: size });
        rowBytes += size;
        this.seqs.add(p.seq);
      } else if (event === 'missed') this.missed.push(data as { fromSeq: number; toSeq: number });
    });
    if (rows.length === 0) return;
    const share = (text.length - rowBytes) / rows.length;
    for (const r of rows) {
      const t = this.byType.get(r.type) ?? { n: 0, bytes: 0 };
      t.n++;
      t.bytes += r.bytes + share;
      this.byType.set(r.type, t);
    }
    this.packets += rows.length;
  }

  /** Average bytes per packet of a type (all packets when no type is named). */
  perPacket(type?: string): number {
    if (type === undefined) return this.packets === 0 ? 0 : [...this.byType.values()].reduce((n, t) => n + t.bytes, 0) / this.packets;
    const t = this.byType.get(type);
    return t === undefined || t.n === 0 ? NaN : t.bytes / t.n;
  }

  /** Packets delivered or covered by a marker. */
  get accounted(): number {
    return this.seqs.size + this.missed.reduce((n, m) => n + m.toSeq - m.fromSeq + 1, 0);
  }
}
