// Frame timing in the page, for the UI bench: the gaps between animation frames while the bench scrolls a
// view end to end or while something else goes on (a burst), as percentiles.
import type { Page } from 'playwright-core';

export interface FrameStats {
  frames: number;
  p50: number;
  p95: number;
  max: number;
}

export const fmtFrames = (s: FrameStats): string =>
  `${s.frames} frames, p50 ${s.p50.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms, max ${s.max.toFixed(1)} ms`;

/**
 * Frame gaps over `ms`; with a selector, that element is scrolled from top to bottom meanwhile, one step per
 * frame, and the most rows or arrows it held at once are counted. Runs in the page as one function, so the
 * sampler and the scroller are the same code for both uses.
 */
export function sampleFrames(page: Page, ms: number, scrollSelector?: string): Promise<FrameStats & { rendered: number }> {
  return page.evaluate(
    ({ ms, selector }) =>
      new Promise<FrameStats & { rendered: number }>((resolve) => {
        const el = selector === undefined ? null : (document.querySelector(selector) as HTMLElement);
        const end = el ? el.scrollHeight - el.clientHeight : 0;
        const deltas: number[] = [];
        const start = performance.now();
        let last = start;
        let rendered = 0;
        const tick = (now: number): void => {
          deltas.push(now - last);
          last = now;
          const f = Math.min(1, (now - start) / ms);
          if (el) {
            el.scrollTop = end * f;
            rendered = Math.max(rendered, el.querySelectorAll('.row, .arrow').length);
          }
          if (f < 1) requestAnimationFrame(tick);
          else {
            const s = deltas.slice(1).sort((a, b) => a - b);
            const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
            resolve({ frames: s.length, p50: q(0.5), p95: q(0.95), max: s.at(-1) ?? 0, rendered });
          }
        };
        requestAnimationFrame(tick);
      }),
    { ms, selector: scrollSelector },
  );
}

/** Installed before the app loads: every long task (> 50 ms) the page runs, and its duration. */
export function observeLongTasks(): void {
  const w = window as unknown as { __longTasks: number[] };
  w.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) w.__longTasks.push(e.duration);
  }).observe({ type: 'longtask', buffered: true });
}

export async function longTasks(page: Page): Promise<{ count: number; max: number }> {
  return page.evaluate(() => {
    const t = (window as unknown as { __longTasks: number[] }).__longTasks;
    return { count: t.length, max: t.length ? Math.max(...t) : 0 };
  });
}

export async function resetLongTasks(page: Page): Promise<void> {
  await page.evaluate(() => ((window as unknown as { __longTasks: number[] }).__longTasks = []));
}
