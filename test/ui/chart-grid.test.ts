// The large chart's panels all fit the overlay: in one column while each can be tall enough to read, else in
// columns, never so narrow that a panel's plot is lost.
import { describe, expect, it } from 'vitest';
import { panelGrid } from '../../src/renderer/lib/chart.js';

const REM = 27.6;
const GAP = 0.5 * REM;
const CAPTION = (): number => 1.6 * REM;

/** The height the panels take: rows of caption plus plot, with gaps between. */
function used(n: number, g: { cols: number; height: number }): number {
  const rows = Math.ceil(n / g.cols);
  return rows * (g.height + CAPTION()) + (rows - 1) * GAP;
}

describe('large chart panel grid', () => {
  it('keeps one column when every panel fits tall enough', () => {
    const g = panelGrid(2, 1800, 900, 18, CAPTION, 9);
    expect(g.cols).toBe(1);
    expect(g.width).toBe(1800);
    expect(g.height).toBeGreaterThanOrEqual(7 * 18);
  });

  it('puts three panels that would run off a 1280×720 ×1.5 overlay in two columns, all inside it', () => {
    const room = 420;
    const g = panelGrid(3, 1186, room, REM, CAPTION, GAP);
    expect(g.cols).toBe(2);
    expect(used(3, g)).toBeLessThanOrEqual(room);
    expect(g.width).toBeGreaterThanOrEqual(14 * REM);
    // One column would have needed more than the room at any readable height.
    expect(3 * (7 * REM + CAPTION()) + 2 * GAP).toBeGreaterThan(room);
  });

  it('never makes columns narrower than 14 rem, and caps a panel at 18 rem high', () => {
    const g = panelGrid(8, 1000, 300, 20, CAPTION, 10);
    expect(g.width).toBeGreaterThanOrEqual(14 * 20);
    expect(panelGrid(1, 1000, 5000, 20, CAPTION, 10).height).toBe(18 * 20);
  });

  it('counts a two-line caption where a topic wraps in a narrow column', () => {
    const oneLine = panelGrid(4, 1200, 600, 20, () => 1.6 * 20, 10);
    const wrapped = panelGrid(4, 1200, 600, 20, (w) => (w < 700 ? 2.9 : 1.6) * 20, 10);
    expect(wrapped.cols).toBe(oneLine.cols);
    expect(wrapped.height).toBeLessThan(oneLine.height);
  });
});
