// Real clients a student would use, pointed at the tap: mosquitto_pub/sub (MQTT 3.1.1 and 5), the lecture's
// paho telemetry snippet, and plain mqtt.js code. The capture must show their packets as they were sent,
// and a connection that opened with an MQTT 5 CONNECT must be decoded as MQTT 5 throughout.
import mqtt from 'mqtt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Lab } from '../../src/core/lab/index.js';
import { missing } from '../peers/have.js';
import { runPahoOk } from '../peers/paho.js';
import { cleanup, onCleanup, startLab } from './support/lab-rig.js';
import { mosquittoPub, mosquittoSub } from './support/outside.js';
import { arrows, connOf, field, node, payloadText, records, waitEnded, waitRecord, waitRecords } from './support/records.js';

// Every test here is bounded well below the suite's default; a hang fails fast.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

afterEach(cleanup);

async function subscriber(lab: Lab, filter: string, protocolVersion: 4 | 5 = 4): Promise<void> {
  await lab.api.call('clients.create', { id: 'watch', options: { protocolVersion } });
  await lab.api.call('clients.connect', { id: 'watch' });
  await lab.api.call('clients.subscribe', { id: 'watch', subscriptions: [{ filter, qos: 1 }] });
}

describe.skipIf(missing('mosquitto_pub', 'mosquitto_sub') !== undefined)('mosquitto_pub and mosquitto_sub', () => {
  it('MQTT 3.1.1 through aedes: both conversations are captured in full', async () => {
    const lab = await startLab();
    const sub = await mosquittoSub(lab, 'cli-sub', ['-t', 'sensors/#', '-q', '1', '-v', '-C', '1', '-W', '10']);
    const pub = await mosquittoPub(lab, 'cli-pub', ['-t', 'sensors/temp', '-m', '21.5', '-q', '1']);
    expect(pub.code).toBe(0);
    expect((await sub.done).stdout.trim()).toBe('sensors/temp 21.5');
    const p = (await connOf(lab, 'cli-pub')).connId;
    const s = (await connOf(lab, 'cli-sub')).connId;
    await Promise.all([waitEnded(lab, p), waitEnded(lab, s)]);
    expect(arrows((await records(lab, { connId: p })))).toEqual(['→CONNECT', '←CONNACK', '→PUBLISH', '←PUBACK', '→DISCONNECT']);
    expect(arrows((await records(lab, { connId: s })))).toEqual(['→CONNECT', '←CONNACK', '→SUBSCRIBE', '←SUBACK', '←PUBLISH', '→PUBACK', '→DISCONNECT']);
    const [sent] = (await records(lab, { connId: p, type: 'PUBLISH' }));
    const [got] = (await records(lab, { connId: s, type: 'PUBLISH' }));
    expect(sent!.decoded.info).toMatchObject({ topic: 'sensors/temp', qos: 1, dup: false, retain: false });
    expect([got!.decoded.info.topic, payloadText(got!)]).toEqual(['sensors/temp', '21.5']);
    expect((await records(lab, { connId: p })).every((r) => r.decoded.version === 4 && r.decoded.issues.length === 0)).toBe(true);
  });

  it.skipIf(missing('mosquitto') !== undefined)('-V mqttv5 through mosquitto: the connection is decoded as MQTT 5, properties included', async () => {
    const lab = await startLab({ broker: 'mosquitto' });
    const sub = await mosquittoSub(lab, 'cli-sub5', ['-V', 'mqttv5', '-t', 'sensors/#', '-q', '1', '-v', '-C', '1', '-W', '10']);
    const pub = await mosquittoPub(lab, 'cli-pub5', ['-V', 'mqttv5', '-t', 'sensors/temp', '-m', '21.5', '-q', '1',
      '-D', 'connect', 'session-expiry-interval', '30', '-D', 'publish', 'content-type', 'text/plain', '-D', 'publish', 'user-property', 'unit', 'C']);
    expect(pub.code).toBe(0);
    expect((await sub.done).stdout.trim()).toBe('sensors/temp 21.5');
    const p = (await connOf(lab, 'cli-pub5'));
    expect(p.version).toBe(5);
    await waitEnded(lab, p.connId);
    const all = (await records(lab, { connId: p.connId }));
    expect(all.every((r) => r.decoded.version === 5)).toBe(true);
    expect(all.flatMap((r) => r.decoded.issues)).toEqual([]);
    const connect = all[0]!;
    expect(node(connect, 'mqtt.properties')?.children?.length).toBeGreaterThan(1);
    const publish = all.find((r) => r.decoded.type === 'PUBLISH')!;
    expect(field(publish, 'mqtt.property.content_type')).toBe('text/plain');
    // The broker passes the properties on; the subscriber's copy is decoded as MQTT 5 too.
    const delivered = await waitRecord(lab, { clientId: 'cli-sub5', type: 'PUBLISH', direction: 'toClient' });
    expect(delivered.decoded.version).toBe(5);
    expect(field(delivered, 'mqtt.property.content_type')).toBe('text/plain');
  });
});

describe.skipIf(missing('paho') !== undefined)('the lecture\'s paho snippets', () => {
  it('telemetry: JSON readings at QoS 1 through aedes', async () => {
    const lab = await startLab();
    await subscriber(lab, 'lab/telemetry');
    await runPahoOk('telemetry', { port: lab.tapAddress.port, args: { clientId: 'paho-rpi1', qos: 1, count: 3 } });
    const conn = (await connOf(lab, 'paho-rpi1')).connId;
    await waitEnded(lab, conn);
    const mine = (await records(lab, { connId: conn }));
    expect(arrows(mine)).toEqual(['→CONNECT', '←CONNACK', '→PUBLISH', '←PUBACK', '→PUBLISH', '←PUBACK', '→PUBLISH', '←PUBACK', '→DISCONNECT']);
    const readings = mine.filter((r) => r.decoded.type === 'PUBLISH').map((r) => JSON.parse(payloadText(r)) as { deviceID: string; temperature: number });
    expect(readings.map((r) => [r.deviceID, r.temperature])).toEqual([['RPi1', 21.5], ['RPi1', 21.6], ['RPi1', 21.7]]);
    const got = await waitRecords(lab, { clientId: 'watch', type: 'PUBLISH', direction: 'toClient' }, 3);
    expect(got.map((r) => r.decoded.info.topic)).toEqual(['lab/telemetry', 'lab/telemetry', 'lab/telemetry']);
  });

  it.skipIf(missing('mosquitto') !== undefined)('MQTT 5 tour through mosquitto: topic alias and properties on the wire', async () => {
    const lab = await startLab({ broker: 'mosquitto' });
    await runPahoOk('v5_properties', { port: lab.tapAddress.port, args: { clientId: 'paho-v5' } });
    const conn = (await connOf(lab, 'paho-v5')).connId;
    await waitEnded(lab, conn);
    const mine = (await records(lab, { connId: conn }));
    expect(mine.every((r) => r.decoded.version === 5)).toBe(true);
    const sent = mine.filter((r) => r.decoded.type === 'PUBLISH' && r.direction === 'toBroker');
    expect(sent.map((r) => [r.decoded.info.topic, field(r, 'mqtt.property.topic_alias')])).toEqual([['lab/telemetry', 1], ['', 1]]);
    const disconnect = mine[mine.length - 1]!;
    expect(disconnect.decoded.type).toBe('DISCONNECT');
  });
});

describe('mqtt.js, as a student would use it', () => {
  it('connects to the tap, subscribes and publishes to itself', async () => {
    const lab = await startLab();
    const c = await mqtt.connectAsync({ host: '127.0.0.1', port: lab.tapAddress.port, clientId: 'student-js', reconnectPeriod: 0 });
    onCleanup(() => c.endAsync());
    await c.subscribeAsync('chat/#', { qos: 1 });
    const got = new Promise<string>((resolve) => c.once('message', (_t, payload) => resolve(payload.toString())));
    await c.publishAsync('chat/room1', 'hello', { qos: 1 });
    expect(await got).toBe('hello');
    await c.endAsync();
    const conn = (await connOf(lab, 'student-js')).connId;
    expect((await waitEnded(lab, conn)).ended).toBe('disconnect');
    const seq = arrows((await records(lab, { connId: conn })));
    expect(seq.slice(0, 4)).toEqual(['→CONNECT', '←CONNACK', '→SUBSCRIBE', '←SUBACK']);
    // The broker's PUBLISH to the subscriber and its PUBACK to the publisher can cross; both are there.
    expect([...seq.slice(4, 8)].sort()).toEqual(['→PUBACK', '→PUBLISH', '←PUBACK', '←PUBLISH'].sort());
    expect(seq[seq.length - 1]).toBe('→DISCONNECT');
  });
});
