// Which element draws which arrow (sequence-slots.ts), over arrows the real geometry made from packets that
// mqtt-packet encoded and the dissector decoded: arrows on screen keep their elements when the pace changes,
// only arrows that draw themselves in get new ones, and a burst reuses the elements of arrows that left.
import { describe, expect, it } from 'vitest';
import type { PacketSummary, WirePacket } from '../../src/shared/api.js';
import { encodePacket, summaryOf } from './support/real-packets.js';
import { SequenceLayout } from '../../src/renderer/lib/sequence-layout.js';
import { laneGeometry, visibleParts, type ArrowVM, type Frame } from '../../src/renderer/lib/sequence-geometry.js';
import { ArrowSlots } from '../../src/renderer/lib/sequence-slots.js';

const frame: Frame = { width: 1200, rem: 16, rowH: 32, headerH: 0, web: false };
const VIEW_H = 10 * frame.rowH;

let seq = 0;
function publish(clientId: string, n: number): PacketSummary {
  const { bytes, decoded } = encodePacket(
    { type: 'PUBLISH', topic: `room/${n}`, payload: new TextEncoder().encode(String(n)), qos: 1, retain: false, dup: false, packetId: (n % 60000) + 1 },
    4,
  );
  const w: WirePacket = { seq: ++seq, time: seq * 5, connId: 1, clientId, direction: 'toBroker', bytes, decoded };
  return summaryOf(w);
}

/** A diagram whose clock the test moves, following its end like the live view. */
function diagram() {
  let clock = 0;
  const layout = new SequenceLayout(() => clock);
  layout.pace = 0;
  const slots = new ArrowSlots();
  return {
    layout,
    at(t: number) {
      clock = t;
    },
    add(n: number, lane = 'a') {
      layout.append(Array.from({ length: n }, (_, i) => publish(lane, seq + i)));
    },
    /** One frame: the arrows in view at the end, with their elements assigned. */
    frame(drawIn: boolean, calm: boolean, top?: number): ArrowVM[] {
      const geo = laneGeometry(layout.lanes, frame);
      const end = Math.max(0, (layout.rows.length + 1) * frame.rowH - VIEW_H);
      const parts = visibleParts(layout, geo, frame, top ?? end, VIEW_H, String, calm ? clock : Infinity);
      slots.assign(parts.arrows, drawIn);
      return parts.arrows;
    },
  };
}

const keysBySeq = (arrows: ArrowVM[]): Map<number, number> => new Map(arrows.map((a) => [a.seq, a.key]));

function expectUniqueKeys(arrows: ArrowVM[]): void {
  expect(new Set(arrows.map((a) => a.key)).size).toBe(arrows.length);
}

describe('arrow element slots', () => {
  it('in a burst, hands the elements of arrows that left the view to the new ones, in their old order', () => {
    const d = diagram();
    d.add(40);
    const first = d.frame(false, false);
    expect(first.length).toBeGreaterThan(8);
    const before = first.map((a) => a.key);
    // Three rows scrolled off, three came in: the arrows still in view keep their elements.
    d.add(3);
    const second = d.frame(false, false);
    expectUniqueKeys(second);
    const kept = keysBySeq(first);
    for (const a of second) if (kept.has(a.seq)) expect(a.key).toBe(kept.get(a.seq));
    expect(new Set(second.map((a) => a.key))).toEqual(new Set(before));
    // A whole view replaced (hundreds of packets in one frame): the same elements, in the same order.
    d.add(200);
    const third = d.frame(false, false);
    expect(third.some((a) => kept.has(a.seq))).toBe(false);
    expect(third.map((a) => a.key)).toEqual(second.map((a) => a.key));
    expect(third.every((a) => !a.fresh)).toBe(true);
  });

  it('keeps every arrow on screen in its element when the burst calms down, and draws in only new arrivals', () => {
    const d = diagram();
    d.at(1000);
    d.add(300);
    const busy = d.frame(false, false);
    // Calm now, a moment after the last burst rows arrived: they are recent but were already drawn.
    d.at(1100);
    const calm = d.frame(true, true);
    expect(calm.map((a) => [a.seq, a.key])).toEqual(busy.map((a) => [a.seq, a.key]));
    expect(calm.filter((a) => a.fresh)).toEqual([]);
    // A new packet at lecture pace: an element never used before, drawn in; the rest stay where they were.
    d.at(1500);
    d.add(1);
    const next = d.frame(true, true);
    const newest = next.at(-1)!;
    expect(newest.seq).toBe(seq);
    expect(newest.fresh).toBe(true);
    expect(busy.map((a) => a.key)).not.toContain(newest.key);
    const old = keysBySeq(busy);
    for (const a of next.slice(0, -1)) {
      expect(a.key).toBe(old.get(a.seq));
      expect(a.fresh).toBe(false);
    }
    expectUniqueKeys(next);
    // It keeps drawing while it is fresh, and ends plain in the same element.
    d.at(1700);
    const drawing = d.frame(true, true).at(-1)!;
    expect([drawing.key, drawing.fresh]).toEqual([newest.key, true]);
    d.at(3000);
    const drawn = d.frame(true, true).at(-1)!;
    expect([drawn.key, drawn.fresh]).toEqual([newest.key, false]);
  });

  it('keeps the elements when a burst starts, and reuses them from then on', () => {
    const d = diagram();
    d.at(0);
    d.add(20);
    const calm = d.frame(true, true);
    d.at(100);
    d.add(2);
    const drawing = d.frame(true, true);
    expect(drawing.slice(-2).every((a) => a.fresh)).toBe(true);
    // Busy: nothing is drawn in any more, and no arrow on screen changes element.
    d.add(2);
    const busy = d.frame(false, false);
    const had = keysBySeq(drawing);
    for (const a of busy) if (had.has(a.seq)) expect(a.key).toBe(had.get(a.seq));
    expect(busy.every((a) => !a.fresh)).toBe(true);
    const used = new Set([...calm, ...drawing].map((a) => a.key));
    expect(busy.every((a) => used.has(a.key))).toBe(true);
  });

  it('draws nothing in while scrolled back, though the traffic is calm', () => {
    const d = diagram();
    d.at(0);
    d.add(60);
    d.frame(true, true);
    d.at(10);
    d.add(1);
    // Scrolled to the top while a new packet arrives: the arrows scrolled into view are shown plainly.
    const back = d.frame(false, true, 0);
    expect(back[0]!.seq).toBeLessThan(seq - 40);
    expect(back.every((a) => !a.fresh)).toBe(true);
    expectUniqueKeys(back);
  });
});
