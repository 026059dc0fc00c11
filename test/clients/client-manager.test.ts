// The manager's API: naming, states, events, errors in words, and tidy shutdown.
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientManager } from '../../src/core/clients/client-manager.js';
import type { ClientState } from '../../src/shared/lab.js';
import { extraResources } from '../broker/resources.js';
import { HAVE_MOSQUITTO, startBroker } from './brokers.js';
import { sleep, waitFor } from './wait.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function manager(kind: 'aedes' | 'mosquitto' = 'aedes', auth = {}, opts = {}): Promise<ClientManager> {
  const { info, host } = await startBroker(kind, auth);
  cleanups.push(() => host.stop());
  const m = new ClientManager(info, opts);
  cleanups.push(() => m.closeAll());
  return m;
}

describe('ClientManager naming and errors', () => {
  it('names unknown clients and refuses duplicates', async () => {
    const m = await manager();
    await expect(m.connect('ghost')).rejects.toThrow("no client named 'ghost'");
    await expect(m.publish('ghost', { topic: 't', payload: 'x' })).rejects.toThrow("no client named 'ghost'");
    await expect(m.kill('ghost')).rejects.toThrow("no client named 'ghost'");
    await expect(m.remove('ghost')).rejects.toThrow("no client named 'ghost'");
    expect(() => m.summary('ghost')).toThrow("no client named 'ghost'");
    m.create('a');
    expect(() => m.create('a')).toThrow("a client named 'a' already exists");
  });

  it('refuses MQTT 5 options on a 3.1.1 client when it is created', async () => {
    const m = await manager();
    expect(() => m.create('a', { sessionExpiryInterval: 60 })).toThrow("sessionExpiryInterval: MQTT 5 only, but client 'a' uses MQTT 3.1.1");
    expect(() => m.create('b', { protocolVersion: 3, will: { topic: 'w', payload: 'x', properties: { willDelayInterval: 5 } } })).toThrow(/will.properties: MQTT 5 only.*MQTT 3\.1$/);
  });

  it('does not connect on create, and will not publish before connect', async () => {
    const m = await manager();
    expect(m.create('a', { clientId: 'alpha' })).toMatchObject({ id: 'a', clientId: 'alpha', state: 'created', protocolVersion: 4, clean: true, keepalive: 60 });
    await expect(m.publish('a', { topic: 't', payload: 'x' })).rejects.toThrow("cannot publish: client 'a' is not connected (state: created)");
    await expect(m.reconnect('a')).rejects.toThrow("client 'a' has never connected; use connect");
    await expect(m.kill('a')).rejects.toThrow("client 'a' is not connected (state: created)");
  });

  it('refuses to connect twice', async () => {
    const m = await manager();
    m.create('a');
    await m.connect('a');
    await expect(m.connect('a')).rejects.toThrow("client 'a' is already connected");
  });

  it('says why a broker refused: bad password (aedes: 4)', async () => {
    const m = await manager('aedes', { users: { alice: 'secret' } });
    m.create('a', { username: 'alice', password: 'guess' });
    await expect(m.connect('a')).rejects.toThrow('refused: bad user name or password (4)');
    expect(m.summary('a')).toMatchObject({ state: 'error', lastError: 'refused: bad user name or password (4)' });
    m.create('b', { username: 'alice', password: new TextEncoder().encode('secret') });
    expect(await m.connect('b')).toEqual({ sessionPresent: false, reasonCode: 0 });
  });

  it.skipIf(!HAVE_MOSQUITTO)('says why a broker refused: bad password (mosquitto: 5, and 0x87 in MQTT 5)', async () => {
    const m = await manager('mosquitto', { users: { alice: 'secret' } });
    m.create('a', { username: 'alice', password: 'guess' });
    await expect(m.connect('a')).rejects.toThrow('refused: not authorized (5)');
    m.create('b', { username: 'alice', password: 'guess', protocolVersion: 5 });
    await expect(m.connect('b')).rejects.toThrow('refused: not authorized (0x87)');
  });

  it('says when nothing listens, and when CONNACK never comes', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const { port } = srv.address() as AddressInfo;
    await new Promise<void>((r) => srv.close(() => r()));
    const nobody = new ClientManager({ host: '127.0.0.1', port });
    nobody.create('a');
    await expect(nobody.connect('a')).rejects.toThrow(`cannot connect to 127.0.0.1:${port}: connection refused`);
    expect(nobody.summary('a').state).toBe('error');
    await nobody.closeAll();

    // A server that accepts the connection and then says nothing.
    const sockets = new Set<Socket>();
    const mute = createServer((s) => sockets.add(s));
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
    cleanups.push(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => mute.close(() => r()));
    });
    const m = new ClientManager({ host: '127.0.0.1', port: (mute.address() as AddressInfo).port });
    cleanups.push(() => m.closeAll());
    m.create('b', { connectTimeoutMs: 300 });
    await expect(m.connect('b')).rejects.toThrow(/^no CONNACK from 127\.0\.0\.1:\d+ within 300 ms$/);
    expect(m.summary('b').state).toBe('error');
  });

  it('returns a refused filter as its SUBACK code instead of failing', async () => {
    const m = await manager('aedes', { acl: [{ topic: 'open/#', access: 'both', allow: true }] });
    m.create('a');
    await m.connect('a');
    expect(await m.subscribe('a', [{ filter: 'open/x', qos: 1 }, { filter: 'closed/x', qos: 1 }])).toEqual([
      { filter: 'open/x', code: 1 },
      { filter: 'closed/x', code: 0x80 },
    ]);
    await expect(m.subscribe('a', [{ filter: 'x', qos: 0 }, { filter: 'x', qos: 1 }])).rejects.toThrow("filter 'x' appears twice in one SUBSCRIBE");
    await expect(m.subscribe('a', { filter: 'x', nl: true })).rejects.toThrow(/MQTT 5 subscription options/);
    expect(await m.unsubscribe('a', 'open/x')).toEqual([]);
  });
});

describe('ClientManager states and events', () => {
  it('announces every state change, message and error', async () => {
    const m = await manager();
    const states: Array<[string, ClientState]> = [];
    const messages: string[] = [];
    m.on('client-state', (s) => states.push([s.id, s.state]));
    m.on('message', (id, msg) => messages.push(`${id}:${msg.topic}`));
    m.create('a', { clean: false });
    await m.connect('a');
    await m.subscribe('a', { filter: 't', qos: 1 });
    await m.publish('a', { topic: 't', payload: 'x', qos: 1 });
    await waitFor(() => messages.length === 1, 'the message');
    await m.kill('a');
    await m.reconnect('a');
    await m.disconnect('a');
    expect(states).toEqual([
      ['a', 'connecting'], ['a', 'connected'], ['a', 'killed'], ['a', 'connecting'], ['a', 'connected'], ['a', 'disconnected'],
    ]);
    expect(messages).toEqual(['a:t']);
  });

  it('notices a connection the broker closes (a session taken over by the same client id)', async () => {
    const m = await manager();
    m.create('first', { clientId: 'same' });
    m.create('second', { clientId: 'same' });
    await m.connect('first');
    await m.connect('second'); // MQTT-3.1.4-2: the broker closes the older connection
    await waitFor(() => m.summary('first').state === 'disconnected', 'the takeover');
    expect(m.summary('first').lastError).toBe('connection closed by the broker or the network');
  });

  it('keeps plain JSON summaries and a bounded message list', async () => {
    const m = await manager('aedes', {}, { maxMessages: 3 });
    m.create('a', { will: { topic: 'w', payload: 'x' }, username: 'u' });
    await m.connect('a');
    await m.subscribe('a', { filter: 'n', qos: 0 });
    for (let i = 0; i < 5; i++) await m.publish('a', { topic: 'n', payload: String(i) });
    await waitFor(() => m.summary('a').received === 5, 'five messages');
    expect(m.messages('a').map((x) => Buffer.from(x.payload).toString())).toEqual(['2', '3', '4']);
    const list = m.list();
    expect(JSON.parse(JSON.stringify(list))).toEqual(list);
    expect(list[0]).toMatchObject({ id: 'a', hasWill: true, username: 'u', received: 5, inflight: 0 });
    m.clearMessages('a');
    expect(m.messages('a')).toEqual([]);
  });

  it('remove() disconnects gracefully (no will) and forgets the client', async () => {
    const m = await manager();
    m.create('watcher');
    await m.connect('watcher');
    await m.subscribe('watcher', { filter: 'status/#', qos: 0 });
    m.create('a', { will: { topic: 'status/a', payload: 'gone' } });
    await m.connect('a');
    await m.remove('a');
    expect(m.has('a')).toBe(false);
    await sleep(150);
    expect(m.messages('watcher')).toEqual([]);
  });

  it('closeAll() leaves no open handles', async () => {
    const { info, host } = await startBroker('aedes');
    cleanups.push(() => host.stop());
    const before = process.getActiveResourcesInfo();
    const m = new ClientManager(info);
    for (const id of ['a', 'b', 'c']) {
      m.create(id, { keepalive: 5 });
      await m.connect(id);
    }
    await m.kill('b');
    m.create('never');
    await m.closeAll();
    expect(m.list()).toEqual([]);
    await sleep(20); // the broker side of the sockets closes a moment later
    expect(extraResources(before)).toEqual([]);
  });
});
