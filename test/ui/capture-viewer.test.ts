// The offline capture viewer in Chromium: the built notebook opened from file:// (no server at all) opens
// the repository's real captures and shows as many MQTT packets as tshark counts in the same files; the
// same from a plain static host with ?capture=URL, by drag and drop, as pcap as well as pcapng, and on a
// port tshark must be told about. Every view works read-only on the file's packets.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readCaptureRecords } from '../../src/core/pcap/decoded-records.js';
import { pcapngToBuffer, type RecordedConnection } from '../../src/core/pcap/index.js';
import type { PacketRecord } from '../../src/shared/lab.js';
import { capturePath } from '../captures/record.js';
import { SCENARIOS } from '../captures/scenarios.js';
import { missing } from '../peers/have.js';
import { runOk } from '../peers/run.js';
import { fields } from '../peers/tshark.js';
import { chromiumMissing, launch, watchPage, type PageWatch } from './support/browser.js';
import { RENDERER_OUT, ensureRendererBuilt } from './support/build.js';
import { serveStatic, type StaticServer } from './support/static-server.js';
import { shot } from './support/ui-helpers.js';

const why = chromiumMissing() ?? missing('tshark');

/** tshark's count of MQTT PDUs in a file (several in one frame count one each). */
async function tsharkCount(file: string, port = 1883): Promise<number> {
  const rows = await fields(file, port, ['mqtt.msgtype'], 'mqtt');
  return rows.reduce((n, [types]) => n + (types ?? '').split(',').filter((t) => t !== '').length, 0);
}

describe.skipIf(why !== undefined)(`capture viewer${why ? ` (skipped: ${why})` : ''}`, () => {
  let browser: Browser;
  let dir: string;
  const pages: Page[] = [];
  const watches: PageWatch[] = [];
  const servers: StaticServer[] = [];
  const indexUrl = (): string => pathToFileURL(join(RENDERER_OUT, 'index.html')).href;

  async function open(url: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    watches.push(await watchPage(page));
    pages.push(page);
    await page.goto(url);
    await page.getByTestId('open-capture').waitFor();
    return page;
  }

  async function pick(page: Page, file: string): Promise<void> {
    await page.locator('input[type=file]').setInputFiles(file);
  }

  /** The count the header shows once the file is read, and the list's own total. */
  async function shown(page: Page): Promise<{ header: number; list: number }> {
    const header = await page.getByTestId('capture-count').locator('strong').innerText();
    const list = await page.locator('.filterbar, section.list').getByText(/^\d[\d,]* packets$/).first().innerText().catch(() => '');
    return { header: Number(header), list: Number(list.replace(/\D/g, '')) };
  }

  beforeAll(async () => {
    ensureRendererBuilt();
    browser = await launch();
    dir = mkdtempSync(join(tmpdir(), 'mqtt-lab-viewer-'));
  }, 180_000);

  afterEach(async (ctx) => {
    const page = pages.at(-1);
    if (ctx.task.result?.state === 'fail' && page) await shot(page, `FAILED-viewer-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
    for (const p of pages.splice(0)) await p.close();
  });

  afterAll(async () => {
    await browser?.close();
    for (const s of servers) await s.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    for (const w of watches) {
      expect(w.dialogs).toEqual([]);
      expect(w.csp).toEqual([]);
      expect(w.errors).toEqual([]);
    }
  });

  it.each(SCENARIOS.map((s) => s.name))('opens %s from file:// with the packet count tshark finds', async (name) => {
    const page = await open(indexUrl());
    await pick(page, capturePath(name));
    await page.getByTestId('capture-name').filter({ hasText: `${name}.pcapng` }).waitFor();
    const expected = await tsharkCount(capturePath(name));
    expect(expected).toBeGreaterThan(10);
    await expect.poll(() => shown(page)).toEqual({ header: expected, list: expected });
    await shot(page, `viewer-${name}`);
  });

  it('reads the classic pcap format too', async () => {
    const pcap = join(dir, 'qos-tour.pcap');
    await runOk('editcap', ['-F', 'pcap', capturePath('qos-tour'), pcap]);
    const page = await open(indexUrl());
    await pick(page, pcap);
    const expected = await tsharkCount(pcap);
    await expect.poll(() => shown(page)).toEqual({ header: expected, list: expected });
  });

  it('finds MQTT on a port of its own when the conversation opens with CONNECT', async () => {
    // The same real packets, the broker named at 18830: tshark must be told (-d), the viewer finds it alone.
    const loaded = readCaptureRecords(new Uint8Array(readFileSync(capturePath('puback-dropped'))), [1883]);
    const records: PacketRecord[] = loaded.map((l, i) => ({ ...l.record, seq: i + 1 }));
    const conns = new Map<number, RecordedConnection>();
    for (const l of loaded) {
      const [ip, port] = l.client.split(':');
      if (!conns.has(l.record.connId)) conns.set(l.record.connId, { connId: l.record.connId, client: { ip: ip!, port: Number(port) }, broker: { ip: '127.0.0.1', port: 18830 }, openedAt: l.record.time });
    }
    const file = join(dir, 'odd-port.pcapng');
    writeFileSync(file, pcapngToBuffer(records, conns.values()));
    const page = await open(indexUrl());
    await pick(page, file);
    const expected = await tsharkCount(file, 18830);
    expect(expected).toBe(loaded.length);
    await expect.poll(() => shown(page)).toEqual({ header: expected, list: expected });
  });

  it('opens a file dropped on the page, and keeps it when a file that is no capture is opened next', async () => {
    const page = await open(indexUrl());
    const bytes = [...readFileSync(capturePath('will-after-sever'))];
    await page.evaluate((b) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(b)], 'dropped.pcapng'));
      for (const type of ['dragover', 'drop']) window.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, bytes);
    await page.getByTestId('capture-name').filter({ hasText: 'dropped.pcapng' }).waitFor();
    const expected = await tsharkCount(capturePath('will-after-sever'));
    await expect.poll(() => shown(page)).toEqual({ header: expected, list: expected });
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'these are my lecture notes\n');
    await pick(page, text);
    await expect(page.getByRole('alert').innerText()).resolves.toContain('not a capture file');
    expect(await shown(page)).toEqual({ header: expected, list: expected });
  });

  it('opens ?capture=URL from a static host', async () => {
    const site = join(dir, 'site');
    cpSync(RENDERER_OUT, site, { recursive: true });
    cpSync(capturePath('qos-tour'), join(site, 'handout.pcapng'));
    const server = await serveStatic(site);
    servers.push(server);
    const page = await open(`${server.url}/index.html?capture=handout.pcapng`);
    await page.getByTestId('capture-name').filter({ hasText: 'handout.pcapng' }).waitFor();
    const expected = await tsharkCount(capturePath('qos-tour'));
    await expect.poll(() => shown(page)).toEqual({ header: expected, list: expected });
  });

  it('shows every view of a capture: filter, detail with hex, diagram, topics; refuses lab commands in words', async () => {
    const page = await open(indexUrl());
    await pick(page, capturePath('puback-dropped'));
    await page.getByTestId('capture-name').waitFor();
    // The resend after the reconnect has DUP=1, and so has aedes's second copy of it to phone.
    const box = page.getByPlaceholder('mqtt.qos == 1 && mqtt.topic contains "temp"');
    await box.fill('mqtt.dupflag == 1');
    await box.press('Enter');
    await page.getByText(/^2 of 17$/).waitFor();
    await page.getByRole('grid', { name: 'Captured packets' }).getByRole('row').first().click();
    await expect.poll(() => page.getByRole('tree', { name: 'Fields' }).innerText()).toMatch(/Header Flags/);
    await expect(page.getByRole('group', { name: 'Packet bytes' }).innerText()).resolves.toMatch(/3a/);
    // The diagram's lanes: phone, and sensor (its two connections in one lane).
    await expect(page.locator('.seq .lane-title').allTextContents()).resolves.toEqual(['sensorsensor', 'phonephone', 'broker']); // each title carries its name as a tooltip too
    await expect(page.locator('section[aria-label="Topic tree"]').innerText()).resolves.toContain('door');
    await shot(page, 'viewer-views-puback-dropped');
    await page.keyboard.press('s');
    await expect(page.getByRole('alert').innerText()).resolves.toContain('capture file, read only');
  });

  it('replays a real recording as the demo (?demo=will-after-sever)', async () => {
    const page = await open(`${indexUrl()}?demo=will-after-sever`);
    const expected = await tsharkCount(capturePath('will-after-sever'));
    await expect.poll(() => shown(page), { timeout: 20_000 }).toEqual({ header: expected, list: expected });
    await page.locator('.seq').getByText(/patient closed its connection without DISCONNECT/).waitFor();
    await shot(page, 'viewer-demo-will');
  });
});
