// The desktop app end to end: the window opens on its own Lab, a lesson step runs and its packets show
// in the notebook. Needs Electron's binary, which cannot be downloaded everywhere (not in this project's
// CI): without it the test is skipped and says why.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { _electron as electron } from 'playwright-core';
// @ts-expect-error -- plain ESM helper shared with bin/start.js, no types of its own
import { electronBinary } from '../../bin/electron-binary.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const binary = (electronBinary as () => string | undefined)();
const reason = binary === undefined ? " (skipped: Electron's binary is not installed here; `npx install-electron` fetches it where the network allows)" : '';

describe('desktop app', () => {
  it.skipIf(binary === undefined)(`opens the window, runs a lesson step and shows its packets${reason}`, async () => {
    const args = [root];
    // Chromium refuses its sandbox as root (CI containers); a normal user keeps it.
    if (process.getuid?.() === 0) args.push('--no-sandbox');
    const app = await electron.launch({ executablePath: binary!, args, cwd: root });
    try {
      const page = await app.firstWindow();
      await page.waitForFunction(() => typeof (window as unknown as { mqttLab?: { call?: unknown } }).mqttLab?.call === 'function');
      const steps = await page.evaluate(async () => {
        const api = (window as unknown as { mqttLab: { call: (m: string, p: unknown) => Promise<unknown> } }).mqttLab;
        const list = await api.call('lessons.list', {}) as { lessons: Array<{ id: string }> };
        await api.call('lessons.start', { id: list.lessons[0]!.id });
        return api.call('lessons.next', {});
      }) as { expectations: Array<{ passed: boolean }> } | null;
      expect(steps?.expectations.every((e) => e.passed)).toBe(true);
      await expect.poll(async () => page.getByText('CONNECT', { exact: false }).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  }, 60_000);
});
