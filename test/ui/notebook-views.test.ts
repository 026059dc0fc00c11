// Every view of the notebook in Chromium, driven by the in-page fake lab (`?fake=1`): layout from 1280×720
// to 3840×2160 in both themes, the filter box, pause, zoom, the lesson pane. Screenshots of each view go to
// test-artifacts/ui/ for a person to look at.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing, launch, watchPage, type PageWatch } from './support/browser.js';
import { RENDERER_OUT, ensureRendererBuilt } from './support/build.js';
import { serveStatic, type StaticServer } from './support/static-server.js';
import { createClient, openCard, openTab, publish, shot } from './support/ui-helpers.js';

const why = chromiumMissing();
const SIZES = [
  { w: 1280, h: 720 },
  { w: 1920, h: 1080 },
  { w: 3840, h: 2160 },
];

describe.skipIf(why !== undefined)(`notebook views with the demo lab${why ? ` (skipped: ${why})` : ''}`, () => {
  let server: StaticServer;
  let browser: Browser;
  const pages: Page[] = [];
  const watches: PageWatch[] = [];

  async function open(query: string, size = { w: 1920, h: 1080 }, theme?: 'light' | 'dark'): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: size.w, height: size.h } });
    watches.push(await watchPage(page));
    if (theme) await page.addInitScript((t) => localStorage.setItem('mqtt-lab.ui', JSON.stringify({ theme: t })), theme);
    await page.goto(`${server.url}/?${query}`);
    await page.locator('.bar .demo').waitFor();
    pages.push(page);
    return page;
  }

  /** The demo story ends with the sensor's will delivered to the dashboard. */
  async function demoDone(page: Page): Promise<void> {
    await page.locator('.card[data-client="sensor"] .state', { hasText: 'killed' }).waitFor({ timeout: 15_000 });
    await page.waitForTimeout(600);
  }

  beforeAll(async () => {
    ensureRendererBuilt();
    server = await serveStatic(RENDERER_OUT);
    browser = await launch();
  }, 120_000);

  afterEach(async (ctx) => {
    const page = pages.at(-1);
    if (ctx.task.result?.state === 'fail' && page) await shot(page, `FAILED-views-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
    for (const p of pages.splice(0)) await p.close();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    for (const w of watches) {
      expect(w.dialogs).toEqual([]);
      expect(w.csp).toEqual([]);
      expect(w.errors).toEqual([]);
    }
  });

  for (const size of SIZES) {
    for (const theme of ['dark', 'light'] as const) {
      it(`lays out every region inside ${size.w}×${size.h} (${theme})`, async () => {
        const page = await open('fake=1&live=0', size, theme);
        await demoDone(page);
        await page.locator('.seq .arrow .hit').last().click({ force: true });
        await page.locator('.detail header .type').waitFor();
        const overflow = await page.evaluate(() => ({
          x: document.documentElement.scrollWidth - window.innerWidth,
          y: document.documentElement.scrollHeight - window.innerHeight,
        }));
        expect(overflow).toEqual({ x: 0, y: 0 });
        for (const sel of ['.bar', '.side', '.seq', '.list', '.detail', '.hex']) {
          const box = await page.locator(sel).first().boundingBox();
          expect(box, sel).not.toBeNull();
          expect(box!.x, sel).toBeGreaterThanOrEqual(0);
          expect(box!.y + Math.min(box!.height, 40), sel).toBeLessThanOrEqual(size.h);
          expect(box!.x + box!.width, sel).toBeLessThanOrEqual(size.w + 1);
          expect(box!.width, sel).toBeGreaterThan(size.w * 0.12);
        }
        // The broker's lifeline is on screen: the diagram fits its lanes in the width it has.
        const broker = await page.locator('.seq .lane-title.broker').boundingBox();
        const seq = await page.locator('.seq').boundingBox();
        expect(broker!.x + broker!.width).toBeLessThanOrEqual(seq!.x + seq!.width);
        // Text is big enough to read from the back of a room: body text at least 14 px at 1280 wide.
        const px = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
        expect(px).toBeGreaterThanOrEqual(size.w >= 3840 ? 24 : size.w >= 1920 ? 17 : 14);
        await shot(page, `view-main-${size.w}x${size.h}-${theme}`);
      });
    }
  }

  it('shows each side panel: lessons, clients with the new-client form, faults, topics with the chart', async () => {
    const page = await open('fake=1', { w: 1920, h: 1080 }, 'dark');
    await demoDone(page);
    await openTab(page, 'Lesson');
    await page.locator('.lesson .open').first().waitFor();
    await shot(page, 'view-lessons-list-1920x1080');
    await openTab(page, 'Clients');
    await page.getByRole('button', { name: '+ New client' }).click();
    await page.getByRole('form', { name: 'New client' }).getByLabel('Last Will and Testament').check();
    await shot(page, 'view-clients-form-1920x1080');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await openCard(page, 'dashboard');
    await page.locator('.card[data-client="dashboard"] .msgs li').first().waitFor();
    await shot(page, 'view-clients-messages-1920x1080');
    await openTab(page, 'Faults');
    await page.getByRole('button', { name: 'Delay deliveries 1 s' }).click();
    await page.locator('.rule.delay').waitFor();
    await shot(page, 'view-faults-1920x1080');
    await openTab(page, 'Topics');
    await page.locator('.topics .ret').first().waitFor();
    // Telemetry arrives every 1.5 s: wait for a few points of the living-room climate.
    await expect.poll(() => page.locator('.chart path.line').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.waitForTimeout(3500);
    const retained = await page.locator('.topics li', { has: page.locator('.ret') }).first().innerText();
    expect(retained).toContain('status');
    expect(retained).toContain('offline');
    await shot(page, 'view-topics-chart-1920x1080');
  });

  it('opens the help overlay with ? and the connect instructions from the bar', async () => {
    const page = await open('fake=1&live=0&demo=0', { w: 1280, h: 720 }, 'light');
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await shot(page, 'view-help-1280x720');
    await page.keyboard.press('Escape');
    await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' }).count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'How?' }).click();
    const dialog = page.getByRole('dialog', { name: 'How to connect your own code' });
    await expect(dialog.innerText()).resolves.toContain('mosquitto_pub -h 127.0.0.1 -p 1883');
    await shot(page, 'view-connect-1280x720');
  });

  it('explains a bad display filter under the box, and filters with a good one', async () => {
    const page = await open('fake=1&live=0', { w: 1920, h: 1080 }, 'dark');
    await demoDone(page);
    const box = page.getByPlaceholder('mqtt.qos == 1 && mqtt.topic contains "temp"');
    await box.fill('mqtt.qos = 1');
    await expect(page.locator('#filter-msg').innerText()).resolves.toContain("Use '==' to compare");
    await expect(box.getAttribute('aria-invalid')).resolves.toBe('true');
    await shot(page, 'view-filter-error-1920x1080');
    await box.fill('mqtt.qos == 2 && mqtt.topic contains "temp"');
    await box.press('Enter');
    await expect.poll(() => page.locator('.list .row .type').allTextContents()).toEqual(['PUBLISH', 'PUBLISH']);
    const summaries = await page.locator('.list .row .summary').allTextContents();
    expect(summaries.every((s) => s.includes('q2') && s.includes('temp'))).toBe(true);
    // The diagram shows the same selection.
    await expect.poll(() => page.locator('.seq .arrow').count()).toBe(2);
    await box.fill('lab.fault == drop || mqtt.dupflag == 1');
    await box.press('Enter');
    await expect.poll(() => page.locator('.list .row .type').allTextContents()).toEqual(['PUBACK']);
    await box.fill('mqtt.nosuch == 1');
    await expect(page.locator('#filter-msg').innerText()).resolves.toContain("No packet in the capture has 'mqtt.nosuch'");
  });

  it('freezes the view on P while the capture goes on, and catches up on resume', async () => {
    const page = await open('fake=1&demo=0&live=0', { w: 1920, h: 1080 });
    await createClient(page, 'a');
    const count = async (): Promise<number> => Number((await page.locator('.filterbar .count').textContent())!.replace(/\D/g, ''));
    const before = await count();
    await page.locator('.seq .scroller').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('p');
    await page.locator('.pill.paused').waitFor();
    await publish(page, 'a', 't', 'x', 0);
    await publish(page, 'a', 't', 'y', 0);
    await page.waitForTimeout(300);
    expect(await count()).toBe(before);
    await expect(page.locator('.pill.paused').textContent()).resolves.toContain('+2');
    await page.locator('.seq .scroller').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('p');
    await expect.poll(count).toBe(before + 2);
  });

  it('zooms with Ctrl +/− and keeps the layout inside the window', async () => {
    const page = await open('fake=1&demo=0&live=0', { w: 1280, h: 720 });
    const size = (): Promise<number> => page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
    const base = await size();
    await page.keyboard.press('Control+=');
    await page.keyboard.press('Control+=');
    expect(await size()).toBeGreaterThan(base * 1.2);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBe(0);
    await shot(page, 'view-zoomed-1280x720');
    await page.keyboard.press('Control+0');
    expect(await size()).toBe(base);
  });

  it('runs a lesson: prediction, steps with ✓ per expectation, and a question', async () => {
    const page = await open('fake=1&demo=0&live=0', { w: 1920, h: 1080 }, 'light');
    await openTab(page, 'Lesson');
    await page.locator('.lesson .open[data-lesson="qos1-lost-puback"]').click();
    await page.getByRole('button', { name: 'Start the lesson' }).click();
    await page.getByRole('button', { name: 'Run step 1' }).click();
    await page.getByRole('list', { name: 'Results of step 1' }).waitFor();
    const step2 = page.locator('.step[data-step="1"]');
    await step2.getByLabel('2', { exact: true }).check();
    await page.getByRole('button', { name: 'Run step 2' }).click();
    const results = page.getByRole('list', { name: 'Results of step 2' });
    await results.waitFor();
    expect(await results.locator('li:not(.action) .mark').allTextContents()).toEqual(['✓', '✓']);
    await expect(step2.locator('.verdict').textContent()).resolves.toContain('✓ Your prediction was right');
    await page.getByRole('button', { name: 'Run step 3' }).click();
    await page.getByRole('list', { name: 'Results of step 3' }).waitFor();
    // Step 4 waits for its question to be answered before it completes.
    await page.getByRole('button', { name: 'Run step 4' }).click();
    const quiz = page.locator('.step[data-step="3"] .quiz');
    await quiz.waitFor();
    await quiz.getByRole('button', { name: /at least once/ }).click();
    const r4 = page.getByRole('list', { name: 'Results of step 4' });
    await r4.waitFor();
    expect(await r4.locator('li:not(.action) .mark').allTextContents()).toEqual(['✓', '✓', '✓']);
    await expect(quiz.locator('.verdict').textContent()).resolves.toContain('Right');
    await expect(page.locator('.lesson .done').textContent()).resolves.toContain('4 of 4');
    // The lesson pointed the detail view at the DUP flag of the resent PUBLISH.
    await expect(page.locator('.frow.selected').getAttribute('data-filter')).resolves.toBe('mqtt.dupflag');
    await shot(page, 'view-lesson-run-1920x1080');
  });
});
