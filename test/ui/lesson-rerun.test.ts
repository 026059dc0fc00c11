// A failed lesson step run again from its card, and a lesson's clients leaving when the pane closes it (issue
// 17 items 2 and 6), in Chromium against the real browser-mode server: the step fails for a reason outside
// the lesson (a drop rule left armed), the student removes the rule and runs the step again on the real broker.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumMissing } from './support/browser.js';
import { labServerMissing } from './support/lab-server.js';
import type { NodeLabApi } from './support/api-client.js';
import { openTab, shot } from './support/ui-helpers.js';
import { uiSuite } from './support/ui-suite.js';

const why = chromiumMissing() ?? labServerMissing();

const LESSON = `---
title: Try it again
order: 92
---

\`\`\`step
title: A watcher
do:
  - client: { id: watcher }
  - connect: watcher
  - subscribe: { client: watcher, filter: home/# }
expect:
  - packet: { type: SUBACK, to: watcher }
\`\`\`

\`\`\`step
title: A reading arrives
do:
  - client: { id: sensor }
  - connect: sensor
  - publish: { client: sensor, topic: home/temp, payload: "21.5" }
expect:
  - received: { client: watcher, topic: home/temp, payload: "21.5", within: 1500 }
\`\`\`
`;

describe.skipIf(why !== undefined)(`running a failed step again${why ? ` (skipped: ${why})` : ''}`, () => {
  let api: NodeLabApi;
  let page: Page;

  const suite = uiSuite('rerun', undefined, { lessons: { 'again.md': LESSON } });
  beforeAll(async () => {
    api = suite.api;
    page = await suite.open({ w: 1280, h: 720, zoom: 1.5 }, { theme: 'light', keep: true, timeoutMs: 15_000 });
    await openTab(page, 'Lesson');
  }, 120_000);

  const publishes = async (): Promise<number> =>
    (await api.call('packets.query', {})).filter((p) => p.type === 'PUBLISH' && p.direction === 'toBroker').length;

  it('offers to run a failed step again, and the run on the real broker replaces the failure', async () => {
    await page.getByText('Try it again').first().click();
    await page.getByRole('button', { name: 'Start the lesson' }).click();
    await page.getByRole('button', { name: 'Run step 1' }).click();
    const step = page.locator('[data-step="1"]');
    await step.getByRole('button', { name: 'Run step 2' }).waitFor();
    // Left armed in the Faults panel: the sensor's PUBLISH never reaches the broker.
    const stray = await api.call('faults.add', { match: { type: 'PUBLISH', direction: 'toBroker', clientId: 'sensor' }, action: 'drop' });
    await step.getByRole('button', { name: 'Run step 2' }).click();
    await expect.poll(() => step.getAttribute('class'), { timeout: 15_000 }).toMatch(/\bfailed\b/);
    const again = step.getByRole('button', { name: '↻ Run step 2 again' });
    await again.waitFor();
    // Step 1 passed: nothing to run again there.
    await expect(page.locator('[data-step="0"]').getByRole('button', { name: /again/ }).count()).resolves.toBe(0);
    await again.scrollIntoViewIfNeeded();
    await shot(page, 'lesson-rerun-offered-1280x720');

    await api.call('faults.remove', { id: stray.id });
    await again.click();
    await expect.poll(() => step.getAttribute('class'), { timeout: 15_000 }).toMatch(/\bpassed\b/);
    await expect(step.locator('.attempt').textContent()).resolves.toBe('Run 2 of this step');
    await expect(step.getByRole('button', { name: /again/ }).count()).resolves.toBe(0);
    await expect(step.locator('.results li:not(.pass)').count()).resolves.toBe(0);
    // It truly ran twice: two PUBLISH packets from the sensor reached the tap.
    expect(await publishes()).toBe(2);
    await shot(page, 'lesson-rerun-passed-1280x720');
  });

  it("takes the lesson's clients away when the pane closes it, even after a reload", async () => {
    expect((await api.call('clients.list', {})).map((c) => c.id).sort()).toEqual(['sensor', 'watcher']);
    await page.reload();
    await openTab(page, 'Lesson');
    await page.getByText('Try it again').first().click();
    await page.getByRole('button', { name: '← Lessons' }).click();
    await expect.poll(async () => (await api.call('clients.list', {})).length, { timeout: 10_000 }).toBe(0);
    // The tap sees the socket close a moment after the client is gone: wait for it, on a loaded machine too.
    await expect.poll(async () => (await api.call('connections.list', {})).filter((c) => c.state !== 'closed'), { timeout: 10_000 }).toEqual([]);
  });
});
