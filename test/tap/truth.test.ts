// Truth to the protocol: with real clients and a real broker behind the tap, faults show what MQTT 3.1.1
// really does. A lost acknowledgement is not retransmitted on the same connection; only a reconnect with a
// persistent session resends the PUBLISH (same packet id; DUP as the client sets it). The will goes out on
// an ungraceful end only.
import type { MqttClient } from 'mqtt';
import { generate } from 'mqtt-packet';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PacketRecord } from '../../src/shared/lab.js';
import { arrows, closedAtTap, fakeTime, inbox, of, settle, sleep, startRig, until, writeRaw, type Rig } from './rig.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const publishes = (recs: PacketRecord[]): PacketRecord[] => recs.filter((x) => x.decoded.type === 'PUBLISH');

/** Severs the client's connection at the tap and reconnects the same mqtt.js instance with its stores (the session). */
async function severAndReconnect(r: Rig, c: MqttClient, clientId: string): Promise<number> {
  const old = r.connOf(clientId)!.connId;
  const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
  r.tap.sever(old);
  await closed;
  const connected = new Promise<void>((resolve) => c.once('connect', () => resolve()));
  // Without the stores, reconnect() would start from empty ones and forget the unacknowledged message.
  c.reconnect({ incomingStore: c.incomingStore, outgoingStore: c.outgoingStore });
  await connected;
  return r.connOf(clientId)!.connId;
}

describe('truth to the protocol', () => {
  it('QoS 1: a dropped PUBACK is not retransmitted on the same connection, only after a reconnect', async () => {
    rig = await startRig();
    const r = rig;
    const sub = await r.client({ clientId: 'watch' });
    const got = inbox(sub);
    await sub.subscribeAsync('home/#', { qos: 1 });
    const sensor = await r.client({ clientId: 'sensor', clean: false });
    r.tap.rules.add({ match: { type: 'PUBACK', direction: 'toClient', clientId: 'sensor' }, action: 'drop', times: 1 });
    let acked = false;
    sensor.publish('home/temp', '21.5', { qos: 1 }, () => (acked = true));
    const first = r.connOf('sensor')!.connId;
    await until(() => r.records.some((x) => x.connId === first && x.decoded.type === 'PUBACK'), 'the PUBACK at the tap');
    await sleep(2000);
    const pubs = publishes(of(r.records, first, 'toBroker'));
    expect(pubs).toHaveLength(1);
    expect(pubs[0]!.decoded.info.dup).toBe(false);
    expect(of(r.records, first, 'toClient').find((x) => x.decoded.type === 'PUBACK')!.fault?.action).toBe('drop');
    expect(acked).toBe(false);

    const second = await severAndReconnect(r, sensor, 'sensor');
    await until(() => acked, 'the resent message to be acknowledged');
    const again = of(r.records, second);
    expect(arrows(again).slice(0, 4)).toEqual(['→CONNECT', '←CONNACK', '→PUBLISH', '←PUBACK']);
    expect(again[0]!.decoded.info.cleanStart).toBe(false);
    // MQTT-3.3.1-1 wants DUP=1 on a re-delivery; mqtt.js 5.16 resends from its store with DUP=0, and the
    // record shows exactly that. Should mqtt.js change, this fails and the QoS lesson's text needs a look.
    expect(again[2]!.decoded.info).toMatchObject({ dup: false, packetId: pubs[0]!.decoded.info.packetId, topic: 'home/temp' });
    expect(again[3]!.decoded.info.packetId).toBe(pubs[0]!.decoded.info.packetId);
    // At least once: the broker delivered the first copy already, and delivers the resent one too.
    await until(() => got.length === 2, 'two deliveries');
    expect(got.map((m) => m.payload)).toEqual(['21.5', '21.5']);
  });

  it('QoS 2: a dropped PUBREC is not retransmitted on the same connection; the resend is delivered exactly once', async () => {
    rig = await startRig();
    const r = rig;
    const sub = await r.client({ clientId: 'watch' });
    const got = inbox(sub);
    await sub.subscribeAsync('home/#', { qos: 2 });
    const sensor = await r.client({ clientId: 'sensor2', clean: false });
    r.tap.rules.add({ match: { type: 'PUBREC', direction: 'toClient' }, action: 'drop', times: 1 });
    let done = false;
    sensor.publish('home/door', 'open', { qos: 2 }, () => (done = true));
    const first = r.connOf('sensor2')!.connId;
    await until(() => r.records.some((x) => x.connId === first && x.decoded.type === 'PUBREC'), 'the PUBREC at the tap');
    await sleep(2000);
    expect(arrows(of(r.records, first)).slice(2)).toEqual(['→PUBLISH', '←PUBREC']);
    // aedes starts onward delivery on receipt of the PUBLISH (3.1.1 §4.3.3 lets the receiver choose).
    expect(got).toHaveLength(1);

    const second = await severAndReconnect(r, sensor, 'sensor2');
    await until(() => done, 'PUBCOMP');
    const again = of(r.records, second);
    expect(arrows(again).slice(0, 6)).toEqual(['→CONNECT', '←CONNACK', '→PUBLISH', '←PUBREC', '→PUBREL', '←PUBCOMP']);
    expect(again[2]!.decoded.info.dup).toBe(false); // mqtt.js 5.16, as above
    // Exactly once: the resent PUBLISH (same packet id, DUP=1) is not delivered a second time.
    await sleep(300);
    expect(got).toHaveLength(1);
  });

  it('PINGREQs held at the tap are silence to the broker: it times the client out, and the tap says so', async () => {
    rig = await startRig({ brokerThread: false });
    const r = rig;
    r.tap.rules.add({ match: { type: 'PINGREQ', direction: 'toBroker' }, action: 'hold' });
    const c = await r.raw();
    // The broker's keepalive timer runs on fake time (rig.ts): no sleeping through 1.5 s.
    fakeTime();
    try {
      await writeRaw(c, generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'muted', keepalive: 1 }));
      await c.next();
      // The client does its part: a PINGREQ every 500 ms; the tap holds each, so none reaches the broker.
      for (let i = 0; i < 3; i++) {
        await writeRaw(c, generate({ cmd: 'pingreq' }));
        await settle();
        vi.advanceTimersByTime(500);
      }
      await settle();
      expect(r.tap.waiting()).toHaveLength(3);
      expect(r.conn(1)?.state).toBe('connected');
      vi.advanceTimersByTime(1);
      const conn = await closedAtTap(r, 1);
      expect(r.brokerEvents.some((e) => e.kind === 'keepalive-timeout' && e.clientId === 'muted')).toBe(true);
      expect(conn.ended).toBe('keepalive-timeout');
    } finally {
      vi.useRealTimers();
    }
  });

  it('the will is published when the broker times the client out, and not after DISCONNECT', async () => {
    rig = await startRig({ brokerThread: false });
    const r = rig;
    const sub = await r.client({ clientId: 'watch' });
    const got = inbox(sub);
    await sub.subscribeAsync('will/#', { qos: 1 });
    const withWill = (clientId: string, keepalive: number): Uint8Array =>
      generate({
        cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId, keepalive,
        will: { topic: `will/${clientId}`, payload: Buffer.from('offline'), qos: 1, retain: false },
      });

    const polite = await r.raw();
    await polite.send(withWill('polite', 60));
    await polite.next();
    await polite.send(generate({ cmd: 'disconnect' }));
    await polite.closed();

    const silent = await r.raw();
    // The broker's keepalive timer on fake time (rig.ts): the will comes at 1.5 × keepalive, not before.
    fakeTime();
    try {
      await writeRaw(silent, withWill('silent', 1));
      await silent.next();
      vi.advanceTimersByTime(1500);
      await settle();
      expect(got).toEqual([]);
      vi.advanceTimersByTime(1);
      await closedAtTap(r, r.connOf('silent')!.connId);
      for (let i = 0; i < 100 && got.length === 0; i++) await settle();
    } finally {
      vi.useRealTimers();
    }
    expect(got.map((m) => m.topic)).toEqual(['will/silent']);
    expect(r.connOf('polite')?.ended).toBe('disconnect');
    expect(r.connOf('silent')?.ended).toBe('keepalive-timeout');
  });
});
