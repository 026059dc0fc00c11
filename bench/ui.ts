// UI bench (DESIGN.md targets): 100,000 captured packets scroll smoothly in the virtualised list and the
// sequence diagram, and a burst of 10,000 packets/s for 10 s keeps the page responsive (no long task over
// 200 ms). Runs in the system Chromium against the real `mqtt-lab web` server, with real MQTT publishers
// filling and then hammering its tap. Prints frame times and the longest task seen.
import mqtt from 'mqtt';
import type { Page } from 'playwright-core';
import { chromiumMissing, launch } from '../test/ui/support/browser.js';
import { ensureRendererBuilt } from '../test/ui/support/build.js';
import { connectApi } from '../test/ui/support/api-client.js';
import { labServerMissing, startLabServer } from '../test/ui/support/lab-server.js';

const LONG_TASK_LIMIT_MS = 200;

interface FrameStats {
  frames: number;
  p50: number;
  p95: number;
  max: number;
}

/** tsx names functions with an `__name` helper that pages lack; page-side code needs a stand-in. */
const NAME_SHIM = 'window.__name = (f) => f;';

/** Installed before the app loads: every long task (> 50 ms) the page runs, and its duration. */
function observeLongTasks(): void {
  const w = window as unknown as { __longTasks: number[] };
  w.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) w.__longTasks.push(e.duration);
  }).observe({ type: 'longtask', buffered: true });
}

async function longTasks(page: Page): Promise<{ count: number; max: number }> {
  return page.evaluate(() => {
    const t = (window as unknown as { __longTasks: number[] }).__longTasks;
    return { count: t.length, max: t.length ? Math.max(...t) : 0 };
  });
}

async function resetLongTasks(page: Page): Promise<void> {
  await page.evaluate(() => ((window as unknown as { __longTasks: number[] }).__longTasks = []));
}

/** Scrolls an element from top to bottom over `ms`, a step per animation frame, and times the frames. */
function scrollThrough(page: Page, selector: string, ms: number): Promise<FrameStats & { rendered: number }> {
  return page.evaluate(
    ({ selector, ms }) =>
      new Promise<FrameStats & { rendered: number }>((resolve) => {
        const el = document.querySelector(selector) as HTMLElement;
        const end = el.scrollHeight - el.clientHeight;
        const deltas: number[] = [];
        const start = performance.now();
        let last = start;
        let rendered = 0;
        const tick = (now: number): void => {
          deltas.push(now - last);
          last = now;
          const f = Math.min(1, (now - start) / ms);
          el.scrollTop = end * f;
          rendered = Math.max(rendered, el.querySelectorAll('.row, .arrow').length);
          if (f < 1) requestAnimationFrame(tick);
          else {
            const s = deltas.slice(1).sort((a, b) => a - b);
            const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
            resolve({ frames: s.length, p50: q(0.5), p95: q(0.95), max: s.at(-1) ?? 0, rendered });
          }
        };
        requestAnimationFrame(tick);
      }),
    { selector, ms },
  );
}

/** Frame times over `ms` while whatever is going on goes on. */
function watchFrames(page: Page, ms: number): Promise<FrameStats> {
  return page.evaluate(
    (ms) =>
      new Promise<FrameStats>((resolve) => {
        const deltas: number[] = [];
        const start = performance.now();
        let last = start;
        const tick = (now: number): void => {
          deltas.push(now - last);
          last = now;
          if (now - start < ms) requestAnimationFrame(tick);
          else {
            const s = deltas.slice(1).sort((a, b) => a - b);
            const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
            resolve({ frames: s.length, p50: q(0.5), p95: q(0.95), max: s.at(-1) ?? 0 });
          }
        };
        requestAnimationFrame(tick);
      }),
    ms,
  );
}

const fmt = (s: FrameStats): string => `${s.frames} frames, p50 ${s.p50.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms, max ${s.max.toFixed(1)} ms`;

async function count(page: Page): Promise<number> {
  return Number(((await page.locator('.filterbar .count').textContent()) ?? '').split(/\s/)[0]!.replace(/\D/g, ''));
}

async function waitForCount(page: Page, n: number, timeoutMs: number): Promise<number> {
  const until = Date.now() + timeoutMs;
  let c = 0;
  while (Date.now() < until) {
    c = await count(page);
    if (c >= n) return c;
    await page.waitForTimeout(250);
  }
  return c;
}

let failed = false;
function verdict(what: string, maxLongTask: number): void {
  const ok = maxLongTask <= LONG_TASK_LIMIT_MS;
  if (!ok) failed = true;
  console.log(`  ${ok ? 'OK ' : 'BAD'} ${what}: longest task ${maxLongTask.toFixed(0)} ms (goal ≤ ${LONG_TASK_LIMIT_MS} ms)`);
}

/**
 * Fills a fresh lab with real traffic through its tap: `n` PUBLISH over four rooms, every tenth at QoS 1
 * (so PUBACKs too), sent in windows so the client's queue stays bounded.
 */
async function fill(host: string, port: number, n: number): Promise<void> {
  const client = await mqtt.connectAsync(`mqtt://${host}:${port}`, { clientId: 'bench-fill' });
  const WINDOW = 2000;
  for (let i = 0; i < n; i += WINDOW) {
    const sends: Array<Promise<unknown>> = [];
    for (let j = i; j < Math.min(n, i + WINDOW); j++) {
      const qos = j % 10 === 0 ? 1 : 0;
      sends.push(client.publishAsync(`home/room${j % 4}/temp`, JSON.stringify({ temperature: 20 + (j % 7) / 2, n: j }), { qos }));
    }
    await Promise.all(sends);
  }
  await client.endAsync();
}

const why = chromiumMissing() ?? labServerMissing();
if (why) {
  console.log(`ui bench skipped: ${why}`);
  process.exit(0);
}
ensureRendererBuilt();
const browser = await launch();
try {
  // 1. 100,000 real packets in the lab's capture: load, then scroll the list and the diagram end to end.
  {
    const lab = await startLabServer();
    try {
      // 91,000 PUBLISH, a tenth of them QoS 1 with their PUBACKs: just over 100,000 packets.
      await fill(lab.mqtt.host, lab.mqtt.port, 91_000);
      const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
      await page.addInitScript(NAME_SHIM);
      await page.addInitScript(observeLongTasks);
      const t0 = Date.now();
      await page.goto(lab.url);
      const n = await waitForCount(page, 100_000, 120_000);
      const loadMs = Date.now() - t0;
      const load = await longTasks(page);
      console.log(`100,000 packets in the capture: ${n.toLocaleString()} listed after ${loadMs} ms (initial load: longest task ${load.max.toFixed(0)} ms)`);
      await page.waitForTimeout(500);
      await resetLongTasks(page);
      const list = await scrollThrough(page, '.list .scroller', 5000);
      const lt1 = await longTasks(page);
      console.log(`  list scroll, top to bottom in 5 s: ${fmt(list)}; at most ${list.rendered} rows in the DOM`);
      verdict('list scroll', lt1.max);
      await resetLongTasks(page);
      const diagram = await scrollThrough(page, '.seq .scroller', 5000);
      const lt2 = await longTasks(page);
      console.log(`  diagram scroll, top to bottom in 5 s: ${fmt(diagram)}; at most ${diagram.rendered} arrows in the DOM`);
      verdict('diagram scroll', lt2.max);
      // A filter over the whole capture, as a student would type one.
      await resetLongTasks(page);
      const f0 = Date.now();
      await page.getByPlaceholder('mqtt.qos == 1 && mqtt.topic contains "temp"').fill('mqtt.qos == 1 && mqtt.topic contains "room2"');
      await page.keyboard.press('Enter');
      while ((await count(page)) === 0 || (await page.locator('.filterbar .count').textContent())?.includes(' packets')) await page.waitForTimeout(20);
      console.log(`  display filter over 100,000 packets: ${Date.now() - f0} ms, ${(await page.locator('.filterbar .count').textContent())}`);
      verdict('display filter', (await longTasks(page)).max);
      await page.close();
    } finally {
      await lab.stop();
    }
  }

  // 2. A burst of 10,000 packets/s for 10 s through the real server: a real publisher → tap → broker →
  // WebSocket → page, with the diagram following live.
  {
    const lab = await startLabServer();
    try {
      const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
      await page.addInitScript(NAME_SHIM);
      await page.addInitScript(observeLongTasks);
      await page.goto(lab.url);
      await page.getByTestId('tap-url').filter({ hasText: `:${lab.mqtt.port}` }).waitFor();
      const client = await mqtt.connectAsync(`mqtt://${lab.mqtt.host}:${lab.mqtt.port}`, { clientId: 'bench-burst' });
      await resetLongTasks(page);
      const rate = 10_000;
      const seconds = 10;
      const payload = JSON.stringify({ temperature: 21.5 });
      const started = Date.now();
      let sent = 0;
      const pump = new Promise<void>((resolve) => {
        const tick = (): void => {
          const due = Math.min(rate * seconds, Math.floor(((Date.now() - started) / 1000) * rate));
          for (; sent < due; sent++) client.publish(`bench/sensor${sent % 8}`, payload, { qos: 0 });
          if (sent >= rate * seconds) resolve();
          else setTimeout(tick, 5);
        };
        tick();
      });
      const frames = await watchFrames(page, seconds * 1000);
      await pump;
      const sentMs = Date.now() - started;
      const api = await connectApi(lab.origin, lab.token);
      const captured = (await api.call('lab.status', {})).packets.count;
      api.close();
      const shownAtEnd = await count(page);
      const c0 = Date.now();
      const n = await waitForCount(page, captured, 60_000);
      const lt = await longTasks(page);
      console.log(`burst through the real server: ${sent.toLocaleString()} PUBLISH sent in ${(sentMs / 1000).toFixed(1)} s, ${captured.toLocaleString()} captured by the lab; ${fmt(frames)}; ${lt.count} long tasks`);
      console.log(`  shown when the burst ended: ${shownAtEnd.toLocaleString()}; all ${n.toLocaleString()} shown ${((Date.now() - c0) / 1000).toFixed(1)} s later`);
      verdict('burst', lt.max);
      await client.endAsync();
      await page.close();
    } finally {
      await lab.stop();
    }
  }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
