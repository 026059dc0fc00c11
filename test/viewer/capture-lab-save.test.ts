// Save in the offline viewer goes through the same calls as against a lab (capture.saveStart, saveRead until
// done): the file comes back exactly as it was opened, in one part.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { CaptureLabApi } from '../../src/renderer/lib/viewer/capture-lab.js';
import { capturePath } from '../captures/record.js';

it('gives back the opened pcapng through saveStart and saveRead, then says it is done', async () => {
  const bytes = readFileSync(capturePath('qos-tour'));
  const api = new CaptureLabApi();
  api.open('qos-tour.pcapng', new Uint8Array(bytes));
  const { saveId, progress } = await api.call('capture.saveStart', {});
  expect(progress.total).toBe((await api.call('lab.status', {})).packets.count);
  const first = await api.call('capture.saveRead', { saveId });
  expect(Buffer.from(first.chunk, 'base64').equals(bytes)).toBe(true);
  expect(first.done).toBe(false);
  expect(await api.call('capture.saveRead', { saveId })).toMatchObject({ chunk: '', done: true, progress: { phase: 'done' } });
  await expect(api.call('capture.saveRead', { saveId })).rejects.toThrow('no save is running');
});
