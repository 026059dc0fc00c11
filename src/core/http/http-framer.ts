// Splits one direction of an HTTP/1.1 connection into whole messages (head plus body), across any TCP
// split or coalescing, so each request and response becomes one record, as the tap does for MQTT packets.
// The body's end is known from Content-Length or from chunked transfer coding (RFC 9112 §6.3); a response
// with neither runs to the end of the connection.

/** A head longer than this is not an HTTP message the lab's peers would send; it is cut and flagged. */
export const MAX_HEAD_BYTES = 64 * 1024;

export interface FramedMessage {
  bytes: Uint8Array;
  /** Set when the bytes are not a complete message (head too long, connection ended mid-body). */
  problem?: string;
}

const CRLFCRLF = [13, 10, 13, 10];

export class HttpFramer {
  private buf: Uint8Array = new Uint8Array(0);
  /** HEAD responses and 1xx/204/304 have no body whatever their headers say; the tap tells us the method. */
  private readonly pendingMethods: string[] = [];

  constructor(private readonly side: 'request' | 'response') {}

  /** For the response side: the method of each request sent, in order (a HEAD's response has no body). */
  requestSent(method: string): void {
    this.pendingMethods.push(method);
  }

  push(chunk: Uint8Array): FramedMessage[] {
    this.buf = concat(this.buf, chunk);
    const out: FramedMessage[] = [];
    for (;;) {
      const m = this.next();
      if (m === null) break;
      out.push(m);
    }
    return out;
  }

  /** What is left when the connection ends: a message without a declared length, or a cut one. */
  end(): FramedMessage[] {
    if (this.buf.length === 0) return [];
    const bytes = this.buf;
    this.buf = new Uint8Array(0);
    const head = headEnd(bytes);
    const complete = head >= 0 && this.side === 'response' && bodyLength(bytes, head, this.side, this.pendingMethods[0]) === 'to-close';
    return [complete ? { bytes } : { bytes, problem: 'the connection ended before the message was complete' }];
  }

  private next(): FramedMessage | null {
    const head = headEnd(this.buf);
    if (head < 0) {
      if (this.buf.length <= MAX_HEAD_BYTES) return null;
      return this.take(this.buf.length, `no end of headers within ${MAX_HEAD_BYTES} bytes`);
    }
    const method = this.side === 'response' ? this.pendingMethods[0] : undefined;
    const body = bodyLength(this.buf, head, this.side, method);
    if (body === 'to-close') return null;
    let total: number;
    if (body === 'chunked') {
      const end = chunkedEnd(this.buf, head);
      if (end < 0) return null;
      total = end;
    } else {
      total = head + body;
      if (this.buf.length < total) return null;
    }
    if (this.side === 'response' && !isInterim(this.buf)) this.pendingMethods.shift();
    return this.take(total);
  }

  private take(n: number, problem?: string): FramedMessage {
    const bytes = this.buf.slice(0, n);
    this.buf = this.buf.slice(n);
    return problem === undefined ? { bytes } : { bytes, problem };
  }
}

/** Offset just past the blank line that ends the head, or -1. */
export function headEnd(b: Uint8Array): number {
  outer: for (let i = 0; i + 3 < b.length; i++) {
    for (let k = 0; k < 4; k++) if (b[i + k] !== CRLFCRLF[k]) continue outer;
    return i + 4;
  }
  return -1;
}

function headText(b: Uint8Array, head: number): string {
  return Buffer.from(b.buffer, b.byteOffset, head).toString('latin1');
}

function statusOf(b: Uint8Array): number | undefined {
  const m = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(headText(b, Math.min(b.length, 16)));
  return m === null ? undefined : Number(m[1]);
}

function isInterim(b: Uint8Array): boolean {
  const s = statusOf(b);
  return s !== undefined && s >= 100 && s < 200;
}

function bodyLength(b: Uint8Array, head: number, side: 'request' | 'response', method: string | undefined): number | 'chunked' | 'to-close' {
  if (side === 'response') {
    const status = statusOf(b);
    // RFC 9112 §6.3: no body for HEAD, 1xx, 204 and 304, whatever the headers say.
    if (method === 'HEAD' || status === 204 || status === 304 || (status !== undefined && status < 200)) return 0;
  }
  const text = headText(b, head);
  if (/\r\ntransfer-encoding:[^\r]*chunked/i.test(text)) return 'chunked';
  const cl = /\r\ncontent-length:\s*(\d+)/i.exec(text);
  if (cl !== null) return Number(cl[1]);
  return side === 'request' ? 0 : 'to-close';
}

/** End of a chunked body (after the last chunk and its trailer), or -1 while incomplete. */
function chunkedEnd(b: Uint8Array, start: number): number {
  let i = start;
  for (;;) {
    const lineEnd = indexOfCrlf(b, i);
    if (lineEnd < 0) return -1;
    const size = parseInt(Buffer.from(b.buffer, b.byteOffset + i, lineEnd - i).toString('latin1').split(';')[0]!.trim(), 16);
    if (!Number.isFinite(size)) return b.length; // unreadable: take what there is, the decoder flags it
    i = lineEnd + 2;
    if (size === 0) {
      // Trailer fields, then an empty line.
      for (;;) {
        const end = indexOfCrlf(b, i);
        if (end < 0) return -1;
        if (end === i) return i + 2;
        i = end + 2;
      }
    }
    if (b.length < i + size + 2) return -1;
    i += size + 2;
  }
}

function indexOfCrlf(b: Uint8Array, from: number): number {
  for (let i = from; i + 1 < b.length; i++) if (b[i] === 13 && b[i + 1] === 10) return i;
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
