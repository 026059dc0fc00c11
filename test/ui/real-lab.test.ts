// The notebook in Chromium against the real browser-mode server (`mqtt-lab web`): embedded clients made
// through the Clients panel, real packets through the real tap, checked in the sequence diagram, the
// packet detail and the fault views. Screenshots go to test-artifacts/ui/.
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Page } from 'playwright-core';
import { chromiumMissing, type PageWatch } from './support/browser.js';
import { labServerMissing, type LabServer } from './support/lab-server.js';
import { uiSuite } from './support/ui-suite.js';
import { arrowLabels, createClient, openCard, openTab, publish, shot, subscribe, readAll } from './support/ui-helpers.js';

const why = chromiumMissing() ?? labServerMissing();
const XSS = '<img src=x onerror=alert(1)>';

function wsStatus(url: string, origin?: string): Promise<'open' | number | 'error'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, origin ? { origin } : {});
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve('error'));
  });
}

describe.skipIf(why !== undefined)(`notebook against the real lab server${why ? ` (skipped: ${why})` : ''}`, () => {
  const suite = uiSuite('real-lab');
  let server: LabServer;
  let page: Page;
  let watch: PageWatch;

  // One page walked through the suite, opened once the suite's server runs.
  beforeAll(async () => {
    server = suite.server;
    page = await suite.open({ w: 1920, h: 1200, zoom: 1 }, { theme: 'light', keep: true, timeoutMs: 30_000 });
    watch = suite.watch(page);
    await page.getByTestId('tap-url').filter({ hasText: `mqtt://${server.mqtt.host}:${server.mqtt.port}` }).waitFor();
  }, 120_000);

  it('refuses the page and the API without the per-run token', async () => {
    expect((await fetch(`${server.origin}/`)).status).toBe(403);
    expect((await fetch(`${server.origin}/?token=wrong`)).status).toBe(403);
    expect((await fetch(`${server.origin}/assets/`)).status).toBe(403);
    const ws = server.origin.replace('http:', 'ws:');
    expect(await wsStatus(`${ws}/api`)).toBe(403);
    expect(await wsStatus(`${ws}/api?token=wrong`)).toBe(403);
    // Even with the token, another site's page must not drive the lab.
    expect(await wsStatus(`${ws}/api?token=${server.token}`, 'http://evil.example')).toBe(403);
    expect(await wsStatus(`${ws}/api?token=${server.token}`)).toBe('open');
  });

  it('draws a QoS 2 exchange as PUBLISH, PUBREC, PUBREL, PUBCOMP in order, grouped by packet id', async () => {
    await createClient(page, 'alice');
    await createClient(page, 'bob');
    await subscribe(page, 'bob', 'home/#', 2);
    await page.locator('.seq .arrow[data-lane="bob"][data-label^="SUBACK"]').waitFor();
    await publish(page, 'alice', 'home/temp', '{"temperature": 21.5}', 2);
    await page.locator('.seq .arrow[data-lane="alice"][data-label^="PUBCOMP"]').waitFor();
    await page.locator('.seq .arrow[data-lane="bob"][data-label^="PUBCOMP"]').waitFor();

    const alice = await readAll(page, '.seq .arrow[data-lane="alice"]', (els) => els.map((e) => e.getAttribute('data-label')));
    const flow = alice.filter((l) => /^(PUBLISH|PUBREC|PUBREL|PUBCOMP)/.test(l ?? ''));
    expect(flow.map((l) => l!.split(' ')[0])).toEqual(['PUBLISH', 'PUBREC', 'PUBREL', 'PUBCOMP']);
    expect(flow[0]).toMatch(/^PUBLISH q2 m\d+ home\/temp$/);
    const id = /m(\d+)/.exec(flow[0]!)![1];
    expect(flow.slice(1)).toEqual([`PUBREC m${id}`, `PUBREL m${id}`, `PUBCOMP m${id}`]);
    // The broker's delivery to bob is a QoS 2 exchange of its own, in the other direction.
    const bob = await readAll(page, '.seq .arrow[data-lane="bob"]', (els) => els.map((e) => e.getAttribute('data-label')!.split(' ')[0]));
    expect(bob.slice(-4)).toEqual(['PUBLISH', 'PUBREC', 'PUBREL', 'PUBCOMP']);
    expect(await page.locator('.seq .group.q2.done').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('.seq .group .glabel', { hasText: `QoS 2 m${id} ✓` }).count()).toBeGreaterThanOrEqual(1);
    await shot(page, 'real-qos2-sequence-1920x1200');
  });

  it('links fields and bytes both ways in the packet detail', async () => {
    // A click event on the arrow itself: a pointer click would first scroll the diagram (leaving live follow
    // for the tests after this one), and at the top edge the lane headers, buttons themselves, lie over it.
    await page.locator('.seq .arrow[data-lane="alice"][data-label^="PUBLISH q2"]').dispatchEvent('click');
    await page.locator('.detail header .type', { hasText: 'PUBLISH' }).waitFor();
    await page.locator('.frow[data-filter="mqtt.topic"]').click();
    const selected = await readAll(page, '.hex .b.sel', (els) => els.map((e) => e.textContent));
    expect(selected.join('')).toBe(Buffer.from('home/temp').toString('hex'));
    // And back: pointing at a byte of the message identifier highlights its field in the tree.
    const idByte = await readAll(page, '.hex .b', (els) => els.findIndex((e) => e.classList.contains('sel'))) + 'home/temp'.length;
    await page.locator(`.hex .b[data-i="${idByte}"]`).hover();
    await expect.poll(() => page.locator('.frow.hovered').getAttribute('data-filter')).toBe('mqtt.msgid');
    // Bit fields: QoS is two bits of the first byte, drawn as a bit picture with its mask.
    await page.locator('.frow[data-filter="mqtt.hdrflags"] .tw').click();
    await page.locator('.frow[data-filter="mqtt.qos"]').click();
    await expect(page.locator('.bits figcaption').textContent()).resolves.toContain('0x34');
    await expect(page.locator('.bits .legend li.focus').textContent()).resolves.toContain('mask 0x06');
    expect(await page.locator('.hex .b.sel').count()).toBe(1);
    await shot(page, 'real-detail-bits-1920x1200');
    // Selecting stopped following the live end; the next tests watch new packets arrive.
    await page.keyboard.press('l');
  });

  it('draws a packet dropped at the tap as an arrow ending in ✕', async () => {
    await openTab(page, 'Faults');
    await page.getByRole('button', { name: 'Lose the next PUBACK' }).click();
    await page.locator('.rule', { hasText: 'PUBACK' }).waitFor();
    await openTab(page, 'Clients');
    await publish(page, 'alice', 'home/humidity', '{"humidity": 48}', 1);
    const dropped = page.locator('.seq .arrow[data-lane="alice"][data-kind="drop"]');
    await dropped.waitFor();
    expect(await dropped.getAttribute('data-label')).toMatch(/^PUBACK m\d+$/);
    expect(await dropped.locator('.stop.x').textContent()).toBe('✕');
    await expect.poll(() => page.locator('.card[data-client="alice"] .inflight').textContent()).toContain('1 in flight');
    // The list flags it too.
    const seq = await dropped.getAttribute('data-seq');
    await expect(page.locator(`.list .row[data-seq="${seq}"] .badge.fault`).textContent()).resolves.toContain('drop');
    await openTab(page, 'Faults');
    await shot(page, 'real-drop-faults-1920x1200');
  });

  it('releases exactly one waiting packet per key press in step mode', async () => {
    await page.locator('.seq .scroller').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('s');
    await page.locator('.pill.step').waitFor();
    await openTab(page, 'Clients');
    await publish(page, 'alice', 'home/step', 'one', 0);
    await page.locator('.seq .arrow[data-label="PUBLISH q0 home/step"][data-kind="waiting"]').waitFor();
    const released = (): Promise<number> => page.locator('.seq .arrow[data-kind="released"]').count();
    const before = await released();
    // Away from buttons, so Space is the shortcut rather than a button press.
    await page.locator('.seq .scroller').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('ArrowRight');
    await expect.poll(released).toBe(before + 1);
    // alice's PUBLISH reached the broker, whose delivery to bob now waits in turn.
    await page.locator('.seq .arrow[data-lane="bob"][data-label="PUBLISH q0 home/step"][data-kind="waiting"]').waitFor();
    await page.waitForTimeout(300);
    expect(await released()).toBe(before + 1);
    await page.keyboard.press(' ');
    await expect.poll(released).toBe(before + 2);
    await page.waitForTimeout(300);
    expect(await released()).toBe(before + 2);
    expect(await page.locator('.waiting-hint').count()).toBe(0);
    await shot(page, 'real-step-mode-1920x1200');
    await page.keyboard.press('s');
    await page.locator('.pill.step').waitFor({ state: 'detached' });
  });

  it('shows hostile client ids, topics and payloads as text, never as markup', async () => {
    await createClient(page, 'mallory', { clientId: XSS });
    await subscribe(page, 'bob', '#', 0);
    await publish(page, 'mallory', `x/${XSS}`, `<script>alert(2)</script>${XSS}`, 0);
    await page.locator('.seq .arrow[data-lane="bob"][data-label^="PUBLISH q0 x/<img"]').waitFor();
    await page.locator(`.seq .arrow[data-lane="${XSS}"] .hit`).first().click({ force: true });
    await page.locator('.list .info', { hasText: `x/${XSS}` }).first().waitFor();
    await openTab(page, 'Topics');
    await page.locator('.topics .name', { hasText: XSS }).waitFor();
    await openTab(page, 'Clients');
    await openCard(page, 'bob');
    await page.locator('.card[data-client="bob"] .payload', { hasText: '<script>alert(2)</script>' }).first().waitFor();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script:not([src])').count()).toBe(0);
    expect(watch.dialogs).toEqual([]);
    await shot(page, 'real-xss-as-text-1920x1200');
  });

  it('runs a lesson step and shows its results', async () => {
    await openTab(page, 'Lesson');
    await page.locator('.lesson .open').first().waitFor();
    await page.locator('.lesson .open[data-lesson="01-indirect-messaging"]').click();
    await page.getByRole('button', { name: 'Start the lesson' }).click();
    await page.getByRole('button', { name: 'Run step 1' }).click();
    const results = page.getByRole('list', { name: 'Results of step 1' });
    await results.waitFor({ timeout: 20_000 });
    const marks = await results.locator('li:not(.action) .mark').allTextContents();
    expect(marks.length).toBeGreaterThan(0);
    expect(marks.every((m) => m === '✓')).toBe(true);
    await shot(page, 'real-lesson-1920x1200');
    await page.getByRole('button', { name: '← Lessons' }).click();
  });

  it('loads no outside content and breaks no CSP rule', () => {
    expect(watch.csp).toEqual([]);
    expect(watch.errors.filter((e) => !/favicon/.test(e))).toEqual([]);
    expect(watch.dialogs).toEqual([]);
  });

  it('reconnects after the page reloads and shows the same capture', async () => {
    const count = async (): Promise<number> => Number((await page.locator('.filterbar .count').textContent())!.replace(/\D/g, ''));
    const before = await count();
    await page.reload();
    await page.getByTestId('tap-url').filter({ hasText: `:${server.mqtt.port}` }).waitFor();
    await expect.poll(count).toBeGreaterThanOrEqual(before);
    await page.locator('.list .row[data-seq="1"]').or(page.locator('.list .row').first()).first().waitFor();
    // The diagram draws its arrows on its own frame, after the list's first rows.
    await expect.poll(async () => (await arrowLabels(page)).length).toBeGreaterThan(0);
  });

  it('saves the capture as a pcapng file for Wireshark, then clears it', async () => {
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const file = await (await download).path();
    const { readFileSync } = await import('node:fs');
    expect([...readFileSync(file).subarray(0, 4)]).toEqual([0x0a, 0x0d, 0x0d, 0x0a]);
    await page.getByRole('button', { name: 'Clear', exact: true }).click();
    await page.getByRole('button', { name: 'Really clear?' }).click();
    await expect.poll(() => page.locator('.filterbar .count').textContent()).toBe('0 packets');
    expect(await page.locator('.seq .arrow').count()).toBe(0);
    await shot(page, 'real-cleared-1920x1200');
  });
});
