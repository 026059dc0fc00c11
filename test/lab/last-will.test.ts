// Truth to the protocol, the Last Will: the broker publishes it when a connection ends without DISCONNECT
// (the tap severing it, the client's socket just closing, or 1.5 × keepalive of silence) and never after a
// DISCONNECT. Every claim is read off the capture: the will arrives as a PUBLISH to the subscriber's
// connection, and the sender's connection says how it ended.
import { generate } from 'mqtt-packet';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Lab } from '../../src/core/lab/index.js';
import type { ClientOptions } from '../../src/shared/lab.js';
import { missing } from '../peers/have.js';
import { runPahoOk } from '../peers/paho.js';
import { rawMqtt } from '../peers/raw-mqtt.js';
import { cleanup, onCleanup, startLab, startUpstreamLab } from './support/lab-rig.js';
import { mosquittoSub } from './support/outside.js';
import { connOf, field, node, payloadText, records, waitEnded, waitRecord } from './support/records.js';

// Every test here is bounded well below the suite's default; a hang fails fast.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

afterEach(cleanup);

const WILL = 'home/sensor/status';
const withWill: ClientOptions = { will: { topic: WILL, payload: 'offline', qos: 1 } };

async function client(lab: Lab, id: string, options: ClientOptions = {}): Promise<void> {
  await lab.api.call('clients.create', { id, options });
  await lab.api.call('clients.connect', { id });
}

async function watcher(lab: Lab, filter = WILL): Promise<void> {
  await client(lab, 'watch');
  await lab.api.call('clients.subscribe', { id: 'watch', subscriptions: [{ filter, qos: 1 }] });
}

/** CONNECT with keepalive 1 s and a will, from a client that will never send another byte. */
const silentConnect = (clientId: string): Uint8Array => generate({
  cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId, keepalive: 1,
  will: { topic: WILL, payload: Buffer.from('offline'), qos: 1, retain: false },
});

const willTo = (clientId: string) => ({ clientId, type: 'PUBLISH' as const, direction: 'toClient' as const, topic: WILL });

for (const broker of ['aedes', 'mosquitto'] as const) {
  const skip = broker === 'mosquitto' ? missing('mosquitto') : undefined;

  describe.skipIf(skip !== undefined)(`Last Will through ${broker}`, () => {
    it('is published when a sever rule cuts the connection', async () => {
      const lab = await startLab({ broker });
      await watcher(lab);
      await client(lab, 'sensor', withWill);
      const conn = (await connOf(lab, 'sensor')).connId;
      await lab.api.call('faults.add', { match: { clientId: 'sensor', type: 'PUBLISH', direction: 'toBroker' }, action: 'sever', times: 1 });
      await lab.api.call('clients.publish', { id: 'sensor', topic: 'home/sensor/temp', payload: '21.5' });
      expect((await waitEnded(lab, conn)).ended).toBe('severed');
      const cut = (await records(lab, { connId: conn, type: 'PUBLISH' }));
      expect(cut.map((r) => r.fault?.action)).toEqual(['sever']);
      const will = await waitRecord(lab, willTo('watch'));
      expect(payloadText(will)).toBe('offline');
      expect(will.decoded.info.qos).toBe(1);
    });

    it('is published after a keepalive timeout (a raw client that goes silent)', async () => {
      const lab = await startLab({ broker });
      await watcher(lab);
      const raw = await rawMqtt(lab.tapAddress.port);
      onCleanup(() => raw.close());
      await raw.send(silentConnect('silent'));
      await raw.next(); // CONNACK; from now on the client says nothing at all
      const conn = (await connOf(lab, 'silent'));
      // mosquitto 2.0 checks keepalives on a coarse clock and closes only after about 5 s; aedes at 1.5 s.
      const ended = await waitEnded(lab, conn.connId, 10_000);
      expect(ended.ended).toBe('keepalive-timeout');
      // MQTT-3.1.2-24: not before one and a half keepalive periods.
      expect(ended.endedAt! - conn.since).toBeGreaterThanOrEqual(1400);
      expect((await records(lab, { connId: conn.connId, direction: 'toBroker' })).map((r) => r.decoded.type)).toEqual(['CONNECT']);
      const will = await waitRecord(lab, willTo('watch'));
      expect(payloadText(will)).toBe('offline');
    });

    it('is not published after DISCONNECT', async () => {
      const lab = await startLab({ broker });
      await watcher(lab, 'home/sensor/#');
      await client(lab, 'sensor', withWill);
      const conn = (await connOf(lab, 'sensor')).connId;
      await lab.api.call('clients.disconnect', { id: 'sensor' });
      expect((await waitEnded(lab, conn)).ended).toBe('disconnect');
      // A marker sent after the broker has closed the session: a will would have been queued before it.
      await client(lab, 'marker');
      await lab.api.call('clients.publish', { id: 'marker', topic: 'home/sensor/marker', payload: 'm', qos: 1 });
      await waitRecord(lab, { clientId: 'watch', type: 'PUBLISH', direction: 'toClient', topic: 'home/sensor/marker' });
      expect(await records(lab, willTo('watch'))).toEqual([]);
      expect((await records(lab, { connId: conn, direction: 'toBroker' })).map((r) => r.decoded.type)).toEqual(['CONNECT', 'DISCONNECT']);
    });
  });
}

describe.skipIf(missing('mosquitto_sub') !== undefined)('Last Will to an outside subscriber', () => {
  it('reaches mosquitto_sub when connections.sever cuts the sensor (aedes)', async () => {
    const lab = await startLab();
    const sub = await mosquittoSub(lab, 'will-watch', ['-t', WILL, '-q', '1', '-v', '-C', '1', '-W', '10']);
    await client(lab, 'sensor', withWill);
    expect(await lab.api.call('connections.sever', { connId: (await connOf(lab, 'sensor')).connId })).toBe(true);
    const r = await sub.done;
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`${WILL} offline`);
    const will = await waitRecord(lab, willTo('will-watch'));
    expect(payloadText(will)).toBe('offline');
    // mosquitto_sub acknowledged the QoS 1 will, then left properly.
    await waitRecord(lab, { clientId: 'will-watch', type: 'PUBACK', direction: 'toBroker' });
    await waitRecord(lab, { clientId: 'will-watch', type: 'DISCONNECT' });
  });

  it.skipIf(missing('mosquitto') !== undefined)('reaches mosquitto_sub through an upstream mosquitto after a keepalive timeout', async () => {
    const { lab } = await startUpstreamLab();
    const sub = await mosquittoSub(lab, 'will-watch', ['-t', WILL, '-q', '1', '-v', '-C', '1', '-W', '15']);
    const raw = await rawMqtt(lab.tapAddress.port);
    onCleanup(() => raw.close());
    await raw.send(silentConnect('silent'));
    await raw.next();
    const conn = (await connOf(lab, 'silent')).connId;
    const r = await sub.done;
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`${WILL} offline`);
    expect((await waitEnded(lab, conn, 10_000)).ended).toBe('keepalive-timeout');
    expect(payloadText(await waitRecord(lab, willTo('will-watch')))).toBe('offline');
  });
});

describe.skipIf(missing('paho') !== undefined)('the lecture\'s paho will', () => {
  it('is published when the paho client drops its socket (aedes, MQTT 3.1.1, retained)', async () => {
    const lab = await startLab();
    await watcher(lab, 'lab/status');
    await runPahoOk('will', { port: lab.tapAddress.port, args: { clientId: 'paho-will', willTopic: 'lab/status' } });
    const conn = (await connOf(lab, 'paho-will'));
    expect((await waitEnded(lab, conn.connId)).ended).toBe('client-closed');
    const connect = (await records(lab, { connId: conn.connId, type: 'CONNECT' }))[0]!;
    expect(field(connect, 'mqtt.conflag.willflag')).toBe(true);
    const will = await waitRecord(lab, { clientId: 'watch', type: 'PUBLISH', direction: 'toClient', topic: 'lab/status' });
    expect(payloadText(will)).toBe('sensor offline');
    // A late subscriber gets the will too: paho set its retain flag.
    await client(lab, 'late');
    await lab.api.call('clients.subscribe', { id: 'late', subscriptions: [{ filter: 'lab/status', qos: 1 }] });
    const retained = await waitRecord(lab, { clientId: 'late', type: 'PUBLISH', direction: 'toClient', topic: 'lab/status' });
    expect(retained.decoded.info.retain).toBe(true);
  });

  it.skipIf(missing('mosquitto') !== undefined)('carries its MQTT 5 will properties to an MQTT 5 subscriber (mosquitto)', async () => {
    const lab = await startLab({ broker: 'mosquitto' });
    await client(lab, 'watch', { protocolVersion: 5 });
    await lab.api.call('clients.subscribe', { id: 'watch', subscriptions: [{ filter: 'lab/status', qos: 1 }] });
    await runPahoOk('will', { port: lab.tapAddress.port, args: { clientId: 'paho-will5', willTopic: 'lab/status', v5: true } });
    const will = await waitRecord(lab, { clientId: 'watch', type: 'PUBLISH', direction: 'toClient', topic: 'lab/status' });
    expect(will.decoded.version).toBe(5);
    expect(payloadText(will)).toBe('sensor offline');
    expect(field(will, 'mqtt.property.content_type')).toBe('text/plain');
    const connect = (await records(lab, { clientId: 'paho-will5', type: 'CONNECT' }))[0]!;
    expect(connect.decoded.version).toBe(5);
    const props = node(connect, 'mqtt.will_properties');
    expect(props?.children?.length).toBeGreaterThan(1);
  });
});
