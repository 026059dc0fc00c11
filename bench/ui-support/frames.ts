// Frame timing in the page, for the UI bench, while the bench scrolls a view end to end or while something
// else goes on (a burst). Two figures per frame, because one alone misleads:
// - the interval between animation frames (rAF deltas). It cannot fall below the display's period (16.67 ms
//   at 60 Hz), so a perfect run has a p95 of ~16.7 ms; what it tells is how many frames were missed: an
//   interval over 1.5 periods means at least one frame was not produced in time.
// - the main thread's work for the frame: from the frame's start (the timestamp rAF hands its callbacks) until
//   its rendering is done (a MessageChannel message posted from the rAF callback runs in the first task after
//   the rendering steps). This is what must stay under one period for the frame to be on time; it may
//   include a task that was still running when the frame was due, which delays that frame just as much.
import type { Page } from 'playwright-core';

export interface FrameStats {
  frames: number;
  /** The display's frame period, the median rAF interval (ms). */
  period: number;
  /** Intervals over 1.5 periods: frames the page did not produce in time. */
  missed: number;
  /** rAF intervals (ms). */
  p50: number;
  p95: number;
  max: number;
  /** Main-thread work per frame, frame start to rendering done (ms). */
  workP50: number;
  workP95: number;
  workMax: number;
}

export const fmtFrames = (s: FrameStats): string =>
  `${s.frames} frames, ${s.missed} missed (interval > 1.5 × the ${s.period.toFixed(1)} ms period); ` +
  `work per frame (frame start → rendered) p50 ${s.workP50.toFixed(1)} ms, p95 ${s.workP95.toFixed(1)} ms, max ${s.workMax.toFixed(1)} ms; ` +
  `interval p95 ${s.p95.toFixed(1)} ms, max ${s.max.toFixed(1)} ms`;

/**
 * Frame figures over `ms`; with a selector, that element is scrolled from top to bottom meanwhile, one step
 * per frame, and the most rows or arrows it held at once are counted. Runs in the page as one function, so the
 * sampler and the scroller are the same code for both uses.
 */
export function sampleFrames(page: Page, ms: number, scrollSelector?: string): Promise<FrameStats & { rendered: number }> {
  return page.evaluate(
    ({ ms, selector }) =>
      new Promise<FrameStats & { rendered: number }>((resolve) => {
        const el = selector === undefined ? null : (document.querySelector(selector) as HTMLElement);
        const end = el ? el.scrollHeight - el.clientHeight : 0;
        const deltas: number[] = [];
        const work: number[] = [];
        const channel = new MessageChannel();
        // Frame starts whose rendering is not done yet, in order (a message can only come after its frame).
        const open: number[] = [];
        channel.port1.onmessage = () => {
          const begun = open.shift();
          if (begun !== undefined) work.push(performance.now() - begun);
        };
        const start = performance.now();
        let last = -1;
        let rendered = 0;
        let done = false;
        const tick = (now: number): void => {
          if (last >= 0) deltas.push(now - last);
          last = now;
          open.push(now);
          channel.port2.postMessage(0);
          const f = Math.min(1, (now - start) / ms);
          if (el) {
            el.scrollTop = end * f;
            rendered = Math.max(rendered, el.querySelectorAll('.row, .arrow').length);
          }
          if (f < 1) requestAnimationFrame(tick);
          else done = true;
        };
        const finish = (): void => {
          if (!done || open.length) {
            setTimeout(finish, 20);
            return;
          }
          channel.port1.close();
          const pct = (a: number[]) => {
            const s = [...a].sort((x, y) => x - y);
            return (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
          };
          const d = pct(deltas);
          const w = pct(work);
          const period = d(0.5);
          resolve({
            frames: deltas.length,
            period,
            missed: deltas.filter((x) => x > 1.5 * period).length,
            p50: period,
            p95: d(0.95),
            max: d(1),
            workP50: w(0.5),
            workP95: w(0.95),
            workMax: w(1),
            rendered,
          });
        };
        requestAnimationFrame(tick);
        setTimeout(finish, ms);
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
