// The embedded broker's QoS 2 duplicate check without the store's throw per message: the answers are the
// store's, and a duplicate is still acknowledged and not delivered twice (MQTT-4.3.3-2).
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

it('answers as the store would: found once stored, missing before, after a delete and after a clean', async () => {
  // A store that answers as aedes-persistence's memory store does (throwing from async methods).
  const ids = new Map<string, Set<number>>();
  let asked = 0;
  const store = {
    async incomingStorePacket(c: { id: string }, p: { messageId?: number }): Promise<void> {
      if (!ids.has(c.id)) ids.set(c.id, new Set());
      ids.get(c.id)!.add(p.messageId!);
    },
    async incomingGetPacket(c: { id: string }, p: { messageId?: number }): Promise<unknown> {
      asked++;
      if (!ids.get(c.id)?.has(p.messageId!)) throw new Error('no such packet');
      return { messageId: p.messageId };
    },
    async incomingDelPacket(c: { id: string }, p: { messageId?: number }): Promise<void> {
      if (!ids.get(c.id)?.delete(p.messageId!)) throw new Error('no such packet');
    },
    async cleanIncoming(c: { id: string }): Promise<void> {
      ids.delete(c.id);
    },
  };
  quietIncomingMisses({ asyncPersistence: store });
  const a = { id: 'a' };
  const b = { id: 'b' };
  const found = (c: { id: string }, messageId: number): Promise<boolean> => store.incomingGetPacket(c, { messageId }).then(() => true, (e: Error) => {
    expect(e.message).toBe('no such packet');
    return false;
  });
  let unhandled = 0;
  const count = (): void => void unhandled++;
  process.on('unhandledRejection', count);
  try {
    expect(await found(a, 1)).toBe(false);
    expect(asked).toBe(0); // a miss is answered without the store's throw
    await store.incomingStorePacket(a, { messageId: 1 });
    await store.incomingStorePacket(a, { messageId: 2 });
    expect(await found(a, 1)).toBe(true);
    expect(await found(b, 1)).toBe(false); // ids are per client
    await store.incomingDelPacket(a, { messageId: 1 });
    expect(await found(a, 1)).toBe(false);
    expect(await found(a, 2)).toBe(true);
    await store.cleanIncoming(a);
    expect(await found(a, 2)).toBe(false);
    await expect(store.incomingDelPacket(a, { messageId: 2 })).rejects.toThrow('no such packet');
    await new Promise((r) => setTimeout(r, 10));
    expect(unhandled).toBe(0);
  } finally {
    process.off('unhandledRejection', count);
  }
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
