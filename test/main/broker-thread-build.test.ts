// The app starts the embedded broker's thread from its compiled entry beside out/main/index.js (src/main
// passes it; electron.vite.config.ts builds it). Here that built file, without Electron, serves a client.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import mqtt from 'mqtt';
import { afterEach, expect, it, vi } from 'vitest';
import { AedesThreadBroker } from '../../src/core/broker/aedes-thread.js';
import { ensureRendererBuilt, ROOT } from '../ui/support/build.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 30_000 });

let broker: AedesThreadBroker | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

it("the built app's broker thread (out/main/aedes-worker.js) starts and serves an MQTT client", async () => {
  ensureRendererBuilt();
  const entry = join(ROOT, 'out', 'main', 'aedes-worker.js');
  expect(existsSync(entry)).toBe(true);
  broker = new AedesThreadBroker(pathToFileURL(entry));
  const info = await broker.start();
  expect(info.kind).toBe('aedes');
  const b = broker;
  const c = new mqtt.MqttClient(() => b.connect(), { reconnectPeriod: 0, protocolVersion: 4, clientId: 'built' });
  await new Promise<void>((resolve, reject) => {
    c.once('connect', () => resolve());
    c.once('error', reject);
  });
  const got = new Promise<string>((resolve) => c.once('message', (_t, p) => resolve(p.toString())));
  await c.subscribeAsync('t', { qos: 1 });
  await c.publishAsync('t', 'from the built thread', { qos: 1 });
  expect(await got).toBe('from the built thread');
  await c.endAsync();
});
