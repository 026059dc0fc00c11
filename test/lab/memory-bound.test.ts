// The capture is bounded in bytes as well as in packets: large payloads nobody reads do not stay resident.
import { generate } from 'mqtt-packet';
import { afterEach, expect, it, vi } from 'vitest';
import { DEFAULT_BYTE_BUDGET, TRUNCATED_BYTES } from '../../src/core/store/index.js';
import type { WirePacket } from '../../src/shared/api.js';
import { rawMqtt } from '../peers/raw-mqtt.js';
import { collectGarbage } from '../tap/rig.js';
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
  const count = async (type: string): Promise<number> => (await lab.api.call('packets.query', { type })).length;
  const deadline = Date.now() + 30_000;
  while ((await lab.api.call('lab.status', {})).packets.count < 203 || (await count('DISCONNECT')) !== 1) {
    if (Date.now() > deadline) throw new Error('timed out after 30000 ms waiting for every packet recorded');
    await new Promise((r) => setTimeout(r, 20));
  }
  // Buffers still on their way out (the in-process stream into the broker, sockets closing) are let go within
  // moments; a loaded machine takes longer. What counts is what stays: the least over a few GCs in 2 s.
  let buffers = Infinity;
  let grew = Infinity;
  for (let i = 0; i < 10 && buffers >= DEFAULT_BYTE_BUDGET / MB + 16; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 200));
    collectGarbage();
    const m = process.memoryUsage();
    buffers = Math.min(buffers, (m.arrayBuffers - ab0) / MB);
    grew = Math.min(grew, (m.rss - rss0) / MB);
  }
  // What the capture keeps of each PUBLISH, read back as any view reads it, a few at a time.
  const publishes = await lab.api.call('packets.query', { type: 'PUBLISH' });
  const kept: WirePacket[] = [];
  for (let i = 0; i < publishes.length; i += 10) kept.push(...await lab.api.call('packets.getMany', { seqs: publishes.slice(i, i + 10).map((p) => p.seq) }));
  const cut = kept.filter((p) => p.fullLength !== undefined);
  const held = kept.reduce((n, p) => n + p.bytes.length / 2, 0);
  console.info(`200 × 1 MB PUBLISH: store holds ${(held / MB).toFixed(1)} MB of them, ${cut.length} cut to ${TRUNCATED_BYTES} B; RSS +${grew.toFixed(0)} MB, array buffers +${buffers.toFixed(0)} MB after GC`);
  expect(publishes).toHaveLength(200);
  expect(held).toBeLessThanOrEqual(DEFAULT_BYTE_BUDGET);
  expect(cut.length).toBeGreaterThan(60);
  // The newest stay whole, and a cut one still says what it was, with its true length on the wire.
  expect(kept.at(-1)!.fullLength).toBeUndefined();
  expect(publishes[0]!.length).toBe(1 + 3 + 2 + 'nobody/0'.length + 1_000_000);
  const first = kept[0]!;
  expect(first.fullLength).toBe(1 + 3 + 2 + 'nobody/0'.length + 1_000_000); // fixed header with a 3-byte length, topic, payload
  expect(first.bytes.length).toBe(2 * TRUNCATED_BYTES);
  expect(first.decoded.info.topic).toBe('nobody/0');
  // What is retained is the budget; RSS follows less closely (freed pages are not always given back).
  expect(buffers).toBeLessThan(DEFAULT_BYTE_BUDGET / MB + 16);
  expect(grew).toBeLessThan(DEFAULT_BYTE_BUDGET / MB + 120);
});
