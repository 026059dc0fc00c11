// Truth to the protocol, QoS 2: when PUBREC or PUBCOMP is lost at the tap, nothing is retransmitted on the
// same connection; after a sever and a reconnect with the persistent session, the sensor resends what it
// still holds (the PUBLISH with DUP=1 when PUBREC never came, the PUBREL when PUBCOMP never came), the
// flow completes, and the subscriber has exactly one copy.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Lab } from '../../src/core/lab/index.js';
import type { ClientOptions } from '../../src/shared/lab.js';
import { missing } from '../peers/have.js';
import { cleanup, startLab } from './support/lab-rig.js';
import { arrows, connOf, payloadText, records, waitClientState, waitEnded, waitRecord } from './support/records.js';

// Every test here is bounded well below the suite's default; a hang fails fast.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

afterEach(cleanup);

const noMosquitto = missing('mosquitto');

const brokers: Array<{ name: string; broker: 'aedes' | 'mosquitto'; sensor: ClientOptions }> = [
  { name: 'aedes, MQTT 3.1.1', broker: 'aedes', sensor: { clean: false, keepalive: 1 } },
  { name: 'mosquitto, MQTT 3.1.1', broker: 'mosquitto', sensor: { clean: false, keepalive: 1 } },
  { name: 'mosquitto, MQTT 5', broker: 'mosquitto', sensor: { protocolVersion: 5, clean: false, sessionExpiryInterval: 60, keepalive: 1 } },
];

const lost = [
  { ack: 'PUBREC' as const, resumed: ['→CONNECT', '←CONNACK', '→PUBLISH', '←PUBREC', '→PUBREL', '←PUBCOMP'] },
  { ack: 'PUBCOMP' as const, resumed: ['→CONNECT', '←CONNACK', '→PUBREL', '←PUBCOMP'] },
];

async function connect(lab: Lab, id: string, options: ClientOptions): Promise<void> {
  await lab.api.call('clients.create', { id, options });
  await lab.api.call('clients.connect', { id });
}

describe.each(brokers)('QoS 2 recovery ($name)', ({ broker, sensor }) => {
  it.skipIf(broker === 'mosquitto' && noMosquitto !== undefined).each(lost)('$ack dropped: completes after reconnect, one copy delivered', async ({ ack, resumed }) => {
    const lab = await startLab({ broker });
    await connect(lab, 'watch', { protocolVersion: sensor.protocolVersion ?? 4 });
    await lab.api.call('clients.subscribe', { id: 'watch', subscriptions: [{ filter: 'home/#', qos: 2 }] });
    await connect(lab, 'sensor', sensor);
    const first = (await connOf(lab, 'sensor')).connId;
    await lab.api.call('faults.add', { match: { type: ack, direction: 'toClient', clientId: 'sensor' }, action: 'drop', times: 1 });

    const done = lab.api.call('clients.publish', { id: 'sensor', topic: 'home/door', payload: 'open', qos: 2 });
    const dropped = await waitRecord(lab, { connId: first, type: ack, fault: 'drop' });
    // A full keepalive interval of silence (answered by a ping, not by a retransmission).
    await waitRecord(lab, { connId: first, type: 'PINGRESP', afterSeq: dropped.seq });
    const upTo = (ack === 'PUBREC' ? ['→CONNECT', '←CONNACK', '→PUBLISH', '←PUBREC'] : ['→CONNECT', '←CONNACK', '→PUBLISH', '←PUBREC', '→PUBREL', '←PUBCOMP']);
    const before = (await records(lab, { connId: first })).filter((r) => !['PINGREQ', 'PINGRESP'].includes(r.decoded.type));
    expect(arrows(before)).toEqual(upTo);
    const id = before[2]!.decoded.info.packetId;

    expect(await lab.api.call('connections.sever', { connId: first })).toBe(true);
    expect((await waitEnded(lab, first)).ended).toBe('severed');
    await waitClientState(lab, 'sensor', 'disconnected');
    await lab.api.call('clients.reconnect', { id: 'sensor' });
    await done;

    const second = (await connOf(lab, 'sensor')).connId;
    const after = (await records(lab, { connId: second })).filter((r) => !['PINGREQ', 'PINGRESP'].includes(r.decoded.type));
    expect(arrows(after)).toEqual(resumed);
    for (const r of after.slice(2)) expect(r.decoded.info.packetId).toBe(id);
    if (ack === 'PUBREC') expect(after[2]!.decoded.info).toMatchObject({ dup: true, qos: 2, topic: 'home/door' });
    // PUBREL's flags are fixed (0010) [MQTT-3.6.1-1]: it has no DUP to set.
    else expect(after[2]!.bytes[0]).toBe(0x62);

    // A marker on the same topic from the same session comes after anything the broker still had to send.
    await lab.api.call('clients.publish', { id: 'sensor', topic: 'home/door', payload: 'marker', qos: 2 });
    await waitRecord(lab, { clientId: 'watch', type: 'PUBLISH', direction: 'toClient', where: (r) => payloadText(r) === 'marker' });
    const copies = (await records(lab, { clientId: 'watch', type: 'PUBLISH', direction: 'toClient' })).map(payloadText);
    expect(copies).toEqual(['open', 'marker']);
  });
});
