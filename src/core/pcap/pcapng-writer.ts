// Writes what the tap recorded (MQTT packets per connection and direction) as a pcapng capture that Wireshark
// reads as ordinary TCP, either streamed to a file as packets come or built in memory.
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Direction } from '../../shared/lab.js';
import { LINKTYPE_ETHERNET, LINKTYPE_RAW } from './link-layers.js';
import type { SyntheticLink } from './packet-builder.js';
import { enhancedPacketBlock, interfaceDescriptionBlock, sectionHeaderBlock, tlsKeyLogBlock } from './pcapng-blocks.js';
import { SyntheticTcpConnection, type CloseOptions, type ConnectionEndpoints } from './synthetic-tcp.js';

export type { CloseOptions, ConnectionEndpoints } from './synthetic-tcp.js';

export interface PcapngWriterOptions {
  /** 'ethernet' (default) adds a 14-byte Ethernet header; 'raw' writes bare IP packets (LINKTYPE_RAW). */
  link?: SyntheticLink;
  /** Written as shb_userappl. */
  application?: string;
  /** A TLS key log (NSS format) written as a Decryption Secrets Block before any packet. */
  tlsKeyLog?: string;
}

/** One MQTT packet as the tap saw it. */
export interface RecordedPacket {
  /** Epoch ms. */
  time: number;
  connId: number;
  direction: Direction;
  bytes: Uint8Array;
}

const SNAP_LENGTH = 262144;

/** Encodes to any byte sink; the sink receives the file's bytes in order, block by block. */
export class PcapngWriter {
  readonly #sink: (chunk: Uint8Array) => void;
  readonly #link: SyntheticLink;
  readonly #connections = new Map<number, SyntheticTcpConnection>();

  constructor(sink: (chunk: Uint8Array) => void, opts: PcapngWriterOptions = {}) {
    this.#sink = sink;
    this.#link = opts.link ?? 'ethernet';
    sink(sectionHeaderBlock(opts.application ?? 'MQTT Lab'));
    sink(interfaceDescriptionBlock(this.#link === 'ethernet' ? LINKTYPE_ETHERNET : LINKTYPE_RAW, SNAP_LENGTH, 'mqtt-lab-tap'));
    if (opts.tlsKeyLog) sink(tlsKeyLogBlock(opts.tlsKeyLog));
  }

  /** The whole capture in memory; see pcapngToBuffer. */
  static toBuffer(packets: Iterable<RecordedPacket>, connections: Iterable<RecordedConnection>, opts?: PcapngWriterOptions): Uint8Array {
    return pcapngToBuffer(packets, connections, opts);
  }

  hasConnection(connId: number): boolean {
    return this.#connections.has(connId);
  }

  /** A Decryption Secrets Block with TLS key log lines; it must come before the packets it decrypts. */
  writeTlsKeyLog(text: string): void {
    this.#sink(tlsKeyLogBlock(text));
  }

  /** Writes the three-way handshake. A connection id may be opened again after it was closed. */
  openConnection(connId: number, endpoints: ConnectionEndpoints, time: number): void {
    const existing = this.#connections.get(connId);
    if (existing && existing.state !== 'closed') throw new Error(`connection ${connId} is already open`);
    const conn = new SyntheticTcpConnection(connId, endpoints, this.#link, (frame, t) => this.#frame(frame, t));
    this.#connections.set(connId, conn);
    conn.open(time);
  }

  /** Writes the packet's bytes as one or more TCP segments (at most 65495 payload bytes each). */
  write(packet: RecordedPacket): void {
    const conn = this.#connections.get(packet.connId);
    if (!conn) throw new Error(`connection ${packet.connId} was not opened; call openConnection with its endpoints first`);
    conn.send(packet.direction, packet.bytes, packet.time);
  }

  /** Writes the FIN exchange (or an RST with `reset`). */
  closeConnection(connId: number, time: number, opts: CloseOptions = {}): void {
    const conn = this.#connections.get(connId);
    if (!conn) throw new Error(`connection ${connId} was not opened`);
    conn.close(time, opts);
  }

  #frame(frame: Uint8Array, time: number): void {
    this.#sink(enhancedPacketBlock(0, Math.round(time * 1000), frame));
  }
}

export interface PcapngFileOptions extends PcapngWriterOptions {
  /** Buffered bytes are written out at least this often (ms), so a reader tailing the file keeps up. Default 250; 0 disables. */
  flushIntervalMs?: number;
}

const FLUSH_BYTES = 64 * 1024;

/** A PcapngWriter appending to a file; blocks are buffered and written synchronously, in order. */
export class PcapngFileWriter {
  readonly #fd: number;
  readonly #writer: PcapngWriter;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #timer: ReturnType<typeof setInterval> | null = null;
  #closed = false;

  constructor(path: string, opts: PcapngFileOptions = {}) {
    this.#fd = openSync(path, 'w');
    this.#writer = new PcapngWriter((chunk) => this.#append(chunk), opts);
    this.flush();
    const every = opts.flushIntervalMs ?? 250;
    if (every > 0) {
      this.#timer = setInterval(() => this.flush(), every);
      this.#timer.unref();
    }
  }

  openConnection(connId: number, endpoints: ConnectionEndpoints, time: number): void {
    this.#assertOpen();
    this.#writer.openConnection(connId, endpoints, time);
  }

  write(packet: RecordedPacket): void {
    this.#assertOpen();
    this.#writer.write(packet);
  }

  closeConnection(connId: number, time: number, opts?: CloseOptions): void {
    this.#assertOpen();
    this.#writer.closeConnection(connId, time, opts);
  }

  hasConnection(connId: number): boolean {
    return this.#writer.hasConnection(connId);
  }

  writeTlsKeyLog(text: string): void {
    this.#assertOpen();
    this.#writer.writeTlsKeyLog(text);
  }

  flush(): void {
    if (this.#pendingBytes === 0 || this.#closed) return;
    const chunks = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    for (let at = 0; at < data.length; ) at += writeSync(this.#fd, data, at, data.length - at);
  }

  /** Writes everything buffered and closes the file. Connections left open stay open in the capture. */
  close(): void {
    if (this.#closed) return;
    this.flush();
    if (this.#timer) clearInterval(this.#timer);
    this.#closed = true;
    closeSync(this.#fd);
  }

  #append(chunk: Uint8Array): void {
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    if (this.#pendingBytes >= FLUSH_BYTES) this.flush();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('the pcapng file was already closed');
  }
}

/** A connection as the capture should show it. */
export interface RecordedConnection extends ConnectionEndpoints {
  connId: number;
  /** Time of the handshake; default: the connection's first packet. */
  openedAt?: number;
  /** Close with FIN (or RST) after its last packet, or at `time` when given. */
  closed?: boolean | ({ time?: number } & CloseOptions);
}

/**
 * Packets by position, read one at a time: a capture store's columns and byte arena are written out
 * without becoming a million objects first. `at` may hand back the same object, refilled, on every call.
 */
export interface PacketSource {
  readonly length: number;
  connIdAt(i: number): number;
  at(i: number): RecordedPacket;
}

/** Builds a whole pcapng file in memory. Packets are written in the order given. */
export function pcapngToBuffer(
  packets: Iterable<RecordedPacket>,
  connections: Iterable<RecordedConnection>,
  opts: PcapngWriterOptions = {},
): Uint8Array {
  const chunks: Uint8Array[] = [];
  const list = [...packets];
  writePcapng((c) => chunks.push(c), { length: list.length, connIdAt: (i) => list[i]!.connId, at: (i) => list[i]! }, connections, opts);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Writes a whole capture to `sink`, block by block, in the order of `source`: each connection's handshake
 * before its first packet, its close after its last (or at its close time).
 */
export function writePcapng(
  sink: (chunk: Uint8Array) => void,
  source: PacketSource,
  connections: Iterable<RecordedConnection>,
  opts: PcapngWriterOptions = {},
): void {
  const w = new CaptureWriter(sink, source, connections, opts);
  w.writeUntil(source.length);
  w.finish();
}

/**
 * writePcapng in parts, so a big capture can be written a slice at a time between other work (capture.save
 * must not stop the tap): writeUntil(k) writes packets up to position k, finish() the closes after the last.
 * The bytes are the same however the packets are sliced.
 */
export class CaptureWriter {
  readonly #writer: PcapngWriter;
  readonly #source: PacketSource;
  readonly #conns = new Map<number, RecordedConnection>();
  readonly #lastIndex: Map<number, number>;
  /** Closes with an explicit time, in time order, not yet written. */
  readonly #timedCloses: Array<{ connId: number; time: number }> = [];
  #next = 0;

  /** `lastIndex`: each connection's last position in `source`, when the caller already knows it (else one pass finds it). */
  constructor(sink: (chunk: Uint8Array) => void, source: PacketSource, connections: Iterable<RecordedConnection>, opts: PcapngWriterOptions = {}, lastIndex?: Map<number, number>) {
    this.#writer = new PcapngWriter(sink, opts);
    this.#source = source;
    for (const c of connections) this.#conns.set(c.connId, c);
    this.#lastIndex = lastIndex ?? lastPositions(source);
    for (const c of this.#conns.values()) {
      if (typeof c.closed === 'object' && c.closed.time !== undefined) this.#timedCloses.push({ connId: c.connId, time: c.closed.time });
    }
    this.#timedCloses.sort((a, b) => a.time - b.time);
  }

  /** Packets written so far. */
  get written(): number {
    return this.#next;
  }

  /** Writes the packets from the last one written up to position `end` (exclusive). */
  writeUntil(end: number): void {
    const source = this.#source;
    const writer = this.#writer;
    for (let i = this.#next, stop = Math.min(end, source.length); i < stop; i++) {
      const p = source.at(i);
      this.#flushTimed(p.time, i);
      const c = this.#conns.get(p.connId);
      if (!c) throw new Error(`packet ${i + 1} belongs to connection ${p.connId}, which has no endpoints`);
      if (!writer.hasConnection(p.connId)) writer.openConnection(p.connId, c, c.openedAt ?? p.time);
      writer.write(p);
      this.#next = i + 1;
      const timed = typeof c.closed === 'object' && c.closed.time !== undefined;
      if (c.closed && !timed && this.#lastIndex.get(p.connId) === i) this.#closeNow(c, p.time);
    }
  }

  /** The closes still due, and the handshakes of connections without a single packet. */
  finish(): void {
    if (this.#next < this.#source.length) throw new Error(`finish() after ${this.#next} of ${this.#source.length} packets`);
    this.#flushTimed(Infinity, this.#source.length);
    // Connections without a single packet still show their handshake (and close).
    for (const c of this.#conns.values()) {
      if (this.#writer.hasConnection(c.connId)) continue;
      if (c.closed) this.#closeNow(c, c.openedAt ?? 0);
      else if (c.openedAt !== undefined) this.#writer.openConnection(c.connId, c, c.openedAt);
    }
  }

  #closeNow(c: RecordedConnection, time: number): void {
    if (!this.#writer.hasConnection(c.connId)) this.#writer.openConnection(c.connId, c, c.openedAt ?? time);
    this.#writer.closeConnection(c.connId, time, typeof c.closed === 'object' ? c.closed : {});
  }

  // A close with an explicit time waits for the first later packet of another connection, and never comes
  // before the connection's own last packet.
  #flushTimed(until: number, index: number): void {
    const timed = this.#timedCloses;
    for (let k = 0; k < timed.length; ) {
      const t = timed[k]!;
      if (t.time <= until && (this.#lastIndex.get(t.connId) ?? -1) < index) {
        timed.splice(k, 1);
        this.#closeNow(this.#conns.get(t.connId)!, t.time);
      } else {
        k++;
      }
    }
  }
}

function lastPositions(source: PacketSource): Map<number, number> {
  const last = new Map<number, number>();
  for (let i = 0; i < source.length; i++) last.set(source.connIdAt(i), i);
  return last;
}
