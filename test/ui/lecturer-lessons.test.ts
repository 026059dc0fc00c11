// A lecturer's own lessons folder in the notebook: its lessons appear beside the course, a broken file is
// shown with file and line while the rest keep working, and an edit is picked up without a restart.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing, launch } from './support/browser.js';
import { ensureRendererBuilt } from './support/build.js';
import { labServerMissing, startLabServer, type LabServer } from './support/lab-server.js';
import { openTab, shot } from './support/ui-helpers.js';

const why = chromiumMissing() ?? labServerMissing();

const lesson = (title: string): string => `---\ntitle: ${title}\norder: 90\n---\nHello.\n\n\`\`\`step\ntitle: One client\ndo:\n  - client: { id: a }\n  - connect: a\nexpect:\n  - packet: { type: CONNACK, to: a }\n\`\`\`\n`;

describe.skipIf(why !== undefined)(`a lecturer's lessons folder${why ? ` (skipped: ${why})` : ''}`, () => {
  let dir: string;
  let server: LabServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ensureRendererBuilt();
    dir = mkdtempSync(join(tmpdir(), 'my-lessons-'));
    writeFileSync(join(dir, 'mine.md'), lesson('My own lesson'));
    writeFileSync(join(dir, 'broken.md'), '---\ntitle: Broken\n---\n```step\ndo:\n  - launch: rockets\n```\n');
    server = await startLabServer(['--lessons', dir]);
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(server.url);
    await openTab(page, 'Lesson');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists them beside the course and shows a broken one with file and line', async () => {
    await page.getByText('My own lesson').first().waitFor();
    await page.getByText('Indirect messaging through a broker').first().waitFor();
    await expect.poll(() => page.getByText(`${join(dir, 'broken.md')}:6:`).count()).toBeGreaterThan(0);
    await shot(page, 'lecturer-lessons-problems');
  });

  it('reloads when a file changes: the mistake goes, the edited title shows', async () => {
    writeFileSync(join(dir, 'broken.md'), lesson('Fixed lesson'));
    await page.getByText('Fixed lesson').first().waitFor({ timeout: 10_000 });
    await expect.poll(() => page.getByText(`${join(dir, 'broken.md')}:6:`).count(), { timeout: 10_000 }).toBe(0);
  });
});
