// The lab's embedded clients against real brokers: the behaviours the lessons are built on.
import { afterEach, describe, expect, it } from 'vitest';
import type { BrokerHost } from '../../src/core/broker/broker-host.js';
import { ClientManager } from '../../src/core/clients/client-manager.js';
import type { ClientOptions, QoS } from '../../src/shared/lab.js';
import { BROKER_KINDS, startBroker, type TestBrokerKind } from './brokers.js';
import { Relay } from './relay.js';
import { sleep, waitFor } from './wait.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(kind: TestBrokerKind): Promise<{ m: ClientManager; host: BrokerHost; port: number }> {
  const { info, host } = await startBroker(kind);
  cleanups.push(() => host.stop());
  const m = new ClientManager(info);
  cleanups.push(() => m.closeAll());
  return { m, host, port: info.port };
}

async function through(kind: TestBrokerKind, version: 4 | 5 = 4): Promise<{ m: ClientManager; relay: Relay }> {
  const { info, host } = await startBroker(kind);
  cleanups.push(() => host.stop());
  const relay = new Relay(info, version);
  const address = await relay.start();
  cleanups.push(() => relay.stop());
  const m = new ClientManager(address);
  cleanups.push(() => m.closeAll());
  return { m, relay };
}

async function connected(m: ClientManager, id: string, opts: ClientOptions = {}): Promise<void> {
  m.create(id, opts);
  await m.connect(id);
}

const text = (p: Uint8Array): string => Buffer.from(p).toString('utf8');

describe.each(BROKER_KINDS)('clients against %s', (kind) => {
  it('publishes and subscribes at every QoS; delivery QoS is the lower of the two', async () => {
    const { m } = await setup(kind);
    await connected(m, 'sub');
    const grants = await m.subscribe('sub', [
      { filter: 'q/0', qos: 0 },
      { filter: 'q/1', qos: 1 },
      { filter: 'q/2', qos: 2 },
    ]);
    expect(grants).toEqual([{ filter: 'q/0', code: 0 }, { filter: 'q/1', code: 1 }, { filter: 'q/2', code: 2 }]);
    await connected(m, 'pub');
    const results = [];
    for (const sub of [0, 1, 2] as QoS[]) {
      for (const qos of [0, 1, 2] as QoS[]) results.push(await m.publish('pub', { topic: `q/${sub}`, payload: `s${sub}p${qos}`, qos }));
    }
    // QoS 0 resolves when written; QoS 1 and 2 on PUBACK / PUBCOMP, with their packet id.
    expect(results.map((r) => r.messageId === undefined)).toEqual([true, false, false, true, false, false, true, false, false]);
    await waitFor(() => m.messages('sub').length === 9, 'nine messages');
    const got = m.messages('sub').map((x) => `${text(x.payload)}:${x.qos}`).sort();
    expect(got).toEqual([
      's0p0:0', 's0p1:0', 's0p2:0',
      's1p0:0', 's1p1:1', 's1p2:1',
      's2p0:0', 's2p1:1', 's2p2:2',
    ]);
  });

  it('gives a retained message to a subscriber that comes later, with RETAIN=1', async () => {
    const { m } = await setup(kind);
    await connected(m, 'pub');
    await m.publish('pub', { topic: 'home/temp', payload: '21.5', qos: 1, retain: true });
    await connected(m, 'late');
    await m.subscribe('late', { filter: 'home/+', qos: 1 });
    await waitFor(() => m.messages('late').length === 1, 'the retained message');
    expect(m.messages('late')[0]).toMatchObject({ topic: 'home/temp', retain: true, qos: 1 });
    expect(text(m.messages('late')[0]?.payload ?? new Uint8Array())).toBe('21.5');
  });

  it('speaks MQTT 3.1 (MQIsdp) too', async () => {
    const { m } = await setup(kind);
    await connected(m, 'old', { protocolVersion: 3 });
    await m.subscribe('old', { filter: 'x', qos: 1 });
    await m.publish('old', { topic: 'x', payload: 'hi', qos: 1 });
    await waitFor(() => m.messages('old').length === 1, 'own message');
  });

  it('has the broker publish the will after kill(), and not after disconnect()', async () => {
    const { m } = await setup(kind);
    await connected(m, 'watcher');
    await m.subscribe('watcher', { filter: 'status/#', qos: 1 });
    const will = (name: string): ClientOptions => ({ will: { topic: `status/${name}`, payload: `${name} offline`, qos: 1 } });
    await connected(m, 'polite', will('polite'));
    await connected(m, 'crasher', will('crasher'));
    await m.disconnect('polite');
    await m.kill('crasher');
    expect(m.summary('polite').state).toBe('disconnected');
    expect(m.summary('crasher').state).toBe('killed');
    await waitFor(() => m.messages('watcher').length >= 1, 'the will');
    await sleep(300); // give a wrongly published second will time to arrive
    expect(m.messages('watcher').map((x) => x.topic)).toEqual(['status/crasher']);
  });

  it('queues QoS 1 messages for an absent subscriber with clean=false and delivers them on reconnect', async () => {
    const { m } = await setup(kind);
    await connected(m, 'durable', { clean: false, clientId: 'durable-sub' });
    await m.subscribe('durable', { filter: 'news/#', qos: 1 });
    await m.disconnect('durable');
    await connected(m, 'pub');
    for (let i = 1; i <= 3; i++) await m.publish('pub', { topic: 'news/x', payload: `n${i}`, qos: 1 });
    await m.publish('pub', { topic: 'news/x', payload: 'lost', qos: 0 }); // QoS 0 is not queued (normally)
    const ack = await m.reconnect('durable');
    expect(ack.sessionPresent).toBe(true);
    await waitFor(() => m.messages('durable').length >= 3, 'queued messages');
    await sleep(100);
    const got = m.messages('durable').map((x) => text(x.payload));
    expect(got.slice(0, 3)).toEqual(['n1', 'n2', 'n3']);
  });

  it('forgets the subscription of a clean session', async () => {
    const { m } = await setup(kind);
    await connected(m, 'fleeting', { clientId: 'fleeting' });
    await m.subscribe('fleeting', { filter: 'news/#', qos: 1 });
    await m.disconnect('fleeting');
    await connected(m, 'pub');
    await m.publish('pub', { topic: 'news/x', payload: 'n1', qos: 1 });
    expect((await m.reconnect('fleeting')).sessionPresent).toBe(false);
    await m.publish('pub', { topic: 'news/x', payload: 'n2', qos: 1 });
    await sleep(150);
    expect(m.messages('fleeting')).toEqual([]);
  });

  it('re-sends an unacknowledged QoS 1 PUBLISH with DUP=1 and the same packet id after a cut and a reconnect', async () => {
    const { m, relay } = await through(kind);
    await connected(m, 'sensor', { clean: false, clientId: 'sensor-dup1' });
    relay.drop = (s) => s.dir === 'toClient' && s.packet.cmd === 'puback';
    let done = false;
    const publishing = m.publish('sensor', { topic: 'home/temp', payload: '21.5', qos: 1 }).then((r) => {
      done = true;
      return r;
    });
    await waitFor(() => relay.of('toClient', 'puback').length === 1, 'the PUBACK the relay swallows');
    await sleep(50);
    expect(done).toBe(false); // MQTT 3.1.1: no retransmission on the same connection
    expect(relay.of('toBroker', 'publish')).toHaveLength(1);
    relay.cut();
    await waitFor(() => m.summary('sensor').state === 'disconnected', 'the cut to be noticed');
    expect(m.summary('sensor').inflight).toBe(1);

    relay.drop = () => false;
    await m.reconnect('sensor');
    const result = await publishing;
    const publishes = relay.of('toBroker', 'publish') as Array<{ dup: boolean; messageId?: number; topic: string }>;
    expect(publishes).toHaveLength(2);
    expect(publishes[0]?.dup).toBe(false);
    expect(publishes[1]).toMatchObject({ dup: true, messageId: publishes[0]?.messageId, topic: 'home/temp' });
    expect(result.messageId).toBe(publishes[0]?.messageId);
    expect(m.summary('sensor').inflight).toBe(0);
  });

  it('re-sends PUBLISH with DUP=1 when PUBREC was lost, and PUBREL when PUBCOMP was lost (QoS 2)', async () => {
    const { m, relay } = await through(kind);
    await connected(m, 'sensor', { clean: false, clientId: 'sensor-dup2' });

    // Lost PUBREC: the client still holds the PUBLISH.
    relay.drop = (s) => s.dir === 'toClient' && s.packet.cmd === 'pubrec';
    const first = m.publish('sensor', { topic: 'a', payload: 'one', qos: 2 });
    await waitFor(() => relay.of('toClient', 'pubrec').length === 1, 'PUBREC');
    relay.cut();
    await waitFor(() => m.summary('sensor').state === 'disconnected', 'cut');
    relay.drop = () => false;
    await m.reconnect('sensor');
    await first;
    const pubs = relay.of('toBroker', 'publish') as Array<{ dup: boolean; messageId?: number }>;
    expect(pubs.map((p) => p.dup)).toEqual([false, true]);
    expect(pubs[1]?.messageId).toBe(pubs[0]?.messageId);

    // Lost PUBCOMP: the client has moved on to PUBREL, and re-sends that.
    relay.drop = (s) => s.dir === 'toClient' && s.packet.cmd === 'pubcomp';
    const second = m.publish('sensor', { topic: 'a', payload: 'two', qos: 2 });
    await waitFor(() => relay.of('toClient', 'pubcomp').length === 2, 'second PUBCOMP');
    relay.cut();
    await waitFor(() => m.summary('sensor').state === 'disconnected', 'cut');
    relay.drop = () => false;
    await m.reconnect('sensor');
    await second;
    const pubrels = relay.of('toBroker', 'pubrel') as Array<{ messageId?: number }>;
    expect(pubrels).toHaveLength(3); // one for 'one', two for 'two'
    expect(pubrels[2]?.messageId).toBe(pubrels[1]?.messageId);
    expect(relay.of('toBroker', 'publish')).toHaveLength(3); // 'two' was not published again
  });

  it('discards the unacknowledged message of a clean session: the publish is rejected, nothing is re-sent', async () => {
    const { m, relay } = await through(kind);
    await connected(m, 'sensor', { clean: true });
    relay.drop = (s) => s.dir === 'toClient' && s.packet.cmd === 'puback';
    const publishing = m.publish('sensor', { topic: 'a', payload: 'x', qos: 1 });
    await waitFor(() => relay.of('toClient', 'puback').length === 1, 'PUBACK');
    relay.cut();
    await expect(publishing).rejects.toThrow(/clean session, so the message is discarded/);
    relay.drop = () => false;
    await m.reconnect('sensor');
    await sleep(100);
    expect(relay.of('toBroker', 'publish')).toHaveLength(1);
    expect(m.summary('sensor').inflight).toBe(0);
  });
});
