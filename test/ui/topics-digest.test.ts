// A page opened on a capture bigger than its first page (issue 10): Topics, the chart and the client menu come
// from capture.digest, not from reading every summary through. A client seen only after the first 5,000
// packets must still be in Topics (with counts over the whole capture) and in the client menu; and live
// packets after the digest must add to its counts, once.
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { chromiumMissing } from './support/browser.js';
import { labServerMissing } from './support/lab-server.js';
import { openTab } from './support/ui-helpers.js';
import { uiSuite } from './support/ui-suite.js';

const why = chromiumMissing() ?? labServerMissing();
const EARLY = 6000;

describe.skipIf(why !== undefined)(`topics from the digest${why ? ` (skipped: ${why})` : ''}`, () => {
  const suite = uiSuite('topics-digest', async (api) => {
    const { host, port } = (await api.call('lab.status', {})).tap;
    // Real mqtt.js clients: 'early' fills well past the page's first 5,000 packets, then 'late' publishes.
    const early = await mqtt.connectAsync(`mqtt://${host}:${port}`, { clientId: 'early' });
    for (let i = 0; i < EARLY; i += 500) {
      await Promise.all(Array.from({ length: 500 }, (_, j) => early.publishAsync('plant/flow', JSON.stringify({ flow: (i + j) % 50 }), { qos: 0 })));
    }
    const late = await mqtt.connectAsync(`mqtt://${host}:${port}`, { clientId: 'late' });
    for (const t of [18.5, 19]) await late.publishAsync('plant/late/temp', JSON.stringify({ temperature: t }), { qos: 1, retain: true });
    await late.endAsync();
    await early.endAsync();
    for (let n = 0; n < 100; n++) {
      if ((await api.call('packets.query', { filter: 'lab.client == "late" && lab.type == DISCONNECT' })).length > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it('shows topics, chart and clients seen past the first page, and adds live packets once', async () => {
    const status = await suite.api.call('lab.status', {});
    expect(status.packets.count).toBeGreaterThan(EARLY);
    const page = await suite.open({ w: 1920, h: 1080, zoom: 1 }, { theme: 'light' });
    await openTab(page, 'Topics');
    const totals = page.getByTestId('topic-totals');
    await expect.poll(() => totals.textContent(), { timeout: 30_000 }).toMatch(new RegExp(`^2 topics · PUBLISH ${EARLY + 2}↑ 0↓$`));
    // The late topic's history and retained value came from the digest: they are past the first page.
    await page.locator('.topics .name', { hasText: 'temp' }).click();
    const history = page.getByTestId('topic-history');
    await expect.poll(() => history.locator('ol > li').count()).toBe(2);
    await expect(history.locator('ol > li').first().locator('.payload').textContent()).resolves.toBe('{"temperature":19}');
    await page.locator(`.chart figure[data-series="plant/late/temp › temperature"] path.line`).waitFor({ timeout: 15_000 });
    // The client menu knows both clients, though 'late' is not in the first page.
    const menus = page.getByRole('button', { name: /Type, client, topic/ });
    if (await menus.isVisible()) await menus.click();
    await expect.poll(() => page.locator('select[title="Show one client\'s packets"] option').allTextContents()).toEqual(expect.arrayContaining(['early', 'late']));

    // A live message after the digest counts once.
    const { host, port } = status.tap;
    const more = await mqtt.connectAsync(`mqtt://${host}:${port}`, { clientId: 'late' });
    await more.publishAsync('plant/late/temp', JSON.stringify({ temperature: 19.5 }), { qos: 1 });
    await more.endAsync();
    await expect.poll(() => history.locator('ol > li').first().locator('.payload').textContent(), { timeout: 15_000 }).toBe('{"temperature":19.5}');
    // The header's totals follow a live message on a topic already there (they used to wait for a new topic).
    await expect.poll(() => totals.textContent()).toMatch(new RegExp(`PUBLISH ${EARLY + 3}↑ 0↓$`));
    await expect(page.locator('.topics .counts', { hasText: '3↑' }).count()).resolves.toBe(1);
  });
});
