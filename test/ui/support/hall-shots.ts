// Development helper: screenshots of the lecture-hall views (large chart, crowded lanes with group titles, the
// clients list's group buttons, HTTP beside MQTT) against the real lab server, for looking at before and after
// a change. Run: node --import tsx test/ui/support/hall-shots.ts <name-prefix>
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch } from './browser.js';
import { ensureRendererBuilt } from './build.js';
import { startLabServer } from './lab-server.js';
import { connectApi } from './api-client.js';
import { ARTIFACTS, openTab } from './ui-helpers.js';

const prefix = process.argv[2] ?? 'hall';
ensureRendererBuilt();
const server = await startLabServer();
const api = await connectApi(server.origin, server.token);
const browser = await launch();
mkdirSync(ARTIFACTS, { recursive: true });
try {
  const ids = ['student-01', 'student-02', 'student-03', 'student-04', 'sensor-1', 'sensor-2', 'display-1', 'display-2', 'lecturer', 'guest'];
  for (const id of ids) {
    await api.call('clients.create', { id });
    await api.call('clients.connect', { id });
  }
  await api.call('clients.subscribe', { id: 'lecturer', subscriptions: [{ filter: 'home/#', qos: 1 }] });
  for (let i = 0; i < 4; i++) {
    await api.call('clients.publish', { id: 'sensor-1', topic: 'home/living/climate', payload: JSON.stringify({ temperature: 20 + i / 3, humidity: 44 + i }), qos: 0 });
    await api.call('clients.publish', { id: 'sensor-2', topic: 'home/kitchen/state', payload: JSON.stringify({ lux: 300 - i * 7 }), qos: 0 });
  }
  for (const id of ids.slice(0, 8)) await api.call('clients.publish', { id, topic: `class/${id}`, payload: 'hi', qos: 1 });
  await api.call('http.post', { client: 'cuff-http', body: JSON.stringify({ sys: 120, dia: 80 }) });
  await api.call('http.poll', { client: 'station-http', everyMs: 300, forMs: 700 });
  for (const [w, h, zoom] of [[1280, 720, 1.5], [1920, 1080, 1]] as const) {
    const page = await browser.newPage({ viewport: { width: w, height: h } });
    await page.addInitScript((s) => localStorage.setItem('mqtt-lab.ui', s), JSON.stringify({ theme: 'light', zoom, center: 'diagram', sideTab: 'clients' }));
    await page.goto(server.url);
    await page.getByTestId('tap-url').filter({ hasText: `:${server.mqtt.port}` }).waitFor();
    await page.waitForTimeout(2500);
    await page.screenshot({ path: join(ARTIFACTS, `${prefix}-lanes-${w}x${h}.png`) });
    await openTab(page, 'Topics');
    await page.getByRole('button', { name: '⤢ Large' }).click();
    await page.waitForTimeout(800);
    await page.screenshot({ path: join(ARTIFACTS, `${prefix}-chart-large-${w}x${h}.png`) });
    await page.keyboard.press('Escape');
    await page.close();
  }
  console.log('shots in', ARTIFACTS);
} finally {
  api.close();
  await browser.close();
  await server.stop();
}
