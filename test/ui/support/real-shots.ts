// Development helper: screenshots of the notebook against the real lab server (`mqtt-lab web`), with a few
// embedded clients exchanging real packets, at the sizes and themes a lecture uses.
// Run: node --import tsx test/ui/support/real-shots.ts [name-prefix]
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch, watchPage } from './browser.js';
import { ROOT, ensureRendererBuilt } from './build.js';
import { startLabServer } from './lab-server.js';
import { connectApi } from './api-client.js';

const prefix = process.argv[2] ?? 'real';
ensureRendererBuilt();
const server = await startLabServer();
const api = await connectApi(server.origin, server.token);
const browser = await launch();
try {
  for (const id of ['sensor', 'dashboard', 'phone']) {
    await api.call('clients.create', { id });
    await api.call('clients.connect', { id });
  }
  await api.call('clients.subscribe', { id: 'dashboard', subscriptions: [{ filter: 'home/#', qos: 2 }] });
  for (let i = 0; i < 4; i++) {
    await api.call('clients.publish', { id: 'sensor', topic: 'home/living/climate', payload: JSON.stringify({ temperature: 20 + i / 3, humidity: 45 + i }), qos: 1 });
  }
  await api.call('clients.publish', { id: 'phone', topic: 'home/door', payload: 'open', qos: 2, retain: true });
  await new Promise((r) => setTimeout(r, 800));
  const dir = join(ROOT, 'test-artifacts', 'ui');
  mkdirSync(dir, { recursive: true });
  for (const [w, h, zoom] of [[1280, 720, 1.5], [1920, 1080, 1]] as const) {
    for (const theme of ['dark', 'light'] as const) {
      const page = await browser.newPage({ viewport: { width: w, height: h } });
      const watch = await watchPage(page);
      await page.addInitScript(([t, z]) => localStorage.setItem('mqtt-lab.ui', JSON.stringify({ theme: t, zoom: z })), [theme, zoom] as const);
      await page.goto(server.url);
      await page.waitForTimeout(1500);
      await page.locator('.list .row').nth(3).click().catch(() => {});
      await page.waitForTimeout(500);
      const file = join(dir, `${prefix}-${w}x${h}-${theme}.png`);
      await page.screenshot({ path: file });
      console.log(file, JSON.stringify(watch));
      await page.close();
    }
  }
} finally {
  api.close();
  await browser.close();
  await server.stop();
}
