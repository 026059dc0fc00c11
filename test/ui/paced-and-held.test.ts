// How the sequence diagram tells time (issue 17), in Chromium against the real `mqtt-lab web` server with
// real embedded clients: packets that arrive together are drawn one after another, in order, at the chosen
// pace (not all at once); a packet held at the tap in step mode and then released is drawn in pieces, held
// at the tap and then on to its receiver, labelled with how long it was held.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumMissing } from './support/browser.js';
import { labServerMissing } from './support/lab-server.js';
import { shot } from './support/ui-helpers.js';
import { uiSuite } from './support/ui-suite.js';

const why = chromiumMissing() ?? labServerMissing();
/** The "lecture" pace: 600 ms between arrows. */
const PACE = 600;

describe.skipIf(why !== undefined)(`paced and held arrows${why ? ` (skipped: ${why})` : ''}`, () => {
  const suite = uiSuite('paced', async (api) => {
    for (const id of ['sensor', 'display']) {
      await api.call('clients.create', { id });
      await api.call('clients.connect', { id });
    }
    await api.call('clients.subscribe', { id: 'display', subscriptions: [{ filter: 'home/#', qos: 2 }] });
  });
  let page: Page;

  /** When each arrow first enters the page, by packet seq. */
  function recordArrows(): void {
    const seen: Record<string, number> = {};
    (window as unknown as { __arrowAt: Record<string, number> }).__arrowAt = seen;
    new MutationObserver((records) => {
      for (const r of records) {
        for (const n of r.addedNodes) {
          if (!(n instanceof Element)) continue;
          const arrows = n.matches('.arrow') ? [n] : [...n.querySelectorAll('.arrow')];
          for (const a of arrows) {
            const s = a.getAttribute('data-seq');
            if (s !== null && seen[s] === undefined) seen[s] = performance.now();
          }
        }
      }
    }).observe(document, { childList: true, subtree: true });
  }

  const api = () => suite.api;

  // One page for both tests, opened after the suite's server (hooks run in the order they are declared).
  beforeAll(async () => {
    page = await suite.open({ w: 1600, h: 1000, zoom: 1 }, {
      theme: 'light', ui: { pace: PACE, center: 'diagram' }, init: { script: recordArrows }, untilConnected: true, keep: true, timeoutMs: 30_000,
    });
    await page.locator('.seq .arrow').first().waitFor();
  }, 120_000);

  it('draws a QoS 2 exchange that arrives within milliseconds one arrow after another, in order', async () => {
    const before = (await api().call('lab.status', {})).packets.lastSeq ?? 0;
    // Every earlier arrow drawn first: arrows still being paced in would delay these (or, past 4 s of backlog,
    // make them all appear at once).
    const earlier = (await api().call('packets.query', {})).length;
    await expect.poll(() => page.evaluate((n) => Object.keys((window as unknown as { __arrowAt: Record<string, number> }).__arrowAt).length >= n, earlier), { timeout: 15_000 }).toBe(true);
    await api().call('clients.publish', { id: 'sensor', topic: 'home/door', payload: 'open', qos: 2 });
    // sensor's four packets and the broker's delivery to display, four more.
    await expect.poll(async () => (await api().call('packets.query', { afterSeq: before })).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(8);
    const packets = (await api().call('packets.query', { afterSeq: before })).slice(0, 8);
    const arrived = packets.at(-1)!.time - packets[0]!.time;
    await expect.poll(() => page.evaluate((seqs) => seqs.every((s) => (window as unknown as { __arrowAt: Record<string, number> }).__arrowAt[s] !== undefined), packets.map((p) => String(p.seq))), { timeout: 15_000 }).toBe(true);
    const at = await page.evaluate((seqs) => seqs.map((s) => (window as unknown as { __arrowAt: Record<string, number> }).__arrowAt[s]!), packets.map((p) => String(p.seq)));
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    // In seq order, each a pace after the one before, although all eight crossed the tap in `arrived` ms.
    const story = JSON.stringify({ gaps: gaps.map(Math.round), crossed: packets.map((p) => [p.seq, p.type, p.time - packets[0]!.time]) });
    // In seq order, about a pace apart, although all eight crossed the tap within `arrived` ms. A busy machine
    // may stall a frame and bunch two arrows, so the spacing is judged by the median and the whole span.
    for (const g of gaps) expect(g, story).toBeGreaterThan(0);
    const median = [...gaps].sort((a, b) => a - b)[3]!;
    expect(median, story).toBeGreaterThan(PACE * 0.7);
    expect(at[7]! - at[0]!, story).toBeGreaterThan(7 * PACE * 0.75);
    expect(arrived).toBeLessThan(PACE * 7 * 0.5);
    await shot(page, 'paced-qos2-1600x1000');
  }, 60_000);

  it('draws a packet held in step mode and then released in pieces, with how long it was held', async () => {
    await api().call('step.set', { on: true });
    await api().call('clients.publish', { id: 'sensor', topic: 'home/held', payload: '1', qos: 0 });
    const waiting = page.locator('.seq .arrow[data-label="PUBLISH q0 home/held"][data-kind="waiting"]');
    await waiting.waitFor();
    const seq = await waiting.getAttribute('data-seq');
    await page.waitForTimeout(1200);
    await api().call('step.release', { seq: Number(seq) });
    const arrow = page.locator(`.seq .arrow[data-seq="${seq}"]`);
    await expect.poll(() => arrow.getAttribute('data-kind')).toBe('released');
    const held = Number(/^held (\d+) ms$/.exec((await arrow.locator('.flabel').textContent()) ?? '')?.[1]);
    expect(held).toBeGreaterThanOrEqual(1200);
    expect(held).toBeLessThan(10_000);
    // Three pieces: sensor → tap on its own row, the wait down the tap, tap → broker lower, where it went on.
    const box = async (sel: string) => (await arrow.locator(sel).boundingBox())!;
    const [toTap, wait, onward] = [await box('.seg-held'), await box('.wait'), await box('.seg-on')];
    expect(toTap.height).toBeLessThan(8);
    expect(onward.height).toBeLessThan(8);
    expect(onward.y).toBeGreaterThan(toTap.y + 10);
    expect(wait.y).toBeLessThanOrEqual(toTap.y + 4);
    expect(wait.y + wait.height).toBeGreaterThanOrEqual(onward.y - 4);
    // The onward piece starts at the tap, where the held piece ended.
    expect(Math.abs(onward.x - (toTap.x + toTap.width))).toBeLessThan(4);
    const label = await box('.flabel');
    expect(label.y).toBeGreaterThan(toTap.y);
    expect(label.y).toBeLessThan(onward.y + 4);
    await api().call('step.releaseAll', {});
    await api().call('step.set', { on: false });
    await shot(page, 'held-released-1600x1000');
  }, 60_000);
});
