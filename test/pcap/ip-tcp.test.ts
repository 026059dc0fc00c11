import { describe, expect, it } from 'vitest';
import {
  buildTcpFrame, formatIpv6, linkPayload, parseIp, parseIpAddress, parseTcp, TCP_ACK, TCP_SYN,
} from '../../src/core/pcap/index.js';

function v6(text: string): string {
  return formatIpv6(parseIpAddress(text).bytes, 0);
}

describe('IP addresses', () => {
  it('formats IPv6 as RFC 5952 text', () => {
    expect(v6('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(v6('::')).toBe('::');
    expect(v6('2001:0db8:0000:0000:0000:ff00:0042:8329')).toBe('2001:db8::ff00:42:8329');
    expect(v6('2001:db8:0:1:0:0:0:1')).toBe('2001:db8:0:1::1'); // the longer zero run wins
    expect(v6('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1'); // on a tie, the first
    expect(v6('2001:db8:1:1:1:1:0:1')).toBe('2001:db8:1:1:1:1:0:1'); // a single zero group stays
    expect(v6('fe80::1%eth0')).toBe('fe80::1');
  });

  it('parses the addresses Node reports, mapping IPv4-in-IPv6 back to IPv4', () => {
    expect(parseIpAddress('::ffff:10.0.0.5')).toEqual({ version: 4, bytes: Uint8Array.of(10, 0, 0, 5) });
    expect(parseIpAddress('127.0.0.1')).toEqual({ version: 4, bytes: Uint8Array.of(127, 0, 0, 1) });
    expect(parseIpAddress('[::1]').version).toBe(6);
    expect(() => parseIpAddress('localhost')).toThrow('"localhost" is not an IPv4 or IPv6 address');
    expect(() => parseIpAddress('1.2.3.256')).toThrow();
    expect(() => parseIpAddress('1::2::3')).toThrow();
  });
});

describe('IP and TCP headers', () => {
  const packet = buildTcpFrame('raw', {
    src: parseIpAddress('192.0.2.1'),
    dst: parseIpAddress('192.0.2.2'),
    srcPort: 1883,
    dstPort: 40000,
    seq: 0xfffffff0,
    ack: 7,
    flags: TCP_SYN | TCP_ACK,
    window: 1024,
    ipId: 3,
    payload: Uint8Array.of(0xaa, 0xbb),
  });

  it('reads back what the builder wrote', () => {
    const ip = parseIp(4, packet);
    expect(ip.ok && ip.packet).toMatchObject({ version: 4, src: '192.0.2.1', dst: '192.0.2.2', protocol: 6, missing: 0 });
    const tcp = parseTcp(ip.ok ? ip.packet.payload : new Uint8Array(0));
    expect(tcp.ok && tcp.segment).toMatchObject({ srcPort: 1883, dstPort: 40000, seq: 0xfffffff0, ack: 7, flags: 0x12, window: 1024, headerLength: 20 });
    expect(tcp.ok && Array.from(tcp.segment.payload)).toEqual([0xaa, 0xbb]);
  });

  it('ignores Ethernet padding after the IP total length', () => {
    const padded = new Uint8Array(packet.length + 6);
    padded.set(packet);
    const ip = parseIp(4, padded);
    expect(ip.ok && ip.packet.payload.length).toBe(22);
  });

  it('parses TCP options, skipping NOPs and stopping at a malformed length', () => {
    const header = new Uint8Array(40);
    header[12] = 10 << 4; // 40-byte header
    header.set([2, 4, 0xff, 0xd7, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 4, 2, 3, 3, 7], 20);
    const tcp = parseTcp(header);
    expect(tcp.ok && tcp.segment.options.map((o) => [o.kind, Array.from(o.data)])).toEqual([
      [2, [0xff, 0xd7]], // MSS 65495
      [8, [0, 0, 0, 1, 0, 0, 0, 2]], // timestamps
      [4, []], // SACK permitted
      [3, [7]], // window scale
    ]);
    header.set([5, 40], 20); // SACK option claiming more bytes than the header holds
    expect(parseTcp(header).ok && (parseTcp(header) as { segment: { options: unknown[] } }).segment.options).toEqual([]);
  });

  it('explains headers it cannot read', () => {
    expect(parseTcp(new Uint8Array(10))).toEqual({ ok: false, note: 'TCP header cut short: expected at least 20 bytes, packet has 10' });
    expect(parseIp(4, packet.subarray(0, 12))).toEqual({ ok: false, note: 'IPv4 header cut short: expected at least 20 bytes, frame has 12' });
    expect(parseIp(6, packet)).toEqual({ ok: false, note: 'IPv6 header has version 4; expected 6' });
    expect(parseIp(6, new Uint8Array(30).fill(0x60, 0, 1))).toEqual({ ok: false, note: 'IPv6 header cut short: expected 40 bytes, frame has 30' });
    expect(linkPayload(113, new Uint8Array(10))).toEqual({ ok: false, note: 'Linux cooked (SLL) header cut short: expected 16 bytes, frame has 10' });
    expect(linkPayload(1, new Uint8Array(14).fill(0x08, 12, 13).fill(0x06, 13))).toEqual({ ok: false, note: null }); // ARP
  });
});
