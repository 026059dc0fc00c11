// IPv4 and IPv6 headers: enough to find the transport payload and name the endpoints.

export const IPPROTO_TCP = 6;

export interface IpPacket {
  version: 4 | 6;
  src: string;
  dst: string;
  /** Transport protocol number, after any IPv6 extension headers. */
  protocol: number;
  payload: Uint8Array;
  /** Transport bytes the IP header announces but the capture does not hold (snap length). */
  missing: number;
}

export type IpResult = { ok: true; packet: IpPacket } | { ok: false; note: string };

export function parseIp(version: 4 | 6, bytes: Uint8Array): IpResult {
  return version === 4 ? parseIpv4(bytes) : parseIpv6(bytes);
}

export function parseIpv4(b: Uint8Array): IpResult {
  if (b.length < 20) return fail(`IPv4 header cut short: expected at least 20 bytes, frame has ${b.length}`);
  if (b[0]! >> 4 !== 4) return fail(`IPv4 header has version ${b[0]! >> 4}; expected 4`);
  const headerLength = (b[0]! & 0x0f) * 4;
  if (headerLength < 20) return fail(`IPv4 header length ${headerLength} is below the minimum of 20`);
  if (b.length < headerLength) return fail(`IPv4 header with options cut short: expected ${headerLength} bytes, frame has ${b.length}`);
  let total = u16(b, 2);
  // A total length of 0 is what a capture of a TSO-offloaded outgoing packet shows; trust the capture then.
  if (total === 0) total = b.length;
  if (total < headerLength) return fail(`IPv4 total length ${total} is smaller than its ${headerLength}-byte header`);
  const fragment = u16(b, 6);
  const moreFragments = (fragment & 0x2000) !== 0;
  const fragmentOffset = (fragment & 0x1fff) * 8;
  if (moreFragments || fragmentOffset !== 0) {
    return fail(
      `IPv4 fragment (id 0x${u16(b, 4).toString(16).padStart(4, '0')}, offset ${fragmentOffset}${moreFragments ? ', more follow' : ''}) skipped: fragments are not reassembled`,
    );
  }
  const end = Math.min(total, b.length);
  return {
    ok: true,
    packet: {
      version: 4,
      src: formatIpv4(b, 12),
      dst: formatIpv4(b, 16),
      protocol: b[9]!,
      payload: b.subarray(headerLength, end),
      missing: total - end,
    },
  };
}

// Extension headers that share the "next header, length in 8-byte units" layout.
const HOP_BY_HOP = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const AUTH = 51;
const DEST_OPTIONS = 60;

export function parseIpv6(b: Uint8Array): IpResult {
  if (b.length < 40) return fail(`IPv6 header cut short: expected 40 bytes, frame has ${b.length}`);
  if (b[0]! >> 4 !== 6) return fail(`IPv6 header has version ${b[0]! >> 4}; expected 6`);
  const payloadLength = u16(b, 4);
  // 0 means a jumbogram or an offloaded packet; either way the capture is the best length we have.
  const total = payloadLength === 0 ? b.length : 40 + payloadLength;
  const end = Math.min(total, b.length);
  let next = b[6]!;
  let at = 40;
  for (;;) {
    if (next === HOP_BY_HOP || next === ROUTING || next === DEST_OPTIONS || next === AUTH || next === FRAGMENT) {
      if (at + 8 > end) return fail(`IPv6 extension header ${next} cut short at byte ${at} of the packet`);
      if (next === FRAGMENT) {
        const field = u16(b, at + 2);
        if ((field & 0xfff8) !== 0 || (field & 1) !== 0) {
          return fail('IPv6 fragment skipped: fragments are not reassembled');
        }
      }
      const length = next === FRAGMENT ? 8 : next === AUTH ? (b[at + 1]! + 2) * 4 : (b[at + 1]! + 1) * 8;
      next = b[at]!;
      at += length;
      continue;
    }
    break;
  }
  if (at > end) return fail(`IPv6 extension headers run past the end of the packet`);
  return {
    ok: true,
    packet: {
      version: 6,
      src: formatIpv6(b, 8),
      dst: formatIpv6(b, 24),
      protocol: next,
      payload: b.subarray(at, end),
      missing: total - end,
    },
  };
}

export function formatIpv4(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/** RFC 5952 text form: lowercase, no leading zeros, the longest run of two or more zero groups as "::". */
export function formatIpv6(b: Uint8Array, at: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(u16(b, at + i * 2));
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${formatIpv4(b, at + 12)}`;
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

function fail(note: string): IpResult {
  return { ok: false, note };
}

function u16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}
