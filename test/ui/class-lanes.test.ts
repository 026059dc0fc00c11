// A class of 200 in the notebook (issue 15): the real `mqtt-lab web` server in Chromium while 200 real paho
// clients (one Python process) publish a reading each second and five more connect and stay silent. The
// sequence diagram folds the students into a group lane and the silent ones into an idle lane, a lecturer's
// own group and a click on a lane header focus a group or one client, and the clients list finds a student
// and filters the packet list to its packets in one click. Screenshots at 1280×720 zoomed 150 % and at
// 1920×1080 go to test-artifacts/ui/.
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumMissing } from './support/browser.js';
import { labServerMissing } from './support/lab-server.js';
import { openTab, shot, readAll } from './support/ui-helpers.js';
import { uiSuite } from './support/ui-suite.js';
import { missing } from '../peers/have.js';
import { runPaho } from '../peers/paho.js';
import type { RunResult } from '../peers/run.js';

const why = chromiumMissing() ?? labServerMissing() ?? missing('paho');
const STUDENTS = 200;
const SECONDS = 45;
const IDLE = 5;

describe.skipIf(why !== undefined)(`a class of ${STUDENTS} in the notebook${why ? ` (skipped: ${why})` : ''}`, () => {
  let paho: Promise<RunResult>;
  /** The page the last test opened: the clients-list test carries on with the focus test's. */
  let last: Page | undefined;

  // The class runs while the tests look: paho is started, not awaited, once the suite's server is up.
  const suite = uiSuite('class-lanes', async () => {
    paho = runPaho('classroom', {
      port: suite.server.mqtt.port,
      // The class stays connected well past the tests' looking (a slow CI run took over 90 s): when it ends, the quiet
      // clients' DISCONNECTs would make them active and fold them into a group lane of their own.
      args: { clients: STUDENTS, seconds: SECONDS, prefix: 'student-', idle: IDLE, linger: 75 },
      timeoutMs: 180_000,
    });
  });

  /** Pages stay open after their test, as the clients-list test needs. */
  async function open(w: number, h: number, zoom: number): Promise<Page> {
    const page = await suite.open({ w, h, zoom }, { theme: 'light', ui: { sideTab: 'clients' }, untilConnected: true, keep: true, timeoutMs: 20_000 });
    last = page;
    return page;
  }

  const heads = (page: Page): Promise<Array<{ kind: string; text: string; focused: boolean }>> =>
    readAll(page, '.seq .lane-head', (els) =>
      els.map((e) => ({ kind: e.getAttribute('data-lane-kind') ?? '', text: e.querySelector('text')?.getAttribute('data-title') ?? '', focused: e.classList.contains('focused') })),
    );

  // Declared after the suite, so it runs before the suite stops the server (after-hooks run last first).
  afterAll(async () => {
    await paho?.catch(() => undefined);
  }, 180_000);

  it('folds 200 students into one lane and the silent clients into one idle lane, readable at 1280×720 ×1.5', async () => {
    const page = await open(1280, 720, 1.5);
    await expect.poll(() => page.getByTestId('roster-count').textContent(), { timeout: 60_000 }).toBe(`${STUDENTS + IDLE + 1} of ${STUDENTS + IDLE + 1}`);
    // The students publish once a second: one group lane carries them all, tagged by member on each arrow.
    await expect.poll(async () => (await heads(page)).find((h) => h.kind === 'group')?.text, { timeout: 20_000 }).toMatch(/^student-\* \(\d+\)$/);
    // Only a few rows fit at this size, and the lecturer's packets are half of them: look until a student's shows.
    const tagged = () => readAll(page, '.seq .arrow[data-member]', (els) => els.map((e) => e.getAttribute('data-member')));
    await expect.poll(async () => (await tagged()).length, { timeout: 10_000 }).toBeGreaterThan(0);
    const members = await tagged();
    for (const m of members) expect(m).toMatch(/^\d{3}$/);
    // The quiet ones said nothing since connecting: after the recent window they fold into the idle lane.
    await expect.poll(async () => (await heads(page)).find((h) => h.kind === 'idle')?.text, { timeout: 30_000 }).toBe(`${IDLE} idle`);
    const lanes = await heads(page);
    expect(lanes.length).toBeLessThanOrEqual(4);
    // Every lane title and the tap and broker lanes fit the diagram: no sideways scrolling for a class.
    const seq = (await page.locator('.seq').boundingBox())!;
    for (const sel of ['.seq .lane-title.broker', '.seq .tap-title', '.seq .lane-title.group', '.seq .lane-title.idle']) {
      const b = (await page.locator(sel).first().boundingBox())!;
      expect(b.x + b.width, sel).toBeLessThanOrEqual(seq.x + seq.width);
      expect(b.x, sel).toBeGreaterThanOrEqual(seq.x);
    }
    // Readable from the back: the lane titles are at least 20 px high on this screen.
    const title = (await page.locator('.seq .lane-title.group').boundingBox())!;
    expect(title.height).toBeGreaterThanOrEqual(20);
    // The clients list fits the narrow side panel at this zoom: nothing cut at its right edge.
    const side = (await page.locator('.roster').boundingBox())!;
    for (const b of await page.locator('.roster .client button').all()) {
      const box = (await b.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(side.x + side.width + 1);
    }
    await shot(page, 'class-lanes-200-1280x720');
    await page.close();
  }, 120_000);

  it('focuses a lecturer\'s group and then one student from the lane headers, at 1920×1080', async () => {
    const page = await open(1920, 1080, 1);
    await expect.poll(async () => (await heads(page)).some((h) => h.kind === 'group'), { timeout: 20_000 }).toBe(true);
    await shot(page, 'class-lanes-200-1920x1080');
    // The lecturer's own group: student-010 … student-019 are one table in the room.
    await page.locator('.lanes-btn').click();
    await page.getByTestId('lane-prefixes').fill('student-01');
    await page.getByTestId('lane-prefixes').press('Enter');
    await page.locator('.lanes-btn').click();
    await expect.poll(async () => (await heads(page)).map((h) => h.text)).toEqual(expect.arrayContaining(['student-01* (10)']));
    await page.locator('.seq .lane-head[data-lane-group="student-01"]').click();
    await page.getByTestId('lane-focus').filter({ hasText: 'student-01*' }).waitFor();
    await expect.poll(async () => (await heads(page)).filter((h) => h.focused).map((h) => h.text).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `student-01${i}`),
    );
    // Every other student stays folded in its group lane.
    expect((await heads(page)).filter((h) => h.kind === 'group').map((h) => h.text)).toEqual([expect.stringMatching(/^student-\* \(\d+\)$/)]);
    await shot(page, 'class-lanes-focus-group-1920x1080');
    // One click on a student's lane header: that student alone, the rest folded.
    await page.locator('.seq .lane-head[data-lane-kind="client"]', { hasText: 'student-013' }).click();
    await page.getByTestId('lane-focus').filter({ hasText: 'student-013' }).waitFor();
    await expect.poll(async () => (await heads(page)).filter((h) => h.kind === 'client' && h.text.startsWith('student')).map((h) => h.text)).toEqual(['student-013']);
    // Whatever is in view: student-013's arrows on its own lane, every other student's on the group lane.
    const drawn = await readAll(page, '.seq .arrow', (els) => els.map((e) => [e.getAttribute('data-lane') ?? '', e.getAttribute('data-member')] as const));
    for (const [lane, member] of drawn.filter(([l]) => l.startsWith('student-'))) {
      expect([lane, member]).toEqual(lane === 'student-013' ? [lane, null] : [lane, lane.slice('student-'.length)]);
    }
    await shot(page, 'class-lanes-focus-client-1920x1080');
    await page.getByRole('button', { name: 'Show every lane again', exact: true }).click();
    await expect.poll(() => page.getByTestId('lane-focus').count()).toBe(0);
  }, 120_000);

  it('finds a student in the clients list and shows only its packets in one click', async () => {
    const page = last!;
    await openTab(page, 'Clients');
    await page.getByTestId('roster-search').fill('017');
    const row = page.locator('.roster .client[data-client="student-017"]');
    await row.waitFor();
    await expect.poll(() => page.locator('.roster .client').count()).toBe(1);
    // Activity: heard from lately, and its CONNECT, CONNACK and a PUBLISH and PUBACK a second at least.
    await expect.poll(async () => Number(await row.locator('.stat').nth(1).textContent())).toBeGreaterThanOrEqual(6);
    expect(await row.locator('.stat').first().textContent()).toMatch(/^(now|\d+ s ago)$/);
    await row.getByRole('button', { name: 'Only its packets' }).click();
    await expect(page.locator('.filterbar input.mono').inputValue()).resolves.toBe('lab.client == "student-017"');
    // The core filters the list: once its answer is in, every row is student-017's.
    await expect.poll(async () => [...new Set(await page.locator('.list .row .client').allTextContents())]).toEqual(['student-017']);
    expect(await page.locator('.list .row .client').count()).toBeGreaterThanOrEqual(4);
    // The diagram follows the filter: one lane, its own.
    await expect.poll(async () => (await heads(page)).map((h) => h.text)).toEqual(['student-017']);
    await shot(page, 'class-roster-only-student-017-1920x1080');
    // A prefix search lists that group's ten.
    await page.getByTestId('roster-search').fill('student-01*');
    await expect.poll(() => page.locator('.roster .client').count()).toBe(10);
  }, 60_000);

  it('kept serving everyone: every student\'s every reading reached the lecturer', async () => {
    const r = await paho;
    expect(r.code, r.stderr).toBe(0);
    const run = JSON.parse(r.stdout.trim().split('\n').pop()!) as { published: Record<string, number>; received: Record<string, number> };
    expect(Object.keys(run.published)).toHaveLength(STUDENTS);
    for (const [id, n] of Object.entries(run.published)) expect([id, run.received[id]]).toEqual([id, n]);
  }, 180_000);
});
