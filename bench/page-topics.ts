// A page opened on a big capture (issue 10): how long until the Topics panel counts every PUBLISH and the
// chart draws its series. A real mqtt.js publisher fills the real browser-mode server's tap with N packets
// (JSON telemetry on 4 topics); Chromium then opens the notebook with the Topics tab showing. For
// comparison, in the same run: capture.digest's own time, and reading every summary through the API in
// pages of 5,000 as the page used to (the transfer alone, without the page's own work on them).
//   npx tsx bench/page-topics.ts [--records N] [--skip-through]   (default 200,000)
import mqtt from 'mqtt';
import { chromiumMissing, launch } from '../test/ui/support/browser.js';
import { ensureRendererBuilt } from '../test/ui/support/build.js';
import { connectApi } from '../test/ui/support/api-client.js';
import { labServerMissing, startLabServer } from '../test/ui/support/lab-server.js';
import { openTab } from '../test/ui/support/ui-helpers.js';

const NAME_SHIM = 'window.__name = (f) => f;';
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
};
const N = Number(arg('records') ?? 200_000);
/** Leaves out the old way's read-through (minutes at a million) when only the page's time is wanted. */
const skipThrough = process.argv.includes('--skip-through');

async function fill(host: string, port: number, n: number): Promise<void> {
  const client = await mqtt.connectAsync(`mqtt://${host}:${port}`, { clientId: 'bench-fill' });
  const WINDOW = 900;
  for (let i = 0; i < n; i += WINDOW) {
    const sends: Array<Promise<unknown>> = [];
    for (let j = i; j < Math.min(n, i + WINDOW); j++) sends.push(client.publishAsync(`home/room${j % 4}/temp`, JSON.stringify({ temperature: 20 + (j % 7) / 2, n: j }), { qos: 0 }));
    await Promise.all(sends);
  }
  await client.endAsync();
}

const why = chromiumMissing() ?? labServerMissing();
if (why) {
  console.log(`page-topics bench skipped: ${why}`);
  process.exit(0);
}
ensureRendererBuilt();
const browser = await launch();
const lab = await startLabServer();
try {
  const t0 = Date.now();
  await fill(lab.mqtt.host, lab.mqtt.port, N);
  const api = await connectApi(lab.origin, lab.token);
  const status = await api.call('lab.status', {});
  console.log(`${status.packets.count.toLocaleString('en')} packets captured in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  let t = Date.now();
  const digest = await api.call('capture.digest', { messages: 1000 });
  const digestMs = Date.now() - t;
  const publishes = digest.topics.reduce((n, x) => n + x.published, 0);
  t = Date.now();
  let read = 0;
  for (let after: number | undefined; !skipThrough;) {
    const page = await api.call('packets.query', after === undefined ? { limit: 5000 } : { afterSeq: after, limit: 5000 });
    read += page.length;
    if (page.length < 5000) break;
    after = page.at(-1)!.seq;
  }
  const throughMs = Date.now() - t;
  api.close();
  console.log(`  capture.digest (cached after its first call): ${digestMs} ms for ${digest.topics.length} topics, ${publishes.toLocaleString('en')} PUBLISH; `
    + `every summary through the API in pages of 5,000 (the page's way before, transfer only): ${throughMs} ms for ${read.toLocaleString('en')}`);

  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await page.addInitScript(NAME_SHIM);
  t = Date.now();
  await page.goto(lab.url);
  await page.locator('.list .row[data-seq]').first().waitFor({ timeout: 600_000 });
  const listMs = Date.now() - t;
  await openTab(page, 'Topics');
  const want = `PUBLISH ${publishes}↑`;
  await page.waitForFunction((w) => document.querySelector('[data-testid="topic-totals"]')?.textContent?.includes(w), want, { timeout: 600_000, polling: 50 });
  const topicsMs = Date.now() - t;
  await page.locator('.chart figure path.line').first().waitFor({ timeout: 600_000 });
  const chartMs = Date.now() - t;
  console.log(`page opened on ${status.packets.count.toLocaleString('en')} packets: first list row after ${listMs} ms, Topics counts every PUBLISH after ${topicsMs} ms, the chart draws after ${chartMs} ms`);
  await page.close();
} finally {
  await lab.stop();
  await browser.close();
}
