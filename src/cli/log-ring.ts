// The live log's hand-over between the lab's thread and the log's own (log-thread.ts): a ring of entries in
// shared memory. The lab's thread only copies a packet's facts and first bytes into it; the summary, the
// line and the write happen on the other core.
//
// One writer (the lab's thread) and one reader (the log's thread). Offsets are bytes into `data`, every entry
// starts on a multiple of 8, and an entry never wraps: one that does not fit before the end leaves a WRAP
// mark and starts again at 0. The reader never reaches the writer: the ring is empty when the two offsets
// are equal, so the writer keeps them apart (a full ring makes the writer wait, as a blocking write to a
// slow terminal made the log wait before).
//
// Entries: u32 size (of the whole entry, a multiple of 8), u8 kind, then by kind:
//   TEXT    u8 newline, u16 -, u32 length, UTF-8 bytes                  a line made on the lab's thread
//   PACKET  u8 direction, u8 version, u8 -, u32 connId, f64 time, u32 bytes kept, u32 length, u32 -, bytes
//   CLIENT  u8 has id, u16 -, u32 connId, u32 length, UTF-8 bytes   a connection's client id from here on
//   WRAP                                                               the rest of the ring is unused
import type { Direction } from '../shared/lab.js';
import type { MqttVersion } from '../shared/packet.js';

/** Indices into the control words. */
export const WRITE = 0;
export const READ = 1;
/** 1 while the reader waits with no timeout: the writer then wakes it. */
export const SLEEPING = 2;
/** The writer asks the reader to write out everything before the request, and the reader says it has. */
export const FLUSH_ASKED = 3;
export const FLUSHED = 4;
/** The reader's life: STARTING until it runs; the writer gives up on one that never starts. */
export const STATE = 5;
/** The writer is done: the reader writes what is left and stops. */
export const CLOSING = 6;
/** Bumped by the writer to wake a waiting reader (after a write it sees SLEEPING, a flush, the end). */
export const WAKE = 7;
/** 1 while the writer waits for room: the reader then wakes it as it moves READ. */
export const WRITER_WAITS = 8;
export const CONTROL_WORDS = 16;

export const STARTING = 0;
export const RUNNING = 1;
export const DEAD = 2;
/** The writer stopped waiting for a reader that had not started, and reads the ring itself. */
export const ABANDONED = 3;

const TEXT = 1;
const PACKET = 2;
const CLIENT = 3;
const WRAP = 4;

const TEXT_HEADER = 12;
const PACKET_HEADER = 32;
const CLIENT_HEADER = 16;

const align = (n: number): number => (n + 7) & ~7;
const utf8 = new TextDecoder();

/** What the reader does with the entries, in order. */
export interface LogSink {
  /** UTF-8 bytes of (part of) a line, and whether the line ends there. */
  text(bytes: Uint8Array, newline: boolean): void;
  /**
   * `bytes` is a view into the ring, valid only during the call: the packet's first bytes, or all of them
   * when `length` is theirs (line-summary.ts lineBytes).
   */
  packet(time: number, connId: number, direction: Direction, version: MqttVersion, bytes: Uint8Array, length: number): void;
  client(connId: number, clientId: string | undefined): void;
}

export interface SharedRing {
  control: SharedArrayBuffer;
  data: SharedArrayBuffer;
}

export function sharedRing(bytes: number): SharedRing {
  if (bytes % 8 !== 0 || bytes < 1024) throw new RangeError(`a ring of ${bytes} bytes: a multiple of 8, at least 1024`);
  return { control: new SharedArrayBuffer(CONTROL_WORDS * 4), data: new SharedArrayBuffer(bytes) };
}

/**
 * The lab's side. `stalled` is called while the ring has no room for the next entry, to wait a moment (it
 * returns whether to keep waiting; false makes the writer read the ring itself, see log-thread.ts).
 */
export class RingWriter {
  readonly ctl: Int32Array;
  private readonly bytes: Buffer;
  private readonly view: DataView;
  private readonly size: number;
  /** Where the next entry goes (published to the reader on commit). */
  private w = 0;

  constructor(ring: SharedRing, private readonly stalled: (readAt: number) => boolean) {
    this.ctl = new Int32Array(ring.control);
    this.bytes = Buffer.from(ring.data);
    this.view = new DataView(ring.data);
    this.size = ring.data.byteLength;
  }

  /** The largest packet an entry takes: a larger one's line is made on the lab's thread and sent as text. */
  get maxPacket(): number {
    return (this.size >> 2) - PACKET_HEADER;
  }

  /** `bytes`: the packet's first bytes (or all), `length` its whole length. */
  packet(time: number, connId: number, direction: Direction, version: MqttVersion, bytes: Uint8Array, length: number): boolean {
    if (bytes.length > this.maxPacket) return false;
    const size = align(PACKET_HEADER + bytes.length);
    const at = this.claim(size);
    if (at < 0) return false;
    const v = this.view;
    v.setUint32(at, size, true);
    v.setUint8(at + 4, PACKET);
    v.setUint8(at + 5, direction === 'toClient' ? 1 : 0);
    v.setUint8(at + 6, version);
    v.setUint32(at + 8, connId, true);
    v.setFloat64(at + 12, time, true);
    v.setUint32(at + 20, bytes.length, true);
    v.setUint32(at + 24, length, true);
    this.bytes.set(bytes, at + PACKET_HEADER);
    this.commit(at + size);
    return true;
  }

  /**
   * A line, in pieces when it is longer than an entry may be. Returns how much of it (UTF-16 units) went into
   * the ring: all of it, unless `stalled` gave up waiting for room.
   */
  text(line: string): number {
    // At most 3 bytes per UTF-16 unit; a piece never splits a surrogate pair.
    const most = Math.floor(((this.size >> 2) - TEXT_HEADER) / 3);
    for (let from = 0; ;) {
      let to = Math.min(line.length, from + most);
      if (to < line.length && isHighSurrogate(line.charCodeAt(to - 1))) to--;
      if (!this.textPiece(line, from, to, to === line.length)) return from;
      if (to === line.length) return to;
      from = to;
    }
  }

  client(connId: number, clientId: string | undefined): boolean {
    const id = clientId ?? '';
    const at = this.claim(align(CLIENT_HEADER + id.length * 3));
    if (at < 0) return false;
    const n = this.bytes.write(id, at + CLIENT_HEADER, 'utf8');
    const size = align(CLIENT_HEADER + n);
    const v = this.view;
    v.setUint32(at, size, true);
    v.setUint8(at + 4, CLIENT);
    v.setUint8(at + 5, clientId === undefined ? 0 : 1);
    v.setUint32(at + 8, connId, true);
    v.setUint32(at + 12, n, true);
    this.commit(at + size);
    return true;
  }

  private textPiece(line: string, from: number, to: number, newline: boolean): boolean {
    const at = this.claim(align(TEXT_HEADER + (to - from) * 3));
    if (at < 0) return false;
    const n = this.bytes.write(from === 0 && to === line.length ? line : line.slice(from, to), at + TEXT_HEADER, 'utf8');
    const size = align(TEXT_HEADER + n);
    const v = this.view;
    v.setUint32(at, size, true);
    v.setUint8(at + 4, TEXT);
    v.setUint8(at + 5, newline ? 1 : 0);
    v.setUint32(at + 8, n, true);
    this.commit(at + size);
    return true;
  }

  /** Where `n` bytes (at most a quarter of the ring) can go; -1 when `stalled` gave up waiting. */
  private claim(n: number): number {
    for (;;) {
      const r = Atomics.load(this.ctl, READ);
      const w = this.w;
      if (w >= r) {
        // Free: from w to the end, and from 0 to just before r. Filling to the end with the reader at 0
        // would make the offsets equal, which reads as empty.
        if (this.size - w > n || (this.size - w === n && r > 0)) return w;
        if (r > n) {
          this.view.setUint32(w, this.size - w, true);
          this.view.setUint8(w + 4, WRAP);
          this.w = 0;
          return 0;
        }
      } else if (r - w > n) {
        return w;
      }
      // With a quarter of the ring at most per entry, an empty ring always has room: only a reader behind
      // by most of the ring makes the writer wait.
      this.publish();
      if (!this.stalled(r)) return -1;
    }
  }

  private commit(end: number): void {
    this.w = end === this.size ? 0 : end;
    this.publish();
  }

  private publish(): void {
    Atomics.store(this.ctl, WRITE, this.w);
    // A reader that is only pausing between polls is not woken: that would be a system call per write.
    if (Atomics.load(this.ctl, SLEEPING) === 1) this.wake();
  }

  wake(): void {
    Atomics.add(this.ctl, WAKE, 1);
    Atomics.notify(this.ctl, WAKE);
  }
}

const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c < 0xdc00;

/**
 * The reader's side: hands every entry between the read and write offsets to `sink`, in order, and moves the
 * read offset past them (after the sink is done with their bytes). Returns how many it read.
 */
export function readRing(ring: SharedRing, sink: LogSink): number {
  const ctl = new Int32Array(ring.control);
  const data = new Uint8Array(ring.data);
  const view = new DataView(ring.data);
  const size = ring.data.byteLength;
  let r = Atomics.load(ctl, READ);
  const w = Atomics.load(ctl, WRITE);
  let n = 0;
  while (r !== w) {
    const kind = view.getUint8(r + 4);
    if (kind === WRAP) {
      r = 0;
      continue;
    }
    const entry = view.getUint32(r, true);
    if (kind === PACKET) {
      const length = view.getUint32(r + 20, true);
      sink.packet(view.getFloat64(r + 12, true), view.getUint32(r + 8, true), view.getUint8(r + 5) === 1 ? 'toClient' : 'toBroker',
        view.getUint8(r + 6) as MqttVersion, data.subarray(r + PACKET_HEADER, r + PACKET_HEADER + length), view.getUint32(r + 24, true));
    } else if (kind === TEXT) {
      sink.text(data.subarray(r + TEXT_HEADER, r + TEXT_HEADER + view.getUint32(r + 8, true)), view.getUint8(r + 5) === 1);
    } else if (kind === CLIENT) {
      // TextDecoder does not read shared memory: the id's few bytes are copied out.
      const id = utf8.decode(data.slice(r + CLIENT_HEADER, r + CLIENT_HEADER + view.getUint32(r + 12, true)));
      sink.client(view.getUint32(r + 8, true), view.getUint8(r + 5) === 1 ? id : undefined);
    } else {
      throw new Error(`the live log's ring is damaged: kind ${kind} at ${r}`);
    }
    r += entry;
    if (r === size) r = 0;
    n++;
    // At once: a writer waiting for room goes on as soon as there is some.
    Atomics.store(ctl, READ, r);
    if (Atomics.load(ctl, WRITER_WAITS) === 1) Atomics.notify(ctl, READ);
  }
  return n;
}
