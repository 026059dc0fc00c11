// The tap's connection-level findings in the notebook (real server, real tap, a raw client breaking the
// order rule): the packet list marks the packet, the detail lists the finding with its rule and puts it on
// the fixed header's row, and the summary line carries it, though the dissector's tree has no issue.
import { generate } from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { rawMqtt, type RawMqtt } from '../peers/raw-mqtt.js';
import { chromiumMissing, type PageWatch } from './support/browser.js';
import { labServerMissing } from './support/lab-server.js';
import { shot } from './support/ui-helpers.js';
import { uiSuite } from './support/ui-suite.js';

const why = chromiumMissing() ?? labServerMissing();
const CONNECT = (clientId: string): Uint8Array =>
  generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId, keepalive: 0 });

describe.skipIf(why !== undefined)(`tap findings in the notebook${why ? ` (skipped: ${why})` : ''}`, () => {
  const suite = uiSuite('tap-findings');
  let page: Page;
  let watch: PageWatch;
  let raw: RawMqtt | undefined;

  beforeAll(async () => {
    page = await suite.open({ w: 1600, h: 1000, zoom: 1 }, { theme: 'light', keep: true, timeoutMs: 30_000 });
    watch = suite.watch(page);
  }, 120_000);

  afterAll(() => {
    raw?.socket.destroy();
  });

  it('a second CONNECT: flagged in the list, listed with its rule in the detail, on the fixed header', async () => {
    raw = await rawMqtt(suite.server.mqtt.port, suite.server.mqtt.host);
    await raw.send(CONNECT('twice'));
    await raw.next();
    await raw.send(CONNECT('again'));
    const row = page.locator('.list .row', { hasText: 'client id "again"' }).first();
    await row.waitFor({ timeout: 8000 }).catch(async (e) => {
      await shot(page, 'FAILED-tap-findings');
      throw e;
    });
    await expect(row.locator('.badge.err').textContent()).resolves.toContain('1');
    await row.click();
    await page.locator('.detail header .type', { hasText: 'CONNECT' }).waitFor();
    const issue = page.locator('.detail .issues li');
    await expect(issue.textContent()).resolves.toMatch(/A second CONNECT on the same connection is a protocol violation.*\[MQTT-3\.1\.0-2\].*mqtt\.fixed_header/);
    await expect(page.locator('.detail .summary').textContent()).resolves.toMatch(/^CONNECT \(.*'again'\) \[malformed: A second CONNECT/);
    await expect(page.locator('.frow.bad[data-filter="mqtt.fixed_header"]').count()).resolves.toBe(1);
    await expect(page.locator('.fissue', { hasText: 'A second CONNECT' }).count()).resolves.toBe(1);
    await shot(page, 'tap-finding-second-connect-1600x1000');
    expect(watch.errors).toEqual([]);
  });
});
