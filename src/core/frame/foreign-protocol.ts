// Recognises the first bytes of protocols that people point at an MQTT port by mistake. Either would frame
// as nonsense MQTT (0x16 reads as a CONNECT with reserved flags, "GET " as a 71-byte PUBACK), so naming
// the real protocol is far more helpful than a framing error further on.

interface Signature {
  bytes: readonly number[];
  what: string;
}

function ascii(text: string): number[] {
  return Array.from(text, (c) => c.charCodeAt(0));
}

const HTTP_METHODS = ['GET ', 'HEAD ', 'POST ', 'PUT ', 'DELETE ', 'OPTIONS ', 'CONNECT ', 'PATCH ', 'TRACE '];

const SIGNATURES: readonly Signature[] = [
  {
    bytes: [0x16, 0x03],
    what: 'a TLS handshake (bytes 16 03), not MQTT: is a TLS client connected to a plain-TCP MQTT port?',
  },
  ...HTTP_METHODS.map((m) => ({
    bytes: ascii(m),
    what: `an HTTP request ("${m.trim()} …"), not MQTT: is a web browser or HTTP client connected to the MQTT port?`,
  })),
  { bytes: ascii('PRI * HTTP/2'), what: 'an HTTP/2 connection preface, not MQTT' },
];

/** Bytes needed to tell every signature apart. */
export const SNIFF_BYTES = Math.max(...SIGNATURES.map((s) => s.bytes.length));

/** The sniff found nothing yet but more bytes could still complete a signature. */
export const NEED_MORE = 'more';

/**
 * Looks at the first bytes of a stream. Returns a description of the foreign protocol when a whole
 * signature matches, NEED_MORE while the bytes so far are a proper prefix of one, and null otherwise.
 */
export function sniffForeignProtocol(prefix: Uint8Array, length: number): string | null {
  let partial = false;
  for (const sig of SIGNATURES) {
    const n = Math.min(length, sig.bytes.length);
    let same = true;
    for (let i = 0; i < n; i++) {
      if (prefix[i] !== sig.bytes[i]) {
        same = false;
        break;
      }
    }
    if (!same) continue;
    if (n === sig.bytes.length) return sig.what;
    partial = true;
  }
  return partial ? NEED_MORE : null;
}
