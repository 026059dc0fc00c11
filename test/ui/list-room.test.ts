// The packet list at 1280×720 zoomed to 150 % with the side panel open (issue 17, h17 item 5): about eight
// rows in view, and the #, Time and Type columns on screen (they are what a lecturer points at), with the
// column heads over their columns; at 1920×1080 every column. Chromium against the real lab server.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumMissing } from './support/browser.js';
import { labServerMissing } from './support/lab-server.js';
import { openTab, shot } from './support/ui-helpers.js';
import { uiSuite, type View } from './support/ui-suite.js';
import { fitColumns } from '../../src/renderer/lib/list-columns.js';

const why = chromiumMissing() ?? labServerMissing();

describe('which list columns fit', () => {
  it('keeps every column when there is room, goes compact, then drops payload, dir, flags and client in turn', () => {
    expect([...fitColumns(80, {}).hidden]).toEqual([]);
    expect(fitColumns(80, {}).compact).toBe(false);
    const narrow = fitColumns(43, {});
    expect(narrow.compact).toBe(true);
    expect([...narrow.hidden]).toEqual(['payload']);
    expect([...fitColumns(25, {}).hidden]).toEqual(['payload', 'dir', 'flags', 'client']);
    // A width the lecturer dragged is kept, even in the compact layout.
    expect(fitColumns(43, { client: 9 }).widths.client).toBe(9);
  });
});

describe.skipIf(why !== undefined)(`room for the packet list${why ? ` (skipped: ${why})` : ''}`, () => {
  const suite = uiSuite('list-room', async (api) => {
    for (const id of ['sensor', 'dashboard']) {
      await api.call('clients.create', { id });
      await api.call('clients.connect', { id });
    }
    await api.call('clients.subscribe', { id: 'dashboard', subscriptions: [{ filter: 'home/#', qos: 1 }] });
    for (let i = 0; i < 4; i++) await api.call('clients.publish', { id: 'sensor', topic: 'home/living/climate', payload: `{"temperature": 20.${i}}`, qos: 1 });
  });

  async function open(view: View): Promise<Page> {
    const page = await suite.open(view);
    await page.getByRole('grid', { name: 'Captured packets' }).locator('[role="row"]').nth(9).waitFor();
    return page;
  }

  /** Rows wholly inside the list's scroll area, and the column heads shown. */
  function measure(page: Page): Promise<{ rows: number; heads: string[]; misaligned: string[] }> {
    return page.evaluate(() => {
      const grid = document.querySelector('[aria-label="Captured packets"]')!.getBoundingClientRect();
      const rows = [...document.querySelectorAll('[aria-label="Captured packets"] [role="row"]')].filter((e) => {
        const r = e.getBoundingClientRect();
        return r.top >= grid.top - 1 && r.bottom <= grid.bottom + 1 && r.left >= grid.left - 1;
      });
      const heads = [...document.querySelectorAll('.list .head [role="columnheader"]')];
      const first = rows[0]!;
      // Each head starts where its column's cells start.
      const cellOf: Record<string, string> = { seq: '.seqno', time: '.time', client: '.client', dir: '.dir', type: '.type', info: '.info', payload: '.payload', flags: '.flags' };
      const misaligned = heads.flatMap((h) => {
        const id = [...h.classList].find((c) => c.startsWith('h-'))!.slice(2);
        const cell = first.querySelector(cellOf[id]!);
        if (!cell) return [`${id}: no cell`];
        const d = Math.abs(cell.getBoundingClientRect().left - h.getBoundingClientRect().left);
        return d > 2 ? [`${id}: ${d.toFixed(1)} px`] : [];
      });
      const inView = heads.filter((h) => {
        const r = h.getBoundingClientRect();
        return r.left >= grid.left - 1 && r.right <= grid.right + 1;
      });
      return { rows: rows.length, heads: inView.map((h) => h.firstChild?.textContent?.trim() ?? ''), misaligned };
    });
  }

  it('shows eight rows and the #, Time and Type columns at 1280×720 ×1.5 beside every side panel', async () => {
    const page = await open({ w: 1280, h: 720, zoom: 1.5 });
    for (const tab of ['Lesson', 'Clients', 'Faults', 'Topics'] as const) {
      await openTab(page, tab);
      const m = await measure(page);
      expect(m.rows, tab).toBeGreaterThanOrEqual(8);
      expect(m.heads.slice(0, 2), tab).toEqual(['#', 'Time (s)']);
      expect(m.heads, tab).toContain('Type');
      expect(m.heads, tab).toContain('Topic / info');
      expect(m.misaligned, tab).toEqual([]);
    }
    // The list does not scroll sideways: the # column is at its left edge.
    await expect(page.locator('.list .scroller').evaluate((e) => e.scrollLeft)).resolves.toBe(0);
    await shot(page, 'list-room-1280x720-topics');
  });

  it('shows every column at 1920×1080', async () => {
    const page = await open({ w: 1920, h: 1080, zoom: 1 });
    await openTab(page, 'Clients');
    const m = await measure(page);
    expect(m.heads).toEqual(['#', 'Time (s)', 'Client', 'Dir', 'Type', 'Topic / info', 'Payload', 'Flags']);
    expect(m.rows).toBeGreaterThanOrEqual(8);
    expect(m.misaligned).toEqual([]);
  });
});
