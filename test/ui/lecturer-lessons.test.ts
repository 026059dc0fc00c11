// A lecturer's own lessons folder in the notebook: its lessons appear beside the course, a broken file is
// shown with file and line while the rest keep working, and an edit is picked up without a restart.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumMissing } from './support/browser.js';
import { labServerMissing } from './support/lab-server.js';
import { uiSuite } from './support/ui-suite.js';
import { openTab, shot } from './support/ui-helpers.js';

const why = chromiumMissing() ?? labServerMissing();

const lesson = (title: string): string => `---\ntitle: ${title}\norder: 90\n---\nHello.\n\n\`\`\`step\ntitle: One client\ndo:\n  - client: { id: a }\n  - connect: a\nexpect:\n  - packet: { type: CONNACK, to: a }\n\`\`\`\n`;

/** A step with an action the lesson format does not have: reported with file and line. */
const BROKEN = '---\ntitle: Broken\n---\n```step\ndo:\n  - launch: rockets\n```\n';

describe.skipIf(why !== undefined)(`a lecturer's lessons folder${why ? ` (skipped: ${why})` : ''}`, () => {
  let page: Page;

  const suite = uiSuite('lecturer-lessons', undefined, { lessons: { 'mine.md': lesson('My own lesson'), 'broken.md': BROKEN } });
  beforeAll(async () => {
    page = await suite.open({ w: 1600, h: 1000, zoom: 1 }, { theme: 'light', keep: true, timeoutMs: 30_000 });
    await openTab(page, 'Lesson');
  }, 120_000);

  it('lists them beside the course and shows a broken one with file and line', async () => {
    await page.getByText('My own lesson').first().waitFor();
    await page.getByText('Indirect messaging through a broker').first().waitFor();
    await expect.poll(() => page.getByText(`${join(suite.lessonsDir, 'broken.md')}:6:`).count()).toBeGreaterThan(0);
    await shot(page, 'lecturer-lessons-problems');
  });

  it('reloads when a file changes: the mistake goes, the edited title shows', async () => {
    writeFileSync(join(suite.lessonsDir, 'broken.md'), lesson('Fixed lesson'));
    await page.getByText('Fixed lesson').first().waitFor({ timeout: 10_000 });
    await expect.poll(() => page.getByText(`${join(suite.lessonsDir, 'broken.md')}:6:`).count(), { timeout: 10_000 }).toBe(0);
  });
});
