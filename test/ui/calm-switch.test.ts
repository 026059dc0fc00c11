// The end of a burst in the sequence diagram, in Chromium against the real `mqtt-lab web` server: a real
// mosquitto_pub floods the tap, then a QoS 2 exchange between the lab's embedded clients comes at lecture pace.
// The arrows already on screen must keep their elements (rebuilding every one of them at that moment was the
// last long task of a 10k/s burst) and must not draw themselves in again; each arrow of the exchange must get
// an element of its own and draw itself in.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumMissing } from './support/browser.js';
import { labServerMissing } from './support/lab-server.js';
import { publishLines } from './support/burst.js';
import { shot } from './support/ui-helpers.js';
import { uiSuite } from './support/ui-suite.js';

const why = chromiumMissing() ?? labServerMissing();
/** The "lecture" pace: 600 ms between arrows. */
const PACE = 600;
/** Far above the diagram's calm rate (40 arrows a second), well under a second of mosquitto_pub. */
const BURST = 1500;

interface Watch {
  /** Seq of every arrow element inserted since `watch`, with whether it was drawing itself in. */
  added: Array<[string, boolean]>;
  removed: number;
  /** Seqs of marked (pre-existing) elements that were given the drawing animation. */
  redrawn: string[];
}

describe.skipIf(why !== undefined)(`the diagram's switch to calm after a burst${why ? ` (skipped: ${why})` : ''}`, () => {
  const suite = uiSuite('calm', async (api) => {
    for (const id of ['sensor', 'display']) {
      await api.call('clients.create', { id });
      await api.call('clients.connect', { id });
    }
    await api.call('clients.subscribe', { id: 'display', subscriptions: [{ filter: 'home/#', qos: 2 }] });
  });
  let page: Page;

  beforeAll(async () => {
    page = await suite.open({ w: 1600, h: 1000, zoom: 1 }, {
      theme: 'light', ui: { pace: PACE, center: 'diagram' }, untilConnected: true, keep: true, timeoutMs: 30_000,
    });
    await page.locator('.seq .arrow').first().waitFor();
  }, 120_000);

  it('keeps the arrows on screen when a burst calms down, and draws in each arrow of the next QoS 2 exchange', async () => {
    const api = suite.api;
    const { host, port } = suite.server.mqtt;
    await publishLines(host, port, 'burst/flood', BURST, 'flood');
    // Every packet of the burst in the diagram: its last arrow is the capture's last packet.
    const last = async (): Promise<number> => (await api.call('lab.status', {})).packets.lastSeq ?? 0;
    let end = 0;
    await expect.poll(async () => {
      end = await last();
      return page.evaluate((s) => document.querySelector(`.seq .arrow[data-seq="${s}"]`) !== null, end);
    }, { timeout: 20_000 }).toBe(true);
    // Mark the elements on screen, then watch every insertion, removal and class change from here on.
    const before = await page.evaluate(() => {
      const w: Watch = { added: [], removed: 0, redrawn: [] };
      (window as unknown as { __calm: Watch }).__calm = w;
      const marked = new WeakMap<Element, string>();
      (window as unknown as { __marked: WeakMap<Element, string> }).__marked = marked;
      const seqs: string[] = [];
      for (const a of document.querySelectorAll('.seq .arrow')) {
        marked.set(a, a.getAttribute('data-seq')!);
        seqs.push(a.getAttribute('data-seq')!);
      }
      new MutationObserver((records) => {
        for (const r of records) {
          if (r.type === 'attributes') {
            const el = r.target as Element;
            if (el.matches('.arrow.fresh') && marked.has(el)) w.redrawn.push(el.getAttribute('data-seq')!);
            continue;
          }
          for (const n of r.addedNodes) {
            if (n instanceof Element && n.matches('.arrow')) w.added.push([n.getAttribute('data-seq')!, n.classList.contains('fresh')]);
          }
          for (const n of r.removedNodes) if (n instanceof Element && n.matches('.arrow')) w.removed++;
        }
      }).observe(document.querySelector('.seq .stage')!, { childList: true, subtree: true, attributes: true, attributeFilter: ['class'] });
      return seqs;
    });
    expect(before.length).toBeGreaterThan(10);
    // Quiet for longer than the diagram's one-second rate window, then a QoS 2 exchange: calm again.
    await page.waitForTimeout(1500);
    await api.call('clients.publish', { id: 'sensor', topic: 'home/door', payload: 'open', qos: 2 });
    await expect.poll(async () => (await api.call('packets.query', { afterSeq: end })).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(8);
    const exchange = (await api.call('packets.query', { afterSeq: end })).map((p) => String(p.seq));
    await expect.poll(() => page.evaluate((s) => document.querySelector(`.seq .arrow[data-seq="${s}"]`) !== null, exchange.at(-1)!), { timeout: 20_000 }).toBe(true);
    const after = await page.evaluate((exchange) => {
      const w = (window as unknown as { __calm: Watch }).__calm;
      const marked = (window as unknown as { __marked: WeakMap<Element, string> }).__marked;
      const onScreen = [...document.querySelectorAll('.seq .arrow')].map((a) => ({ seq: a.getAttribute('data-seq')!, mark: marked.get(a) }));
      return { w, onScreen, exchange };
    }, exchange);
    const story = JSON.stringify({ ...after, before });
    // Every earlier arrow still in view is drawn by the element it had before the exchange came.
    const old = after.onScreen.filter((a) => !exchange.includes(a.seq));
    expect(old.length, story).toBeGreaterThan(0);
    for (const a of old) expect(a.mark, story).toBe(a.seq);
    expect(after.w.redrawn, story).toEqual([]);
    // Each arrow of the exchange entered as an element of its own, drawing itself in; nothing else entered.
    expect(after.w.added.map(([s]) => s), story).toEqual(exchange);
    expect(after.w.added.every(([, fresh]) => fresh), story).toBe(true);
    // Only the arrows the exchange pushed off the top left the page.
    expect(after.w.removed, story).toBeLessThanOrEqual(exchange.length);
    await shot(page, 'calm-after-burst-qos2-1600x1000');
  }, 90_000);
});
