// Every view of the notebook in Chromium against the real browser-mode server (`mqtt-lab web`): a short
// story told through the real tap by real clients (mqtt.js in the lab, aedes), then layout from 1280×720
// to 3840×2160 in both themes, the side panels, the filter box, pause, zoom and a real lesson.
// Screenshots of each view go to test-artifacts/ui/ for a person to look at.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { NodeLabApi } from './support/api-client.js';
import { chromiumMissing } from './support/browser.js';
import { labServerMissing } from './support/lab-server.js';
import { uiSuite } from './support/ui-suite.js';
import { createClient, openCard, openTab, publish, shot, readAll } from './support/ui-helpers.js';

const why = chromiumMissing() ?? labServerMissing();
const SIZES = [
  { w: 1280, h: 720 },
  { w: 1920, h: 1080 },
  { w: 3840, h: 2160 },
];

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The story every view is looked at with: a dashboard subscribed to home/#, a sensor with a retained
 * status and a Last Will, a few JSON readings, one QoS 2 temperature, a QoS 1 door event whose PUBACK the
 * tap drops, and finally the sensor killed so the broker publishes its will.
 */
async function story(api: NodeLabApi): Promise<void> {
  await api.call('clients.create', { id: 'dashboard' });
  await api.call('clients.connect', { id: 'dashboard' });
  await api.call('clients.subscribe', { id: 'dashboard', subscriptions: [{ filter: 'home/#', qos: 2 }] });
  await api.call('clients.create', { id: 'sensor', options: { will: { topic: 'home/sensor/status', payload: 'offline', qos: 1, retain: true } } });
  await api.call('clients.connect', { id: 'sensor' });
  await api.call('clients.publish', { id: 'sensor', topic: 'home/sensor/status', payload: 'online', qos: 1, retain: true });
  for (let i = 0; i < 4; i++) {
    await api.call('clients.publish', { id: 'sensor', topic: 'home/livingroom/climate', payload: JSON.stringify({ temperature: 21 + i / 2, humidity: 40 + i }) });
    await pause(150);
  }
  await api.call('clients.publish', { id: 'sensor', topic: 'home/livingroom/temp', payload: '22.5', qos: 2 });
  await api.call('faults.add', { match: { type: 'PUBACK', direction: 'toClient', clientId: 'sensor' }, action: 'drop', times: 1 });
  void api.call('clients.publish', { id: 'sensor', topic: 'home/door', payload: 'open', qos: 1 }).catch(() => {});
  await pause(300);
  await api.call('clients.kill', { id: 'sensor' });
  await pause(300);
}

describe.skipIf(why !== undefined)(`notebook views on the real lab${why ? ` (skipped: ${why})` : ''}`, () => {
  const suite = uiSuite('views', story);

  /** A page at a size; without a theme, the one the page picks itself (light, in headless Chromium). */
  function open(size = { w: 1920, h: 1080 }, theme?: 'light' | 'dark'): Promise<Page> {
    return suite.open({ ...size, zoom: 1 }, { theme: theme ?? 'light', untilConnected: true, timeoutMs: 30_000 });
  }

  /** The story's packets are on screen, up to the sensor's end. */
  async function storyShown(page: Page): Promise<void> {
    await page.locator('.seq').getByText('sensor closed its connection without DISCONNECT').waitFor();
  }

  for (const size of SIZES) {
    for (const theme of ['dark', 'light'] as const) {
      it(`lays out every region inside ${size.w}×${size.h} (${theme})`, async () => {
        const page = await open(size, theme);
        await storyShown(page);
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
    const page = await open({ w: 1920, h: 1080 }, 'dark');
    await storyShown(page);
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
    // The four climate readings of the story, as lines.
    await expect.poll(() => page.locator('.chart path.line').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    const retained = await page.locator('.topics li', { has: page.locator('.ret') }).first().innerText();
    expect(retained).toContain('status');
    await shot(page, 'view-topics-chart-1920x1080');
  });

  it('opens the help overlay with ? and the connect instructions from the bar', async () => {
    const page = await open({ w: 1280, h: 720 }, 'light');
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await shot(page, 'view-help-1280x720');
    await page.keyboard.press('Escape');
    await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' }).count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'How?' }).click();
    const dialog = page.getByRole('dialog', { name: 'How to connect your own code' });
    await expect(dialog.innerText()).resolves.toContain(`mosquitto_pub -h 127.0.0.1 -p ${suite.server.mqtt.port}`);
    await shot(page, 'view-connect-1280x720');
  });

  it('explains a bad display filter under the box, and filters with a good one', async () => {
    const page = await open({ w: 1920, h: 1080 }, 'dark');
    await storyShown(page);
    const box = page.getByPlaceholder('mqtt.qos == 1 && mqtt.topic contains "temp"');
    await box.fill('mqtt.qos = 1');
    await expect(page.locator('#filter-msg').innerText()).resolves.toContain("Use '==' to compare");
    await expect(box.getAttribute('aria-invalid')).resolves.toBe('true');
    await shot(page, 'view-filter-error-1920x1080');
    await box.fill('mqtt.qos == 2 && mqtt.topic contains "temp"');
    await box.press('Enter');
    await expect.poll(() => page.locator('.list .row .type').allTextContents()).toEqual(['PUBLISH', 'PUBLISH']);
    // The info cell shows the topic; the whole mosquitto-style summary line is its title.
    const summaries = await readAll(page, '.list .row .summary', (cells) => cells.map((c) => c.getAttribute('title') ?? ''));
    expect(summaries).toHaveLength(2);
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
    const page = await open({ w: 1920, h: 1080 });
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
    const page = await open({ w: 1280, h: 720 });
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
    // Last in this file: starting a lesson resets the lab the other tests looked at.
    const page = await open({ w: 1920, h: 1080 }, 'light');
    await openTab(page, 'Lesson');
    await page.locator('.lesson .open[data-lesson="07-qos"]').click();
    await page.getByRole('button', { name: 'Start the lesson' }).click();
    // Lesson 07: a sensor and a display, QoS 0, QoS 1 with a prediction, QoS 2 with a question answered
    // from the capture.
    for (const n of [1, 2]) {
      await page.getByRole('button', { name: `Run step ${n}` }).click();
      const r = page.getByRole('list', { name: `Results of step ${n}` });
      await r.waitFor({ timeout: 20_000 });
      expect(await r.locator('li:not(.action) .mark').allTextContents()).toEqual(n === 1 ? ['✓', '✓'] : ['✓', '✓', '✓']);
    }
    const step3 = page.locator('.step[data-step="2"]');
    await step3.getByLabel('2', { exact: true }).check();
    await page.getByRole('button', { name: 'Run step 3' }).click();
    const r3 = page.getByRole('list', { name: 'Results of step 3' });
    await r3.waitFor({ timeout: 20_000 });
    expect(await r3.locator('li:not(.action) .mark').allTextContents()).toEqual(['✓', '✓']);
    await expect(step3.locator('.verdict').textContent()).resolves.toContain('✓ Your prediction was right');
    await page.getByRole('button', { name: 'Run step 4' }).click();
    const quiz = page.locator('.step[data-step="3"] .quiz');
    await quiz.waitFor({ timeout: 20_000 });
    // An open question read off the capture: the PUBREL's remaining length (its packet id, 2 bytes).
    await quiz.getByLabel('Your answer').fill('2');
    await quiz.getByRole('button', { name: 'Check' }).click();
    const r4 = page.getByRole('list', { name: 'Results of step 4' });
    await r4.waitFor({ timeout: 20_000 });
    expect(await r4.locator('li:not(.action) .mark').allTextContents()).toEqual(['✓', '✓', '✓', '✓']);
    await expect(quiz.locator('.verdict').textContent()).resolves.toContain('Right');
    await shot(page, 'view-lesson-run-1920x1080');
  });
});
