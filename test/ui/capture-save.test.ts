// Saving 200,000 real packets from the page of the real browser-mode server: the filter bar shows how far
// the save is and offers Cancel, the list keeps counting a live publisher's packets meanwhile, a cancelled
// save downloads nothing, and a save let run downloads the pcapng.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launch, watchPage, type PageWatch } from './support/browser.js';
import { ensureRendererBuilt } from './support/build.js';
import { labServerMissing, startLabServer, type LabServer } from './support/lab-server.js';
import { ARTIFACTS } from './support/ui-helpers.js';

const why = chromiumMissing() ?? labServerMissing();
const N = 200_000;

async function fill(host: string, port: number, n: number): Promise<void> {
  const clients = await Promise.all([0, 1, 2, 3].map((i) => mqtt.connectAsync(`mqtt://${host}:${port}`, { clientId: `fill-${i}` })));
  for (let i = 0; i < n - 12; i += 2000) {
    const sends: Array<Promise<unknown>> = [];
    for (let j = i; j < Math.min(n - 12, i + 2000); j++) sends.push(clients[j % 4]!.publishAsync(`home/room${j % 4}/temp`, `{"temperature":${20 + (j % 9) / 2}}`, { qos: 0 }));
    await Promise.all(sends);
  }
  await Promise.all(clients.map((c) => c.endAsync()));
}

describe.skipIf(why !== undefined)(`saving a big capture from the page${why ? ` (skipped: ${why})` : ''}`, () => {
  let server: LabServer;
  let browser: Browser;
  let page: Page;
  let watch: PageWatch;
  let live: mqtt.MqttClient;
  let ticker: ReturnType<typeof setInterval>;

  const count = async (): Promise<number> => Number((await page.locator('.filterbar .count').innerText()).replace(/\D/g, ''));
  const progress = () => page.getByTestId('save-progress');

  beforeAll(async () => {
    ensureRendererBuilt();
    server = await startLabServer();
    await fill(server.mqtt.host, server.mqtt.port, N);
    live = await mqtt.connectAsync(`mqtt://${server.mqtt.host}:${server.mqtt.port}`, { clientId: 'live-sensor' });
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1280, height: 720 }, acceptDownloads: true });
    watch = await watchPage(page);
    await page.goto(server.url);
    for (const until = Date.now() + 60_000; (await count()) < N; await page.waitForTimeout(250)) {
      if (Date.now() > until) throw new Error(`the page lists ${await count()} packets, not ${N}`);
    }
    // A sensor goes on publishing through the tap the whole time.
    let n = 0;
    ticker = setInterval(() => void live.publishAsync('ward/bed1/pulse', String(60 + (n++ % 20)), { qos: 0 }), 20);
  }, 300_000);

  afterAll(async () => {
    clearInterval(ticker);
    await live?.endAsync();
    await browser?.close();
    await server?.stop();
  });

  it('shows x of y while saving, keeps the list live, and Cancel downloads nothing', async () => {
    let downloads = 0;
    page.on('download', () => downloads++);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await progress().waitFor();
    const before = await count();
    await expect.poll(() => progress().innerText()).toMatch(/^Saving [\d,]+ of [\d,]+/);
    // At once, not through shot(): its pause for arrows to settle would outlast the save.
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'save-progress-200k.png') });
    // The live stream still reaches the page while the lab writes the file.
    await expect.poll(count, { timeout: 10_000 }).toBeGreaterThan(before);
    await progress().getByRole('button', { name: 'Cancel' }).click();
    await progress().waitFor({ state: 'detached' });
    await page.getByText('Save cancelled; no file was written.').waitFor();
    await page.waitForTimeout(500);
    expect(downloads).toBe(0);
  });

  it('a save let run downloads the pcapng of every packet captured when Save was pressed', async () => {
    const download = page.waitForEvent('download', { timeout: 120_000 });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const file = await (await download).path();
    const bytes = readFileSync(file);
    expect([...bytes.subarray(0, 4)]).toEqual([0x0a, 0x0d, 0x0d, 0x0a]);
    // About 100 bytes per packet on the wire; far more than any part of it.
    expect(bytes.length).toBeGreaterThan(N * 80);
    await page.getByText(/^Saved [\d,]+ packets as mqtt-lab-/).waitFor();
    expect(watch.errors).toEqual([]);
  });
});
