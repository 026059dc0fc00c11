// One direction's way out of the tap, on a hand-moved clock: order is kept behind a waiting packet, a delay
// releases itself after exactly its ms, a hold waits for its release and then says how long it waited.
import { describe, expect, it } from 'vitest';
import { Outbox } from '../../src/core/tap/outbox.js';
import type { PacketRecord } from '../../src/shared/lab.js';
import { ManualClock } from '../support/manual-clock.js';

function rig() {
  const clock = new ManualClock();
  const wrote: number[] = [];
  const updated: PacketRecord[] = [];
  let drained = 0;
  const box = new Outbox('toBroker', {
    clock,
    write: (b) => wrote.push(b[0]!),
    updated: (r) => updated.push(r),
    drained: () => drained++,
  });
  return { clock, wrote, updated, box, drainedCount: () => drained };
}
const bytes = (tag: number, n = 4): Uint8Array => new Uint8Array(n).fill(tag);
/** A record as the tap makes it; only its fault matters here. */
const rec = (fault: PacketRecord['fault']): PacketRecord => ({ seq: 1, time: 0, connId: 1, direction: 'toBroker', bytes: bytes(0), fault } as PacketRecord);

describe('outbox', () => {
  it('sends at once while nothing waits', () => {
    const { box, wrote } = rig();
    box.send(bytes(1));
    box.send(bytes(2));
    expect(wrote).toEqual([1, 2]);
    expect([box.length, box.bytes]).toEqual([0, 0]);
  });

  it('a delay holds up what follows, and lets it all go after exactly its ms', () => {
    const { box, wrote, clock, updated } = rig();
    const delayed = rec({ action: 'delay', ms: 300 });
    box.wait(delayed, bytes(1), 300);
    box.send(bytes(2, 10));
    expect(wrote).toEqual([]);
    expect([box.length, box.bytes]).toEqual([2, 14]);
    clock.advance(299);
    expect(wrote).toEqual([]);
    clock.advance(1);
    expect(wrote).toEqual([1, 2]);
    expect([box.length, box.bytes, clock.pending]).toEqual([0, 0, 0]);
    // Its record keeps the rule's delay: nothing to update.
    expect(updated).toEqual([]);
    expect(delayed.fault).toEqual({ action: 'delay', ms: 300 });
  });

  it('a hold waits for its release, however long; the record then says how long', () => {
    const { box, wrote, clock, updated, drainedCount } = rig();
    const held = rec({ action: 'hold', ruleId: 'h' });
    const p = box.wait(held, bytes(1));
    box.send(bytes(2));
    clock.advance(3_600_000);
    expect(wrote).toEqual([]);
    p.release();
    expect(wrote).toEqual([1, 2]);
    expect(updated).toEqual([held]);
    expect(held.fault).toEqual({ action: 'hold', ruleId: 'h', released: true, ms: 3_600_000 });
    expect(drainedCount()).toBe(1);
    p.release(); // a second release does nothing
    expect(wrote).toEqual([1, 2]);
  });

  it('a later packet released first waits for the earlier one: TCP order', () => {
    const { box, wrote } = rig();
    const a = box.wait(rec({ action: 'step' }), bytes(1));
    const b = box.wait(rec({ action: 'step' }), bytes(2));
    box.send(bytes(3));
    b.release();
    expect(wrote).toEqual([]);
    a.release();
    expect(wrote).toEqual([1, 2, 3]);
  });

  it('discard throws away what waits, stops its timers, and says whether a person could have released one', () => {
    const { box, wrote, clock } = rig();
    box.wait(rec({ action: 'delay', ms: 10 }), bytes(1), 10);
    expect(box.discard()).toBe(false);
    expect(clock.pending).toBe(0);
    const p = box.wait(rec({ action: 'hold' }), bytes(2));
    expect(box.discard()).toBe(true);
    p.release();
    clock.advance(100);
    expect(wrote).toEqual([]);
    expect([box.length, box.bytes]).toEqual([0, 0]);
  });
});
