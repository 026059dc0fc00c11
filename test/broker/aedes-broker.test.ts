import { afterEach, describe, expect, it } from 'vitest';
import type { BrokerEvent } from '../../src/shared/lab.js';
import { AedesBroker } from '../../src/core/broker/aedes-broker.js';
import { RawMqtt } from './raw-mqtt.js';
import { extraResources } from './resources.js';

const open: RawMqtt[] = [];
const brokers: AedesBroker[] = [];

async function started(opts: ConstructorParameters<typeof AedesBroker>[0] = {}): Promise<{ broker: AedesBroker; port: number; events: BrokerEvent[] }> {
  const broker = new AedesBroker(opts);
  brokers.push(broker);
  const events: BrokerEvent[] = [];
  broker.onEvent((e) => events.push(e));
  const { port } = await broker.start();
  return { broker, port, events };
}

async function raw(port: number, version: 3 | 4 | 5 = 4): Promise<RawMqtt> {
  const r = await RawMqtt.open(port, version);
  open.push(r);
  return r;
}

afterEach(async () => {
  for (const r of open.splice(0)) r.destroy();
  await Promise.all(brokers.splice(0).map((b) => b.stop()));
});

describe('AedesBroker lifecycle', () => {
  it('listens on 127.0.0.1, on a port of its own, and says it does not speak MQTT 5', async () => {
    const broker = new AedesBroker();
    const info = await broker.start();
    expect(info).toMatchObject({ host: '127.0.0.1', kind: 'aedes', mqtt5: false });
    expect(info.port).toBeGreaterThan(0);
    expect(await broker.start()).toEqual(info); // a second start is the same broker
    await broker.stop();
    await broker.stop(); // idempotent
  });

  it('leaves no open handles after 50 start/stop cycles with a client each time', async () => {
    const before = process.getActiveResourcesInfo();
    for (let i = 0; i < 50; i++) {
      const broker = new AedesBroker();
      const { port } = await broker.start();
      const r = await RawMqtt.open(port);
      expect(await r.connect({ clientId: `c${i}`, keepalive: 30 })).toBe(0);
      await broker.stop();
      await r.waitClosed();
      r.destroy();
    }
    expect(extraResources(before)).toEqual([]);
  });
});

describe('AedesBroker protocol versions', () => {
  it('answers a v5 CONNECT with the 3.1.1 CONNACK 20 02 00 01 and closes (aedes 1.x is 3.1.1 only)', async () => {
    const { port } = await started();
    const r = await raw(port, 5);
    r.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clientId: 'v5', clean: true, keepalive: 0 });
    await r.waitClosed();
    expect(Buffer.concat(r.raw).toString('hex')).toBe('20020001');
  });

  it('accepts MQTT 3.1 (MQIsdp) and 3.1.1', async () => {
    const { port } = await started();
    expect(await (await raw(port, 3)).connect({ clientId: 'old' })).toBe(0);
    expect(await (await raw(port, 4)).connect({ clientId: 'new' })).toBe(0);
  });
});

describe('AedesBroker users', () => {
  it('refuses a wrong password with 4, a missing user name with 5, and accepts the right one', async () => {
    const { port } = await started({ users: { alice: 'secret' } });
    expect(await (await raw(port)).connect({ clientId: 'a', username: 'alice', password: 'wrong' })).toBe(4);
    expect(await (await raw(port)).connect({ clientId: 'b', username: 'bob', password: 'secret' })).toBe(4);
    expect(await (await raw(port)).connect({ clientId: 'c' })).toBe(5);
    expect(await (await raw(port)).connect({ clientId: 'd', username: 'alice', password: 'secret' })).toBe(0);
  });

  it('closes the connection after a refusing CONNACK (MQTT-3.2.2-5)', async () => {
    const { port } = await started({ users: { alice: 'secret' } });
    const r = await raw(port);
    expect(await r.connect({ clientId: 'a', username: 'alice', password: 'wrong' })).toBe(4);
    await r.waitClosed();
  });
});

describe('AedesBroker ACL', () => {
  const acl = [
    { topic: 'public/#', access: 'both' as const, allow: true },
    { user: 'alice', topic: 'home/#', access: 'both' as const, allow: true },
    { user: 'alice', topic: 'home/secret', access: 'both' as const, allow: false },
    { user: 'bob', topic: '#', access: 'subscribe' as const, allow: true },
  ];
  const users = { alice: 'a', bob: 'b' };

  it('answers a denied filter with SUBACK 0x80 and grants the others in the same SUBSCRIBE', async () => {
    const { port, events } = await started({ users, acl });
    const r = await raw(port);
    expect(await r.connect({ clientId: 'alice-1', username: 'alice', password: 'a' })).toBe(0);
    r.send({ cmd: 'subscribe', messageId: 7, subscriptions: [{ topic: 'home/secret', qos: 1 }, { topic: 'home/+', qos: 1 }, { topic: 'work/#', qos: 0 }] });
    const suback = (await r.next('suback')) as { granted: number[]; messageId: number };
    expect(suback.messageId).toBe(7);
    expect(suback.granted).toEqual([0x80, 1, 0x80]);
    expect(events.filter((e) => e.kind === 'subscribe-denied').map((e) => (e as { filter: string }).filter)).toEqual(['home/secret', 'work/#']);
  });

  it('acknowledges a denied publish as usual, then drops it: no delivery, no retained copy (MQTT-3.3.5-2)', async () => {
    const { port, events } = await started({ users, acl });
    const bob = await raw(port);
    expect(await bob.connect({ clientId: 'bob-1', username: 'bob', password: 'b' })).toBe(0);
    bob.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '#', qos: 1 }] });
    await bob.next('suback');

    const alice = await raw(port);
    expect(await alice.connect({ clientId: 'alice-1', username: 'alice', password: 'a' })).toBe(0);
    alice.send({ cmd: 'publish', topic: 'home/secret', payload: Buffer.from('pin 1234'), qos: 1, messageId: 11, retain: true, dup: false });
    const puback = (await alice.next('puback')) as { messageId: number };
    expect(puback.messageId).toBe(11);
    alice.send({ cmd: 'publish', topic: 'home/kitchen', payload: Buffer.from('21.5'), qos: 1, messageId: 12, retain: false, dup: false });
    await new Promise((r) => setTimeout(r, 150));

    // The connection stayed open, and only the allowed message arrived.
    expect(alice.closed).toBe(false);
    const delivered = bob.received.filter((p) => p.cmd === 'publish').map((p) => (p as { topic: string }).topic);
    expect(delivered).toEqual(['home/kitchen']);
    expect(events).toContainEqual(expect.objectContaining({ kind: 'publish-denied', clientId: 'alice-1', topic: 'home/secret', will: false }));

    // A late subscriber finds no retained message either.
    const late = await raw(port);
    expect(await late.connect({ clientId: 'bob-2', username: 'bob', password: 'b' })).toBe(0);
    late.send({ cmd: 'subscribe', messageId: 2, subscriptions: [{ topic: 'home/#', qos: 0 }] });
    await late.next('suback');
    await new Promise((r) => setTimeout(r, 100));
    expect(late.received.filter((p) => p.cmd === 'publish')).toEqual([]);
  });

  it('drops a denied QoS 2 publish after the full PUBREC/PUBREL/PUBCOMP flow', async () => {
    const { port } = await started({ users, acl });
    const alice = await raw(port);
    expect(await alice.connect({ clientId: 'alice-1', username: 'alice', password: 'a' })).toBe(0);
    alice.send({ cmd: 'publish', topic: 'elsewhere', payload: Buffer.from('x'), qos: 2, messageId: 5, retain: false, dup: false });
    await alice.next('pubrec');
    alice.send({ cmd: 'pubrel', messageId: 5 });
    await alice.next('pubcomp');
    expect(alice.closed).toBe(false);
  });

  it('withholds messages a wildcard subscriber may not read', async () => {
    const { port } = await started({ users, acl });
    const alice = await raw(port);
    expect(await alice.connect({ clientId: 'alice-1', username: 'alice', password: 'a' })).toBe(0);
    alice.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '#', qos: 0 }] });
    expect(((await alice.next('suback')) as { granted: number[] }).granted).toEqual([0]);
    const bob = await raw(port);
    expect(await bob.connect({ clientId: 'bob-1', username: 'bob', password: 'b' })).toBe(0);
    // bob may not publish at all here, so use an anonymous-free path: public/# is open to everybody.
    const pub = await raw(port);
    expect(await pub.connect({ clientId: 'alice-2', username: 'alice', password: 'a' })).toBe(0);
    for (const topic of ['home/secret', 'home/door', 'public/news']) {
      pub.send({ cmd: 'publish', topic, payload: Buffer.from('x'), qos: 0, retain: false, dup: false });
    }
    await new Promise((r) => setTimeout(r, 150));
    const got = alice.received.filter((p) => p.cmd === 'publish').map((p) => (p as { topic: string }).topic);
    expect(got.sort()).toEqual(['home/door', 'public/news']);
  });
});

describe('AedesBroker broker-side events', () => {
  it('reports the will it publishes after an ungraceful end, and none after DISCONNECT', async () => {
    const { port, events } = await started();
    const graceful = await raw(port);
    expect(await graceful.connect({ clientId: 'g', will: { topic: 'w/g', payload: 'gone' } })).toBe(0);
    graceful.send({ cmd: 'disconnect' });
    await graceful.waitClosed();
    const crash = await raw(port);
    expect(await crash.connect({ clientId: 'c', will: { topic: 'w/c', payload: 'gone', qos: 1 } })).toBe(0);
    crash.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const wills = events.filter((e) => e.kind === 'will-published');
    expect(wills).toEqual([expect.objectContaining({ clientId: 'c', topic: 'w/c', qos: 1 })]);
    expect(events).toContainEqual(expect.objectContaining({ kind: 'client-disconnected', clientId: 'g' }));
  });

  it('times out a silent client after 1.5 × keepalive (MQTT-3.1.2-24) and publishes its will', async () => {
    const { port, events } = await started();
    const watcher = await raw(port);
    expect(await watcher.connect({ clientId: 'watcher' })).toBe(0);
    watcher.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'status/#', qos: 0 }] });
    await watcher.next('suback');
    const silent = await raw(port);
    const started_ = Date.now();
    expect(await silent.connect({ clientId: 'silent', keepalive: 1, will: { topic: 'status/silent', payload: 'offline' } })).toBe(0);
    await silent.waitClosed(4000);
    const elapsed = Date.now() - started_;
    expect(elapsed).toBeGreaterThanOrEqual(1400);
    expect(events).toContainEqual(expect.objectContaining({ kind: 'keepalive-timeout', clientId: 'silent' }));
    const will = (await watcher.next('publish')) as { topic: string; payload: Buffer };
    expect(will.topic).toBe('status/silent');
    expect(will.payload.toString()).toBe('offline');
  });
});
