// What the CLI and the app start: a lab whose capture memory is touched ahead, on the warmer's thread, so that
// the first busy seconds through the tap do not pay for fresh memory (CaptureStore.reserve). Tests leave it off.
import { afterEach, expect, it, vi } from 'vitest';
import { labOptionsFrom } from '../../src/cli/lab-flags.js';
import { parseArgs } from '../../src/cli/args.js';
import { DEFAULT_BYTE_BUDGET } from '../../src/core/store/index.js';
import { collectGarbage } from '../tap/rig.js';
import { cleanup, startLab } from './support/lab-rig.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 });
afterEach(cleanup);

const MB = 1_048_576;
// Resident memory: the chunks are made in the warmer's isolate and transferred, so `arrayBuffers` here does
// not count them.
const resident = (): number => {
  collectGarbage();
  return process.memoryUsage().rss;
};

it('a lab asked to reserve holds its byte budget in touched memory soon after start; one not asked holds none', async () => {
  await startLab();
  const started = resident();
  await new Promise((r) => setTimeout(r, 1500));
  expect(resident() - started).toBeLessThan(16 * MB);
  const plain = resident();
  await startLab({ reserveCapture: true });
  const deadline = Date.now() + 30_000;
  while (resident() - plain < DEFAULT_BYTE_BUDGET && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(resident() - plain).toBeGreaterThanOrEqual(DEFAULT_BYTE_BUDGET);
  // Not much more than asked: the budget, and what starting a second lab costs (a plain one: ~25 MB).
  expect(resident() - plain).toBeLessThanOrEqual(DEFAULT_BYTE_BUDGET + 48 * MB);
});

it('`mqtt-lab broker` and `web` reserve', () => {
  expect(labOptionsFrom(parseArgs([], { values: ['port'], booleans: [] }), 'port').reserveCapture).toBe(true);
});
