// The page's side of a big capture (issue 10): the renderer's heap and its scroll frame times with N real
// packets captured, N given on the command line (default 200,000). A real mqtt.js publisher fills the real
// browser-mode server's tap; Chromium opens the notebook, waits until the list counts every packet and the
// topics have been read through, then measures the JS heap after a GC and scrolls the list and the diagram.
//   npx tsx bench/page-window.ts 200000 1000000
import mqtt from 'mqtt';
import type { CDPSession, Page } from 'playwright-core';
import { chromiumMissing, launch } from '../test/ui/support/browser.js';
import { ensureRendererBuilt } from '../test/ui/support/build.js';
import { connectApi } from '../test/ui/support/api-client.js';
import { labServerMissing, startLabServer } from '../test/ui/support/lab-server.js';

const NAME_SHIM = 'window.__name = (f) => f;';

async function fill(host: string, port: number, n: number): Promise<void> {
  const client = await mqtt.connectAsync(`mqtt://${host}:${port}`, { clientId: 'bench-fill' });
  // Under 1,000 sends in flight: each waits on the socket's drain, and Node warns past 1,000 listeners.
  const WINDOW = 900;
  for (let i = 0; i < n; i += WINDOW) {
    const sends: Array<Promise<unknown>> = [];
    for (let j = i; j < Math.min(n, i + WINDOW); j++) {
      sends.push(client.publishAsync(`home/room${j % 4}/temp`, JSON.stringify({ temperature: 20 + (j % 7) / 2, n: j }), { qos: j % 10 === 0 ? 1 : 0 }));
    }
    await Promise.all(sends);
  }
  await client.endAsync();
}

async function heapMB(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  return (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0) / 1_048_576;
}

/** Scrolls from top to bottom over `ms`, one step per animation frame; frame-time percentiles. */
function scrollThrough(page: Page, selector: string, ms: number): Promise<{ frames: number; p50: number; p95: number; max: number }> {
  return page.evaluate(
    ({ selector, ms }) =>
      new Promise((resolve) => {
        const el = document.querySelector(selector) as HTMLElement;
        const end = el.scrollHeight - el.clientHeight;
        const deltas: number[] = [];
        const start = performance.now();
        let last = start;
        const tick = (now: number): void => {
          deltas.push(now - last);
          last = now;
          const f = Math.min(1, (now - start) / ms);
          el.scrollTop = end * f;
          if (f < 1) requestAnimationFrame(tick);
          else {
            const s = deltas.slice(1).sort((a, b) => a - b);
            const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
            resolve({ frames: s.length, p50: q(0.5), p95: q(0.95), max: s.at(-1) ?? 0 });
          }
        };
        requestAnimationFrame(tick);
      }),
    { selector, ms },
  );
}

const why = chromiumMissing() ?? labServerMissing();
if (why) {
  console.log(`page-window bench skipped: ${why}`);
  process.exit(0);
}
ensureRendererBuilt();
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const browser = await launch();
try {
  for (const n of sizes.length ? sizes : [200_000]) {
    const lab = await startLabServer();
    try {
      const t0 = Date.now();
      // A tenth at QoS 1 brings PUBACKs: n PUBLISH make 1.1 n packets; fill to just over n.
      await fill(lab.mqtt.host, lab.mqtt.port, Math.ceil(n / 1.1));
      const api = await connectApi(lab.origin, lab.token);
      const captured = (await api.call('lab.status', {})).packets.count;
      api.close();
      console.log(`${captured.toLocaleString()} packets captured in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
      await page.addInitScript(NAME_SHIM);
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable');
      const t1 = Date.now();
      await page.goto(lab.url);
      // The client's DISCONNECT may be captured after the count was read: at least that many.
      for (let shown = 0, said = Date.now(); shown < captured; await page.waitForTimeout(200)) {
        shown = Number(((await page.locator('.filterbar .count').textContent()) ?? '').replace(/\D/g, ''));
        if (Date.now() - said > 10_000) {
          said = Date.now();
          console.log(`  … ${shown.toLocaleString()} listed after ${Date.now() - t1} ms`);
        }
        if (Date.now() - t1 > 600_000) throw new Error(`only ${shown} of ${captured} listed after 10 minutes`);
      }
      await page.locator('.list .row[data-seq]').first().waitFor();
      await page.waitForFunction(() => !document.querySelector('.list .scroller > .empty'), undefined, { timeout: 600_000 });
      const listed = Date.now() - t1;
      // The topics and the chart read the capture through after the list shows: the load ends with that.
      await page.locator('section.list[aria-busy="false"]').waitFor({ timeout: 600_000 });
      const loaded = Date.now() - t1;
      await page.waitForTimeout(2000);
      const heap = await heapMB(cdp);
      console.log(`  listed after ${listed} ms, read through (topics, chart) after ${loaded} ms; page heap after GC: ${heap.toFixed(1)} MB`);
      const list = await scrollThrough(page, '.list .scroller', 5000);
      console.log(`  list scroll top to bottom in 5 s: ${list.frames} frames, p50 ${list.p50.toFixed(1)} ms, p95 ${list.p95.toFixed(1)} ms, max ${list.max.toFixed(1)} ms`);
      const diagram = await scrollThrough(page, '.seq .scroller', 5000);
      console.log(`  diagram scroll top to bottom in 5 s: ${diagram.frames} frames, p50 ${diagram.p50.toFixed(1)} ms, p95 ${diagram.p95.toFixed(1)} ms, max ${diagram.max.toFixed(1)} ms`);
      console.log(`  page heap after scrolling, after GC: ${(await heapMB(cdp)).toFixed(1)} MB`);
      await page.close();
    } finally {
      await lab.stop();
    }
  }
} finally {
  await browser.close();
}
