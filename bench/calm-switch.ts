// The sequence diagram's switch to calm: a real mosquitto_pub floods the tap through the real `mqtt-lab web`
// server, the lab goes quiet, then one embedded client publishes once, the batch that makes the diagram calm
// again. Measured in Chromium over the second after that publish: the longest task and the longest frame
// interval, and how many arrow elements were inserted and removed (one arrival should insert one element; a
// rebuild of the view inserts and removes every arrow on screen). Ratios and counts, not timed tests.
//   npm run bench -- calm-switch [--rounds N] [--lines N]
import { launch } from '../test/ui/support/browser.js';
import { ensureRendererBuilt } from '../test/ui/support/build.js';
import { connectApi } from '../test/ui/support/api-client.js';
import { publishLines } from '../test/ui/support/burst.js';
import { startLabServer } from '../test/ui/support/lab-server.js';
import { machineLoad } from './ui-support/burst.js';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const ROUNDS = opt('rounds', 3);
const LINES = opt('lines', 3000);
/** tsx names page-side functions with an `__name` helper the page lacks. */
const NAME_SHIM = 'window.__name = (f) => f;';

interface Switch {
  longestTask: number;
  longestFrame: number;
  inserted: number;
  removed: number;
}

async function main(): Promise<void> {
  ensureRendererBuilt();
  const server = await startLabServer();
  const browser = await launch();
  try {
    const api = await connectApi(server.origin, server.token);
    await api.call('clients.create', { id: 'lecturer' });
    await api.call('clients.connect', { id: 'lecturer' });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.addInitScript(NAME_SHIM);
    await page.addInitScript((s) => localStorage.setItem('mqtt-lab.ui', s), JSON.stringify({ theme: 'light', pace: 600, center: 'diagram' }));
    await page.goto(server.url);
    await page.getByTestId('tap-url').filter({ hasText: `:${server.mqtt.port}` }).waitFor();
    const results: Switch[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      await publishLines(server.mqtt.host, server.mqtt.port, 'burst/flood', LINES, `flood${r}`);
      const end = (await api.call('lab.status', {})).packets.lastSeq ?? 0;
      await page.locator(`.seq .arrow[data-seq="${end}"]`).waitFor({ timeout: 60_000 });
      // Quiet for longer than the diagram's one-second rate window.
      await page.waitForTimeout(1500);
      await page.evaluate(() => {
        const m = { longestTask: 0, longestFrame: 0, inserted: 0, removed: 0 };
        (window as unknown as { __switch: Switch }).__switch = m;
        const obs = new PerformanceObserver((l) => {
          for (const e of l.getEntries()) m.longestTask = Math.max(m.longestTask, e.duration);
        });
        obs.observe({ type: 'longtask' });
        const mo = new MutationObserver((records) => {
          for (const rec of records) {
            for (const n of rec.addedNodes) if (n instanceof Element && n.matches('.arrow')) m.inserted++;
            for (const n of rec.removedNodes) if (n instanceof Element && n.matches('.arrow')) m.removed++;
          }
        });
        mo.observe(document.querySelector('.seq .stage')!, { childList: true, subtree: true });
        let last = performance.now();
        const t0 = last;
        const tick = (t: number): void => {
          m.longestFrame = Math.max(m.longestFrame, t - last);
          last = t;
          if (t - t0 < 1500) requestAnimationFrame(tick);
          else {
            obs.disconnect();
            mo.disconnect();
          }
        };
        requestAnimationFrame(tick);
      });
      await api.call('clients.publish', { id: 'lecturer', topic: 'lecture/next', payload: 'slide', qos: 0 });
      await page.waitForTimeout(1700);
      results.push(await page.evaluate(() => (window as unknown as { __switch: Switch }).__switch));
    }
    const med = (k: keyof Switch): number => [...results.map((x) => x[k])].sort((a, b) => a - b)[Math.floor(results.length / 2)]!;
    console.log(`calm switch after ${LINES.toLocaleString()} PUBLISH from mosquitto_pub, ${ROUNDS} rounds (${machineLoad()}):`);
    for (const [i, x] of results.entries()) {
      console.log(`  round ${i + 1}: longest task ${Math.round(x.longestTask)} ms, longest frame ${Math.round(x.longestFrame)} ms, arrow elements inserted ${x.inserted}, removed ${x.removed}`);
    }
    console.log(`  median: longest task ${Math.round(med('longestTask'))} ms, longest frame ${Math.round(med('longestFrame'))} ms, inserted ${med('inserted')}, removed ${med('removed')}`);
    api.close();
  } finally {
    await browser.close();
    await server.stop();
  }
}

await main();
