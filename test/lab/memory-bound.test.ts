// The capture is bounded in bytes as well as in packets: large payloads nobody reads do not stay resident.
import { generate } from 'mqtt-packet';
import { afterEach, expect, it, vi } from 'vitest';
import { TRUNCATED_BYTES } from '../../src/core/store/index.js';
import { rawMqtt } from '../peers/raw-mqtt.js';
import { collectGarbage, until } from '../tap/rig.js';
import { cleanup, startLab } from './support/lab-rig.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 });
afterEach(cleanup);

const MB = 1_048_576;

it('200 PUBLISHes of 1 MB to topics nobody reads: resident memory stays near the byte budget', async () => {
  const lab = await startLab();
  collectGarbage();
  const { rss: rss0, arrayBuffers: ab0 } = process.memoryUsage();
  const c = await rawMqtt(lab.tapAddress.port);
  await c.send(generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'big', keepalive: 0 }));
  await c.next();
  const payload = Buffer.alloc(1_000_000, 0x62);
  for (let i = 0; i < 200; i++) {
    const ok = c.socket.write(generate({ cmd: 'publish', topic: `nobody/${i}`, payload, qos: 0, dup: false, retain: false }));
    if (!ok) await new Promise((r) => c.socket.once('drain', r));
  }
  await c.send(generate({ cmd: 'disconnect' }));
  await c.close();
  await until(() => lab.store.size >= 203 && lab.store.query({ type: 'DISCONNECT' }).length === 1, 'every packet recorded', 30_000);
  collectGarbage();
  const grew = (process.memoryUsage().rss - rss0) / MB;
  const buffers = (process.memoryUsage().arrayBuffers - ab0) / MB;
  const publishes = lab.store.query({ type: 'PUBLISH' });
  const cut = publishes.filter((r) => r.fullLength !== undefined);
  console.info(`200 × 1 MB PUBLISH: store holds ${(lab.store.bytesHeld / MB).toFixed(1)} MB, ${cut.length} cut to ${TRUNCATED_BYTES} B; RSS +${grew.toFixed(0)} MB, array buffers +${buffers.toFixed(0)} MB after GC`);
  expect(publishes).toHaveLength(200);
  expect(lab.store.bytesHeld).toBeLessThanOrEqual(lab.store.byteBudget);
  expect(cut.length).toBeGreaterThan(60);
  // The newest stay whole, and a cut one still says what it was, with its true length on the wire.
  expect(publishes.at(-1)!.fullLength).toBeUndefined();
  const first = lab.packet(publishes[0]!);
  expect(first.fullLength).toBe(1 + 3 + 2 + 'nobody/0'.length + 1_000_000); // fixed header with a 3-byte length, topic, payload
  expect(first.bytes.length).toBe(2 * TRUNCATED_BYTES);
  expect(first.decoded.info.topic).toBe('nobody/0');
  // What is retained is the budget; RSS follows less closely (freed pages are not always given back).
  expect(buffers).toBeLessThan(lab.store.byteBudget / MB + 16);
  expect(grew).toBeLessThan(lab.store.byteBudget / MB + 120);
});
