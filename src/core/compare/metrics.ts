// Figures of one protocol's run, computed from the records the taps captured and the times the receivers
// saw each reading. Pure functions, so the arithmetic is tested apart from the network.

/**
 * How the bytes on the wire are estimated from the TCP payload, which is all a user-space proxy sees.
 * Each message is sent as ceil(len / MSS) segments; each segment carries 20 bytes of IPv4 header and 32
 * of TCP header (20 plus the 12-byte timestamp option Linux sends by default). Pure ACKs are not
 * counted: with delayed ACK they mostly ride on the next data segment. A TCP connection opened during the
 * run adds its handshake: SYN and SYN-ACK of 60 bytes (with their options) and an ACK of 52.
 */
export const WIRE_MODEL = {
  ipHeader: 20,
  tcpHeader: 32,
  mss: 1448,
  handshakeBytes: 60 + 60 + 52,
  handshakeSegments: 3,
  text: 'payload + 52 bytes (IPv4 20 + TCP 20 + timestamps 12) per segment of at most 1448 bytes; '
    + 'a TCP handshake (172 bytes, 3 segments) per connection opened in the run; pure ACKs not counted',
} as const;

export function segmentsOf(length: number): number {
  return Math.max(1, Math.ceil(length / WIRE_MODEL.mss));
}

export interface TrafficFigures {
  /** Application messages (MQTT packets, HTTP requests and responses) in the run. */
  messages: number;
  payloadBytes: number;
  /** payloadBytes plus the estimated TCP/IP headers and handshakes (WIRE_MODEL). */
  wireBytes: number;
  /** TCP segments estimated the same way. */
  segments: number;
}

/** What packets of these lengths (bytes on the wire, MQTT or HTTP) cost with TCP/IP around them. */
export function traffic(lengths: readonly number[], connectionsOpened: number): TrafficFigures {
  let payloadBytes = 0;
  let segments = 0;
  for (const n of lengths) {
    payloadBytes += n;
    segments += segmentsOf(n);
  }
  const headers = segments * (WIRE_MODEL.ipHeader + WIRE_MODEL.tcpHeader);
  return {
    messages: lengths.length,
    payloadBytes,
    wireBytes: payloadBytes + headers + connectionsOpened * WIRE_MODEL.handshakeBytes,
    segments: segments + connectionsOpened * WIRE_MODEL.handshakeSegments,
  };
}

/** The p-th percentile (0-100) by nearest rank; null for no data. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function round(n: number | null, digits = 1): number | null {
  if (n === null) return null;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
