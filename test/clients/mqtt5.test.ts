// MQTT 5 clients: properties and session expiry against mosquitto; the embedded aedes refuses them.
import { afterEach, describe, expect, it } from 'vitest';
import { ClientManager } from '../../src/core/clients/client-manager.js';
import { RefusedError } from '../../src/core/clients/managed-client.js';
import { HAVE_MOSQUITTO, startBroker } from './brokers.js';
import { Relay } from './relay.js';
import { sleep, waitFor } from './wait.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function manager(kind: 'aedes' | 'mosquitto'): Promise<ClientManager> {
  const { info, host } = await startBroker(kind);
  cleanups.push(() => host.stop());
  const m = new ClientManager(info);
  cleanups.push(() => m.closeAll());
  return m;
}

describe('MQTT 5 against aedes 1.x', () => {
  it('is refused with the 3.1.1 code 1, in words', async () => {
    const m = await manager('aedes');
    m.create('v5', { protocolVersion: 5 });
    const err = await m.connect('v5').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect((err as Error).message).toBe('refused: unacceptable protocol version (1)');
    expect(m.summary('v5')).toMatchObject({ state: 'error', lastError: 'refused: unacceptable protocol version (1)' });
  });
});

describe.skipIf(!HAVE_MOSQUITTO)('MQTT 5 against mosquitto', () => {
  it('carries publish properties end to end and reads CONNACK properties', async () => {
    const m = await manager('mosquitto');
    m.create('sub', { protocolVersion: 5 });
    const connack = await m.connect('sub');
    expect(connack.reasonCode).toBe(0);
    expect(connack.properties).toMatchObject({ topicAliasMaximum: expect.any(Number) });
    await m.subscribe('sub', { filter: 'data/#', qos: 1 }, { subscriptionIdentifier: 42 });
    m.create('pub', { protocolVersion: 5, properties: { userProperties: { lab: 'mqtt' } } });
    await m.connect('pub');
    const res = await m.publish('pub', {
      topic: 'data/json',
      payload: '{"t":21.5}',
      qos: 1,
      properties: {
        contentType: 'application/json',
        payloadFormatIndicator: true,
        messageExpiryInterval: 60,
        responseTopic: 'reply/here',
        correlationData: new Uint8Array([1, 2, 3]),
        userProperties: { unit: 'C', tag: ['a', 'b'] },
      },
    });
    expect(res.reasonCode).toBe(0);
    await waitFor(() => m.messages('sub').length === 1, 'the message');
    const props = m.messages('sub')[0]?.properties;
    expect(props).toMatchObject({
      contentType: 'application/json',
      payloadFormatIndicator: true,
      responseTopic: 'reply/here',
      userProperties: { unit: 'C', tag: ['a', 'b'] },
      subscriptionIdentifier: 42,
    });
    expect(Buffer.from(props?.correlationData as Uint8Array)).toEqual(Buffer.from([1, 2, 3]));
    expect(props?.messageExpiryInterval).toBeLessThanOrEqual(60);
  });

  it('keeps the session for its expiry interval: queued messages arrive after reconnect', async () => {
    const m = await manager('mosquitto');
    m.create('durable', { protocolVersion: 5, clean: false, sessionExpiryInterval: 300, clientId: 'durable-v5' });
    expect((await m.connect('durable')).sessionPresent).toBe(false);
    await m.subscribe('durable', { filter: 'alerts/#', qos: 1 });
    await m.disconnect('durable');
    m.create('pub', { protocolVersion: 5 });
    await m.connect('pub');
    await m.publish('pub', { topic: 'alerts/fire', payload: 'kitchen', qos: 1 });
    expect((await m.reconnect('durable')).sessionPresent).toBe(true);
    await waitFor(() => m.messages('durable').length === 1, 'the queued alert');
    expect(m.messages('durable')[0]?.topic).toBe('alerts/fire');
  });

  it('without session expiry the session ends with the connection, even with clean start 0', async () => {
    const m = await manager('mosquitto');
    m.create('short', { protocolVersion: 5, clean: false, clientId: 'short-v5' });
    await m.connect('short');
    await m.subscribe('short', { filter: 'alerts/#', qos: 1 });
    await m.disconnect('short');
    expect((await m.reconnect('short')).sessionPresent).toBe(false);
  });

  it('sends the will with its properties after kill(), and a will delay keeps it back', async () => {
    const m = await manager('mosquitto');
    m.create('watcher', { protocolVersion: 5 });
    await m.connect('watcher');
    await m.subscribe('watcher', { filter: 'status/#', qos: 1 });
    m.create('node', {
      protocolVersion: 5,
      sessionExpiryInterval: 10,
      will: { topic: 'status/node', payload: 'offline', qos: 1, properties: { willDelayInterval: 1, contentType: 'text/plain', userProperties: { why: 'crash' } } },
    });
    await m.connect('node');
    await m.kill('node');
    await sleep(400);
    expect(m.messages('watcher')).toEqual([]); // still within the will delay
    await waitFor(() => m.messages('watcher').length === 1, 'the delayed will', 4000);
    expect(m.messages('watcher')[0]?.properties).toMatchObject({ contentType: 'text/plain', userProperties: { why: 'crash' } });
  });

  it('DISCONNECT with reason code 0x04 asks the broker to publish the will', async () => {
    const m = await manager('mosquitto');
    m.create('watcher', { protocolVersion: 5 });
    await m.connect('watcher');
    await m.subscribe('watcher', { filter: 'status/#', qos: 0 });
    m.create('node', { protocolVersion: 5, will: { topic: 'status/node', payload: 'bye' } });
    await m.connect('node');
    await m.disconnect('node', { reasonCode: 0x04 });
    await waitFor(() => m.messages('watcher').length === 1, 'the will');
  });

  it('re-sends with DUP=1 on MQTT 5 too', async () => {
    const { info, host } = await startBroker('mosquitto');
    cleanups.push(() => host.stop());
    const relay = new Relay(info, 5);
    const address = await relay.start();
    cleanups.push(() => relay.stop());
    const m = new ClientManager(address);
    cleanups.push(() => m.closeAll());
    m.create('s', { protocolVersion: 5, clean: false, sessionExpiryInterval: 60, clientId: 'dup-v5' });
    await m.connect('s');
    relay.drop = (x) => x.dir === 'toClient' && x.packet.cmd === 'puback';
    const p = m.publish('s', { topic: 't', payload: 'x', qos: 1 });
    await waitFor(() => relay.of('toClient', 'puback').length === 1, 'PUBACK');
    relay.cut();
    await waitFor(() => m.summary('s').state === 'disconnected', 'cut');
    relay.drop = () => false;
    expect((await m.reconnect('s')).sessionPresent).toBe(true);
    await p;
    expect((relay.of('toBroker', 'publish') as Array<{ dup: boolean }>).map((x) => x.dup)).toEqual([false, true]);
  });

  it('rejects a publish the broker refuses with its reason code (ACL, 0x87)', async () => {
    const { info, host } = await startBroker('mosquitto', { acl: [{ topic: 'open/#', access: 'both', allow: true }] });
    cleanups.push(() => host.stop());
    const m = new ClientManager(info);
    cleanups.push(() => m.closeAll());
    m.create('c', { protocolVersion: 5 });
    await m.connect('c');
    const err = await m.publish('c', { topic: 'closed/x', payload: 'x', qos: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect((err as RefusedError).reasonCode).toBe(0x87);
    expect((await m.publish('c', { topic: 'open/x', payload: 'x', qos: 1 })).reasonCode).toBe(0);
  });
});
