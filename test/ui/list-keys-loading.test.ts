// Home and End pressed in the packet list while the page is still loading its capture: the key has no packet
// to move to yet, and must act once the capture is there rather than be lost. Chromium against the real lab
// server, with the server's answers held back until the key was pressed, so the press is surely early.
import { describe, expect, it } from 'vitest';
import type { WebSocketRoute } from 'playwright-core';
import { chromiumMissing } from './support/browser.js';
import { labServerMissing } from './support/lab-server.js';
import { uiSuite } from './support/ui-suite.js';

const why = chromiumMissing() ?? labServerMissing();

describe.skipIf(why !== undefined)(`keys pressed while the list loads${why ? ` (skipped: ${why})` : ''}`, () => {
  const suite = uiSuite('list-keys-loading', async (api) => {
    for (const id of ['sensor', 'dashboard']) {
      await api.call('clients.create', { id });
      await api.call('clients.connect', { id });
    }
    await api.call('clients.subscribe', { id: 'dashboard', subscriptions: [{ filter: 'home/#', qos: 1 }] });
    for (let i = 0; i < 3; i++) await api.call('clients.publish', { id: 'sensor', topic: 'home/living/climate', payload: `{"temperature": 20.${i}}`, qos: 1 });
  });

  /** Opens a page whose WebSocket answers wait until `release` is called. */
  async function openHeld(): Promise<{ page: Awaited<ReturnType<typeof suite.open>>; release: () => void }> {
    let held: Array<() => void> | null = [];
    const page = await suite.open({ w: 1280, h: 800, zoom: 1 }, {
      beforeLoad: (p) =>
        p.routeWebSocket(/\/api\?/, (ws: WebSocketRoute) => {
          const server = ws.connectToServer();
          server.onMessage((m) => {
            if (held) held.push(() => ws.send(m));
            else ws.send(m);
          });
        }),
    });
    return {
      page,
      release: () => {
        const q = held ?? [];
        held = null;
        for (const send of q) send();
      },
    };
  }

  for (const key of ['Home', 'End'] as const) {
    it(`${key} pressed before the capture is there selects the ${key === 'Home' ? 'first' : 'last'} packet once it is`, async () => {
      const { page, release } = await openHeld();
      // The list is still empty and says it is loading: nothing to select yet.
      await page.locator('.list p.empty', { hasText: 'Loading the capture…' }).waitFor();
      expect(await page.locator('.list .row[data-seq]').count()).toBe(0);
      await page.locator('.list .scroller').focus();
      await page.keyboard.press(key);
      release();
      const selected = page.locator('.list .row.selected');
      await selected.waitFor();
      const total = (await suite.api.call('lab.status', {})).packets.count;
      const seqs = await page.locator('.list .row[data-seq]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))));
      const want = key === 'Home' ? Math.min(...seqs) : Math.max(...seqs);
      expect(Number(await selected.getAttribute('data-seq'))).toBe(want);
      // The first packet is sensor's CONNECT; the last is one of the capture's newest.
      if (key === 'Home') await page.locator('.detail header .type', { hasText: /^CONNECT$/ }).waitFor();
      expect(seqs.length).toBe(Math.min(total, seqs.length));
    });
  }

  it('a key pressed on a page that has loaded an empty view is not kept for later', async () => {
    const page = await suite.open({ w: 1280, h: 800, zoom: 1 });
    await page.locator('.list .row[data-seq]').first().waitFor();
    // A filter nothing matches: the view is loaded and empty.
    const box = page.getByPlaceholder('mqtt.qos == 1 && mqtt.topic contains "temp"');
    await box.fill('mqtt.topic contains "nowhere"');
    await box.press('Enter');
    await page.locator('.list p.empty', { hasText: 'No packet matches the filter.' }).waitFor();
    await page.locator('.list .scroller').focus();
    await page.keyboard.press('End');
    await box.fill('');
    await box.press('Enter');
    await page.locator('.list .row[data-seq]').first().waitFor();
    // The End pressed on the empty view did not act later: nothing is selected.
    await page.waitForFunction(() => document.querySelectorAll('.list .row[data-seq]').length > 3);
    expect(await page.locator('.list .row.selected').count()).toBe(0);
  });
});
