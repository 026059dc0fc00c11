// The TCP header (RFC 9293 §3.1), options included.

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

export interface TcpOption {
  kind: number;
  data: Uint8Array;
}

export interface TcpSegment {
  srcPort: number;
  dstPort: number;
  /** Unsigned 32-bit sequence and acknowledgment numbers. */
  seq: number;
  ack: number;
  /** The eight flag bits, TCP_FIN…CWR. */
  flags: number;
  window: number;
  headerLength: number;
  /** Every option except NOP padding; parsing stops at End of Option List or a malformed length. */
  options: TcpOption[];
  payload: Uint8Array;
}

export type TcpResult = { ok: true; segment: TcpSegment } | { ok: false; note: string };

export function parseTcp(b: Uint8Array): TcpResult {
  if (b.length < 20) return { ok: false, note: `TCP header cut short: expected at least 20 bytes, packet has ${b.length}` };
  const headerLength = (b[12]! >> 4) * 4;
  if (headerLength < 20) return { ok: false, note: `TCP data offset ${headerLength} is below the minimum of 20` };
  if (b.length < headerLength) {
    return { ok: false, note: `TCP header with options cut short: expected ${headerLength} bytes, packet has ${b.length}` };
  }
  return {
    ok: true,
    segment: {
      srcPort: u16(b, 0),
      dstPort: u16(b, 2),
      seq: u32(b, 4),
      ack: u32(b, 8),
      flags: b[13]!,
      window: u16(b, 14),
      headerLength,
      options: parseOptions(b.subarray(20, headerLength)),
      payload: b.subarray(headerLength),
    },
  };
}

function parseOptions(b: Uint8Array): TcpOption[] {
  const options: TcpOption[] = [];
  let at = 0;
  while (at < b.length) {
    const kind = b[at]!;
    if (kind === 0) break;
    if (kind === 1) {
      at++;
      continue;
    }
    const length = b[at + 1];
    if (length === undefined || length < 2 || at + length > b.length) break;
    options.push({ kind, data: b.subarray(at + 2, at + length) });
    at += length;
  }
  return options;
}

function u16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}
