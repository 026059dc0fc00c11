// The stream's frame codec over real summaries: what goes in comes out, field for field, and a burst of PUBACKs
// and 64-byte PUBLISH costs what the issue allows.
import { beforeAll, describe, expect, it } from 'vitest';
import type { PacketSummary } from '../../src/shared/api.js';
import { decodeFrame, FrameEncoder, isStreamFrame } from '../../src/shared/event-stream/index.js';
import { publishBurst, variedSession } from './real-summaries.js';

function roundTrip(events: Array<{ event: string; data: unknown }>): { text: string; out: Array<{ event: string; data: unknown }> } {
  const enc = new FrameEncoder();
  for (const e of events) {
    if (e.event === 'packet' || e.event === 'packet-update') enc.addPacket(e.data as PacketSummary, e.event === 'packet-update');
    else enc.addEvent(e.event, e.data);
  }
  const text = enc.finish();
  expect(text.length).toBeLessThanOrEqual(enc.bytes);
  const frame: unknown = JSON.parse(text);
  expect(isStreamFrame(frame)).toBe(true);
  const out: Array<{ event: string; data: unknown }> = [];
  decodeFrame(frame as never, (event, data) => out.push({ event, data }));
  return { text, out };
}

let varied: PacketSummary[] = [];
let burst: PacketSummary[] = [];
beforeAll(async () => {
  varied = await variedSession();
  burst = await publishBurst(2000);
}, 60_000);

describe('stream frame codec', () => {
  it('gives back every summary of a varied real session exactly, with other events in between', () => {
    expect(varied.length).toBeGreaterThan(20);
    const types = new Set(varied.map((p) => p.type));
    for (const t of ['CONNECT', 'CONNACK', 'SUBSCRIBE', 'SUBACK', 'PUBLISH', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP', 'UNSUBSCRIBE', 'UNSUBACK', 'DISCONNECT']) {
      expect(types, t).toContain(t);
    }
    // The malformed CONNECT and the topic holding the template's own marker characters are in the capture.
    expect(varied.some((p) => p.summary.includes('[malformed'))).toBe(true);
    expect(varied.some((p) => p.summary.includes('\u0001mark\u0002'))).toBe(true);
    const events: Array<{ event: string; data: unknown }> = varied.flatMap((p, i) => [
      { event: 'packet', data: p },
      ...(i % 5 === 0 ? [{ event: 'connection', data: { connId: p.connId, remote: '127.0.0.1:1', state: 'open', since: p.time } }] : []),
      ...(i % 7 === 0 ? [{ event: 'packet-update', data: { ...p, fault: { action: 'delay', ms: 250 }, issues: 2, severity: 'warning' } }] : []),
    ]);
    events.push({ event: 'missed', data: { fromSeq: 10, toSeq: 12 } }, { event: 'cleared', data: null });
    const { out } = roundTrip(events);
    // toStrictEqual: no key gained, lost or turned undefined on the way.
    expect(out).toStrictEqual(events);
  });

  it('forgets what a row taken back added (strings, head, shape), and tells an info key from a summary key of one name', () => {
    const [a, b, c] = varied.filter((p) => p.type === 'PUBLISH');
    const odd = { ...b!, connId: 999, info: { ...b!.info, qos: undefined, retain: 'x' }, payloadCut: true } as unknown as PacketSummary;
    const enc = new FrameEncoder();
    enc.addPacket(a!, false);
    const mark = enc.checkpoint();
    enc.addPacket(odd, false);
    // Two heads of one connection go back together.
    enc.addPacket({ ...odd, clientId: 'other' }, false);
    enc.rollback(mark);
    enc.addPacket(c!, false);
    // The same odd row again, and one whose summary (not its info) holds `retain`.
    enc.addPacket(odd, true);
    const twin = { ...c!, retain: 'x' } as unknown as PacketSummary;
    enc.addPacket(twin, false);
    const text = enc.finish();
    expect(text.length).toBeLessThanOrEqual(enc.bytes);
    const frame = JSON.parse(text) as { k: string[][] };
    const out: Array<{ event: string; data: unknown }> = [];
    decodeFrame(frame as never, (event, data) => out.push({ event, data }));
    expect(out).toStrictEqual([
      { event: 'packet', data: a },
      { event: 'packet', data: c },
      { event: 'packet-update', data: JSON.parse(JSON.stringify(odd)) },
      { event: 'packet', data: twin },
    ]);
    // Shapes listed once each: the one taken back is listed again only because a kept row uses it.
    expect(new Set(frame.k.map((k) => k.join())).size).toBe(frame.k.length);
  });

  it('packs each summary on its own too (first row of a frame: whole seq and time)', () => {
    for (const p of varied) expect(roundTrip([{ event: 'packet', data: p }]).out[0]!.data).toStrictEqual(p);
  });

  it('keeps times that are not whole 2^-12 ms steps apart exact', () => {
    const p = burst[0]!;
    const odd = [p, { ...p, seq: p.seq + 1, time: p.time + 0.1 }, { ...p, seq: p.seq + 2, time: 1e-7 }, { ...p, seq: p.seq + 3, time: Date.now() + Math.PI }];
    const { out } = roundTrip(odd.map((data) => ({ event: 'packet', data })));
    expect(out.map((e) => e.data)).toStrictEqual(odd);
  });

  it('costs at most 120 bytes per PUBACK and 200 per 64-byte PUBLISH in a tick-sized frame', () => {
    const pubs = burst.filter((p) => p.type === 'PUBLISH' && p.info.payloadLength === 64);
    const acks = burst.filter((p) => p.type === 'PUBACK');
    expect(pubs.length).toBe(2000);
    expect(acks.length).toBe(2000);
    // 10,000 packets/s in 16 ms ticks: 160 packets a frame.
    const perPacket = (ps: PacketSummary[]): number => {
      let bytes = 0;
      for (let i = 0; i < ps.length; i += 160) bytes += roundTrip(ps.slice(i, i + 160).map((data) => ({ event: 'packet', data }))).text.length;
      return bytes / ps.length;
    };
    const ack = perPacket(acks);
    const pub = perPacket(pubs);
    expect(ack).toBeLessThanOrEqual(120);
    expect(pub).toBeLessThanOrEqual(200);
    // Far below what the same summaries cost as JSON objects.
    expect(ack).toBeLessThan(JSON.stringify(acks[0]).length / 2);
  });

  it('says which frame it cannot read instead of making up packets', () => {
    const { text } = roundTrip([{ event: 'packet', data: burst[0] }]);
    const frame = JSON.parse(text) as { h: unknown[] };
    frame.h = [];
    expect(() => decodeFrame(frame as never, () => undefined)).toThrow(/head not in the frame/);
  });
});
