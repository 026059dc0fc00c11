// A page that stops reading during a burst (its main thread busy) is sent a `missed` marker instead of the
// packets the server could not hold for it. The status bar must say it is behind, the page must fetch the gap
// by query, and afterwards list exactly what the lab captured: no silent hole. The real web server runs
// in-process here only so its stream's bounds can be small enough for a bounded burst to pass them.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/core/lab/index.js';
import { chromiumMissing } from './support/browser.js';
import { publishLines, subscriber, type Subscriber } from './support/burst.js';
import { openInProcessPage, type InProcessPage } from './support/in-process-web.js';
import { openTab, shot, readAll } from './support/ui-helpers.js';
import { missing } from '../peers/have.js';

const why = chromiumMissing() ?? missing('mosquitto_pub') ?? missing('mosquitto_sub');
/** Messages in the burst; with the subscriber's copies, twice as many packets. */
const N = 4000;

describe.skipIf(why !== undefined)(`a page that falls behind${why ? ` (skipped: ${why})` : ''}`, () => {
  let run: InProcessPage;
  let lab: Lab;
  let sub: Subscriber;

  beforeAll(async () => {
    // A page may owe 2 frames of 200 events and the server holds 1,000 packets for it: a burst of 8,000 passes.
    // The burst is also fast enough to be a flood, which is test/ui/flood-jump's; this one is about falling behind.
    run = await openInProcessPage({ initialCredit: 2, maxCredit: 4, maxFrameEvents: 200, maxQueuedPackets: 1000, floodRowsPerS: Infinity }, { width: 1920, height: 1080 });
    lab = run.lab;
  }, 120_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await shot(run.page, `FAILED-missed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
  });

  afterAll(async () => {
    await sub?.stop();
    await run?.close();
  });

  it('says it is behind, catches up by query, and then lists every packet the lab captured', async () => {
    const { page, watch } = run;
    const { host, port } = (await lab.api.call('lab.status', {})).tap;
    sub = await subscriber(host, port, 'gap/#', 'gap-watcher');
    // The page's main thread is busy (as when it renders a huge frame) while the burst goes by.
    const busy = page.evaluate(() => {
      const end = Date.now() + 6000;
      while (Date.now() < end) {
        // spin
      }
    });
    await new Promise((r) => setTimeout(r, 300));
    await publishLines(host, port, 'gap/a', N, 'gap-pub');
    const until = Date.now() + 60_000;
    while (sub.received() < N && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(sub.received()).toBe(N);
    await busy;
    const pill = page.getByTestId('behind');
    await pill.waitFor({ timeout: 20_000 });
    expect(await pill.innerText()).toMatch(/BEHIND · catching up #\d+–#\d+|CAUGHT UP · [\d,]+ fetched/);
    // In a 1280-wide window the pill gives way: the zoom, theme and help buttons stay on the bar, and the
    // connected count stays beside its (shortened) label. The long BEHIND pill once pushed them off.
    await page.setViewportSize({ width: 1280, height: 800 });
    const help = await page.getByRole('button', { name: 'Help' }).boundingBox();
    expect(help!.x + help!.width).toBeLessThanOrEqual(1280);
    expect(await page.locator('.clients strong').isVisible()).toBe(true);
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.getByTestId('behind').filter({ hasText: /CAUGHT UP/ }).waitFor({ timeout: 30_000 });
    await shot(page, 'missed-gap-caught-up-1920x1080');
    const status = await lab.api.call('lab.status', {});
    const total = status.packets.count;
    expect(total).toBeGreaterThanOrEqual(2 * N);
    await page.locator('.filterbar .count', { hasText: `${total.toLocaleString('en-US')} packets` }).waitFor({ timeout: 20_000 });
    // Following live, the last row is the lab's last packet.
    await page.locator(`.list .row[data-seq="${status.packets.lastSeq}"]`).waitFor({ timeout: 10_000 });
    // Nothing silently missing: every seq the list shows near its end is there, one after the other.
    const seqs = await readAll(page, '.list .row[data-seq]', (els) => els.map((e) => Number(e.getAttribute('data-seq'))));
    for (let k = 1; k < seqs.length; k++) expect(seqs[k]).toBe(seqs[k - 1]! + 1);
    // The topics view counted every message, the fetched ones included: N up from the publisher, N down.
    await openTab(page, 'Topics');
    await page.locator('.counts', { hasText: `${N}↑ ${N}↓` }).waitFor({ timeout: 10_000 });
    expect(watch.errors).toEqual([]);
  });
});
