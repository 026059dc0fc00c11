// Every supported link type, with the same MQTT conversation inside, read by our stack and by tshark.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mqttStreams, readCapture, type CaptureNote } from '../../src/core/pcap/index.js';
import {
  CONNACK, PINGREQ, PINGRESP, PcapngBuilder, concat, connect, ethernet, Flow, loopback, pcapFile, publish,
  remainingLength, sll, sll2,
} from './helpers/captures.js';
import { SKIP_TSHARK, titled, tsharkMqtt } from './helpers/tools.js';

const dir = mkdtempSync(join(tmpdir(), 'mqtt-lab-link-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PUB = publish('sensors/temp', 'x'.repeat(200), 1, 7);

/** Raw IP packets of a short conversation; the PUBLISH spans frames 6 and 7, which also holds a PINGREQ. */
function conversation(clientIp: string, serverIp: string): Uint8Array[] {
  const f = new Flow({ ip: clientIp, port: 50123 }, { ip: serverIp, port: 1883 });
  return [
    ...f.handshake(),
    f.send('c2s', connect('probe')),
    f.send('s2c', CONNACK),
    f.send('c2s', PUB.subarray(0, 50)),
    f.send('c2s', concat([PUB.subarray(50), PINGREQ])),
    f.send('s2c', PINGRESP),
  ];
}

const EXPECTED = [
  { frame: 4, firstByte: 0x10, direction: 'toBroker' },
  { frame: 5, firstByte: 0x20, direction: 'toClient' },
  { frame: 7, firstByte: 0x32, direction: 'toBroker' },
  { frame: 7, firstByte: 0xc0, direction: 'toBroker' },
  { frame: 8, firstByte: 0xd0, direction: 'toClient' },
];

interface Case {
  name: string;
  linkType: number;
  v6?: boolean;
  wrap: (ip: Uint8Array) => Uint8Array;
}

const CASES: Case[] = [
  { name: 'Ethernet', linkType: 1, wrap: (ip) => ethernet(ip) },
  { name: 'Ethernet with an 802.1Q tag', linkType: 1, wrap: (ip) => ethernet(ip, [42]) },
  { name: 'Ethernet with QinQ tags', linkType: 1, wrap: (ip) => ethernet(ip, [100, 42]) },
  { name: 'Ethernet, IPv6', linkType: 1, v6: true, wrap: (ip) => ethernet(ip) },
  { name: 'raw IP (101), IPv4', linkType: 101, wrap: (ip) => ip },
  { name: 'raw IP (101), IPv6', linkType: 101, v6: true, wrap: (ip) => ip },
  { name: 'raw IPv4 (228)', linkType: 228, wrap: (ip) => ip },
  { name: 'raw IPv6 (229)', linkType: 229, v6: true, wrap: (ip) => ip },
  { name: 'Linux cooked v1 (113)', linkType: 113, wrap: sll },
  { name: 'Linux cooked v1 (113), IPv6', linkType: 113, v6: true, wrap: sll },
  { name: 'Linux cooked v2 (276)', linkType: 276, wrap: sll2 },
  { name: 'BSD null (0), little-endian host', linkType: 0, wrap: (ip) => loopback(ip, 2, true) },
  { name: 'BSD null (0), big-endian host', linkType: 0, wrap: (ip) => loopback(ip, 2, false) },
  { name: 'BSD null (0), IPv6 as on macOS', linkType: 0, v6: true, wrap: (ip) => loopback(ip, 30, true) },
  { name: 'OpenBSD loop (108)', linkType: 108, wrap: (ip) => loopback(ip, 2, false) },
  { name: 'OpenBSD loop (108), IPv6', linkType: 108, v6: true, wrap: (ip) => loopback(ip, 24, false) },
];

function capture(c: Case): Uint8Array {
  const [client, server] = c.v6 ? ['2001:db8::10', '2001:db8::1'] : ['192.168.7.10', '192.168.7.1'];
  const frames = conversation(client, server).map((ip, i) => ({ seconds: 1_700_000_000 + i, fraction: i * 1000, data: c.wrap(ip) }));
  return pcapFile(frames, { linkType: c.linkType });
}

describe('link layers', () => {
  for (const c of CASES) {
    it(`finds the MQTT packets over ${c.name}`, () => {
      const notes: CaptureNote[] = [];
      const recs = [...mqttStreams(readCapture(capture(c)), { onNote: (n) => notes.push(n) })];
      expect(notes).toEqual([]);
      expect(recs.map((r) => ({ frame: r.frame, firstByte: r.bytes[0], direction: r.direction }))).toEqual(EXPECTED);
      expect(recs.every((r) => r.stream === 0 && r.broken === undefined)).toBe(true);
      const [client, server] = c.v6 ? ['2001:db8::10', '2001:db8::1'] : ['192.168.7.10', '192.168.7.1'];
      expect(recs[0]).toMatchObject({ src: client, dst: server, srcPort: 50123, dstPort: 1883 });
      expect(recs[1]).toMatchObject({ src: server, dst: client, srcPort: 1883, dstPort: 50123 });
      expect(recs[2]!.time).toBeCloseTo((1_700_000_006 * 1000) + 6, 3);
    });

    it.skipIf(!!SKIP_TSHARK)(titled(`agrees with tshark over ${c.name}`, SKIP_TSHARK), () => {
      const file = join(dir, `${c.name.replace(/\W+/g, '_')}.pcap`);
      writeFileSync(file, capture(c));
      const ours = [...mqttStreams(readCapture(capture(c)))].map((r) => ({ frame: r.frame, firstByte: r.bytes[0]!, remainingLength: remainingLength(r.bytes) }));
      expect(tsharkMqtt(file, [1883])).toEqual(ours);
    });
  }

  it('notes an unsupported link type once and goes on', () => {
    const frames = [1, 2, 3].map((i) => ({ seconds: i, fraction: 0, data: new Uint8Array(40) }));
    const notes: CaptureNote[] = [];
    expect([...mqttStreams(readCapture(pcapFile(frames, { linkType: 147 })), { onNote: (n) => notes.push(n) })]).toEqual([]);
    expect(notes).toEqual([{ frame: 1, message: 'link type 147 is not supported (supported: Ethernet, raw IP, Linux cooked v1/v2, BSD loopback)' }]);
  });

  it('reads a pcapng with interfaces of different link types', () => {
    const ips = conversation('10.0.0.2', '10.0.0.1');
    const b = new PcapngBuilder().section().iface(1).iface(101, { tsresol: 9 }).iface(113);
    ips.forEach((ip, i) => {
      const ifId = i % 3;
      const data = ifId === 0 ? ethernet(ip) : ifId === 1 ? ip : sll(ip);
      b.epb(ifId, ifId === 1 ? BigInt(i) * 1_000_000_000n : BigInt(i) * 1_000_000n, data);
    });
    const recs = [...mqttStreams(readCapture(b.bytes()))];
    expect(recs.map((r) => ({ frame: r.frame, firstByte: r.bytes[0], direction: r.direction }))).toEqual(EXPECTED);
    expect(recs.map((r) => r.time)).toEqual([3000, 4000, 6000, 6000, 7000]);
  });
});
