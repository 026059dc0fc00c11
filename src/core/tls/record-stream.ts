// Cuts one direction of a TLS byte stream into records (RFC 8446 §5.1: type, legacy version, 16-bit length,
// then the fragment). Bytes that cannot be a record stop the cutting: the rest of the stream is not TLS.

export interface TlsRecord {
  /** Offset of the record's first byte in this direction's stream. */
  offset: number;
  contentType: number;
  version: number;
  /** Length of the fragment (the record is 5 bytes longer). */
  length: number;
  /** The whole record, header included. */
  bytes: Uint8Array;
}

/** RFC 8446 §5.2: a ciphertext fragment is at most 2^14 + 256 bytes (§5.1 allows 2^14 for plaintext). */
export const MAX_FRAGMENT = 16384 + 256;

export type RecordEvent = { kind: 'record'; record: TlsRecord } | { kind: 'not-tls'; offset: number; bytes: Uint8Array; reason: string };

export class TlsRecordStream {
  private buf: Uint8Array = new Uint8Array(0);
  private consumed = 0;
  private broken = false;

  /** Whether the stream turned out not to be TLS (everything after that point is reported raw). */
  get notTls(): boolean {
    return this.broken;
  }

  push(chunk: Uint8Array): RecordEvent[] {
    if (this.broken) {
      const offset = this.consumed;
      this.consumed += chunk.length;
      return [{ kind: 'not-tls', offset, bytes: chunk, reason: 'follows bytes that are not TLS' }];
    }
    this.buf = this.buf.length === 0 ? chunk : concat(this.buf, chunk);
    const out: RecordEvent[] = [];
    let at = 0;
    while (this.buf.length - at >= 5) {
      const type = this.buf[at]!;
      const version = (this.buf[at + 1]! << 8) | this.buf[at + 2]!;
      const length = (this.buf[at + 3]! << 8) | this.buf[at + 4]!;
      const why = type < 20 || type > 24 ? `content type ${type} is not a TLS record type (20-24)`
        : this.buf[at + 1] !== 3 ? `version 0x${version.toString(16).padStart(4, '0')} is not SSL 3 / TLS`
          : length > MAX_FRAGMENT ? `record length ${length} exceeds 2^14 + 256 (RFC 8446 §5.2)` : null;
      if (why !== null) {
        this.broken = true;
        const rest = this.buf.subarray(at);
        out.push({ kind: 'not-tls', offset: this.consumed, bytes: rest, reason: why });
        this.consumed += rest.length;
        this.buf = new Uint8Array(0);
        return out;
      }
      if (this.buf.length - at < 5 + length) break;
      // A copy (Uint8Array's slice, not Buffer's view), so a kept record holds only its own bytes.
      const bytes = Uint8Array.prototype.slice.call(this.buf, at, at + 5 + length);
      out.push({ kind: 'record', record: { offset: this.consumed, contentType: type, version, length, bytes } });
      this.consumed += bytes.length;
      at += bytes.length;
    }
    this.buf = this.buf.subarray(at);
    return out;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const c = new Uint8Array(a.length + b.length);
  c.set(a, 0);
  c.set(b, a.length);
  return c;
}
