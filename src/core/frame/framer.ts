// Cuts a TCP byte stream into whole MQTT packets, whatever the chunking. Used on the live tap and on
// reassembled pcap streams, so it must be cheap per packet and must never trust a length it has not checked.
import {
  HEADER_INCOMPLETE,
  HEADER_TOO_LONG,
  MAX_HEADER_BYTES,
  MAX_LENGTH_BYTES,
  scanFixedHeader,
  type HeaderScan,
} from './fixed-header.js';
import { NEED_MORE, SNIFF_BYTES, sniffForeignProtocol } from './foreign-protocol.js';
import { packetTypeName } from './packet-names.js';

export interface FramerOptions {
  /** Largest whole packet (fixed header included) accepted, in bytes. Default 1 MiB. */
  maxPacketSize?: number;
}

export type FrameEvent =
  | { kind: 'packet'; bytes: Uint8Array }
  /** `announced`: set when the stream broke on a packet announcing more than the maximum packet size. */
  | { kind: 'broken'; bytes: Uint8Array; reason: string; announced?: number };

export const DEFAULT_MAX_PACKET_SIZE = 1_048_576;

export const ALREADY_BROKEN = 'stream already broken';

/**
 * Frames one direction of one connection.
 *
 * Packets that lie wholly inside a pushed chunk are returned as views into that chunk (no copy), so the
 * caller must not reuse a chunk's memory after pushing it. Once a stream cannot be framed it stays broken:
 * every later byte is handed back as 'broken', because any boundary found after a framing error is a guess.
 */
export class Framer {
  readonly #maxPacketSize: number;
  #broken = false;
  // A packet in progress is held in #head while its fixed header is incomplete (at most 5 bytes), then in
  // #body, allocated once at its final size: 1-byte chunks of a big packet then cost O(n), not O(n²).
  readonly #head = new Uint8Array(MAX_HEADER_BYTES);
  #headLength = 0;
  #body: Uint8Array | null = null;
  #filled = 0;
  // The first bytes of the stream, kept only until sniffForeignProtocol has decided.
  #sniff: Uint8Array | null = new Uint8Array(SNIFF_BYTES);
  #sniffed = 0;
  readonly #scan: HeaderScan = { headerLength: 0, remainingLength: 0 };

  constructor(opts: FramerOptions = {}) {
    const max = opts.maxPacketSize ?? DEFAULT_MAX_PACKET_SIZE;
    // The smallest MQTT packet has 2 bytes; anything less would reject every stream.
    this.#maxPacketSize = Number.isFinite(max) && max >= 2 ? Math.floor(max) : DEFAULT_MAX_PACKET_SIZE;
  }

  get broken(): boolean {
    return this.#broken;
  }

  get buffered(): number {
    return this.#body ? this.#filled : this.#headLength;
  }

  push(chunk: Uint8Array): FrameEvent[] {
    const events: FrameEvent[] = [];
    if (chunk.length === 0) return events;
    if (this.#broken) {
      events.push({ kind: 'broken', bytes: chunk, reason: ALREADY_BROKEN });
      return events;
    }
    if (this.#sniff) {
      const foreign = this.#sniffStart(chunk);
      if (foreign) {
        this.#fail(events, this.#withPending(chunk, 0), `stream starts like ${foreign}`);
        return events;
      }
    }
    let pos = 0;
    while (pos < chunk.length && !this.#broken) {
      if (this.#body) pos = this.#continueBody(chunk, pos, events);
      else if (this.#headLength > 0) pos = this.#continueHead(chunk, pos, events);
      else pos = this.#frameInPlace(chunk, pos, events);
    }
    return events;
  }

  /** The stream has closed; a packet still in progress can never complete. */
  end(cause = 'connection closed'): FrameEvent[] {
    const events: FrameEvent[] = [];
    const have = this.buffered;
    if (this.#broken || have === 0) return events;
    const first = this.#body ? this.#body[0]! : this.#head[0]!;
    const what = packetTypeName(first);
    const reason = this.#body
      ? `${cause} ${have} ${bytesWord(have)} into a ${this.#body.length}-byte ${what}`
      : `${cause} ${have} ${bytesWord(have)} into a ${what}, before its remaining length was complete`;
    this.#fail(events, this.#withPending(new Uint8Array(0), 0), reason);
    return events;
  }

  /** Frames packets directly from `chunk`; only a trailing partial packet is copied. */
  #frameInPlace(chunk: Uint8Array, pos: number, events: FrameEvent[]): number {
    const end = chunk.length;
    const scan = this.#scan;
    while (pos < end) {
      const state = scanFixedHeader(chunk, pos, end, scan);
      if (state === HEADER_INCOMPLETE) {
        this.#head.set(chunk.subarray(pos, end));
        this.#headLength = end - pos;
        return end;
      }
      if (state === HEADER_TOO_LONG) {
        this.#fail(events, chunk.subarray(pos), tooLongReason(chunk.subarray(pos, pos + MAX_HEADER_BYTES)));
        return end;
      }
      const total = scan.headerLength + scan.remainingLength;
      if (total > this.#maxPacketSize) {
        this.#fail(events, chunk.subarray(pos), this.#tooBigReason(chunk[pos]!, total), total);
        return end;
      }
      if (pos + total > end) {
        this.#startBody(total, chunk.subarray(pos, end));
        return end;
      }
      events.push({ kind: 'packet', bytes: chunk.subarray(pos, pos + total) });
      pos += total;
    }
    return pos;
  }

  /** Adds bytes to a fixed header split across chunks; returns the position after the bytes it used. */
  #continueHead(chunk: Uint8Array, pos: number, events: FrameEvent[]): number {
    const had = this.#headLength;
    const take = Math.min(MAX_HEADER_BYTES - had, chunk.length - pos);
    this.#head.set(chunk.subarray(pos, pos + take), had);
    const scan = this.#scan;
    const state = scanFixedHeader(this.#head, 0, had + take, scan);
    if (state === HEADER_INCOMPLETE) {
      this.#headLength = had + take;
      return pos + take;
    }
    if (state === HEADER_TOO_LONG) {
      const reason = tooLongReason(this.#head);
      this.#fail(events, this.#withPending(chunk, pos), reason);
      return chunk.length;
    }
    const total = scan.headerLength + scan.remainingLength;
    if (total > this.#maxPacketSize) {
      const reason = this.#tooBigReason(this.#head[0]!, total);
      this.#fail(events, this.#withPending(chunk, pos), reason, total);
      return chunk.length;
    }
    this.#headLength = 0;
    this.#startBody(total, this.#head.subarray(0, scan.headerLength));
    if (this.#filled === total) this.#emitBody(events);
    return pos + (scan.headerLength - had);
  }

  #continueBody(chunk: Uint8Array, pos: number, events: FrameEvent[]): number {
    const body = this.#body!;
    const take = Math.min(body.length - this.#filled, chunk.length - pos);
    body.set(chunk.subarray(pos, pos + take), this.#filled);
    this.#filled += take;
    if (this.#filled === body.length) this.#emitBody(events);
    return pos + take;
  }

  #startBody(total: number, start: Uint8Array): void {
    this.#body = new Uint8Array(total);
    this.#body.set(start);
    this.#filled = start.length;
  }

  #emitBody(events: FrameEvent[]): void {
    events.push({ kind: 'packet', bytes: this.#body! });
    this.#body = null;
    this.#filled = 0;
  }

  /** Feeds the stream's first bytes to the sniffer; returns a description once a foreign protocol is sure. */
  #sniffStart(chunk: Uint8Array): string | null {
    const sniff = this.#sniff!;
    const take = Math.min(sniff.length - this.#sniffed, chunk.length);
    sniff.set(chunk.subarray(0, take), this.#sniffed);
    this.#sniffed += take;
    const verdict = sniffForeignProtocol(sniff, this.#sniffed);
    // Every signature is shorter than the packet its first two bytes would announce, so a verdict always
    // arrives before that first packet could be emitted.
    if (verdict === NEED_MORE) return null;
    this.#sniff = null;
    return verdict;
  }

  /** The bytes of the packet in progress followed by chunk[pos..], as one array. */
  #withPending(chunk: Uint8Array, pos: number): Uint8Array {
    const pending = this.#body
      ? this.#body.subarray(0, this.#filled)
      : this.#head.subarray(0, this.#headLength);
    const rest = chunk.subarray(pos);
    if (pending.length === 0) return rest;
    const out = new Uint8Array(pending.length + rest.length);
    out.set(pending);
    out.set(rest, pending.length);
    return out;
  }

  #fail(events: FrameEvent[], bytes: Uint8Array, reason: string, announced?: number): void {
    this.#broken = true;
    this.#body = null;
    this.#filled = 0;
    this.#headLength = 0;
    this.#sniff = null;
    events.push(announced === undefined ? { kind: 'broken', bytes, reason } : { kind: 'broken', bytes, reason, announced });
  }

  #tooBigReason(firstByte: number, total: number): string {
    return (
      `${packetTypeName(firstByte)} announces ${total} bytes in total, more than the maximum packet size ` +
      `of ${this.#maxPacketSize} bytes; its body was not read`
    );
  }
}

function tooLongReason(header: Uint8Array): string {
  const hex = Array.from(header.subarray(1, 1 + MAX_LENGTH_BYTES + 1), (b) => b.toString(16).padStart(2, '0'));
  return (
    `remaining length of ${packetTypeName(header[0]!)} does not end within ${MAX_LENGTH_BYTES} bytes ` +
    `(${hex.join(' ')}); MQTT allows at most ${MAX_LENGTH_BYTES} remaining-length bytes`
  );
}

function bytesWord(n: number): string {
  return n === 1 ? 'byte' : 'bytes';
}
