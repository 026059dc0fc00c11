// The packet detail of a packet that came over TLS or WebSocket shows the records or frames that carried
// it, and the packet list marks such connections. Real clients: mosquitto_pub over TLS with the lab's CA,
// paho over WebSocket. Screenshots go to test-artifacts/ui/.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumMissing } from './support/browser.js';
import { labServerMissing } from './support/lab-server.js';
import { shot } from './support/ui-helpers.js';
import { uiSuite } from './support/ui-suite.js';
import { missing, which } from '../peers/have.js';
import { runPahoOk } from '../peers/paho.js';
import { run } from '../peers/run.js';

const why = chromiumMissing() ?? labServerMissing() ?? missing('mosquitto_pub', 'paho');

describe.skipIf(why !== undefined)(`TLS records and WebSocket frames in the notebook${why ? ` (skipped: ${why})` : ''}`, () => {
  const tlsDir = mkdtempSync(join(tmpdir(), 'mqtt-lab-ui-tls-'));
  const suite = uiSuite('wire-layers', undefined, { serverArgs: () => ['--tls-port', '0', '--ws-port', '0', '--tls-dir', tlsDir] });
  let page: Page;
  let ports: { tls: number; ws: number; ca: string };

  beforeAll(async () => {
    const st = await suite.api.call('lab.status', {});
    ports = { tls: st.tls!.port, ws: st.ws!.port, ca: st.caFile! };
    page = await suite.open({ w: 1600, h: 1000, zoom: 1 }, { theme: 'light', keep: true, timeoutMs: 30_000 });
    await page.getByTestId('tap-url').waitFor();
  }, 120_000);

  afterAll(() => {
    rmSync(tlsDir, { recursive: true, force: true });
  });

  it('a CONNECT over TLS: the encrypted record that carried it, and the clear handshake is not shown as MQTT', async () => {
    const pub = await run(which('mosquitto_pub')!, ['-h', 'localhost', '-p', String(ports.tls), '--cafile', ports.ca, '-i', 'secure-pub', '-u', 'hans', '-P', 'letmein', '-t', 'home/hans/bp', '-m', '125/82', '-q', '1'], { timeoutMs: 15_000 });
    expect(pub.code, pub.stderr).toBe(0);
    const row = page.locator('.row.t-CONNECT', { hasText: 'secure-pub' });
    await row.waitFor();
    await expect.poll(() => row.locator('.badge.wire').textContent()).toBe('TLS');
    await row.click();
    const layers = page.getByRole('region', { name: 'On the wire' });
    await layers.waitFor();
    await expect.poll(() => layers.locator('li').count()).toBeGreaterThan(0);
    const text = await layers.innerText();
    expect(text).toMatch(/TLS records that carried this packet/);
    expect(text).toMatch(/Application Data \(encrypted\)/);
    expect(text).toMatch(/With the lab's own session keys: \d+ bytes of the connection's data/);
    // The record's own bytes show no password: it is encrypted.
    expect(await layers.locator('.hex').first().innerText()).not.toContain(Buffer.from('letmein').toString('hex').slice(0, 6));
    await shot(page, 'wire-layers-tls-connect');
  });

  it('a PUBLISH over WebSocket: masked frames with their masking key', async () => {
    await runPahoOk('transports', { port: ports.ws, args: { websockets: true, clientId: 'web-dash', topic: 'home/dash', message: 'hello ws' } });
    const row = page.locator('.row.t-PUBLISH', { hasText: 'web-dash' }).first();
    await row.waitFor();
    await row.click();
    const layers = page.getByRole('region', { name: 'On the wire' });
    await expect.poll(async () => (await layers.innerText().catch(() => '')).includes('WebSocket frames')).toBe(true);
    const text = await layers.innerText();
    expect(text).toMatch(/WebSocket Binary, masked: \d+ bytes of MQTT/);
    expect(text).toMatch(/Masking-Key [0-9a-f]{8}/);
    expect(text).toMatch(/masking is not encryption/i);
    await shot(page, 'wire-layers-ws-publish');
  });
});
