// The outer layers (TLS records, WebSocket frames) of the lab's TLS and WebSocket connections, bounded, and
// which MQTT packets each unit carried. Links are worked out when asked: a record sent to the client is
// written after the packet it carries was recorded.
import type { Direction, PacketRecord } from '../../shared/lab.js';
import type { LayerName, LayerUnit } from '../../shared/transport.js';
import { toHex } from '../dissect/utf8.js';

/** A unit as kept: its wire bytes (for saving the capture) and the stretch of the inner stream it carried. */
export interface KeptUnit {
  id: number;
  connId: number;
  direction: Direction;
  time: number;
  layer: LayerName;
  offset: number;
  bytes: Uint8Array;
  /** The inner stream's bytes [start, end) this unit carried: MQTT bytes, or for wss's TLS, WebSocket bytes. */
  plain?: { start: number; end: number };
  describe(): Pick<LayerUnit, 'summary' | 'fields' | 'inner' | 'sealed'>;
}

interface PacketSpan { seq: number; connId: number; direction: Direction; start: number; end: number }

interface ConnLayers {
  /** Layers from the wire inwards, e.g. ['tls'], ['ws'], ['tls', 'ws']. */
  layers: LayerName[];
  /** Bytes of MQTT seen so far each way (the offset of the next packet in the innermost stream). */
  mqttOffset: Record<Direction, number>;
  spans: PacketSpan[];
  /** TLS secrets of the connection, NSS key log lines. */
  keyLog: string[];
}

const HEAD_BYTES = 40;
/** Closed connections whose layers stay logged, as many as the tap keeps listed. */
const KEEP_CLOSED = 500;

export class TransportLog {
  private units: KeptUnit[] = [];
  private nextId = 1;
  private readonly conns = new Map<number, ConnLayers>();
  private readonly spanOf = new Map<number, PacketSpan>();
  private readonly closedOrder: number[] = [];
  private readonly unitListeners = new Set<(u: KeptUnit) => void>();
  private readonly keyListeners = new Set<(connId: number, line: string) => void>();

  constructor(private readonly capacity = 200_000) {}

  /** Announces a connection that arrived over TLS and/or WebSocket. */
  open(connId: number, layers: LayerName[]): void {
    this.conns.set(connId, { layers, mqttOffset: { toBroker: 0, toClient: 0 }, spans: [], keyLog: [] });
  }

  has(connId: number): boolean {
    return this.conns.has(connId);
  }

  layersOf(connId: number): LayerName[] | undefined {
    return this.conns.get(connId)?.layers;
  }

  keyLogLine(connId: number, line: string): void {
    this.conns.get(connId)?.keyLog.push(line.trim());
    for (const fn of this.keyListeners) fn(connId, line.trim());
  }

  /** Each unit as it is logged and each TLS secret as it is learnt (for streaming a capture to a file). */
  follow(onUnit: (u: KeptUnit) => void, onKey: (connId: number, line: string) => void): void {
    this.unitListeners.add(onUnit);
    this.keyListeners.add(onKey);
  }

  keyLog(connId: number): string[] {
    return this.conns.get(connId)?.keyLog ?? [];
  }

  add(u: Omit<KeptUnit, 'id'>): KeptUnit {
    const kept = u as KeptUnit;
    kept.id = this.nextId++;
    this.units.push(kept);
    // Trimmed in batches so appending stays O(1) on average.
    if (this.units.length > this.capacity * 1.25) this.units = this.units.slice(this.units.length - this.capacity);
    for (const fn of this.unitListeners) fn(kept);
    return kept;
  }

  /**
   * Places a packet the tap recorded on its connection's inner stream. What reached the client is what the
   * tap forwarded: packets it dropped, or cut off by a sever, never took bytes on that side's stream.
   */
  packet(r: PacketRecord): void {
    const c = this.conns.get(r.connId);
    if (c === undefined) return;
    const f = r.fault?.action;
    if (r.direction === 'toClient' && (f === 'drop' || f === 'sever')) return;
    const start = c.mqttOffset[r.direction];
    const span: PacketSpan = { seq: r.seq, connId: r.connId, direction: r.direction, start, end: start + r.bytes.length };
    c.mqttOffset[r.direction] = span.end;
    c.spans.push(span);
    this.spanOf.set(r.seq, span);
    if (this.spanOf.size > this.capacity) this.spanOf.delete(this.spanOf.keys().next().value!);
    if (c.spans.length > this.capacity) c.spans.splice(0, c.spans.length - this.capacity);
  }

  /** The kept units of a connection (all of them when connId is absent), in order. */
  kept(connId?: number): KeptUnit[] {
    return connId === undefined ? this.units.slice() : this.units.filter((u) => u.connId === connId);
  }

  /** Every unit of a connection as the API shows it, each with the packets it carried. */
  list(connId: number): LayerUnit[] {
    const c = this.conns.get(connId);
    if (c === undefined) return [];
    const units = this.kept(connId);
    const inner = c.layers[c.layers.length - 1];
    const packetsOf = new Map<KeptUnit, number[]>();
    for (const u of units) if (u.layer === inner) packetsOf.set(u, overlapping(c.spans, u.direction, u.plain));
    // An outer TLS record of wss carries WebSocket bytes: it carried the packets of the frames it overlaps.
    for (const u of units) {
      if (u.layer === inner) continue;
      const seqs = new Set<number>();
      for (const w of units) {
        if (w.layer !== inner || w.direction !== u.direction || u.plain === undefined) continue;
        if (w.offset < u.plain.end && w.offset + w.bytes.length > u.plain.start) for (const s of packetsOf.get(w) ?? []) seqs.add(s);
      }
      packetsOf.set(u, [...seqs].sort((a, b) => a - b));
    }
    return units.map((u) => toLayerUnit(u, packetsOf.get(u) ?? []));
  }

  /** The units that carried one packet's bytes, outermost layer first. */
  forPacket(seq: number): LayerUnit[] {
    const span = this.spanOf.get(seq);
    if (span === undefined) return [];
    const all = this.list(span.connId).filter((u) => u.packets.includes(seq));
    const order = this.conns.get(span.connId)!.layers;
    return all.sort((a, b) => order.indexOf(a.layer) - order.indexOf(b.layer) || a.id - b.id);
  }

  clear(): void {
    this.units = [];
    this.spanOf.clear();
    for (const c of this.conns.values()) c.spans = [];
  }

  /** A connection ended: its log stays (it may be saved), but only the last closed ones are kept. */
  closed(connId: number): void {
    this.closedOrder.push(connId);
    while (this.closedOrder.length > KEEP_CLOSED) {
      const old = this.closedOrder.shift()!;
      this.conns.delete(old);
      this.units = this.units.filter((u) => u.connId !== old);
    }
  }
}

function overlapping(spans: PacketSpan[], dir: Direction, plain: { start: number; end: number } | undefined): number[] {
  if (plain === undefined || plain.end === plain.start) return [];
  const out: number[] = [];
  for (const s of spans) if (s.direction === dir && s.start < plain.end && s.end > plain.start) out.push(s.seq);
  return out;
}

function toLayerUnit(u: KeptUnit, packets: number[]): LayerUnit {
  const d = u.describe();
  const w: LayerUnit = {
    id: u.id, connId: u.connId, direction: u.direction, time: u.time, layer: u.layer, offset: u.offset,
    length: u.bytes.length, summary: d.summary, fields: d.fields, head: toHex(u.bytes.subarray(0, HEAD_BYTES)), packets,
  };
  if (d.inner !== undefined) w.inner = d.inner;
  if (d.sealed !== undefined) w.sealed = d.sealed;
  return w;
}
