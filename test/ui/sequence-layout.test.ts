import { describe, expect, it } from 'vitest';
import type { PacketSummary, WirePacket } from '../../src/shared/api.js';
import type { Direction, FaultRecord } from '../../src/shared/lab.js';
import { encodePacket, summaryOf, type PacketSpec } from './support/real-packets.js';
import { SequenceLayout } from '../../src/renderer/lib/sequence-layout.js';
import { laneGeometry, lanesThatFit, visibleParts } from '../../src/renderer/lib/sequence-geometry.js';
import type { TimelineNote } from '../../src/renderer/state/capture.svelte.js';
import { decodeHttp } from '../../src/core/http/http-decode.js';

let seq = 0;
function pkt(clientId: string, direction: Direction, p: PacketSpec, fault?: FaultRecord, connId = 1): PacketSummary {
  const { bytes, decoded } = encodePacket(p, 4);
  const w: WirePacket = { seq: ++seq, time: seq * 10, connId, clientId, direction, bytes, decoded };
  if (fault) w.fault = fault;
  return summaryOf(w);
}
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const pub = (topic: string, qos: number, packetId?: number, dup = false): PacketSpec =>
  ({ type: 'PUBLISH', topic, payload: enc('1'), qos, retain: false, dup, packetId }) as PacketSpec;

function note(n: Partial<TimelineNote> & Pick<TimelineNote, 'lane' | 'kind'>): TimelineNote {
  return { id: 1, afterSeq: seq, time: seq * 10 + 1, text: '', ...n };
}

describe('sequence layout', () => {
  it('gives each client a lane in order of appearance, learning ids from CONNECT', () => {
    const l = new SequenceLayout(() => 0);
    const { bytes, decoded } = encodePacket({ type: 'CONNECT', clientId: 'sensor', version: 4, clean: true, keepalive: 60 });
    l.append([
      summaryOf({ seq: ++seq, time: 0, connId: 7, direction: 'toBroker', bytes, decoded }),
      { ...pkt('x', 'toClient', { type: 'CONNACK', sessionPresent: false, code: 0 }, undefined, 7), clientId: undefined } as PacketSummary,
      pkt('display', 'toBroker', { type: 'PINGREQ' }, undefined, 8),
    ]);
    expect(l.lanes).toEqual(['sensor', 'display']);
    expect(l.rows.map((r) => r.lane)).toEqual(['sensor', 'sensor', 'display']);
    expect(l.rows.map((r) => r.label)).toEqual(['CONNECT sensor', 'CONNACK rc0', 'PINGREQ']);
  });

  it('groups a QoS 2 exchange by packet id, and keeps two directions apart', () => {
    const l = new SequenceLayout(() => 0);
    l.append([
      pkt('a', 'toBroker', pub('t', 2, 7)),
      pkt('a', 'toClient', { type: 'PUBREC', packetId: 7 }),
      pkt('b', 'toClient', pub('t', 2, 7)),
      pkt('a', 'toBroker', { type: 'PUBREL', packetId: 7 }),
      pkt('b', 'toBroker', { type: 'PUBREC', packetId: 7 }),
      pkt('a', 'toClient', { type: 'PUBCOMP', packetId: 7 }),
      pkt('b', 'toClient', { type: 'PUBREL', packetId: 7 }),
      pkt('b', 'toBroker', { type: 'PUBCOMP', packetId: 7 }),
    ]);
    expect(l.groups).toHaveLength(2);
    const [ga, gb] = l.groups;
    expect(ga).toMatchObject({ lane: 'a', qos: 2, packetId: 7, toBroker: true, firstRow: 0, lastRow: 5, done: true, depth: 0 });
    expect(gb).toMatchObject({ lane: 'b', qos: 2, toBroker: false, firstRow: 2, lastRow: 7, done: true, depth: 1 });
    expect(l.rows.map((r) => r.group?.id)).toEqual([ga!.id, ga!.id, gb!.id, ga!.id, gb!.id, ga!.id, gb!.id, gb!.id]);
    expect(l.groupsIn(6, 7).map((g) => g.lane)).toEqual(['b']);
    expect(l.groupsIn(0, 2).map((g) => g.lane).sort()).toEqual(['a', 'b']);
  });

  it('leaves an exchange open when its ack is dropped, and closes it on the DUP resend after reconnecting', () => {
    const l = new SequenceLayout(() => 0);
    l.append([
      pkt('s', 'toBroker', pub('t', 1, 3)),
      pkt('s', 'toClient', { type: 'PUBACK', packetId: 3 }, { action: 'drop' }),
    ]);
    expect(l.groups[0]).toMatchObject({ done: false });
    l.append([
      pkt('s', 'toBroker', pub('t', 1, 3, true), undefined, 2),
      pkt('s', 'toClient', { type: 'PUBACK', packetId: 3 }, undefined, 2),
    ]);
    expect(l.groups).toHaveLength(1);
    expect(l.groups[0]).toMatchObject({ firstRow: 0, lastRow: 3, done: true, abandoned: false });
  });

  it('marks a new PUBLISH reusing an unfinished id as abandoning the old exchange', () => {
    const l = new SequenceLayout(() => 0);
    l.append([pkt('s', 'toBroker', pub('t', 1, 3)), pkt('s', 'toBroker', pub('t', 1, 3))]);
    expect(l.groups.map((g) => g.abandoned)).toEqual([true, false]);
  });

  it('recognises the Last Will delivered after an ungraceful end, and not after DISCONNECT', () => {
    const will = { topic: 'home/door/status', payload: 'offline', qos: 1, retain: false };
    const l = new SequenceLayout(() => 0);
    l.append([pkt('door', 'toBroker', { type: 'CONNECT', clientId: 'door', version: 4, clean: true, keepalive: 60, will })]);
    l.append([], [note({ lane: 'door', kind: 'ended', ungraceful: true })]);
    l.append([pkt('monitor', 'toClient', pub('home/door/status', 1, 1)), pkt('monitor', 'toClient', pub('home/other', 0))]);
    expect(l.rows.filter((r) => r.p).map((r) => r.willOf)).toEqual([undefined, 'door', undefined]);

    const g = new SequenceLayout(() => 0);
    g.append([
      pkt('door', 'toBroker', { type: 'CONNECT', clientId: 'door', version: 4, clean: true, keepalive: 60, will }),
      pkt('door', 'toBroker', { type: 'DISCONNECT' }),
    ]);
    g.append([], [note({ lane: 'door', kind: 'ended', ungraceful: false })]);
    g.append([pkt('monitor', 'toClient', pub('home/door/status', 1, 1))]);
    expect(g.rows.at(-1)!.willOf).toBeUndefined();
  });

  it('takes the broker\'s will-published event as proof too', () => {
    const l = new SequenceLayout(() => 0);
    l.append([], [note({ lane: 'x', kind: 'will', willTopic: 'a/b' })]);
    l.append([pkt('m', 'toClient', pub('a/b', 0))]);
    expect(l.rows.at(-1)!.willOf).toBe('x');
  });

  it('gives overlapping exchanges side-by-side bracket slots, and frees a slot when its exchange ends', () => {
    const l = new SequenceLayout(() => 0);
    l.append([pkt('a', 'toBroker', pub('t', 1, 1)), pkt('b', 'toBroker', pub('t', 1, 1)), pkt('c', 'toBroker', pub('t', 1, 2))]);
    expect(l.groups.map((g) => g.depth)).toEqual([0, 1, 2]);
    l.append([pkt('b', 'toClient', { type: 'PUBACK', packetId: 1 }), pkt('d', 'toBroker', pub('t', 1, 5))]);
    expect(l.groups.at(-1)!.depth).toBe(1);
    // An exchange untouched for 40 rows (its ack lost) no longer holds its slot.
    l.append(Array.from({ length: 40 }, () => pkt('e', 'toBroker', pub('t', 0))));
    l.append([pkt('f', 'toBroker', pub('t', 1, 9))]);
    expect(l.groups.at(-1)!.depth).toBe(0);
  });

  it('sheds its oldest rows in place as if it had been laid out from the rest', () => {
    const packets: PacketSummary[] = [];
    for (let i = 0; i < 30; i++) {
      const c = `c${i % 3}`;
      packets.push(pkt(c, 'toBroker', pub(`t/${i}`, i % 2, i % 2 ? 100 + i : undefined)));
      if (i % 2) packets.push(pkt(c, 'toClient', { type: 'PUBACK', packetId: 100 + i }));
    }
    packets.push(pkt('late', 'toBroker', pub('t', 1, 7)));
    const shedded = new SequenceLayout(() => 0);
    shedded.append(packets);
    // Cut between a PUBLISH and its PUBACK: the PUBACK kept must lose its bracket, as in a fresh layout.
    const cut = packets.findIndex((p) => p.type === 'PUBACK');
    shedded.shed(cut);
    const fresh = new SequenceLayout(() => 0);
    fresh.append(packets.slice(cut));
    const view = (l: SequenceLayout): unknown => l.rows.map((r) => [r.row, r.p?.seq, r.lane, r.label, r.group && [r.group.firstRow, r.group.lastRow, r.group.done, r.group.depth]]);
    expect(view(shedded)).toEqual(view(fresh));
    expect(new Set(shedded.lanes)).toEqual(new Set(fresh.lanes));
    expect([...shedded.lastTimeOf]).toEqual([...fresh.lastTimeOf]);
    expect(shedded.groups.map((g) => [g.firstRow, g.lastRow, g.done])).toEqual(fresh.groups.map((g) => [g.firstRow, g.lastRow, g.done]));
    expect(shedded.rowOfSeq(packets.at(-1)!.seq)?.row).toBe(packets.length - cut - 1);
    expect(shedded.rowOfSeq(packets[0]!.seq)).toBeUndefined();
    // Exchanges go on after the cut: the open one closes, a new one groups.
    const more = [pkt('late', 'toClient', { type: 'PUBACK', packetId: 7 }), pkt('c0', 'toBroker', pub('x', 1, 3)), pkt('c0', 'toClient', { type: 'PUBACK', packetId: 3 })];
    shedded.append(more);
    fresh.append(more);
    expect(view(shedded)).toEqual(view(fresh));
  });

  it('places notes after the packet they follow', () => {
    const l = new SequenceLayout(() => 0);
    const a = pkt('s', 'toBroker', { type: 'PINGREQ' });
    const b = pkt('s', 'toClient', { type: 'PINGRESP' });
    l.append([a, b], [note({ lane: 's', kind: 'info', afterSeq: a.seq, text: 'between' })]);
    expect(l.rows.map((r) => r.note?.text ?? r.label)).toEqual(['PINGREQ', 'between', 'PINGRESP']);
  });
});

describe('sequence geometry', () => {
  const frame = { width: 1000, rem: 16, rowH: 32, headerH: 0 };

  it('puts client lanes left of the tap, and the tap left of the broker', () => {
    const g = laneGeometry(['a', 'b', 'c'], frame);
    const xs = g.lanes.map((l) => l.x);
    expect(xs).toEqual([...xs].sort((p, q) => p - q));
    expect(Math.max(...xs)).toBeLessThan(g.tapX - g.tapW / 2);
    expect(g.tapX).toBeLessThan(g.brokerX);
    expect(g.contentWidth).toBe(1000);
  });

  it('stops a dropped packet at the tap, slants a delayed one and bends a held one', () => {
    const l = new SequenceLayout(() => 0);
    l.append([
      pkt('a', 'toBroker', pub('t', 0), { action: 'drop' }),
      pkt('a', 'toBroker', pub('t', 0), { action: 'delay', ms: 1000 }),
      pkt('a', 'toBroker', pub('t', 0), { action: 'step' }),
      pkt('a', 'toBroker', pub('t', 0), { action: 'hold', released: true, ms: 25 }),
      pkt('a', 'toBroker', { type: 'PINGREQ' }),
      pkt('a', 'toBroker', { type: 'PINGREQ' }),
      pkt('a', 'toBroker', { type: 'PINGREQ' }),
    ]);
    const g = laneGeometry(l.lanes, frame);
    const parts = visibleParts(l, g, frame, 0, 600, String, 0);
    const [drop, delay, waiting, released, plain] = parts.arrows;
    expect(drop!.kind).toBe('drop');
    expect(drop!.stop).toEqual({ x: g.tapX, y: drop!.y });
    expect(drop!.head).toBeUndefined();
    expect(delay!.kind).toBe('delay');
    expect(delay!.d.split('L')).toHaveLength(3);
    expect(waiting!.kind).toBe('waiting');
    expect(waiting!.stop).toBeDefined();
    expect(released!.kind).toBe('released');
    // Released 25 ms after its own time (row 3 at t=…): the arrow comes down the tap to a later row.
    const endY = Number(/(-?[\d.]+)$/.exec(released!.d)![1]);
    expect(endY).toBeGreaterThan(released!.y);
    // Drawn in pieces: to the tap on its own row, a wait down the tap, then on to the broker where it was released.
    expect(released!.split).toEqual({
      toTap: `M${g.laneX('a')},${released!.y} L${g.tapX},${released!.y}`,
      wait: `M${g.tapX},${released!.y} L${g.tapX},${endY}`,
      onward: `M${g.tapX},${endY} L${g.brokerX},${endY}`,
      waitMidY: (released!.y + endY) / 2,
    });
    expect(released!.faultLabel).toBe('held 25 ms');
    expect(released!.faultY).toBeGreaterThan(released!.y);
    expect(delay!.split).toBeUndefined();
    expect(plain!.kind).toBe('normal');
    expect(plain!.d).toBe(`M${g.laneX('a')},${plain!.y} L${g.brokerX},${plain!.y}`);
  });

  it('draws a folded client on its group lane, its arrows tagged with its own name', () => {
    const l = new SequenceLayout(() => 0);
    l.append([pkt('student-007', 'toBroker', pub('t', 0), undefined, 3), pkt('lecturer', 'toBroker', { type: 'PINGREQ' }, undefined, 4)]);
    const of = new Map([['student-007', 'G'], ['lecturer', 'lecturer']]);
    const g = laneGeometry(['G', 'lecturer'], frame, of, (k) => k.slice('student-'.length));
    expect(g.laneX('student-007')).toBe(g.lanes[0]!.x);
    const [folded, own] = visibleParts(l, g, frame, 0, 600, String, 0).arrows;
    expect(folded!.member).toBe('007');
    expect(folded!.d.startsWith(`M${g.lanes[0]!.x},`)).toBe(true);
    expect(own!.member).toBeUndefined();
  });

  it('draws HTTP between its client and a web server lane of its own, MQTT still to the broker', () => {
    const l = new SequenceLayout(() => 0);
    /** An HTTP message as the HTTP tap records it: its bytes, decoded by the lab's HTTP decoder. */
    const http = (clientId: string, direction: Direction, text: string): PacketSummary => {
      const bytes = new TextEncoder().encode(text);
      return summaryOf({ seq: ++seq, time: seq * 10, connId: 9, clientId, direction, bytes: Buffer.from(bytes).toString('hex'), decoded: decodeHttp(bytes) });
    };
    l.append([pkt('cuff', 'toBroker', pub('ward7/bp', 0), undefined, 8)]);
    expect(l.hasHttp).toBe(false);
    l.append([
      http('poller', 'toBroker', 'GET /readings?after=0 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'),
      http('poller', 'toClient', 'HTTP/1.1 204 No Content\r\n\r\n'),
    ]);
    expect(l.hasHttp).toBe(true);
    expect(l.rows.slice(1).map((r) => r.p!.type)).toEqual(['HTTP', 'HTTP']);
    const plain = laneGeometry(l.lanes, frame);
    expect(plain.webX).toBeUndefined();
    const web = { ...frame, web: true };
    const g = laneGeometry(l.lanes, web);
    expect(g.webX).toBeGreaterThan(g.brokerX + 7 * frame.rem);
    expect(g.webX).toBeLessThanOrEqual(g.contentWidth);
    const [mqtt, req, res] = visibleParts(l, g, web, 0, 600, String, 0).arrows;
    expect(mqtt!.d).toBe(`M${g.laneX('cuff')},${mqtt!.y} L${g.brokerX},${mqtt!.y}`);
    expect(req!.d).toBe(`M${g.laneX('poller')},${req!.y} L${g.webX},${req!.y}`);
    expect(res!.d).toBe(`M${g.webX},${res!.y} L${g.laneX('poller')},${res!.y}`);
    // The web server's lane takes room: one lane fewer fits before the diagram scrolls sideways.
    expect(lanesThatFit({ ...frame, width: 1600, web: true })).toBeLessThan(lanesThatFit({ ...frame, width: 1600 }));
  });

  describe('pacing a burst', () => {
    const ping = (): PacketSummary => pkt('a', 'toBroker', { type: 'PINGREQ' });
    /** Whether every row appears no earlier than the one before it and no later than lastAppearAt. */
    const inOrder = (l: SequenceLayout): void => {
      const at = l.rows.map((r) => r.addedAt);
      for (let i = 1; i < at.length; i++) expect(at[i], `row ${i} of ${JSON.stringify(at)}`).toBeGreaterThanOrEqual(at[i - 1]!);
      expect(Math.max(...at)).toBeLessThanOrEqual(l.lastAppearAt);
    };

    it('draws packets that arrive together one pace apart, the whole of a QoS 2 exchange through the broker', () => {
      let t = 1000;
      const l = new SequenceLayout(() => t);
      l.pace = 600;
      l.append(Array.from({ length: 8 }, ping));
      expect(l.rows.map((r) => r.addedAt - 1000)).toEqual([0, 600, 1200, 1800, 2400, 3000, 3600, 4200]);
      t += 5000;
      l.append([ping()]);
      expect(l.rows.at(-1)!.addedAt).toBe(6000);
      inOrder(l);
    });

    it('drops a backlog too long to wait for whole: rows still pending appear now, in seq order', () => {
      let t = 0;
      const l = new SequenceLayout(() => t);
      l.pace = 600;
      l.append(Array.from({ length: 8 }, ping));
      t = 50;
      l.append([ping()]);
      expect(l.rows.at(-1)!.addedAt).toBe(4800);
      t = 60;
      // The backlog before this row is 4740 ms, more than 7 paces: it and every row not yet drawn appear now.
      l.append([ping()]);
      expect(l.rows.map((r) => r.addedAt)).toEqual([0, 60, 60, 60, 60, 60, 60, 60, 60, 60]);
      expect(l.lastAppearAt).toBe(60);
      inOrder(l);
      // Pacing starts again from there.
      l.append([ping(), ping()]);
      expect(l.rows.slice(-2).map((r) => r.addedAt)).toEqual([660, 1260]);
      inOrder(l);
    });

    it('keeps seq order when the pace is set to "as they come" while rows are pending', () => {
      let t = 0;
      const l = new SequenceLayout(() => t);
      l.pace = 1500;
      l.append([ping(), ping(), ping()]);
      t = 10;
      l.pace = 0;
      l.append([ping()]);
      expect(l.rows.map((r) => r.addedAt)).toEqual([0, 10, 10, 10]);
      inOrder(l);
    });

    it('lets a slow pace hold a whole QoS 2 exchange, and stays in order through a long random stream', () => {
      let t = 0;
      const l = new SequenceLayout(() => t);
      l.pace = 1500;
      l.append(Array.from({ length: 8 }, ping));
      expect(l.rows.at(-1)!.addedAt).toBe(7 * 1500);
      let r = 7;
      const rnd = (): number => ((r = (r * 1103515245 + 12345) % 2147483648) / 2147483648);
      for (let i = 0; i < 400; i++) {
        t += Math.floor(rnd() * 900);
        if (i % 50 === 0) l.pace = [0, 150, 600, 1500][i % 4]!;
        l.append(Array.from({ length: Math.floor(rnd() * 4) }, ping));
        inOrder(l);
        expect(l.lastAppearAt - t).toBeLessThanOrEqual(Math.max(4000, 7 * l.pace) + l.pace);
      }
    });
  });

  it('computes only the rows in view', () => {
    const l = new SequenceLayout(() => 0);
    l.append(Array.from({ length: 10_000 }, () => pkt('a', 'toBroker', { type: 'PINGREQ' })));
    const g = laneGeometry(l.lanes, frame);
    const parts = visibleParts(l, g, frame, 5000 * 32, 320, String, 0);
    expect(parts.arrows.length).toBeLessThan(25);
    expect(parts.arrows[0]!.key).toBeGreaterThan(4980);
  });
});
