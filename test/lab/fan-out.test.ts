// Decoupling in space: the publisher addresses a topic, never a receiver. The broker sends a PUBLISH to
// every matching subscription (one per subscriber connection) and to nobody when none matches.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Lab } from '../../src/core/lab/index.js';
import { missing } from '../peers/have.js';
import { cleanup, startLab } from './support/lab-rig.js';
import { connOf, payloadText, records, waitRecords } from './support/records.js';

// Every test here is bounded well below the suite's default; a hang fails fast.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

afterEach(cleanup);

async function client(lab: Lab, id: string): Promise<void> {
  await lab.api.call('clients.create', { id });
  await lab.api.call('clients.connect', { id });
}

const subscribers: Array<[string, string]> = [['nurse', 'ward/7/pulse'], ['doctor', 'ward/+/pulse'], ['archive', 'ward/#']];

describe.each(['aedes', 'mosquitto'] as const)('fan-out through %s', (broker) => {
  it.skipIf(broker === 'mosquitto' && missing('mosquitto') !== undefined)('one PUBLISH reaches three subscribers; an unmatched one reaches nobody', async () => {
    const lab = await startLab({ broker });
    for (const [id, filter] of subscribers) {
      await client(lab, id);
      await lab.api.call('clients.subscribe', { id, subscriptions: [{ filter, qos: 1 }] });
    }
    await client(lab, 'monitor');
    const nobody = await lab.api.call('clients.publish', { id: 'monitor', topic: 'kitchen/temp', payload: '19', qos: 1 });
    // The broker took it (PUBACK) even though nobody wants it.
    expect(nobody.messageId).toBeDefined();
    await lab.api.call('clients.publish', { id: 'monitor', topic: 'ward/7/pulse', payload: '72', qos: 1 });

    const out = await waitRecords(lab, { type: 'PUBLISH', direction: 'toClient' }, 3);
    const subConns = await Promise.all(subscribers.map(async ([id]) => (await connOf(lab, id)).connId));
    expect(out.map((r) => r.connId).sort()).toEqual([...subConns].sort());
    for (const r of out) expect([r.decoded.info.topic, payloadText(r)]).toEqual(['ward/7/pulse', '72']);
    // Both publishes went in; only the matched one came out, and the one toward kitchen/temp never did.
    expect((await records(lab, { type: 'PUBLISH', direction: 'toBroker' })).map((r) => r.decoded.info.topic)).toEqual(['kitchen/temp', 'ward/7/pulse']);
    expect(await records(lab, { type: 'PUBLISH', direction: 'toClient', topic: 'kitchen/temp' })).toEqual([]);
    expect(await records(lab, { type: 'PUBLISH', direction: 'toClient' })).toHaveLength(3);
  });
});
