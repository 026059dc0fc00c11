// The embedded broker's QoS 2 duplicate check without a stack trace per message: a duplicate is still
// acknowledged and not delivered twice (MQTT-4.3.3-2), and every other Error keeps its stack.
import { afterEach, expect, it } from 'vitest';
import { AedesBroker } from '../../src/core/broker/aedes-broker.js';
import { quietIncomingMisses } from '../../src/core/broker/aedes-quiet-misses.js';
import { RawMqtt } from './raw-mqtt.js';

const open: RawMqtt[] = [];
const brokers: AedesBroker[] = [];
afterEach(async () => {
  for (const r of open.splice(0)) r.destroy();
  await Promise.all(brokers.splice(0).map((b) => b.stop()));
});

it('a miss rejects with an Error of no frames; the limit is restored, and a store without the lookup is left alone', async () => {
  const store = {
    async incomingGetPacket(_c: unknown, p: { messageId: number }): Promise<unknown> {
      if (p.messageId === 1) return { messageId: 1 };
      throw new Error('no such packet');
    },
  };
  quietIncomingMisses({ asyncPersistence: store });
  const limit = Error.stackTraceLimit;
  expect(await store.incomingGetPacket({}, { messageId: 1 })).toEqual({ messageId: 1 });
  const miss = await store.incomingGetPacket({}, { messageId: 2 }).catch((e: Error) => e);
  expect((miss as Error).message).toBe('no such packet');
  expect((miss as Error).stack).toBe('Error: no such packet');
  expect(Error.stackTraceLimit).toBe(limit);
  expect(new Error('elsewhere').stack!.split('\n').length).toBeGreaterThan(1);
  expect(() => quietIncomingMisses({})).not.toThrow();
  expect(() => quietIncomingMisses(undefined)).not.toThrow();
});

it('a QoS 2 PUBLISH sent again before PUBREL is acknowledged again and delivered once (MQTT-4.3.3-2)', async () => {
  const broker = new AedesBroker();
  brokers.push(broker);
  const { port } = await broker.start();
  const sub = await RawMqtt.open(port);
  const pub = await RawMqtt.open(port);
  open.push(sub, pub);
  expect(await sub.connect({ clientId: 'sub' })).toBe(0);
  sub.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'q2/#', qos: 0 }] });
  await sub.next('suback');
  expect(await pub.connect({ clientId: 'pub' })).toBe(0);
  const publish = { cmd: 'publish', topic: 'q2/x', payload: Buffer.from('once'), qos: 2, messageId: 7, retain: false } as const;
  pub.send({ ...publish, dup: false });
  await pub.next('pubrec');
  pub.send({ ...publish, dup: true });
  const deadline = Date.now() + 3000;
  while (pub.received.filter((p) => p.cmd === 'pubrec').length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  expect(pub.received.filter((p) => p.cmd === 'pubrec')).toHaveLength(2);
  pub.send({ cmd: 'pubrel', messageId: 7 });
  await pub.next('pubcomp');
  // A second message shows the first had time to arrive: it came once.
  pub.send({ cmd: 'publish', topic: 'q2/y', payload: Buffer.from('next'), qos: 0, retain: false, dup: false });
  while (!sub.received.some((p) => p.cmd === 'publish' && p.topic === 'q2/y') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  expect(sub.received.filter((p) => p.cmd === 'publish').map((p) => (p as { topic: string }).topic)).toEqual(['q2/x', 'q2/y']);
});
