// Strips the link-layer header of the capture's link type to reach the IP packet.
// Link type numbers are the LINKTYPE_* values of the pcap/pcapng specifications.

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
/** 802.1Q, 802.1ad (QinQ) and the pre-standard QinQ tag: each adds four bytes before the real EtherType. */
const VLAN_TAGS = new Set([0x8100, 0x88a8, 0x9100]);

/** Address-family values of BSD loopback headers; IPv6's number differs between the BSDs and Linux. */
const AF_INET = 2;
const AF_INET6 = new Set([10, 24, 28, 30]);

export type LinkResult =
  | { ok: true; ipVersion: 4 | 6; packet: Uint8Array }
  /**
   * `note` is null for frames that are simply not IP (ARP, LLC…), a sentence for frames we cannot read;
   * `unsupported` marks a link type we do not read at all, so callers can say so once, not per frame.
   */
  | { ok: false; note: string | null; unsupported?: true };

const NOT_IP: LinkResult = { ok: false, note: null };

export function supportedLinkType(linkType: number): boolean {
  return [
    LINKTYPE_NULL, LINKTYPE_ETHERNET, LINKTYPE_RAW, LINKTYPE_LOOP,
    LINKTYPE_LINUX_SLL, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_LINUX_SLL2,
  ].includes(linkType);
}

export function linkPayload(linkType: number, frame: Uint8Array): LinkResult {
  switch (linkType) {
    case LINKTYPE_ETHERNET:
      return ethernet(frame);
    case LINKTYPE_RAW:
      return byVersionNibble(frame, 0);
    case LINKTYPE_IPV4:
      return frame.length > 0 ? { ok: true, ipVersion: 4, packet: frame } : truncated('raw IPv4', 1, 0);
    case LINKTYPE_IPV6:
      return frame.length > 0 ? { ok: true, ipVersion: 6, packet: frame } : truncated('raw IPv6', 1, 0);
    case LINKTYPE_LINUX_SLL:
      // 16 bytes: packet type, ARPHRD type, address length, 8 address bytes, then the EtherType.
      if (frame.length < 16) return truncated('Linux cooked (SLL)', 16, frame.length);
      return byEtherType(u16(frame, 14), frame, 16);
    case LINKTYPE_LINUX_SLL2:
      // 20 bytes and the EtherType comes first.
      if (frame.length < 20) return truncated('Linux cooked v2 (SLL2)', 20, frame.length);
      return byEtherType(u16(frame, 0), frame, 20);
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP:
      return loopback(linkType, frame);
    default:
      return { ok: false, unsupported: true, note: `link type ${linkType} is not supported (supported: Ethernet, raw IP, Linux cooked v1/v2, BSD loopback)` };
  }
}

function ethernet(frame: Uint8Array): LinkResult {
  if (frame.length < 14) return truncated('Ethernet', 14, frame.length);
  let at = 12;
  let type = u16(frame, at);
  while (VLAN_TAGS.has(type)) {
    at += 4;
    if (frame.length < at + 2) return truncated('Ethernet VLAN', at + 2, frame.length);
    type = u16(frame, at);
  }
  return byEtherType(type, frame, at + 2);
}

function byEtherType(type: number, frame: Uint8Array, at: number): LinkResult {
  if (type === ETHERTYPE_IPV4) return { ok: true, ipVersion: 4, packet: frame.subarray(at) };
  if (type === ETHERTYPE_IPV6) return { ok: true, ipVersion: 6, packet: frame.subarray(at) };
  return NOT_IP;
}

function loopback(linkType: number, frame: Uint8Array): LinkResult {
  if (frame.length < 4) return truncated('loopback', 4, frame.length);
  // DLT_NULL writes the family in the capturing host's byte order, DLT_LOOP in network order. A family is
  // small, so whichever half is zero tells the order.
  const be = (frame[0]! << 24) | (frame[1]! << 16) | (frame[2]! << 8) | frame[3]!;
  const le = (frame[3]! << 24) | (frame[2]! << 16) | (frame[1]! << 8) | frame[0]!;
  const family = linkType === LINKTYPE_LOOP || (be >>> 0) < 0x10000 ? be >>> 0 : le >>> 0;
  if (family === AF_INET) return { ok: true, ipVersion: 4, packet: frame.subarray(4) };
  if (AF_INET6.has(family)) return { ok: true, ipVersion: 6, packet: frame.subarray(4) };
  return NOT_IP;
}

function byVersionNibble(frame: Uint8Array, at: number): LinkResult {
  if (frame.length <= at) return truncated('raw IP', at + 1, frame.length);
  const version = frame[at]! >> 4;
  if (version === 4 || version === 6) return { ok: true, ipVersion: version, packet: frame.subarray(at) };
  return { ok: false, note: `raw IP frame has IP version ${version}; expected 4 or 6` };
}

function truncated(what: string, need: number, have: number): LinkResult {
  return { ok: false, note: `${what} header cut short: expected ${need} bytes, frame has ${have}` };
}

function u16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}
