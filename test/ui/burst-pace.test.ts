// lib/burst-pace.ts: a live view redraws with every batch in calm traffic, at most every 50 ms in a burst, and
// always once after a burst's last batch, so what the view finally shows is the whole capture.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BurstPace } from '../../src/renderer/lib/burst-pace.js';

describe('burst redraw pace', () => {
  let t = 0;
  beforeEach(() => {
    vi.useFakeTimers();
    t = 0;
  });
  afterEach(() => vi.useRealTimers());
  const step = (ms: number): void => {
    t += ms;
    vi.advanceTimersByTime(ms);
  };

  it('redraws every batch while traffic is calm', () => {
    const pace = new BurstPace(50, 1000, () => t);
    let draws = 0;
    // 10 rows a frame = 600 rows/s: below the burst rate.
    for (let f = 0; f < 60; f++) {
      pace.arrived(10, () => draws++);
      step(16);
    }
    expect(draws).toBe(60);
    expect(pace.busy).toBe(false);
  });

  it('redraws at most every 50 ms in a burst, and once more after its last batch', () => {
    const pace = new BurstPace(50, 1000, () => t);
    const drawnAt: number[] = [];
    let rows = 0;
    let shown = 0;
    // 160 rows a frame = 10,000 rows/s for one second.
    for (let f = 0; f < 60; f++) {
      rows += 160;
      const now = rows;
      pace.arrived(160, () => {
        drawnAt.push(t);
        shown = now;
      });
      step(16);
    }
    expect(pace.busy).toBe(true);
    // The first frames draw as they come, until the rate says burst; then about 20 a second.
    const gaps = drawnAt.slice(1).map((x, i) => x - drawnAt[i]!);
    expect(gaps.slice(6).every((g) => g >= 48)).toBe(true);
    expect(drawnAt.length).toBeLessThan(30);
    expect(drawnAt.length).toBeGreaterThan(15);
    // The burst ends: within one interval the last batch is drawn, and nothing is left to draw.
    step(50);
    expect(shown).toBe(rows);
    const n = drawnAt.length;
    step(500);
    expect(drawnAt.length).toBe(n);
  });

  it('redraws at most every 100 ms in a flood, and still draws its last batch', () => {
    const pace = new BurstPace(50, 1000, () => t);
    const drawnAt: number[] = [];
    let rows = 0;
    let shown = 0;
    // 2,400 rows a frame = 150,000 rows/s for one second (a load test through the tap).
    for (let f = 0; f < 60; f++) {
      rows += 2400;
      const now = rows;
      pace.arrived(2400, () => {
        drawnAt.push(t);
        shown = now;
      });
      step(16);
    }
    const gaps = drawnAt.slice(1).map((x, i) => x - drawnAt[i]!);
    expect(gaps.slice(3).every((g) => g >= 96)).toBe(true);
    expect(drawnAt.length).toBeLessThanOrEqual(13);
    expect(drawnAt.length).toBeGreaterThanOrEqual(8);
    step(100);
    expect(shown).toBe(rows);
  });

  it('two views in a burst redraw at the same moments, whatever their last redraw was', () => {
    // The list and the diagram each have a pace: drawn in different frames, each frame had a layout of its own.
    const a = new BurstPace(50, 1000, () => t);
    const b = new BurstPace(50, 1000, () => t);
    const at: Record<'a' | 'b', number[]> = { a: [], b: [] };
    b.redrawNow(() => undefined);
    step(7);
    for (let f = 0; f < 60; f++) {
      a.arrived(160, () => at.a.push(t));
      if (f % 2 === 0) b.arrived(320, () => at.b.push(t));
      step(16);
    }
    const late = (xs: number[]): number[] => xs.filter((x) => x > 200);
    expect(late(at.a).length).toBeGreaterThan(10);
    expect(late(at.a)).toEqual(late(at.b));
  });

  it('draws at once when asked, dropping a redraw that was waiting', () => {
    const pace = new BurstPace(50, 1000, () => t);
    const log: string[] = [];
    for (let f = 0; f < 10; f++) {
      pace.arrived(500, () => log.push('batch'));
      step(16);
    }
    pace.arrived(500, () => log.push('late batch'));
    pace.redrawNow(() => log.push('reset'));
    step(100);
    expect(log.at(-1)).toBe('reset');
    expect(log).not.toContain('late batch');
  });
});
