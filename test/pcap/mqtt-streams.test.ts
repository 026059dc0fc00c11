// TCP situations that real captures contain, checked against our expectations and, where tshark has an
// opinion, against tshark.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mqttStreams, readCapture, type CaptureNote, type MqttStreamOptions, type MqttStreamRecord } from '../../src/core/pcap/index.js';
import { CONNACK, PINGREQ, PINGRESP, concat, connect, Flow, pcapFile, publish, remainingLength } from './helpers/captures.js';
import { SKIP_TSHARK, tshark, tsharkMqtt } from './helpers/tools.js';

const dir = mkdtempSync(join(tmpdir(), 'mqtt-lab-streams-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CLIENT = { ip: '10.1.1.2', port: 40001 };
const BROKER = { ip: '10.1.1.1', port: 1883 };

/** A raw-IP pcap of the given packets, one per frame, frame n at n seconds. */
function file(ips: Uint8Array[]): Uint8Array {
  return pcapFile(ips.map((data, i) => ({ seconds: i + 1, fraction: 0, data })), { linkType: 101 });
}

function run(ips: Uint8Array[], opts: MqttStreamOptions = {}): { recs: MqttStreamRecord[]; notes: CaptureNote[] } {
  const notes: CaptureNote[] = [];
  const recs = [...mqttStreams(readCapture(file(ips)), { ...opts, onNote: (n) => notes.push(n) })];
  return { recs, notes };
}

function brief(recs: MqttStreamRecord[]): string[] {
  return recs.map((r) => `${r.frame} s${r.stream} ${r.bytes[0]!.toString(16).padStart(2, '0')}/${r.bytes.length}${r.broken ? ` broken: ${r.broken}` : ''}`);
}

function save(name: string, ips: Uint8Array[]): string {
  const path = join(dir, name);
  writeFileSync(path, file(ips));
  return path;
}

function ourMqtt(ips: Uint8Array[]) {
  return run(ips).recs.filter((r) => !r.broken).map((r) => ({ frame: r.frame, firstByte: r.bytes[0]!, remainingLength: remainingLength(r.bytes) }));
}

const PUB = publish('a/b', 'p'.repeat(300), 1, 9);

describe('mqttStreams over TCP', () => {
  it('reports a packet that spans frames at the frame where it ends', () => {
    const f = new Flow(CLIENT, BROKER);
    const ips = [...f.handshake(), f.send('c2s', PUB.subarray(0, 1)), f.send('c2s', PUB.subarray(1, 200)), f.send('c2s', PUB.subarray(200))];
    expect(brief(run(ips).recs)).toEqual([`6 s0 32/${PUB.length}`]);
  });

  it('reassembles out-of-order segments, like tshark with out-of-order reassembly on', () => {
    const f = new Flow(CLIENT, BROKER);
    const ips = [
      ...f.handshake(),
      f.send('c2s', connect('ooo')),
      f.at('c2s', connect('ooo').length + 200, PUB.subarray(200)), // frame 5: the tail, early
      f.at('c2s', connect('ooo').length + 100, PUB.subarray(100, 200)), // frame 6: the middle, early
      f.at('c2s', connect('ooo').length, PUB.subarray(0, 100)), // frame 7: fills the gap
      f.ack('s2c', connect('ooo').length + PUB.length),
    ];
    expect(brief(run(ips).recs)).toEqual(['4 s0 10/17', `7 s0 32/${PUB.length}`]);
    if (!SKIP_TSHARK) {
      expect(tsharkMqtt(save('ooo.pcap', ips), [1883], ['-o', 'tcp.reassemble_out_of_order:TRUE'])).toEqual(ourMqtt(ips));
    }
  });

  it('ignores retransmitted segments and trims overlapping ones', () => {
    const f = new Flow(CLIENT, BROKER);
    const c = connect('dup');
    const ips = [
      ...f.handshake(),
      f.at('c2s', 0, c),
      f.at('c2s', 0, c), // retransmission
      f.at('c2s', c.length, PUB.subarray(0, 150)),
      f.at('c2s', c.length + 100, PUB.subarray(100, 250)), // overlaps the previous by 50 bytes
      f.at('c2s', c.length + 100, PUB.subarray(100)), // overlaps again and completes the PUBLISH
    ];
    expect(brief(run(ips).recs)).toEqual([`4 s0 10/${c.length}`, `8 s0 32/${PUB.length}`]);
    // tshark 4.0 only trims partial overlaps when out-of-order reassembly is on (it is off by default).
    if (!SKIP_TSHARK) {
      expect(tsharkMqtt(save('dup.pcap', ips), [1883], ['-o', 'tcp.reassemble_out_of_order:TRUE'])).toEqual(ourMqtt(ips));
    }
  });

  it('starts a stream whose SYN was not captured at its first segment', () => {
    const f = new Flow(CLIENT, BROKER);
    f.handshake(); // not in the capture
    f.sent.c2s = 500; // the capture starts in the middle of the connection, on a packet boundary
    f.sent.s2c = 40;
    const ips = [f.send('c2s', PINGREQ), f.send('s2c', PINGRESP), f.send('c2s', PUB.subarray(0, 10)), f.send('c2s', PUB.subarray(10))];
    expect(brief(run(ips).recs)).toEqual(['1 s0 c0/2', '2 s0 d0/2', `4 s0 32/${PUB.length}`]);
    if (!SKIP_TSHARK) expect(tsharkMqtt(save('nosyn.pcap', ips), [1883])).toEqual(ourMqtt(ips));
  });

  it('numbers streams like tcp.stream, counting non-MQTT connections and port reuse', () => {
    const web = new Flow({ ip: '10.1.1.2', port: 40000 }, { ip: '10.1.1.9', port: 80 });
    const first = new Flow(CLIENT, BROKER, { c2s: 1000, s2c: 5000 });
    const second = new Flow(CLIENT, BROKER, { c2s: 777_777, s2c: 999 }); // same 4-tuple, later
    const other = new Flow({ ip: '10.1.1.3', port: 40002 }, BROKER);
    const ips = [
      ...web.handshake(),
      ...first.handshake(),
      web.send('c2s', new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n')),
      first.send('c2s', connect('one')),
      ...other.handshake(),
      other.send('c2s', connect('two')),
      first.fin('c2s'),
      first.fin('s2c'),
      ...second.handshake(),
      second.send('c2s', connect('three')),
    ];
    const { recs } = run(ips);
    expect(recs.map((r) => [r.frame, r.stream])).toEqual([[8, 1], [12, 2], [18, 3]]);
    if (!SKIP_TSHARK) {
      const path = save('streams.pcap', ips);
      const fields = tshark(['-r', path, '-Y', 'mqtt', '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.stream']);
      expect(fields.trim().split('\n').map((l) => l.split('\t').map(Number))).toEqual([[8, 1], [12, 2], [18, 3]]);
    }
  });

  it('names direction and endpoints, with several broker ports', () => {
    const a = new Flow(CLIENT, BROKER);
    const b = new Flow({ ip: '10.1.1.5', port: 40100 }, { ip: '10.1.1.1', port: 8883 });
    const ips = [...a.handshake(), ...b.handshake(), a.send('c2s', connect('x')), b.send('s2c', CONNACK)];
    const { recs } = run(ips, { ports: [1883, 8883] });
    expect(recs.map((r) => [r.frame, r.stream, r.direction, `${r.src}:${r.srcPort}`, `${r.dst}:${r.dstPort}`])).toEqual([
      [7, 0, 'toBroker', '10.1.1.2:40001', '10.1.1.1:1883'],
      [8, 1, 'toClient', '10.1.1.1:8883', '10.1.1.5:40100'],
    ]);
    expect(run(ips).recs.map((r) => r.frame)).toEqual([7]);
  });

  it('reports a packet cut off by a segment the capture missed, and marks everything after it', () => {
    const f = new Flow(CLIENT, BROKER);
    const c = connect('gap');
    const ips = [
      ...f.handshake(),
      f.send('c2s', c),
      f.send('c2s', PUB.subarray(0, 100)),
      (f.send('c2s', PUB.subarray(100, 200)), f.ack('s2c', c.length + 200)), // segment lost; broker ACKs it
      f.send('c2s', PUB.subarray(200)),
      f.send('c2s', PINGREQ),
    ];
    const { recs, notes } = run(ips);
    expect(brief(recs)).toEqual([
      `4 s0 10/${c.length}`,
      '6 s0 32/100 broken: 100 bytes of TCP data not captured (the peer acknowledged them, so the capture missed them); the gap came 100 bytes into a 310-byte PUBLISH',
      `7 s0 70/${PUB.length - 200} broken: follows 100 bytes of TCP data not captured (the peer acknowledged them, so the capture missed them); packet boundaries after the gap are unknown`,
      '8 s0 c0/2 broken: stream already broken',
    ]);
    expect(notes).toEqual([{ frame: 6, message: 'tcp.stream 0 10.1.1.2:40001 → 10.1.1.1:1883: 100 bytes of TCP data not captured (the peer acknowledged them, so the capture missed them)' }]);
  });

  it('reports bytes stranded behind a gap when the capture ends, after everything else', () => {
    const f = new Flow(CLIENT, BROKER);
    const c = connect('end');
    const ips = [...f.handshake(), f.send('c2s', c), f.at('c2s', c.length + 10, PUB.subarray(10, 50)), f.send('s2c', CONNACK)];
    expect(brief(run(ips).recs)).toEqual([
      `4 s0 10/${c.length}`,
      '6 s0 20/4',
      `5 s0 70/40 broken: follows 10 bytes of TCP data not captured (the capture ended without them); packet boundaries after the gap are unknown`,
    ]);
  });

  it('reports a packet still incomplete when the capture ends or the connection closes', () => {
    const f = new Flow(CLIENT, BROKER);
    const g = new Flow({ ip: '10.1.1.7', port: 40007 }, BROKER);
    const ips = [
      ...f.handshake(),
      f.send('c2s', PUB.subarray(0, 3)),
      ...g.handshake(),
      g.send('c2s', PUB.subarray(0, 10)),
      g.fin('c2s'),
      g.send('s2c', CONNACK),
    ];
    expect(brief(run(ips).recs)).toEqual([
      '9 s1 32/10 broken: connection closed 10 bytes into a 310-byte PUBLISH',
      '10 s1 20/4',
      '4 s0 32/3 broken: capture ended 3 bytes into a 310-byte PUBLISH',
    ]);
  });

  it('passes on what the framer cannot frame', () => {
    const f = new Flow(CLIENT, BROKER);
    const ips = [...f.handshake(), f.send('c2s', PUB), f.send('c2s', PINGREQ)];
    expect(brief(run(ips, { maxPacketSize: 100 }).recs)).toEqual([
      '4 s0 32/310 broken: PUBLISH announces 310 bytes in total, more than the maximum packet size of 100 bytes; its body was not read',
      '5 s0 c0/2 broken: stream already broken',
    ]);
  });

  it('skips IPv4 fragments with a note and reads IPv4 packets with options', () => {
    const f = new Flow(CLIENT, BROKER);
    const withOptions = (ip: Uint8Array) => {
      // 4 bytes of options (NOP NOP NOP EOL): IHL 6, total length + 4
      const out = concat([ip.subarray(0, 20), Uint8Array.of(1, 1, 1, 0), ip.subarray(20)]);
      out[0] = 0x46;
      new DataView(out.buffer).setUint16(2, ip.length + 4);
      return out;
    };
    const fragment = f.at('c2s', 0, PINGREQ);
    fragment[6] = 0x20; // more fragments
    const ips = [...f.handshake(), fragment, withOptions(f.send('c2s', connect('opt')))];
    const { recs, notes } = run(ips);
    expect(brief(recs)).toEqual(['5 s0 10/17']);
    expect(notes).toEqual([{ frame: 4, message: 'IPv4 fragment (id 0x0001, offset 0, more follow) skipped: fragments are not reassembled' }]);
  });

  it('steps over IPv6 extension headers', () => {
    const f = new Flow({ ip: 'fe80::2', port: 40001 }, { ip: 'fe80::1', port: 1883 });
    const withHopByHop = (ip: Uint8Array) => {
      const out = concat([ip.subarray(0, 40), Uint8Array.of(6, 0, 1, 4, 0, 0, 0, 0), ip.subarray(40)]);
      out[6] = 0; // next header: hop-by-hop options
      new DataView(out.buffer).setUint16(4, ip.length - 40 + 8);
      return out;
    };
    const ips = [...f.handshake(), withHopByHop(f.send('c2s', connect('v6')))];
    expect(run(ips).recs.map((r) => [r.frame, r.src, r.dst])).toEqual([[4, 'fe80::2', 'fe80::1']]);
    if (!SKIP_TSHARK) expect(tsharkMqtt(save('v6ext.pcap', ips), [1883])).toEqual(ourMqtt(ips));
  });

  it('notes TCP payload cut by the snap length', () => {
    const f = new Flow(CLIENT, BROKER);
    const full = f.send('c2s', PUB);
    const ips = [...f.handshake(), full.subarray(0, 100), f.send('c2s', PINGREQ)];
    const { recs, notes } = run(ips);
    expect(notes[0]).toEqual({ frame: 4, message: '250 bytes of TCP payload were not captured (snap length)' });
    expect(brief(recs)[0]).toBe('5 s0 32/60 broken: 250 bytes of TCP data not captured (the capture ended without them); the gap came 60 bytes into a 310-byte PUBLISH');
  });
});
