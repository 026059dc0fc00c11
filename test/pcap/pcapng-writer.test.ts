import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import {
  PcapngFileWriter, mqttStreams, pcapngToBuffer, readCapture, readCaptureFile,
  type RecordedConnection, type RecordedPacket,
} from '../../src/core/pcap/index.js';
import { CONNACK, PINGREQ, PINGRESP, connect, mqtt, publish, remainingLength } from './helpers/captures.js';
import { SKIP_TSHARK, titled, tshark, tsharkMqtt } from './helpers/tools.js';

const dir = mkdtempSync(join(tmpdir(), 'mqtt-lab-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = 1_700_000_000_000.25;
// Exactly 1 MiB in all: 1 type byte, 3 length bytes, 9 bytes of topic.
const BIG = publish('big/one', new Uint8Array(1_048_576 - 13).fill(0x5a));

const CONNECTIONS: RecordedConnection[] = [
  { connId: 1, client: { ip: '127.0.0.1', port: 51001 }, broker: { ip: '127.0.0.1', port: 1883 }, closed: true },
  { connId: 2, client: { ip: '::1', port: 51002 }, broker: { ip: '::1', port: 1883 }, closed: { by: 'broker' } },
  { connId: 3, client: { ip: '::ffff:192.168.1.20', port: 51003 }, broker: { ip: '192.168.1.2', port: 1883 }, closed: { reset: true } },
  { connId: 4, client: { ip: '127.0.0.1', port: 51004 }, broker: { ip: '127.0.0.1', port: 1883 } }, // left open
];

const PACKETS: RecordedPacket[] = [
  { time: T0, connId: 1, direction: 'toBroker', bytes: connect('one') },
  { time: T0 + 1, connId: 1, direction: 'toClient', bytes: CONNACK },
  { time: T0 + 2, connId: 2, direction: 'toBroker', bytes: connect('two') },
  { time: T0 + 3, connId: 1, direction: 'toBroker', bytes: BIG },
  { time: T0 + 4, connId: 2, direction: 'toClient', bytes: CONNACK },
  { time: T0 + 5, connId: 3, direction: 'toBroker', bytes: connect('three') },
  { time: T0 + 6, connId: 4, direction: 'toBroker', bytes: connect('four') },
  // A packet big enough to need pure ACKs in between: the receiver's window is 64 KiB.
  ...Array.from({ length: 300 }, (_, i): RecordedPacket => ({ time: T0 + 7 + i, connId: 2, direction: 'toClient', bytes: publish('t', 'v'.repeat(400), 1, i + 1) })),
  { time: T0 + 400, connId: 2, direction: 'toBroker', bytes: mqtt(0x40, [0, 1]) },
  { time: T0 + 401, connId: 1, direction: 'toBroker', bytes: PINGREQ },
  { time: T0 + 402, connId: 1, direction: 'toClient', bytes: PINGRESP },
];

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/** Each connection's packets per direction, as the capture reader sees them after the round trip. */
function roundTrip(bytes: Uint8Array) {
  const byPort = new Map(CONNECTIONS.map((c) => [c.client.port, c.connId]));
  return [...mqttStreams(readCapture(bytes))].map((r) => {
    expect(r.broken).toBeUndefined();
    return { connId: byPort.get(r.direction === 'toBroker' ? r.srcPort : r.dstPort), direction: r.direction, bytes: hex(r.bytes), time: r.time };
  });
}

/** tshark's verdicts worth failing on: malformed packets and TCP analysis of a capture that is not clean. */
function tsharkProblems(path: string): string[] {
  const expert = tshark(['-r', path, '-q', '-z', 'expert,note']);
  const bad = /Malformed|previous segment not captured|ACKed unseen|Out-Of-Order|Retransmission|Dup ACK|window (is )?full|Zero window|Spurious|checksum/i;
  return expert.split('\n').filter((l) => bad.test(l));
}

describe('pcapng writer', () => {
  it('round-trips every packet, in order, through our reader', () => {
    const bytes = pcapngToBuffer(PACKETS, CONNECTIONS);
    const got = roundTrip(bytes);
    expect(got.map(({ connId, direction, bytes: b }) => ({ connId, direction, bytes: b }))).toEqual(
      PACKETS.map((p) => ({ connId: p.connId, direction: p.direction, bytes: hex(p.bytes) })),
    );
    expect(got[0]!.time).toBe(1_700_000_000_000.25);
    expect(got[3]!.time).toBe(1_700_000_000_003.25);
  });

  it('writes bare IP packets with the raw link type', () => {
    const bytes = pcapngToBuffer(PACKETS.slice(0, 5), CONNECTIONS.slice(0, 2), { link: 'raw' });
    expect([...readCapture(bytes)].every((r) => r.linkType === 101)).toBe(true);
    expect(roundTrip(bytes).map((r) => r.bytes)).toEqual(PACKETS.slice(0, 5).map((p) => hex(p.bytes)));
  });

  it('splits a 1 MiB packet into segments of at most 65495 payload bytes', () => {
    const bytes = pcapngToBuffer([PACKETS[3]!], [CONNECTIONS[0]!]);
    const frames = [...readCapture(bytes)];
    // handshake 3, then 17 data segments with a pure ACK before each but the first, then FIN, FIN, ACK
    const data = frames.filter((f) => f.data.length > 54);
    expect(data.map((f) => f.data.length - 54)).toEqual([...Array(16).fill(65495), BIG.length - 16 * 65495]);
    expect(frames).toHaveLength(3 + 17 + 16 + 3);
  });

  it('throws clear errors for connections it does not know', () => {
    expect(() => pcapngToBuffer([{ time: 0, connId: 9, direction: 'toBroker', bytes: PINGREQ }], [])).toThrow(
      'packet 1 belongs to connection 9, which has no endpoints',
    );
    expect(() =>
      pcapngToBuffer([], [{ connId: 1, client: { ip: '::1', port: 1 }, broker: { ip: '127.0.0.1', port: 2 }, openedAt: 0 }]),
    ).toThrow('connection 1: client ::1 and broker 127.0.0.1 are not the same IP version');
  });

  it.skipIf(!!SKIP_TSHARK)(titled('produces TCP streams tshark reads without a single complaint', SKIP_TSHARK), () => {
    const path = join(dir, 'round-trip.pcapng');
    writeFileSync(path, pcapngToBuffer(PACKETS, CONNECTIONS));
    expect(tsharkProblems(path)).toEqual([]);

    const lines = tshark(['-r', path, '-T', 'fields', '-e', 'tcp.stream', '-e', 'tcp.len', '-e', 'frame.number', '-e', 'tcp.srcport'])
      .trim()
      .split('\n')
      .map((l) => l.split('\t').map(Number));
    expect(new Set(lines.map((l) => l[0]))).toEqual(new Set([0, 1, 2, 3]));
    expect(Math.max(...lines.map((l) => l[1]!))).toBe(65495);
    // every byte of every direction arrives: TCP payload per stream and sender equals what was recorded
    const sent = new Map<string, number>();
    for (const [stream, len, , srcPort] of lines) sent.set(`${stream}/${srcPort}`, (sent.get(`${stream}/${srcPort}`) ?? 0) + len!);
    const expected = new Map<string, number>();
    for (const p of PACKETS) {
      const c = CONNECTIONS[p.connId - 1]!;
      const key = `${p.connId - 1}/${p.direction === 'toBroker' ? c.client.port : c.broker.port}`;
      expected.set(key, (expected.get(key) ?? 0) + p.bytes.length);
    }
    for (const [key, n] of expected) expect(sent.get(key), key).toBe(n);

    // correct IPv4 header and TCP checksums, when tshark is asked to verify them
    const sums = tshark(['-r', path, '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-T', 'fields', '-e', 'ip.checksum.status', '-e', 'tcp.checksum.status']);
    for (const line of sums.trim().split('\n')) {
      const [ip, tcp] = line.split('\t');
      if (ip) expect(ip).toBe('1');
      expect(tcp).toBe('1');
    }

    // and the same MQTT packets, in the same frames, as our reader finds
    const ours = [...mqttStreams(readCaptureFile(path))].map((r) => ({ frame: r.frame, firstByte: r.bytes[0]!, remainingLength: remainingLength(r.bytes) }));
    expect(ours).toHaveLength(PACKETS.length);
    expect(tsharkMqtt(path, [1883])).toEqual(ours);
  });

  it.skipIf(!!SKIP_TSHARK)(titled('shows FIN and RST closes as tshark expects them', SKIP_TSHARK), () => {
    const path = join(dir, 'closes.pcapng');
    writeFileSync(path, pcapngToBuffer(PACKETS.slice(0, 6), CONNECTIONS));
    const flags = tshark(['-r', path, '-Y', 'tcp.flags.fin==1 || tcp.flags.reset==1', '-T', 'fields', '-e', 'tcp.stream', '-e', 'tcp.flags.str'])
      .trim()
      .split('\n')
      .map((l) => l.replace(/\u00b7/g, '.'));
    expect(flags).toEqual([
      '0\t.......A...F', '0\t.......A...F',
      '1\t.......A...F', '1\t.......A...F',
      '2\t.......A.R..',
    ]);
  });

  it('streams to a file that is readable before it is closed', async () => {
    const path = join(dir, 'live.pcapng');
    const w = new PcapngFileWriter(path, { flushIntervalMs: 20 });
    w.openConnection(1, CONNECTIONS[0]!, T0);
    w.write(PACKETS[0]!);
    w.flush();
    expect([...readCapture(readFileSync(path))]).toHaveLength(4);
    w.write(PACKETS[1]!);
    await sleep(100); // the interval flush writes it without being asked
    expect([...readCapture(readFileSync(path))]).toHaveLength(5);
    w.write(PACKETS[3]!);
    w.closeConnection(1, T0 + 10);
    w.close();
    expect(() => w.write(PACKETS[0]!)).toThrow('the pcapng file was already closed');
    const recs = [...mqttStreams(readCaptureFile(path))];
    expect(recs.map((r) => r.bytes.length)).toEqual([PACKETS[0]!.bytes.length, 4, BIG.length]);
    expect(statSync(path).size).toBeGreaterThan(BIG.length);
    if (!SKIP_TSHARK) expect(tsharkProblems(path)).toEqual([]);
  });

  it('refuses data for a connection that was never opened', () => {
    const path = join(dir, 'unopened.pcapng');
    const w = new PcapngFileWriter(path, { flushIntervalMs: 0 });
    expect(() => w.write(PACKETS[0]!)).toThrow('connection 1 was not opened; call openConnection with its endpoints first');
    w.close();
  });
});
