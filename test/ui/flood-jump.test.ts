// A flood: packets come faster than a page can draw one by one. The stream stops sending them and sends one
// `missed … flood` marker for each stretch of them instead; the page says FLOOD, jumps to the newest, and takes
// the topics' counts from the lab's digest. Every packet stays in the capture: the count is the lab's, the
// list ends at the lab's last packet, and a row in the middle of the flood is read from the lab when scrolled to.
// The real web server runs in-process here so that the flood's bound can be low enough for a bounded burst.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/core/lab/index.js';
import { chromiumMissing } from './support/browser.js';
import { publishLines, subscriber, type Subscriber } from './support/burst.js';
import { openInProcessPage, type InProcessPage } from './support/in-process-web.js';
import { openTab, readAll, shot } from './support/ui-helpers.js';
import { missing } from '../peers/have.js';

const why = chromiumMissing() ?? missing('mosquitto_pub') ?? missing('mosquitto_sub');
/** Messages in the burst; with the subscriber's copies, twice as many packets. */
const N = 6000;

describe.skipIf(why !== undefined)(`a page in a flood${why ? ` (skipped: ${why})` : ''}`, () => {
  let run: InProcessPage;
  let lab: Lab;
  let sub: Subscriber;

  beforeAll(async () => {
    // A flood bound a mosquitto_pub burst passes.
    run = await openInProcessPage({ floodRowsPerS: 1000, floodMarkerMs: 200 }, { width: 1280, height: 800 });
    lab = run.lab;
  }, 120_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await shot(run.page, `FAILED-flood-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
  });

  afterAll(async () => {
    await sub?.stop();
    await run?.close();
  });

  it('says FLOOD, jumps to the newest, and keeps every packet readable', async () => {
    const { page, watch, frames } = run;
    const { host, port } = (await lab.api.call('lab.status', {})).tap;
    sub = await subscriber(host, port, 'flood/#', 'flood-watcher');
    await publishLines(host, port, 'flood/a', N, 'flood-pub');
    const until = Date.now() + 60_000;
    while (sub.received() < N && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(sub.received()).toBe(N);
    const pill = page.getByTestId('behind');
    await pill.filter({ hasText: /^FLOOD/ }).waitFor({ timeout: 20_000 });
    await pill.filter({ hasText: 'FLOOD OVER' }).waitFor({ timeout: 20_000 });
    expect(await pill.getAttribute('title')).toMatch(/Every one of them is captured/);
    await shot(page, 'flood-over-1280x800');

    // The stream sent markers instead of most of the flood's packets: that is what spared the page.
    const markers = frames.filter((f) => f.includes('"missed"') && f.includes('"flood":true'));
    expect(markers.length).toBeGreaterThan(0);
    const status = await lab.api.call('lab.status', {});
    const total = status.packets.count;
    expect(total).toBeGreaterThanOrEqual(2 * N);
    // Nothing lost: the count is the lab's, and the list ends at the lab's last packet, without holes.
    await page.locator('.filterbar .count', { hasText: `${total.toLocaleString('en-US')} packets` }).waitFor({ timeout: 20_000 });
    await page.locator(`.list .row[data-seq="${status.packets.lastSeq}"]`).waitFor({ timeout: 10_000 });
    const tail = await readAll(page, '.list .row[data-seq]', (els) => els.map((e) => Number(e.getAttribute('data-seq'))));
    for (let k = 1; k < tail.length; k++) expect(tail[k]).toBe(tail[k - 1]! + 1);

    // A packet from the middle of the flood, never streamed, is read from the lab when scrolled to.
    await page.waitForFunction(() => document.querySelector('section.list')?.getAttribute('aria-busy') !== 'true');
    const scroller = page.locator('.list .scroller');
    await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
    const middle = (): Promise<Array<{ i: number; seq: number; text: string }>> =>
      readAll(page, '.list .row[data-seq]', (els) => els.map((e) => ({ i: Number(e.getAttribute('data-index')), seq: Number(e.getAttribute('data-seq')), text: e.textContent ?? '' })));
    await expect.poll(async () => (await page.locator('.list .row.pending').count()) === 0 && (await middle()).some((r) => r.i >= total / 2 - 40 && r.i <= total / 2 + 40), { timeout: 10_000 }).toBe(true);
    const mid = (await middle()).find((r) => r.i >= total / 2 - 40)!;
    const w = await lab.api.call('packets.window', { offset: mid.i, limit: 1 });
    expect(w.rows[0]!.seq).toBe(mid.seq);
    expect(mid.text).toContain('flood/a');

    // The topics count every message of the flood, from the lab's digest: N up from the publisher, N down.
    await openTab(page, 'Topics');
    await page.locator('.counts', { hasText: `${N}↑ ${N}↓` }).waitFor({ timeout: 10_000 });
    expect(watch.errors).toEqual([]);
  });
});
