// Clearing the capture forgets packets, not who is connected: a live client's next packets carry its id.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, startLab } from './support/lab-rig.js';

vi.setConfig({ testTimeout: 20_000 });
afterEach(cleanup);

describe('packets.clear', () => {
  it('keeps the client id of connections still open', async () => {
    const lab = await startLab();
    await lab.api.call('clients.create', { id: 'sensor' });
    await lab.api.call('clients.connect', { id: 'sensor' });
    await lab.api.call('packets.clear', {});
    expect(await lab.api.call('packets.query', {})).toEqual([]);
    await lab.api.call('clients.publish', { id: 'sensor', topic: 'home/t', payload: '21', qos: 1 });
    await vi.waitFor(async () => expect((await lab.api.call('packets.query', { type: 'PUBACK' })).length).toBe(1));
    const after = await lab.api.call('packets.query', {});
    expect(after.map((p) => p.clientId)).toEqual(['sensor', 'sensor']);
  });
});
