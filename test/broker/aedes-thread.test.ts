// The embedded broker in a worker thread of its own: the same aedes, reached through stream ends over the
// thread's port. Real mqtt.js clients talk to it, its events and access rules cross the thread, and it starts
// and stops like every broker host.
import type { Duplex } from 'node:stream';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { AedesThreadBroker, sourceWorkerEntry } from '../../src/core/broker/aedes-thread.js';
import type { BrokerEvent } from '../../src/shared/lab.js';
import { until } from '../tap/rig.js';

let broker: AedesThreadBroker | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

function entry(): URL {
  const e = sourceWorkerEntry();
  if (e === undefined) throw new Error('the tests run from the sources, where the thread has an entry');
  return e;
}

function open(b: AedesThreadBroker, opts: mqtt.IClientOptions): Promise<mqtt.MqttClient> {
  const c = new mqtt.MqttClient(() => b.connect(), { reconnectPeriod: 0, protocolVersion: 4, ...opts });
  return new Promise((resolve, reject) => {
    c.once('connect', () => resolve(c));
    c.once('error', reject);
  });
}

describe('AedesThreadBroker', () => {
  it('refuses a connection before start, starts once however often asked, and stops twice harmlessly', async () => {
    const b = new AedesThreadBroker(entry());
    broker = b;
    expect(() => b.connect()).toThrow(/not running/);
    const [one, two] = await Promise.all([b.start(), b.start()]);
    expect(one).toEqual(two);
    expect(one).toMatchObject({ host: '127.0.0.1', kind: 'aedes', mqtt5: false });
    expect(one.port).toBeGreaterThan(0);
    await b.stop();
    await b.stop();
    expect(() => b.connect()).toThrow(/not running/);
  });

  it('serves real mqtt.js clients over the thread: QoS 1 and 2 delivery, and the will on a cut, with its events', async () => {
    const b = new AedesThreadBroker(entry());
    broker = b;
    const events: BrokerEvent[] = [];
    b.onEvent((e) => events.push(e));
    await b.start();
    const sub = await open(b, { clientId: 'sub' });
    const got: string[] = [];
    sub.on('message', (topic, payload) => got.push(`${topic}=${payload.toString()}`));
    await sub.subscribeAsync('home/#', { qos: 2 });
    const pub = await open(b, { clientId: 'pub', will: { topic: 'home/status', payload: Buffer.from('pub gone'), qos: 1, retain: false } });
    await pub.publishAsync('home/temp', '21.5', { qos: 1 });
    await pub.publishAsync('home/hum', '40', { qos: 2 });
    await until(() => got.length >= 2, 'both messages');
    // A cut with no DISCONNECT: aedes publishes the will, as for a dropped TCP connection.
    (pub as unknown as { stream: Duplex }).stream.destroy();
    await until(() => got.length >= 3, 'the will');
    expect(got).toEqual(['home/temp=21.5', 'home/hum=40', 'home/status=pub gone']);
    await until(() => events.some((e) => e.kind === 'will-published'), 'the will event');
    expect(events.filter((e) => e.kind === 'client-connected').map((e) => e.clientId)).toEqual(['sub', 'pub']);
    expect(events.find((e) => e.kind === 'will-published')).toMatchObject({ clientId: 'pub', topic: 'home/status', qos: 1 });
    pub.end(true);
    await sub.endAsync();
  });

  it('takes users and an ACL at start and when changed while running', async () => {
    const b = new AedesThreadBroker(entry(), { users: { ann: 'secret' } });
    broker = b;
    await b.start();
    await expect(open(b, { clientId: 'x', username: 'ann', password: 'wrong' })).rejects.toThrow(/Bad username or password/);
    const ann = await open(b, { clientId: 'ann', username: 'ann', password: 'secret' });
    await ann.endAsync();
    b.configureAuth({});
    const anyone = await open(b, { clientId: 'anyone' });
    await anyone.endAsync();
    b.configureAuth({ users: { bob: 'pw' } });
    await expect(open(b, { clientId: 'ann2', username: 'ann', password: 'secret' })).rejects.toThrow(/Bad username or password/);
  });

  it('stop() ends the connections to the thread', async () => {
    const b = new AedesThreadBroker(entry());
    broker = b;
    await b.start();
    const s = b.connect();
    const closed = new Promise<void>((resolve) => s.once('close', () => resolve()));
    s.resume();
    s.on('error', () => undefined);
    await b.stop();
    broker = undefined;
    await closed;
  });

  it('a thread that cannot start says why, and start() can be tried again', async () => {
    const b = new AedesThreadBroker(new URL('./no-such-worker.mjs', entry()));
    await expect(b.start()).rejects.toThrow(/thread/);
    await expect(b.start()).rejects.toThrow(/thread/);
    await b.stop();
  });

  it('a port already taken is the start\'s error, as for the broker in this thread', async () => {
    const first = new AedesThreadBroker(entry());
    broker = first;
    const { port } = await first.start();
    const second = new AedesThreadBroker(entry(), { port });
    await expect(second.start()).rejects.toThrow(/EADDRINUSE/);
    await second.stop();
  });
});
