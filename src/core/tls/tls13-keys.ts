// TLS 1.3 record protection (RFC 8446 §7.3, §5.2-5.3): traffic keys from a traffic secret, and the AEAD
// that opens one record. The lab uses it to show what its own keys reveal inside a connection's records,
// and to read captures that carry their key log.
import { createDecipheriv, createHmac } from 'node:crypto';

export interface CipherSuite {
  id: number;
  name: string;
  cipher: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';
  hash: 'sha256' | 'sha384';
  keyLength: number;
}

export const TLS13_SUITES: Record<number, CipherSuite> = {
  0x1301: { id: 0x1301, name: 'TLS_AES_128_GCM_SHA256', cipher: 'aes-128-gcm', hash: 'sha256', keyLength: 16 },
  0x1302: { id: 0x1302, name: 'TLS_AES_256_GCM_SHA384', cipher: 'aes-256-gcm', hash: 'sha384', keyLength: 32 },
  0x1303: { id: 0x1303, name: 'TLS_CHACHA20_POLY1305_SHA256', cipher: 'chacha20-poly1305', hash: 'sha256', keyLength: 32 },
};

const TAG = 16;

/** HKDF-Expand (RFC 5869 §2.3); Node's hkdfSync always extracts first, which the TLS 1.3 schedule does not want here. */
function hkdfExpand(hash: string, prk: Uint8Array, info: Uint8Array, length: number): Buffer {
  const blocks: Buffer[] = [];
  let t: Buffer = Buffer.alloc(0);
  for (let i = 1, total = 0; total < length; i++, total += t.length) {
    t = createHmac(hash, prk).update(t).update(info).update(Uint8Array.of(i)).digest();
    blocks.push(t);
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** HKDF-Expand-Label with an empty context (RFC 8446 §7.1). */
function expandLabel(hash: string, secret: Uint8Array, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, full.length]), full, Buffer.from([0])]);
  return hkdfExpand(hash, secret, info, length);
}

/** Opens the records of one direction under one traffic secret, counting their sequence numbers. */
export class RecordOpener {
  private readonly key: Buffer;
  private readonly iv: Buffer;
  private seq = 0n;

  constructor(private readonly suite: CipherSuite, secret: Uint8Array) {
    this.key = expandLabel(suite.hash, secret, 'key', suite.keyLength);
    this.iv = expandLabel(suite.hash, secret, 'iv', 12);
  }

  /**
   * Decrypts a whole application_data record; returns the inner content type and content (padding removed),
   * or null when the record does not authenticate under this key.
   */
  open(record: Uint8Array): { type: number; content: Uint8Array } | null {
    // The per-record nonce: the 64-bit sequence number, left-padded, XORed into the IV (§5.3).
    const nonce = Buffer.from(this.iv);
    let s = this.seq;
    for (let i = 11; i >= 4; i--) {
      nonce[i]! ^= Number(s & 0xffn);
      s >>= 8n;
    }
    const body = record.subarray(5);
    if (body.length < TAG + 1) return null;
    try {
      const d = createDecipheriv(this.suite.cipher, this.key, nonce, { authTagLength: TAG } as never) as ReturnType<typeof createDecipheriv> & {
        setAAD(b: Uint8Array, o?: unknown): void;
        setAuthTag(b: Uint8Array): void;
      };
      // The additional data is the record header itself (§5.2).
      d.setAAD(record.subarray(0, 5), { plaintextLength: body.length - TAG });
      d.setAuthTag(body.subarray(body.length - TAG));
      const plain = Buffer.concat([d.update(body.subarray(0, body.length - TAG)), d.final()]);
      this.seq++;
      let end = plain.length;
      while (end > 0 && plain[end - 1] === 0) end--;
      if (end === 0) return null;
      return { type: plain[end - 1]!, content: plain.subarray(0, end - 1) };
    } catch {
      return null;
    }
  }
}
