// The course in a classroom, in Chromium against the real browser-mode server (`mqtt-lab web`) with a data
// folder of the test's own: a lesson completed in the pane is restored after a reload and after the server
// restarts on the same folder; the lab report it hands out opens offline, verifies and carries a capture
// tshark reads; the class view ticks off a student's own mosquitto_pub client and exports CSV.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumMissing, watchPage, type PageWatch } from './support/browser.js';
import { ROOT } from './support/build.js';
import { labServerMissing, type LabServer } from './support/lab-server.js';
import { uiSuite } from './support/ui-suite.js';
import { openTab, shot } from './support/ui-helpers.js';
import { missing, which } from '../peers/have.js';
import { run } from '../peers/run.js';

const why = chromiumMissing() ?? labServerMissing() ?? missing('tshark', 'mosquitto_pub');
const NAME = 'Zoë <b>Ada</b>';

describe.skipIf(why !== undefined)(`the course in a classroom${why ? ` (skipped: ${why})` : ''}`, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mqtt-lab-classroom-ui-'));
  // Declared before the suite, so it runs after the suite has stopped the server (after-hooks run last first).
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });
  // The server stops and starts again on purpose: the page's lost connection is expected then.
  const suite = uiSuite('classroom', undefined, { serverArgs: () => ['--data-dir', dataDir], ignoreErrors: /WebSocket|ERR_CONNECTION_REFUSED/ });
  let server: LabServer;
  let page: Page;
  let watch: PageWatch;

  async function openNotebook(): Promise<void> {
    await page.goto(server.url);
    await page.getByTestId('tap-url').filter({ hasText: `:${server.mqtt.port}` }).waitFor();
  }

  async function openLesson(id: string): Promise<void> {
    await openTab(page, 'Lesson');
    const back = page.getByRole('button', { name: '← Lessons' });
    if (await back.isVisible()) await back.click();
    await page.locator(`.lesson .open[data-lesson="${id}"]`).click();
    await page.locator('.lesson h2.title').waitFor();
  }

  beforeAll(async () => {
    server = suite.server;
    page = await suite.open({ w: 1600, h: 1000, zoom: 1 }, { theme: 'light', acceptDownloads: true, keep: true, timeoutMs: 30_000 });
    watch = suite.watch(page);
    await page.getByTestId('tap-url').filter({ hasText: `:${server.mqtt.port}` }).waitFor();
  }, 120_000);

  /** What a student sees of lesson 01 once it is done: results, the prediction and the answers. */
  async function expectLessonOneDone(): Promise<void> {
    for (let i = 1; i <= 6; i++) await page.getByRole('list', { name: `Results of step ${i}` }).waitFor();
    expect(await page.locator('.lesson .step.passed').count()).toBe(6);
    await expect.poll(() => page.locator('section[data-step="2"] .predict label.chosen').textContent()).toContain('Two');
    expect(await page.locator('section[data-step="2"] .predict input:checked').count()).toBe(1);
    await expect.poll(() => page.locator('section[data-step="3"] .quiz .opt.picked').textContent()).toContain('Discarded it');
    expect(await page.locator('section[data-step="3"] .quiz .opt.right').count()).toBe(1);
    expect(await page.locator('section[data-step="4"] .quiz .opt.picked').textContent()).toContain('Nothing at all');
    await expect.poll(() => page.getByTestId('student-name').inputValue()).toBe(NAME);
  }

  it('completes a lesson, and finds it restored after a reload and after the server restarts', async () => {
    await openLesson('01-indirect-messaging');
    await page.getByTestId('student-name').fill(NAME);
    await page.getByTestId('student-name').press('Enter');
    await page.getByRole('button', { name: 'Start the lesson' }).click();
    for (let i = 0; i < 6; i++) {
      const step = page.locator(`section[data-step="${i}"]`);
      if (i === 2) await step.locator('.predict label', { hasText: 'Two' }).click();
      await page.getByRole('button', { name: `Run step ${i + 1}` }).click();
      // Step 5 waits for its quiz to be answered before it finishes.
      if (i === 4) await step.locator('.quiz .opt', { hasText: 'Nothing at all' }).click();
      await page.getByRole('list', { name: `Results of step ${i + 1}` }).waitFor({ timeout: 20_000 });
      if (i === 3) await step.locator('.quiz .opt', { hasText: 'Discarded it' }).click();
    }
    await page.locator('.lesson .done', { hasText: 'Lesson complete: 6 of 6 steps passed.' }).waitFor();
    await expectLessonOneDone();

    await page.reload();
    await page.getByTestId('tap-url').filter({ hasText: `:${server.mqtt.port}` }).waitFor();
    await openLesson('01-indirect-messaging');
    await expectLessonOneDone();
    await expect(page.getByTestId('progress-status').textContent()).resolves.toMatch(/Restored from .*: 6 of 6 steps, completed/);

    // Close the app: the server stops; a new one on the same data folder brings everything back.
    server = await suite.restart();
    await openNotebook();
    await openLesson('01-indirect-messaging');
    await expectLessonOneDone();
    // Done: the lesson offers a new attempt, not a first start.
    expect(await page.getByRole('button', { name: 'Start the lesson' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Run it again' }).waitFor();
    await shot(page, 'classroom-restored-1600x1000');
  }, 120_000);

  it('hands out a lab report that opens offline in Chromium, verifies, and carries a capture tshark reads', async () => {
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Lab report' }).click();
    const d = await download;
    expect(d.suggestedFilename()).toBe('01-indirect-messaging-report-Zoe-b-Ada-b.html');
    const file = join(dataDir, d.suggestedFilename());
    await d.saveAs(file);

    // The lecturer's side: the file is unchanged since the lab wrote it.
    const verify = spawnSync(process.execPath, [join(ROOT, 'bin', 'mqtt-lab.js'), 'report', 'verify', file], { encoding: 'utf8' });
    expect(verify.stdout).toContain('OK: unchanged since MQTT Lab wrote it');
    expect(verify.status).toBe(0);

    // Offline: nothing outside the file may load.
    const ctx = await suite.browser.newContext({ offline: true, acceptDownloads: true, viewport: { width: 1100, height: 1200 } });
    const report = await ctx.newPage();
    const reportWatch = await watchPage(report);
    const requests: string[] = [];
    report.on('request', (r) => requests.push(r.url()));
    await report.goto(`file://${file}`);
    await expect(report.locator('h1').textContent()).resolves.toBe('Lab report: Indirect messaging through a broker');
    await expect(report.locator('td.student').textContent()).resolves.toBe(NAME);
    expect(await report.locator('.step.passed').count()).toBe(6);
    expect(await report.locator('b').count()).toBe(0);
    await report.screenshot({ path: join(ROOT, 'test-artifacts', 'ui', 'classroom-report-1100x1200.png') });
    const pdf = await report.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');

    // The step's capture downloads from the report itself and is plain MQTT to tshark.
    const cap = report.waitForEvent('download');
    await report.getByRole('link', { name: 'Download the capture of step 3' }).click();
    const c = await cap;
    expect(c.suggestedFilename()).toBe('01-indirect-messaging-step-3.pcapng');
    const pcap = join(dataDir, c.suggestedFilename());
    await c.saveAs(pcap);
    const record = JSON.parse(/<script type="application\/json" id="mqtt-lab-record">([^<]*)<\/script>/.exec(readFileSync(file, 'utf8'))![1]!) as { steps: Array<{ capture?: { brokerPort: number } }> };
    const port = record.steps[2]!.capture!.brokerPort;
    const t = spawnSync(which('tshark')!, ['-r', pcap, '-d', `tcp.port==${port},mqtt`, '-Y', 'mqtt.msgtype == 3', '-T', 'fields', '-e', 'mqtt.topic'], { encoding: 'utf8' });
    expect(t.status).toBe(0);
    // The sensor's one PUBLISH and the broker's two copies, on home/temp.
    expect(t.stdout.trim().split('\n')).toEqual(['home/temp', 'home/temp', 'home/temp']);
    expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
    expect(reportWatch.csp).toEqual([]);
    expect(reportWatch.errors).toEqual([]);
    expect(reportWatch.dialogs).toEqual([]);
    await ctx.close();
  }, 60_000);

  it('shows the class view: who completed lesson 14\'s exercise with their own client, searchable and exported as CSV', async () => {
    const pub = (id: string, payload: string) => run(which('mosquitto_pub')!, ['-h', server.mqtt.host, '-p', String(server.mqtt.port), '-i', id, '-t', `lab/${id}/temp`, '-m', payload, '-q', '1'], { timeoutMs: 15_000 });
    expect((await pub('ada', '21.5')).code).toBe(0);
    expect((await pub('bob', 'warm')).code).toBe(0);
    expect((await pub('<img src=x onerror=alert(1)>', '{"t": 20}')).code).toBe(0);
    await page.locator('.seq .scroller').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('g');
    const dialog = page.getByRole('dialog', { name: 'Class exercises' });
    await dialog.waitFor();
    const cell = (client: string) => dialog.locator(`tr[data-client="${client}"] td[data-exercise="14-the-lab/reading"]`);
    await expect.poll(() => cell('ada').textContent()).toMatch(/✓/);
    expect(await cell('bob').textContent()).toBe('—');
    await expect.poll(() => cell('<img src=x onerror=alert(1)>').textContent()).toMatch(/✓/);
    expect(await page.locator('img').count()).toBe(0);
    await shot(page, 'classroom-class-view-1600x1000');
    await page.getByTestId('class-search').fill('bo');
    await expect.poll(() => dialog.locator('tbody tr').count()).toBe(1);
    const download = page.waitForEvent('download');
    await dialog.getByRole('button', { name: 'Export CSV' }).click();
    const d = await download;
    const csv = readFileSync((await d.path())!, 'utf8');
    expect(csv).toMatch(/\r\nada,no,(yes|no),[^,]+,[^,]+,1\/1,\d{4}-/);
    expect(csv).toMatch(/\r\nbob,no,(yes|no),[^,]+,[^,]+,0\/1,\r\n/);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(watch.dialogs).toEqual([]);
    expect(watch.csp).toEqual([]);
  }, 60_000);

  it('continues an unfinished lesson after a reload: the saved steps run again, then the next one', async () => {
    await openLesson('01-indirect-messaging');
    // After the first test the lesson is done (a new attempt); on its own it is fresh (a first start).
    await page.getByRole('button', { name: /^(Run it again|Start the lesson)$/ }).click();
    await page.getByRole('button', { name: 'Run step 1' }).click();
    await page.getByRole('list', { name: 'Results of step 1' }).waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Run step 2' }).waitFor();
    await page.reload();
    await page.getByTestId('tap-url').filter({ hasText: `:${server.mqtt.port}` }).waitFor();
    await openLesson('01-indirect-messaging');
    await page.getByRole('list', { name: 'Results of step 1' }).waitFor();
    // Only what this attempt ran is restored: step 1.
    expect(await page.getByRole('list', { name: 'Results of step 2' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Continue with step 2' }).click();
    await page.getByRole('button', { name: 'Run step 2' }).click();
    await page.getByRole('list', { name: 'Results of step 2' }).waitFor({ timeout: 20_000 });
    expect(await page.locator('.lesson .step.passed').count()).toBe(2);
    await shot(page, 'classroom-continued-1600x1000');
  }, 60_000);
});
