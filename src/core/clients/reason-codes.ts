// CONNACK refusals in plain English, for error messages a student reads.

/** MQTT 3.1.1 Table 3.1 (3.1 uses the same codes). */
const V3_CONNACK: Record<number, string> = {
  1: 'unacceptable protocol version',
  2: 'identifier rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorized',
};

/** MQTT 5 §3.2.2.2, the codes a CONNACK may carry. */
const V5_CONNACK: Record<number, string> = {
  0x80: 'unspecified error',
  0x81: 'malformed packet',
  0x82: 'protocol error',
  0x83: 'implementation specific error',
  0x84: 'unsupported protocol version',
  0x85: 'client identifier not valid',
  0x86: 'bad user name or password',
  0x87: 'not authorized',
  0x88: 'server unavailable',
  0x89: 'server busy',
  0x8a: 'banned',
  0x8c: 'bad authentication method',
  0x90: 'topic name invalid',
  0x95: 'packet too large',
  0x97: 'quota exceeded',
  0x99: 'payload format invalid',
  0x9a: 'retain not supported',
  0x9b: 'QoS not supported',
  0x9c: 'use another server',
  0x9d: 'server moved',
  0x9f: 'connection rate exceeded',
};

/**
 * "refused: bad user name or password (4)". A broker that does not speak 5 answers a v5 CONNECT with a
 * 3.1.1 code (aedes 1.x: 1), so codes below 0x80 read from the 3.1.1 table whatever version was asked for.
 */
export function connackRefusal(code: number): string {
  const text = code < 0x80 ? V3_CONNACK[code] : V5_CONNACK[code];
  const shown = code < 0x80 ? String(code) : `0x${code.toString(16)}`;
  return `refused: ${text ?? 'unknown reason'} (${shown})`;
}
