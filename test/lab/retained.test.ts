// Retained messages, read off the capture: a subscriber that arrives after the publish still gets the last
// retained value, on a PUBLISH with RETAIN=1; publishing an empty retained payload clears it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Lab } from '../../src/core/lab/index.js';
import { missing } from '../peers/have.js';
import { cleanup, startLab, startUpstreamLab } from './support/lab-rig.js';
import { payloadText, records, waitRecord } from './support/records.js';

// Every test here is bounded well below the suite's default; a hang fails fast.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

afterEach(cleanup);

async function client(lab: Lab, id: string): Promise<void> {
  await lab.api.call('clients.create', { id });
  await lab.api.call('clients.connect', { id });
}

/** Subscribes `id` and returns the seq of its SUBACK; retained messages come right after it. */
async function subscribe(lab: Lab, id: string, filter: string): Promise<number> {
  await lab.api.call('clients.subscribe', { id, subscriptions: [{ filter, qos: 1 }] });
  return (await waitRecord(lab, { clientId: id, type: 'SUBACK' })).seq;
}

/** The publisher's own later, non-retained message: once it has reached `id`, anything retained would have. */
async function marker(lab: Lab, id: string, topic: string): Promise<void> {
  await lab.api.call('clients.publish', { id: 'thermo', topic, payload: 'marker', qos: 1 });
  await waitRecord(lab, { clientId: id, type: 'PUBLISH', direction: 'toClient', where: (r) => payloadText(r) === 'marker' });
}

const setups: Array<[string, () => Promise<Lab>, string | undefined]> = [
  ['aedes', () => startLab(), undefined],
  ['mosquitto', () => startLab({ broker: 'mosquitto' }), missing('mosquitto')],
  ['an upstream mosquitto', async () => (await startUpstreamLab()).lab, missing('mosquitto')],
];

describe.each(setups)('retained messages through %s', (_name, start, skip) => {
  it.skipIf(skip !== undefined)('reach a late subscriber with RETAIN=1, until an empty retained payload clears them', async () => {
    const lab = await start();
    await client(lab, 'thermo');
    await lab.api.call('clients.publish', { id: 'thermo', topic: 'home/livingroom/temp', payload: '21.5', qos: 1, retain: true });
    const sent = (await records(lab, { clientId: 'thermo', type: 'PUBLISH' }));
    expect(sent.map((r) => r.decoded.info.retain)).toEqual([true]);

    await client(lab, 'late');
    const subackSeq = await subscribe(lab, 'late', 'home/+/temp');
    const got = await waitRecord(lab, { clientId: 'late', type: 'PUBLISH', direction: 'toClient', afterSeq: subackSeq });
    expect(got.decoded.info).toMatchObject({ retain: true, topic: 'home/livingroom/temp' });
    expect(payloadText(got)).toBe('21.5');
    // A live subscriber gets the next retained publish as a normal message: RETAIN=0 [MQTT-3.3.1-9].
    await lab.api.call('clients.publish', { id: 'thermo', topic: 'home/livingroom/temp', payload: '', qos: 1, retain: true });
    const cleared = (await records(lab, { clientId: 'thermo', type: 'PUBLISH' }))[1]!;
    expect(cleared.decoded.info).toMatchObject({ retain: true, payloadLength: 0 });
    const live = await waitRecord(lab, { clientId: 'late', type: 'PUBLISH', direction: 'toClient', where: (r) => r.decoded.info.payloadLength === 0 });
    expect(live.decoded.info.retain).toBe(false);

    await client(lab, 'later');
    await subscribe(lab, 'later', 'home/+/temp');
    await marker(lab, 'later', 'home/livingroom/temp');
    const toLater = (await records(lab, { clientId: 'later', type: 'PUBLISH', direction: 'toClient' }));
    expect(toLater.map((r) => [payloadText(r), r.decoded.info.retain])).toEqual([['marker', false]]);
  });
});
