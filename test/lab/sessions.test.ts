// Time uncoupling: a durable subscription (clean session 0; MQTT 5: session expiry > 0) makes the broker
// queue QoS 1 messages while the subscriber is away and deliver them when it reconnects. A clean session,
// or an MQTT 5 session that expires at once, leaves nothing to come back to.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Lab } from '../../src/core/lab/index.js';
import type { ClientOptions } from '../../src/shared/lab.js';
import { missing } from '../peers/have.js';
import { cleanup, startLab } from './support/lab-rig.js';
import { arrows, connOf, field, payloadText, records, waitEnded, waitRecord, waitRecords } from './support/records.js';

// Every test here is bounded well below the suite's default; a hang fails fast.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

afterEach(cleanup);

const noMosquitto = missing('mosquitto');

async function client(lab: Lab, id: string, options: ClientOptions = {}): Promise<void> {
  await lab.api.call('clients.create', { id, options });
  await lab.api.call('clients.connect', { id });
}

/** `desk` subscribes, leaves with DISCONNECT, misses three QoS 1 readings, and comes back; returns its new connection. */
async function awayWhilePublishing(lab: Lab, desk: ClientOptions): Promise<number> {
  const version = desk.protocolVersion ?? 4;
  await client(lab, 'desk', desk);
  await lab.api.call('clients.subscribe', { id: 'desk', subscriptions: [{ filter: 'ward/+/pulse', qos: 1 }] });
  const first = (await connOf(lab, 'desk')).connId;
  await lab.api.call('clients.disconnect', { id: 'desk' });
  expect((await waitEnded(lab, first)).ended).toBe('disconnect');
  await client(lab, 'monitor', { protocolVersion: version });
  for (const bpm of ['71', '72', '73']) await lab.api.call('clients.publish', { id: 'monitor', topic: 'ward/7/pulse', payload: bpm, qos: 1 });
  await lab.api.call('clients.reconnect', { id: 'desk' });
  return (await connOf(lab, 'desk')).connId;
}

const durable: Array<[string, 'aedes' | 'mosquitto', ClientOptions]> = [
  ['aedes, MQTT 3.1.1, clean session 0', 'aedes', { clean: false }],
  ['mosquitto, MQTT 3.1.1, clean session 0', 'mosquitto', { clean: false }],
  ['mosquitto, MQTT 5, clean start 0 and session expiry 60 s', 'mosquitto', { protocolVersion: 5, clean: false, sessionExpiryInterval: 60 }],
];

describe.each(durable)('durable subscription (%s)', (_name, broker, desk) => {
  it.skipIf(broker === 'mosquitto' && noMosquitto !== undefined)('queues QoS 1 messages while away and delivers them on reconnect', async () => {
    const lab = await startLab({ broker });
    const back = await awayWhilePublishing(lab, desk);
    const queued = await waitRecords(lab, { connId: back, type: 'PUBLISH', direction: 'toClient' }, 3);
    expect(queued.map(payloadText)).toEqual(['71', '72', '73']);
    expect(queued.every((r) => r.decoded.info.qos === 1)).toBe(true);
    const sessionStart = (await records(lab, { connId: back })).slice(0, 2);
    expect(arrows(sessionStart)).toEqual(['→CONNECT', '←CONNACK']);
    expect(sessionStart[0]!.decoded.info.cleanStart).toBe(false);
    expect(field(sessionStart[1]!, 'mqtt.conack.flags.sp')).toBe(true);
    // The subscription came back with the session: the desk never subscribed again.
    expect(await records(lab, { connId: back, type: 'SUBSCRIBE' })).toEqual([]);
    await waitRecords(lab, { connId: back, type: 'PUBACK', direction: 'toBroker' }, 3);
  });
});

const transient: Array<[string, 'aedes' | 'mosquitto', ClientOptions]> = [
  ['aedes, MQTT 3.1.1, clean session 1', 'aedes', { clean: true }],
  ['mosquitto, MQTT 3.1.1, clean session 1', 'mosquitto', { clean: true }],
  ['mosquitto, MQTT 5, clean start 0 but session expiry 0', 'mosquitto', { protocolVersion: 5, clean: false, sessionExpiryInterval: 0 }],
];

describe.each(transient)('non-durable subscription (%s)', (_name, broker, desk) => {
  it.skipIf(broker === 'mosquitto' && noMosquitto !== undefined)('gets nothing of what was published while away', async () => {
    const lab = await startLab({ broker });
    const back = await awayWhilePublishing(lab, desk);
    const connack = await waitRecord(lab, { connId: back, type: 'CONNACK' });
    expect(field(connack, 'mqtt.conack.flags.sp')).toBe(false);
    // Subscribe afresh and wait for a new reading: anything queued would have come before it.
    await lab.api.call('clients.subscribe', { id: 'desk', subscriptions: [{ filter: 'ward/+/pulse', qos: 1 }] });
    await lab.api.call('clients.publish', { id: 'monitor', topic: 'ward/7/pulse', payload: '74', qos: 1 });
    await waitRecord(lab, { connId: back, type: 'PUBLISH', direction: 'toClient' });
    expect((await records(lab, { connId: back, type: 'PUBLISH', direction: 'toClient' })).map(payloadText)).toEqual(['74']);
  });
});
