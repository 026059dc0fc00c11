// lib/burst-pace.ts: a live view redraws with every batch in calm traffic, at most every 50 ms in a burst (100 ms
// in a flood), and always once after a burst's last batch, so what the view finally shows is the whole capture.
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
    const pace = new BurstPace(50, 1000, () => t, 100, 20_000);
    const drawnAt: number[] = [];
    let rows = 0;
    let shown = 0;
    // 800 rows a frame = 50,000 rows/s for one second.
    for (let f = 0; f < 60; f++) {
      rows += 800;
      const now = rows;
      pace.arrived(800, () => {
        drawnAt.push(t);
        shown = now;
      });
      step(16);
    }
    expect(pace.flooded).toBe(true);
    // The rate is judged over the last 500 ms: it says flood after 10,000 rows, 200 ms in; from then on,
    // about 10 draws a second.
    const flood = drawnAt.filter((x) => x >= 250);
    const gaps = flood.slice(1).map((x, i) => x - flood[i]!);
    expect(gaps.every((g) => g >= 96)).toBe(true);
    expect(flood.length).toBeLessThanOrEqual(8);
    expect(flood.length).toBeGreaterThan(5);
    step(100);
    expect(shown).toBe(rows);
    const n = drawnAt.length;
    step(500);
    expect(drawnAt.length).toBe(n);
    // The flood calms to a burst: the 50 ms pace is back once the window has forgotten the flood.
    const calmAt: number[] = [];
    for (let f = 0; f < 90; f++) {
      pace.arrived(160, () => calmAt.push(t));
      step(16);
    }
    expect(pace.flooded).toBe(false);
    const late = calmAt.slice(-8).slice(1).map((x, i) => x - calmAt.slice(-8)[i]!);
    expect(late.every((g) => g >= 48 && g < 96)).toBe(true);
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
