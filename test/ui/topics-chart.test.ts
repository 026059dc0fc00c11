// Topics and the live chart (issue 17 item 9), in Chromium against the real lab server with real mqtt.js
// clients publishing through the tap to aedes: one panel per numeric field, each on its own scale; a window
// with no data says so; a topic's history with the diff against the message before; a large chart for the
// back row; and Topics counts that agree with the tree.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumMissing } from './support/browser.js';
import { labServerMissing } from './support/lab-server.js';
import { openTab, shot, readAll } from './support/ui-helpers.js';
import { uiSuite, type View } from './support/ui-suite.js';

const why = chromiumMissing() ?? labServerMissing();

const CLIMATE = 'home/living/climate';
/** Readings a sensor sends: a temperature moving within 1 °C, a humidity near 45 %. */
const READINGS = [
  { temperature: 20.3, humidity: 44 },
  { temperature: 20.5, humidity: 45 },
  { temperature: 20.9, humidity: 45 },
  { temperature: 20.7, humidity: 47 },
  { temperature: 21.1, humidity: 46 },
];

const LONG = { room: 'kitchen', window: 'closed', heating: 'on', note: 'a payload longer than the preview', lux: 0 };

describe.skipIf(why !== undefined)(`topics and the live chart${why ? ` (skipped: ${why})` : ''}`, () => {
  const suite = uiSuite('topics', async (api) => {
    for (const id of ['sensor', 'dashboard']) {
      await api.call('clients.create', { id });
      await api.call('clients.connect', { id });
    }
    await api.call('clients.subscribe', { id: 'dashboard', subscriptions: [{ filter: 'home/#', qos: 1 }] });
    for (const r of READINGS) await api.call('clients.publish', { id: 'sensor', topic: CLIMATE, payload: JSON.stringify(r), qos: 1 });
    // `home` is a topic and a branch at once; `home/door` keeps a retained value; `home/note` is plain text.
    await api.call('clients.publish', { id: 'sensor', topic: 'home', payload: 'hello', qos: 0 });
    await api.call('clients.publish', { id: 'sensor', topic: 'home/door', payload: 'open', qos: 1, retain: true });
    await api.call('clients.publish', { id: 'sensor', topic: 'home/note', payload: 'back at six', qos: 0 });
    await api.call('clients.publish', { id: 'sensor', topic: 'home/note', payload: 'back at seven', qos: 0 });
    // Longer than the live stream's 64-character preview: the history reads these whole.
    for (const lux of [310, 295]) await api.call('clients.publish', { id: 'sensor', topic: 'home/kitchen/state', payload: JSON.stringify({ ...LONG, lux }), qos: 0 });
  });

  async function open(view: View, theme: 'dark' | 'light', fakeClock = false): Promise<Page> {
    const page = await suite.open(view, { theme, fakeClock, timeoutMs: 20_000 });
    await openTab(page, 'Topics');
    return page;
  }

  /** The y labels of one series' panel, as numbers. */
  const yLabels = (page: Page, key: string): Promise<number[]> =>
    page.locator(`.chart figure[data-series="${key}"] .ylab`).allTextContents().then((l) => l.map(Number));

  it('gives each numeric field its own panel and scale, so 20–21 °C is not flattened beside 45 %', async () => {
    const page = await open({ w: 1920, h: 1080, zoom: 1 }, 'dark');
    const temp = `${CLIMATE} › temperature`;
    const hum = `${CLIMATE} › humidity`;
    await page.locator(`.chart figure[data-series="${temp}"] path.line`).waitFor();
    await page.locator(`.chart figure[data-series="${hum}"] path.line`).waitFor();
    const t = await yLabels(page, temp);
    const h = await yLabels(page, hum);
    // Each axis spans its own series: a shared one would run from about 20 to 47 on both.
    expect(Math.min(...t)).toBeGreaterThanOrEqual(19);
    expect(Math.max(...t)).toBeLessThanOrEqual(22);
    expect(Math.min(...h)).toBeGreaterThanOrEqual(40);
    expect(Math.max(...h)).toBeLessThanOrEqual(50);
    // The temperature line fills most of its panel's height instead of lying flat.
    const [line, plot] = await page.locator(`.chart figure[data-series="${temp}"]`).evaluate((f) => {
      const p = (f.querySelector('path.line') as SVGPathElement).getBBox();
      return [p.height, (f.querySelector('svg') as SVGSVGElement).getBoundingClientRect().height];
    });
    expect(line / plot).toBeGreaterThan(0.4);
    // The newest value of each series is beside its name.
    await expect(page.locator(`.chart figure[data-series="${temp}"] figcaption .v`).textContent()).resolves.toBe('21.1');
    await shot(page, 'topics-chart-panels-1920x1080');
  });

  it('says "no data in the last 2 min" when the data ages out, not an empty 0–1 axis', async () => {
    const page = await open({ w: 1280, h: 720, zoom: 1.5 }, 'light', true);
    const temp = `${CLIMATE} › temperature`;
    await page.locator(`.chart figure[data-series="${temp}"] path.line`).waitFor();
    await page.clock.fastForward('03:00');
    const empty = page.locator(`.chart figure[data-series="${temp}"] [data-testid="chart-no-data"]`);
    // The chart's clock ticks once a second; on a loaded machine the page may take a while to redraw.
    await expect.poll(() => empty.count(), { timeout: 15_000 }).toBe(1);
    await expect(empty.innerText()).resolves.toMatch(/No data in the last 2 min\s+last value 21\.1, 3 min ago/);
    await expect(page.locator('.chart svg').count()).resolves.toBe(0);
    await page.locator('.chart').scrollIntoViewIfNeeded();
    await shot(page, 'topics-chart-no-data-1280x720');
    // A longer window brings the line back.
    await page.getByLabel('Time window').selectOption({ label: 'last 10 min' });
    await page.locator(`.chart figure[data-series="${temp}"] path.line`).waitFor({ timeout: 15_000 });
  });

  it("shows a topic's history, newest first, with what changed since the message before", async () => {
    const page = await open({ w: 1280, h: 720, zoom: 1.5 }, 'dark');
    await page.locator('.topics .name', { hasText: 'climate' }).click();
    const history = page.getByTestId('topic-history');
    await history.waitFor();
    await expect(history.locator('h3').textContent()).resolves.toBe(CLIMATE);
    const items = history.locator('ol > li');
    await expect(items.count()).resolves.toBe(READINGS.length);
    await expect(items.first().locator('.payload').textContent()).resolves.toBe(JSON.stringify(READINGS.at(-1)));
    // 20.7 → 21.1 and 47 → 46: both leaves that changed, each with its signed change.
    const newest = await items.first().locator('.diff').innerText();
    expect(newest).toMatch(/temperature 20\.7 → 21\.1 \+0\.4/);
    expect(newest).toMatch(/humidity 47 → 46 −1/);
    // 20.5 → 20.9 with humidity unchanged: only the temperature is named.
    const third = await items.nth(2).locator('.diff').innerText();
    expect(third).toMatch(/temperature 20\.5 → 20\.9 \+0\.4/);
    expect(third).not.toMatch(/humidity/);
    await expect(items.last().locator('.diff').innerText()).resolves.toBe('first message here');
    await page.locator('.topics').scrollIntoViewIfNeeded();
    await history.scrollIntoViewIfNeeded();
    await shot(page, 'topics-history-1280x720');

    // Its packet number opens that very PUBLISH in the detail.
    const seq = await items.first().getAttribute('data-seq');
    await items.first().locator('button.seq').click();
    await expect.poll(() => page.getByRole('tree', { name: 'Fields' }).innerText()).toContain(JSON.stringify(READINGS.at(-1)).slice(0, 20));
    await expect(page.getByRole('grid', { name: 'Captured packets' }).locator('[role="row"][aria-selected="true"]').getAttribute('data-seq')).resolves.toBe(seq);

    // A payload longer than the summary's preview is read whole, and its diff names the one leaf that changed.
    await page.locator('.topics .name', { hasText: 'state' }).click();
    await expect(history.locator('h3').textContent()).resolves.toBe('home/kitchen/state');
    const long = history.locator('ol > li').first();
    await expect.poll(() => long.locator('.payload').textContent()).toBe(JSON.stringify({ ...LONG, lux: 295 }));
    await expect.poll(() => long.locator('.diff').innerText()).toBe('lux 310 → 295 −15');

    // Plain text changes show what the text was.
    await page.locator('.topics .name', { hasText: 'note' }).click();
    await expect(history.locator('h3').textContent()).resolves.toBe('home/note');
    await expect(history.locator('ol > li').first().locator('.diff').innerText()).resolves.toBe('was back at six');
  });

  it('counts topics and PUBLISH in the header as the tree shows them', async () => {
    const page = await open({ w: 1920, h: 1080, zoom: 1 }, 'light');
    await page.locator('.topics .counts').first().waitFor();
    const header = (await page.getByTestId('topic-totals').textContent())!;
    const [, topics, up, down] = /^(\d+) topics? · PUBLISH (\d+)↑ (\d+)↓$/.exec(header.trim())!;
    const counts = await readAll(page, '.topics .counts', (els) => els.map((e) => e.textContent ?? ''));
    const sum = (re: RegExp): number => counts.reduce((n, c) => n + Number(re.exec(c)?.[1] ?? 0), 0);
    // home, home/door, home/kitchen/state, home/living/climate, home/note: `home` is a topic as well as a branch.
    expect(Number(topics)).toBe(5);
    expect(counts).toHaveLength(5);
    expect(Number(up)).toBe(sum(/(\d+)↑/));
    expect(Number(down)).toBe(sum(/(\d+)↓/));
    expect(Number(up)).toBe(READINGS.length + 6);
    await expect(page.getByRole('tab', { name: /^Topics/ }).locator('.badge').textContent()).resolves.toBe('5');
  });

  it('shows the chart large over the notebook for the back row, and Esc puts it back', async () => {
    const page = await open({ w: 1280, h: 720, zoom: 1.5 }, 'dark');
    await page.locator('.chart path.line').first().waitFor();
    const grid = page.getByRole('grid', { name: 'Captured packets' });
    await grid.locator('[role="row"]').last().click();
    const chosen = await grid.locator('[role="row"][aria-selected="true"]').getAttribute('data-seq');
    await page.getByRole('button', { name: '⤢ Large' }).click();
    const box = (await page.locator('section.chart.large').boundingBox())!;
    expect(box.width).toBeGreaterThan(1100);
    // Three panels (temperature, humidity, lux): each whole inside the overlay, wide and high enough to read.
    const svgs = await page.locator('.chart.large svg').all();
    expect(svgs).toHaveLength(3);
    for (const s of svgs) {
      const svg = (await s.boundingBox())!;
      expect(svg.width).toBeGreaterThan(500);
      expect(svg.height).toBeGreaterThan(150);
      expect(svg.y + svg.height).toBeLessThanOrEqual(box.y + box.height);
    }
    await shot(page, 'topics-chart-large-1280x720');
    await page.keyboard.press('Escape');
    await expect(page.locator('section.chart.large').count()).resolves.toBe(0);
    // That Escape closed the chart only: the packet chosen before stays selected.
    await expect(grid.locator('[role="row"][aria-selected="true"]').getAttribute('data-seq')).resolves.toBe(chosen);
  });
});
