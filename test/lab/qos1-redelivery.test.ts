// Truth to the protocol, QoS 1: a PUBACK lost at the tap is not retransmitted on the same connection; only
// when the sensor reconnects with its persistent session does it resend the PUBLISH, with DUP=1, and the
// subscriber then receives the message twice ("at least once").
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Lab } from '../../src/core/lab/index.js';
import type { ClientOptions } from '../../src/shared/lab.js';
import { missing } from '../peers/have.js';
import { cleanup, startLab } from './support/lab-rig.js';
import { arrows, connOf, field, payloadText, records, waitClientState, waitEnded, waitRecord, waitRecords } from './support/records.js';

// Every test here is bounded well below the suite's default; a hang fails fast.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

afterEach(cleanup);

const noMosquitto = missing('mosquitto');

interface Case {
  name: string;
  broker: 'aedes' | 'mosquitto';
  sensor: ClientOptions;
}

const cases: Case[] = [
  { name: 'aedes, MQTT 3.1.1, clean session 0', broker: 'aedes', sensor: { clean: false, keepalive: 1 } },
  { name: 'mosquitto, MQTT 3.1.1, clean session 0', broker: 'mosquitto', sensor: { clean: false, keepalive: 1 } },
  { name: 'mosquitto, MQTT 5, session expiry 60 s', broker: 'mosquitto', sensor: { protocolVersion: 5, clean: false, sessionExpiryInterval: 60, keepalive: 1 } },
];

async function watcher(lab: Lab, version: 4 | 5): Promise<void> {
  await lab.api.call('clients.create', { id: 'watch', options: { protocolVersion: version } });
  await lab.api.call('clients.connect', { id: 'watch' });
  await lab.api.call('clients.subscribe', { id: 'watch', subscriptions: [{ filter: 'home/#', qos: 1 }] });
}

describe.each(cases)('QoS 1, PUBACK dropped ($name)', ({ broker, sensor }) => {
  it.skipIf(broker === 'mosquitto' && noMosquitto !== undefined)('resends with DUP=1 only after sever and reconnect', async () => {
    const lab = await startLab({ broker });
    const version = sensor.protocolVersion === 5 ? 5 : 4;
    await watcher(lab, version);
    await lab.api.call('clients.create', { id: 'sensor', options: sensor });
    await lab.api.call('clients.connect', { id: 'sensor' });
    const first = (await connOf(lab, 'sensor')).connId;
    await lab.api.call('faults.add', { match: { type: 'PUBACK', direction: 'toClient', clientId: 'sensor' }, action: 'drop', times: 1 });

    const acked = lab.api.call('clients.publish', { id: 'sensor', topic: 'home/temp', payload: '21.5', qos: 1 });
    let settled = false;
    void acked.then(() => (settled = true), () => (settled = true));
    const dropped = await waitRecord(lab, { connId: first, type: 'PUBACK', direction: 'toClient' });
    expect(dropped.fault?.action).toBe('drop');
    // The sensor, with keepalive 1 s, sits out a whole keepalive interval and pings instead of resending:
    // MQTT 3.1.1 and 5 both forbid retransmission on the same connection.
    await waitRecord(lab, { connId: first, type: 'PINGRESP', afterSeq: dropped.seq }, 5000);
    const firstPubs = (await records(lab, { connId: first, type: 'PUBLISH', direction: 'toBroker' }));
    expect(firstPubs).toHaveLength(1);
    expect(firstPubs[0]!.decoded.info).toMatchObject({ dup: false, qos: 1, topic: 'home/temp' });
    expect(settled).toBe(false);
    const id = firstPubs[0]!.decoded.info.packetId;

    expect(await lab.api.call('connections.sever', { connId: first })).toBe(true);
    expect((await waitEnded(lab, first)).ended).toBe('severed');
    await waitClientState(lab, 'sensor', 'disconnected');
    await lab.api.call('clients.reconnect', { id: 'sensor' });
    await acked;

    const second = (await connOf(lab, 'sensor')).connId;
    expect(second).not.toBe(first);
    const again = await waitRecords(lab, { connId: second, type: 'PUBACK' }, 1).then(() => records(lab, { connId: second }));
    expect(arrows(again).slice(0, 4)).toEqual(['→CONNECT', '←CONNACK', '→PUBLISH', '←PUBACK']);
    expect(again[0]!.decoded.info.cleanStart).toBe(false);
    // aedes keeps no session for a client without subscriptions and says Session Present 0; mqtt.js resends
    // anyway, which MQTT 3.1.1 leaves to the client. mosquitto kept the session.
    if (broker === 'mosquitto') expect(field(again[1]!, 'mqtt.conack.flags.sp')).toBe(true);
    expect(again[2]!.decoded.info).toMatchObject({ dup: true, qos: 1, packetId: id, topic: 'home/temp' });
    expect(again[3]!.decoded.info.packetId).toBe(id);
    expect(again[3]!.fault).toBeUndefined();

    // At least once: the broker forwarded both copies to the watcher.
    const delivered = await waitRecords(lab, { clientId: 'watch', type: 'PUBLISH', direction: 'toClient' }, 2);
    expect(delivered.map(payloadText)).toEqual(['21.5', '21.5']);
  });
});
