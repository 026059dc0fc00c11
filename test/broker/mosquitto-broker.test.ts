import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findExecutable } from '../../src/core/broker/find-executable.js';
import { MOSQUITTO_MISSING, MosquittoBroker, type MosquittoBrokerOptions } from '../../src/core/broker/mosquitto-broker.js';
import { aclFileText } from '../../src/core/broker/mosquitto-config.js';
import { probeTcp } from '../../src/core/broker/tcp-probe.js';
import { RawMqtt } from './raw-mqtt.js';
import { extraResources } from './resources.js';

const mosquitto = findExecutable('mosquitto');
const open: RawMqtt[] = [];
const brokers: MosquittoBroker[] = [];

async function started(opts: MosquittoBrokerOptions = {}): Promise<{ broker: MosquittoBroker; port: number }> {
  const broker = new MosquittoBroker(opts);
  brokers.push(broker);
  const { port } = await broker.start();
  return { broker, port };
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

describe('MosquittoBroker when mosquitto is missing', () => {
  it('rejects with a message that says what to do', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'mqtt-lab-empty-path-'));
    try {
      await expect(new MosquittoBroker({ searchPath: empty }).start()).rejects.toThrow(MOSQUITTO_MISSING);
      expect(MOSQUITTO_MISSING).toBe('mosquitto not found on PATH: install it (Debian: apt-get install mosquitto) or use the embedded broker');
    } finally {
      await rm(empty, { recursive: true });
    }
  });
});

describe('mosquitto acl_file text', () => {
  it('puts user rules under their user line and rules for everybody as patterns', () => {
    expect(aclFileText([
      { topic: 'public/#', access: 'both', allow: true },
      { user: 'alice', topic: 'home/#', access: 'publish', allow: true },
      { user: 'alice', topic: 'home/secret', access: 'both', allow: false },
      { user: 'bob', topic: 'home/#', access: 'subscribe', allow: true },
    ])).toBe([
      'user alice', 'topic write home/#', 'topic deny home/secret',
      'user bob', 'topic read home/#',
      'pattern readwrite public/#', '',
    ].join('\n'));
  });

  it('refuses what an acl_file cannot say', () => {
    expect(() => aclFileText([{ clientId: 'c', topic: 'a', access: 'both', allow: true }])).toThrow(/client id/);
    expect(() => aclFileText([{ topic: 'a', access: 'publish', allow: false }])).toThrow(/deny both/);
    expect(() => aclFileText([{ user: 'a\nuser root', topic: 'a', access: 'both', allow: true }])).toThrow(/line break/);
  });
});

describe.skipIf(mosquitto === undefined)('MosquittoBroker', () => {
  it('starts on 127.0.0.1 and stops: process gone, port closed, temp dir removed, no handles left', async () => {
    const before = process.getActiveResourcesInfo();
    const broker = new MosquittoBroker();
    const info = await broker.start();
    expect(info).toMatchObject({ host: '127.0.0.1', kind: 'mosquitto', mqtt5: true });
    expect(broker.log()).toMatch(/mosquitto version 2\./);
    const r = await RawMqtt.open(info.port, 5);
    r.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clientId: 'v5', clean: true, keepalive: 0 });
    expect(((await r.next('connack')) as { reasonCode: number }).reasonCode).toBe(0);
    r.destroy();
    await broker.stop();
    await broker.stop();
    expect(extraResources(before)).toEqual([]);
    expect((await probeTcp('127.0.0.1', info.port, 500)).ok).toBe(false);
  });

  it('answers a wrong password and an anonymous client with 5 (mosquitto 2.0 does not use 4)', async () => {
    const { port } = await started({ users: { alice: 'secret' } });
    expect(await (await raw(port)).connect({ clientId: 'a', username: 'alice', password: 'wrong' })).toBe(5);
    expect(await (await raw(port)).connect({ clientId: 'b' })).toBe(5);
    expect(await (await raw(port)).connect({ clientId: 'c', username: 'alice', password: 'secret' })).toBe(0);
  });

  it('writes its own password file when mosquitto_passwd is not there', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'mqtt-lab-empty-path-'));
    try {
      const { port } = await started({ users: { alice: 'secret', bob: 'pw' }, binary: mosquitto, searchPath: empty });
      expect(await (await raw(port)).connect({ clientId: 'a', username: 'alice', password: 'secret' })).toBe(0);
      expect(await (await raw(port)).connect({ clientId: 'b', username: 'bob', password: 'pw' })).toBe(0);
      expect(await (await raw(port)).connect({ clientId: 'c', username: 'bob', password: 'secret' })).toBe(5);
    } finally {
      await rm(empty, { recursive: true });
    }
  });

  it('enforces the ACL: a denied publish is acknowledged and dropped, a denied topic is never delivered', async () => {
    const { port } = await started({
      users: { alice: 'a', bob: 'b' },
      acl: [
        { topic: 'public/#', access: 'both', allow: true },
        { user: 'alice', topic: 'home/#', access: 'both', allow: true },
        { user: 'alice', topic: 'home/secret', access: 'both', allow: false },
        { user: 'bob', topic: '#', access: 'subscribe', allow: true },
      ],
    });
    const bob = await raw(port);
    expect(await bob.connect({ clientId: 'bob-1', username: 'bob', password: 'b' })).toBe(0);
    bob.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '#', qos: 1 }] });
    await bob.next('suback');

    const alice = await raw(port);
    expect(await alice.connect({ clientId: 'alice-1', username: 'alice', password: 'a' })).toBe(0);
    // mosquitto 2.0's acl_file never refuses a SUBSCRIBE: it grants, then withholds what may not be read.
    alice.send({ cmd: 'subscribe', messageId: 2, subscriptions: [{ topic: 'home/secret', qos: 1 }, { topic: 'work/#', qos: 1 }] });
    expect(((await alice.next('suback')) as { granted: number[] }).granted).toEqual([1, 1]);

    alice.send({ cmd: 'publish', topic: 'home/secret', payload: Buffer.from('pin'), qos: 1, messageId: 11, retain: false, dup: false });
    expect(((await alice.next('puback')) as { messageId: number }).messageId).toBe(11);
    alice.send({ cmd: 'publish', topic: 'home/kitchen', payload: Buffer.from('21.5'), qos: 1, messageId: 12, retain: false, dup: false });
    await new Promise((r) => setTimeout(r, 200));
    expect(alice.closed).toBe(false);
    expect(bob.received.filter((p) => p.cmd === 'publish').map((p) => (p as { topic: string }).topic)).toEqual(['home/kitchen']);
  });

  it('applies rules without a user to anonymous clients too', async () => {
    const { port } = await started({ acl: [{ topic: 'public/#', access: 'both', allow: true }] });
    const sub = await raw(port);
    expect(await sub.connect({ clientId: 's' })).toBe(0);
    sub.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '#', qos: 0 }] });
    await sub.next('suback');
    const pub = await raw(port);
    expect(await pub.connect({ clientId: 'p' })).toBe(0);
    for (const topic of ['public/a', 'private/a']) pub.send({ cmd: 'publish', topic, payload: Buffer.from('x'), qos: 0, retain: false, dup: false });
    await new Promise((r) => setTimeout(r, 200));
    expect(sub.received.filter((p) => p.cmd === 'publish').map((p) => (p as { topic: string }).topic)).toEqual(['public/a']);
  });

  // mosquitto 2.0 checks keepalives in its periodic housekeeping, so 1.5 s turns into about 5 s.
  it('reports a keepalive timeout from its log', async () => {
    const { broker, port } = await started();
    const events: string[] = [];
    broker.onEvent((e) => {
      if (e.kind === 'keepalive-timeout') events.push(e.clientId);
    });
    const silent = await raw(port);
    expect(await silent.connect({ clientId: 'silent', keepalive: 1 })).toBe(0);
    await silent.waitClosed(10_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(events).toEqual(['silent']);
  });

  it('removes its temp dir on stop', async () => {
    const broker = new MosquittoBroker({ users: { a: 'b' } });
    await broker.start();
    const dir = /Config loaded from (\S+)\/mosquitto\.conf/.exec(broker.log())?.[1];
    expect(dir).toBeDefined();
    expect(existsSync(dir as string)).toBe(true);
    await broker.stop();
    expect(existsSync(dir as string)).toBe(false);
  });
});
