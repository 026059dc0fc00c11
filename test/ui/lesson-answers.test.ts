// The lesson pane in Chromium against the real browser-mode server: a student types a filter of their own
// before a step runs (a wrong kind of value is refused at once, a fitting one is run and checked by what
// the real broker does), and answers an open question whose right answer is read from their own capture.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumMissing } from './support/browser.js';
import { labServerMissing } from './support/lab-server.js';
import { uiSuite } from './support/ui-suite.js';
import { openTab, shot } from './support/ui-helpers.js';

const why = chromiumMissing() ?? labServerMissing();

const LESSON = `---
title: Answers of your own
order: 91
---

\`\`\`step
title: Two clients
do:
  - client: { id: sensor }
  - client: { id: display }
  - connect: sensor
  - connect: display
\`\`\`

\`\`\`step
title: Your filter
choose:
  name: filter
  prompt: A filter for every room's temperature and nothing else
  kind: filter
  example: home/+/temp
do:
  - subscribe: { client: display, filter: {{filter}} }
  - publish: { client: sensor, topic: home/kitchen/temp, payload: "21.5", qos: 1 }
  - publish: { client: sensor, topic: home/kitchen/humidity, payload: "40" }
expect:
  - received: { client: display, topic: home/kitchen/temp }
  - not-received: { client: display, topic: home/kitchen/humidity, within: 500 }
  - quiz: true
question:
  prompt: What is the remaining length of the sensor's QoS 1 PUBLISH?
  answer: { read: mqtt.len, packet: { type: PUBLISH, from: sensor, qos: 1 } }
\`\`\`
`;

describe.skipIf(why !== undefined)(`answers of the student's own in the lesson pane${why ? ` (skipped: ${why})` : ''}`, () => {
  let page: Page;

  const suite = uiSuite('answers', undefined, { lessons: { 'answers.md': LESSON } });
  beforeAll(async () => {
    page = await suite.open({ w: 1600, h: 1000, zoom: 1 }, { theme: 'light', keep: true, timeoutMs: 30_000 });
    await openTab(page, 'Lesson');
  }, 120_000);

  it('takes a filter typed by the student, refuses one that is not a filter, and runs the step with it', async () => {
    await page.getByText('Answers of your own').first().click();
    await page.getByRole('button', { name: 'Start the lesson' }).click();
    await page.getByRole('button', { name: 'Run step 1' }).click();
    const step = page.locator('[data-step="1"]');
    const run = step.getByRole('button', { name: 'Run step 2' });
    await run.waitFor();
    expect(await run.isDisabled()).toBe(true); // nothing chosen yet
    // The example answer is not given away by the list of what the step does.
    expect(await step.getByText('home/+/temp').count()).toBe(0);
    await shot(page, 'lesson-choice-before');
    const input = step.getByLabel("A filter for every room's temperature and nothing else");
    await input.fill('home+');
    await run.click();
    // Refused before anything runs: the notice names the rule, and the step has no result.
    await expect.poll(() => page.getByText(/'home\+' is not a valid topic filter/).count()).toBeGreaterThan(0);
    expect(await step.locator('.results').count()).toBe(0);
    await input.fill('home/+/temp');
    await run.click();
    await step.getByText('The step waits for your answer.').waitFor();
    await shot(page, 'lesson-choice-and-open-question');
  });

  it('checks a typed answer against the student\'s own capture: wrong, then right, with the packet it came from', async () => {
    const step = page.locator('[data-step="1"]');
    const answer = step.getByLabel('Your answer');
    // home/kitchen/temp (2 + 17) + packet identifier (2) + "21.5" (4) = 25.
    await answer.fill('24');
    await step.getByRole('button', { name: 'Check' }).click();
    await step.getByText('✗ Not that: look again at the packet and try again.').waitFor();
    await answer.fill('0x19');
    await step.getByRole('button', { name: 'Check' }).click();
    await step.getByText('✓ Right.').waitFor();
    await expect.poll(async () => (await step.locator('.expected').textContent()) ?? '').toMatch(/^The answer in your capture: 25 \(0x19\), read from PUBLISH #\d+$/);
    await step.getByText('You chose').waitFor();
    await expect.poll(() => step.getAttribute('class')).toMatch(/\bpassed\b/);
    await shot(page, 'lesson-open-answer-right');
  });
});
