// The Lab as a long-lived object in the Electron main process and the web server: starting and stopping it
// must leave nothing behind (sockets, timers, child processes), however busy it was when stopped.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLab } from '../../src/core/lab/index.js';
import { missing } from '../peers/have.js';
import { rawMqtt } from '../peers/raw-mqtt.js';
import { cleanup } from './support/lab-rig.js';
import { waitRecord } from './support/records.js';

// Every test here is bounded well below the suite's default; a hang fails fast.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

afterEach(cleanup);

/** Active handles and requests by kind, e.g. { TCPServerWrap: 1, Timeout: 2 }. */
function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/** Kinds of which more are active now than in `baseline`, with the surplus. */
function surplus(baseline: Record<string, number>): Record<string, number> {
  const extra: Record<string, number> = {};
  for (const [kind, n] of Object.entries(resources())) if (n > (baseline[kind] ?? 0)) extra[kind] = n - (baseline[kind] ?? 0);
  return extra;
}

/** Closed handles leave the list a turn or two after their 'close' events; a leak stays. */
async function leaked(baseline: Record<string, number>): Promise<Record<string, number>> {
  for (let i = 0; i < 50 && Object.keys(surplus(baseline)).length > 0; i++) await new Promise((r) => setTimeout(r, 10));
  return surplus(baseline);
}

/** One busy lifetime: an embedded client mid-session and an outside socket still open when stop() comes. */
async function busyLifetime(broker: 'aedes' | 'mosquitto'): Promise<void> {
  const lab = await createLab({ broker, port: 0 });
  try {
    await lab.api.call('clients.create', { id: 'c', options: { keepalive: 5 } });
    await lab.api.call('clients.connect', { id: 'c' });
    await lab.api.call('clients.subscribe', { id: 'c', subscriptions: [{ filter: 'x/#', qos: 1 }] });
    await lab.api.call('clients.publish', { id: 'c', topic: 'x/y', payload: 'z', qos: 1 });
    const raw = await rawMqtt(lab.tapAddress.port);
    await raw.send(Uint8Array.of(0x10, 0x0d, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x05, 0x00, 0x01, 0x72), 0);
    await waitRecord(lab, { clientId: 'r', type: 'CONNACK' });
  } finally {
    await lab.stop();
  }
}

describe('lab lifecycle', () => {
  it('50 starts and stops of a busy lab (aedes) leave no open handles', async () => {
    await busyLifetime('aedes'); // loads every module and lazily created singleton first
    const baseline = resources();
    for (let i = 0; i < 50; i++) await busyLifetime('aedes');
    expect(await leaked(baseline)).toEqual({});
  });

  it.skipIf(missing('mosquitto') !== undefined)('5 starts and stops with mosquitto behind the tap leave no process or pipe behind', async () => {
    await busyLifetime('mosquitto');
    const baseline = resources();
    for (let i = 0; i < 5; i++) await busyLifetime('mosquitto');
    expect(await leaked(baseline)).toEqual({});
  });
});
