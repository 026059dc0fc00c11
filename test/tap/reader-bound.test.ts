// The tap's bound on what waits for one client, on a hand-moved clock: a client over the bound that still
// takes bytes keeps its connection, one that has taken nothing for the stall time is cut, and past the hard
// cap any client is cut at once.
import { describe, expect, it } from 'vitest';
import { ReaderBound, type Backlog } from '../../src/core/tap/reader-bound.js';
import { ManualClock } from '../support/manual-clock.js';

const MiB = 1_048_576;

function rig(stallMs = 5000) {
  const clock = new ManualClock();
  const backlog: Backlog = { held: 0, taken: 0 };
  const cuts: string[] = [];
  const bound = new ReaderBound({ soft: 8 * MiB, hard: 64 * MiB, stallMs, clock }, () => ({ ...backlog }), (note) => cuts.push(note));
  return { clock, backlog, cuts, bound };
}

describe('reader bound', () => {
  it('under the bound: nothing is watched', () => {
    const { clock, backlog, cuts, bound } = rig();
    backlog.held = 8 * MiB;
    bound.check();
    expect(clock.pending).toBe(0);
    clock.advance(60_000);
    expect(cuts).toEqual([]);
  });

  it('over the bound and taking nothing: cut after exactly the stall time, saying why', () => {
    const { clock, backlog, cuts, bound } = rig();
    backlog.held = 9 * MiB;
    backlog.taken = 100;
    bound.check();
    bound.check(); // more bytes queued meanwhile do not restart the watch
    clock.advance(4999);
    expect(cuts).toEqual([]);
    clock.advance(1);
    expect(cuts).toEqual(['it did not read for 5 s: 9.0 MiB from the broker waited for it at the tap (limit 8.0 MiB)']);
    // Cut once: later checks and time do nothing.
    bound.check();
    clock.advance(60_000);
    expect(cuts).toHaveLength(1);
  });

  it('over the bound but still reading, however slowly: never cut below the hard cap', () => {
    const { clock, backlog, cuts, bound } = rig();
    backlog.held = 20 * MiB;
    bound.check();
    for (let i = 0; i < 12; i++) {
      // One kilobyte taken per stall period, while the backlog grows: slow, but reading.
      clock.advance(2500);
      backlog.taken += 1024;
      backlog.held += MiB;
      bound.check();
      clock.advance(2500);
    }
    expect(cuts).toEqual([]);
    // Then it stops: one stall period later it is cut.
    clock.advance(5000);
    expect(cuts).toHaveLength(1);
    expect(cuts[0]).toMatch(/^it did not read for 5 s: 32\.0 MiB /);
  });

  it('back under the bound: the watch ends; over it again later, a new watch starts from then', () => {
    const { clock, backlog, cuts, bound } = rig();
    backlog.held = 9 * MiB;
    bound.check();
    clock.advance(1000);
    backlog.held = MiB;
    clock.advance(4000);
    expect(clock.pending).toBe(0);
    backlog.held = 9 * MiB;
    clock.advance(10_000);
    expect(cuts).toEqual([]);
    bound.check();
    clock.advance(5000);
    expect(cuts).toHaveLength(1);
  });

  it('past the hard cap: cut at once, even while reading', () => {
    const { backlog, cuts, bound } = rig();
    backlog.held = 64 * MiB + 1;
    backlog.taken = 1e9;
    bound.check();
    expect(cuts).toEqual(['it fell too far behind: 64.0 MiB from the broker waited for it at the tap (hard limit 64.0 MiB)']);
  });

  it('stopped with its connection: its timer goes too', () => {
    const { clock, backlog, cuts, bound } = rig();
    backlog.held = 9 * MiB;
    bound.check();
    bound.stop();
    expect(clock.pending).toBe(0);
    clock.advance(10_000);
    expect(cuts).toEqual([]);
  });
});
