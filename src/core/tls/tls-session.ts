// What passes on one TLS connection, both directions: each record as an observer sees it (type, version,
// length, the names of plaintext handshake messages), and, where the key log holds the session's TLS 1.3
// secrets, what is inside each encrypted record: a handshake message or a stretch of application bytes.
import type { Direction } from '../../shared/lab.js';
import type { KeyLog, KeyLabel } from './key-log.js';
import { handshakeNames } from './record-names.js';
import { TlsRecordStream, type TlsRecord } from './record-stream.js';
import { RecordOpener, TLS13_SUITES, type CipherSuite } from './tls13-keys.js';

const CT_HANDSHAKE = 22;
const CT_APPDATA = 23;

export interface TlsUnit {
  direction: Direction;
  time: number;
  record: TlsRecord;
  /** Handshake message names of a plaintext handshake record (what any observer reads). */
  handshake?: string[];
  /** Filled once the record is opened with the session's keys. */
  inner?: { contentType: number; handshake?: string[]; length: number };
  /** For application bytes: their range in this direction's decrypted stream. */
  plain?: { start: number; end: number };
  /** Why the record stays closed (TLS 1.2, keys unknown, not authentic). */
  sealed?: string;
}

/** Bytes that arrived where TLS was expected and are not TLS (a plain MQTT client on the TLS port, say). */
export interface NotTls {
  direction: Direction;
  time: number;
  offset: number;
  bytes: Uint8Array;
  reason: string;
}

export interface TlsSessionHooks {
  unit?(u: TlsUnit): void;
  /** The decrypted application bytes, in order, with the record that carried them. */
  plaintext?(dir: Direction, bytes: Uint8Array, u: TlsUnit): void;
  notTls?(n: NotTls): void;
}

interface Side {
  stream: TlsRecordStream;
  /** Encrypted records waiting for their keys, in order. */
  waiting: TlsUnit[];
  opener: RecordOpener | null;
  phase: 'clear' | 'handshake' | 'application';
  plainOffset: number;
}

const LABELS: Record<Direction, { handshake: KeyLabel; application: KeyLabel }> = {
  toBroker: { handshake: 'CLIENT_HANDSHAKE_TRAFFIC_SECRET', application: 'CLIENT_TRAFFIC_SECRET_0' },
  toClient: { handshake: 'SERVER_HANDSHAKE_TRAFFIC_SECRET', application: 'SERVER_TRAFFIC_SECRET_0' },
};

export class TlsSession {
  clientRandom: Uint8Array | null = null;
  suite: CipherSuite | null = null;
  /** The negotiated version, from the ServerHello (TLS 1.3 is announced in supported_versions). */
  version: number | null = null;
  private readonly sides: Record<Direction, Side> = { toBroker: side(), toClient: side() };

  constructor(private readonly keys: KeyLog, private readonly hooks: TlsSessionHooks = {}) {}

  push(dir: Direction, chunk: Uint8Array, time: number): void {
    for (const ev of this.sides[dir].stream.push(chunk)) {
      if (ev.kind === 'not-tls') {
        this.hooks.notTls?.({ direction: dir, time, offset: ev.offset, bytes: ev.bytes, reason: ev.reason });
        continue;
      }
      const u: TlsUnit = { direction: dir, time, record: ev.record };
      this.hooks.unit?.(u);
      this.take(dir, u);
    }
  }

  /** New secrets arrived in the key log: open the records that waited for them. */
  keysChanged(): void {
    for (const dir of ['toBroker', 'toClient'] as const) this.drain(dir);
  }

  /** Records still closed for want of keys stay closed, and say so. */
  finish(): void {
    for (const dir of ['toBroker', 'toClient'] as const) {
      const s = this.sides[dir];
      for (const u of s.waiting) u.sealed = 'the session keys were not in the key log';
      s.waiting = [];
    }
  }

  private take(dir: Direction, u: TlsUnit): void {
    const r = u.record;
    const s = this.sides[dir];
    const fragment = r.bytes.subarray(5);
    if (r.contentType === CT_HANDSHAKE && s.phase === 'clear') {
      u.handshake = handshakeNames(fragment);
      this.learn(fragment);
      return;
    }
    if (r.contentType !== CT_APPDATA || s.phase === 'clear') {
      if (r.contentType === CT_APPDATA) u.sealed = this.version !== null && this.version !== 0x0304 ? 'the lab opens TLS 1.3 records only' : 'no ServerHello seen before it';
      return;
    }
    s.waiting.push(u);
    this.drain(dir);
  }

  /** Reads the client random (ClientHello) and the cipher suite and version (ServerHello) from the clear handshake. */
  private learn(fragment: Uint8Array): void {
    const type = fragment[0];
    const body = fragment.subarray(4);
    if (type === 1 && body.length >= 34) this.clientRandom = body.slice(2, 34);
    if (type !== 2 || body.length < 38) return;
    let at = 34;
    at += 1 + body[at]!; // legacy session id
    if (body.length < at + 3) return;
    const suiteId = (body[at]! << 8) | body[at + 1]!;
    at += 3; // suite, legacy compression
    this.version = (body[0]! << 8) | body[1]!;
    if (body.length >= at + 2) {
      const end = Math.min(body.length, at + 2 + ((body[at]! << 8) | body[at + 1]!));
      at += 2;
      while (at + 4 <= end) {
        const ext = (body[at]! << 8) | body[at + 1]!;
        const len = (body[at + 2]! << 8) | body[at + 3]!;
        // supported_versions (43) carries the real version of a TLS 1.3 ServerHello (RFC 8446 §4.2.1).
        if (ext === 43 && len === 2) this.version = (body[at + 4]! << 8) | body[at + 5]!;
        at += 4 + len;
      }
    }
    if (this.version !== 0x0304) return;
    this.suite = TLS13_SUITES[suiteId] ?? null;
    // From here on both directions' records are protected (a TLS 1.3 client may still send a clear CCS).
    for (const dir of ['toBroker', 'toClient'] as const) this.sides[dir].phase = 'handshake';
  }

  private drain(dir: Direction): void {
    const s = this.sides[dir];
    while (s.waiting.length > 0) {
      if (s.opener === null) {
        const secret = this.clientRandom && this.suite ? this.keys.get(LABELS[dir][s.phase === 'application' ? 'application' : 'handshake'], this.clientRandom) : undefined;
        if (secret === undefined) return;
        s.opener = new RecordOpener(this.suite!, secret);
      }
      const u = s.waiting.shift()!;
      const opened = s.opener.open(u.record.bytes);
      if (opened === null) {
        u.sealed = 'the record did not authenticate under the logged keys';
        continue;
      }
      u.inner = { contentType: opened.type, length: opened.content.length };
      if (opened.type === CT_HANDSHAKE) {
        u.inner.handshake = handshakeNames(opened.content);
        // After its own Finished a side switches to the application traffic keys (RFC 8446 §7.2).
        if (s.phase === 'handshake' && u.inner.handshake.includes('Finished')) {
          s.phase = 'application';
          s.opener = null;
        }
      } else if (opened.type === CT_APPDATA) {
        u.plain = { start: s.plainOffset, end: s.plainOffset + opened.content.length };
        s.plainOffset += opened.content.length;
        this.hooks.plaintext?.(dir, opened.content, u);
      }
    }
  }
}

function side(): Side {
  return { stream: new TlsRecordStream(), waiting: [], opener: null, phase: 'clear', plainOffset: 0 };
}

