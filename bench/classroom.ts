// Classroom bench (issue 15): the notebook in Chromium against the real `mqtt-lab web` server while 200
// real paho clients (one Python process) each publish a reading once a second. Prints the page's longest
// task and its JS heap before and after, how long connecting and delivering took, and how many lanes and SVG
// elements the sequence diagram draws mid-class (lane grouping folds 200 lifelines into a few).
// `--clients-tab` opens the Clients tab, whose list of everyone connected polls the core every 2 s.
import type { CDPSession } from 'playwright-core';
import { chromiumMissing, launch } from '../test/ui/support/browser.js';
import { ensureRendererBuilt } from '../test/ui/support/build.js';
import { labServerMissing, startLabServer } from '../test/ui/support/lab-server.js';
import { missing } from '../test/peers/have.js';
import { runPaho } from '../test/peers/paho.js';

const quick = process.argv.includes('--quick');
const STUDENTS = 200;
const SECONDS = quick ? 10 : 30;
const clientsTab = process.argv.includes('--clients-tab');

const why = chromiumMissing() ?? labServerMissing() ?? missing('paho');
if (why !== undefined) {
  console.log(`classroom bench skipped: ${why}`);
  process.exit(0);
}

async function heapMb(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  return (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0) / 1024 / 1024;
}

ensureRendererBuilt();
const server = await startLabServer();
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  if (clientsTab) await page.addInitScript(() => localStorage.setItem('mqtt-lab.ui', JSON.stringify({ sideTab: 'clients' })));
  await page.addInitScript(() => {
    const w = window as unknown as { __longTasks: number[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(server.url);
  await page.getByTestId('tap-url').waitFor();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const before = await heapMb(cdp);
  await page.evaluate(() => ((window as unknown as { __longTasks: number[] }).__longTasks = []));
  const running = runPaho('classroom', { port: server.mqtt.port, args: { clients: STUDENTS, seconds: SECONDS, prefix: 'student-' }, timeoutMs: (SECONDS + 90) * 1000 });
  // Mid-class: what the diagram draws while everyone publishes.
  await page.waitForTimeout((SECONDS / 2) * 1000);
  const drawn = await page.evaluate(() => ({
    lanes: document.querySelectorAll('.seq .header .lane-title:not(.broker)').length,
    svg: document.querySelectorAll('.seq svg *').length,
  }));
  const r = await running;
  if (r.code !== 0) throw new Error(`classroom.py failed: ${r.stderr}`);
  const run = JSON.parse(r.stdout.trim().split('\n').pop()!) as { published: Record<string, number>; received: Record<string, number>; connectSeconds: number; publishSeconds: number };
  await page.waitForTimeout(1000);
  const tasks = await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
  const after = await heapMb(cdp);
  const sent = Object.values(run.published).reduce((a, b) => a + b, 0);
  const got = Object.values(run.received).reduce((a, b) => a + b, 0);
  console.log(`classroom: ${STUDENTS} paho clients, one reading per second each for ${SECONDS} s`);
  console.log(`  connected in ${run.connectSeconds} s; ${got}/${sent} readings delivered to the lecturer's subscriber`);
  // One stall of a busy machine sets the longest task; the sum and the 90th percentile say more about the page.
  const sorted = [...tasks].sort((a, b) => a - b);
  const p90 = sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))]! : 0;
  const sum = tasks.reduce((a, b) => a + b, 0);
  console.log(`  page: ${tasks.length} long tasks (> 50 ms), longest ${tasks.length ? Math.max(...tasks).toFixed(0) : 0} ms, 90th percentile ${p90.toFixed(0)} ms, ${(sum / 1000).toFixed(1)} s blocked in all`);
  console.log(`  diagram mid-class: ${drawn.lanes} lane titles, ${drawn.svg} SVG elements${clientsTab ? ' (Clients tab open)' : ''}`);
  console.log(`  page JS heap: ${before.toFixed(1)} MB before, ${after.toFixed(1)} MB after (${Math.round(STUDENTS * SECONDS * 2 + STUDENTS * 4)} packets or more captured)`);
} finally {
  await browser.close();
  await server.stop();
}
