// Synthesises link + IP + TCP headers around a payload, with correct lengths and checksums, for writing
// captures of traffic the tap saw as plain byte streams.
import { addWords, finishChecksum } from './checksum.js';
import type { IpAddress } from './ip-address.js';
import { IPPROTO_TCP } from './ip.js';

export type SyntheticLink = 'ethernet' | 'raw';

export interface TcpPacketSpec {
  src: IpAddress;
  dst: IpAddress;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  /** IPv4 identification; ignored for IPv6. */
  ipId: number;
  payload: Uint8Array;
  /** Ethernet addresses, 6 bytes each; only used with the 'ethernet' link. */
  srcMac?: Uint8Array;
  dstMac?: Uint8Array;
}

const ETHERNET_HEADER = 14;
const IPV4_HEADER = 20;
const IPV6_HEADER = 40;
const TCP_HEADER = 20;
/** Largest TCP payload one IPv4 packet can carry without options: 65535 − 20 − 20. */
export const MAX_TCP_PAYLOAD = 65535 - IPV4_HEADER - TCP_HEADER;

const DEFAULT_MAC = new Uint8Array(6);

export function buildTcpFrame(link: SyntheticLink, spec: TcpPacketSpec): Uint8Array {
  if (spec.src.version !== spec.dst.version) throw new Error('TCP endpoints must both be IPv4 or both IPv6');
  if (spec.payload.length > MAX_TCP_PAYLOAD) {
    throw new Error(`TCP payload of ${spec.payload.length} bytes exceeds one segment's maximum of ${MAX_TCP_PAYLOAD}`);
  }
  const v6 = spec.src.version === 6;
  const linkBytes = link === 'ethernet' ? ETHERNET_HEADER : 0;
  const ipBytes = v6 ? IPV6_HEADER : IPV4_HEADER;
  const tcpLength = TCP_HEADER + spec.payload.length;
  const frame = new Uint8Array(linkBytes + ipBytes + tcpLength);
  const dv = new DataView(frame.buffer);

  if (link === 'ethernet') {
    frame.set(spec.dstMac ?? DEFAULT_MAC, 0);
    frame.set(spec.srcMac ?? DEFAULT_MAC, 6);
    dv.setUint16(12, v6 ? 0x86dd : 0x0800);
  }

  const ip = linkBytes;
  if (v6) {
    dv.setUint32(ip, 0x60000000); // version 6, traffic class 0, flow label 0
    dv.setUint16(ip + 4, tcpLength);
    frame[ip + 6] = IPPROTO_TCP;
    frame[ip + 7] = 64; // hop limit
    frame.set(spec.src.bytes, ip + 8);
    frame.set(spec.dst.bytes, ip + 24);
  } else {
    frame[ip] = 0x45; // version 4, 5 words of header
    dv.setUint16(ip + 2, IPV4_HEADER + tcpLength);
    dv.setUint16(ip + 4, spec.ipId & 0xffff);
    dv.setUint16(ip + 6, 0x4000); // don't fragment
    frame[ip + 8] = 64; // TTL
    frame[ip + 9] = IPPROTO_TCP;
    frame.set(spec.src.bytes, ip + 12);
    frame.set(spec.dst.bytes, ip + 16);
    dv.setUint16(ip + 10, finishChecksum(addWords(0, frame, ip, ip + IPV4_HEADER)));
  }

  const tcp = ip + ipBytes;
  dv.setUint16(tcp, spec.srcPort);
  dv.setUint16(tcp + 2, spec.dstPort);
  dv.setUint32(tcp + 4, spec.seq >>> 0);
  dv.setUint32(tcp + 8, spec.ack >>> 0);
  frame[tcp + 12] = (TCP_HEADER / 4) << 4;
  frame[tcp + 13] = spec.flags;
  dv.setUint16(tcp + 14, spec.window);
  frame.set(spec.payload, tcp + TCP_HEADER);

  // The TCP checksum covers a pseudo-header of addresses, protocol and length, then the segment.
  let sum = addWords(0, spec.src.bytes);
  sum = addWords(sum, spec.dst.bytes);
  sum += IPPROTO_TCP + (tcpLength & 0xffff) + (tcpLength >>> 16);
  sum = addWords(sum, frame, tcp, tcp + tcpLength);
  dv.setUint16(tcp + 16, finishChecksum(sum));
  return frame;
}
