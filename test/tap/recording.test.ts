// What the tap records: every packet both ways, exactly the bytes on the wire, in order, decoded with the
// connection's version; and how each connection began and ended.
import { generate } from 'mqtt-packet';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { findField } from '../../src/core/dissect/tree.js';
import { missing } from '../peers/have.js';
import { arrows, closedAtTap, fakeTime, hasError, inbox, of, settle, sleep, startRig, until, writeRaw, type Rig } from './rig.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const connect = (clientId: string, keepalive = 60): Uint8Array =>
  generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId, keepalive });

describe('recording', () => {
  it('records the exact bytes of every packet both ways, numbered in order', async () => {
    rig = await startRig();
    const c = await rig.raw();
    const sent = [
      connect('rec-1'),
      generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'rec/#', qos: 1 }] }),
      generate({ cmd: 'publish', topic: 'rec/a', payload: Buffer.from('hello'), qos: 1, messageId: 2, dup: false, retain: false }),
    ];
    const received: Uint8Array[] = [];
    const t0 = performance.timeOrigin + performance.now();
    await c.send(sent[0]!);
    received.push(await c.next());
    await c.send(sent[1]!);
    received.push(await c.next());
    await c.send(sent[2]!);
    // The broker answers the PUBLISH with PUBACK and delivers it back to us, in an order it chooses.
    received.push(await c.next(), await c.next());
    const delivered = received.find((p) => p[0]! >> 4 === 3)!;
    sent.push(generate({ cmd: 'puback', messageId: (delivered.at(-7)! << 8) | delivered.at(-6)! }));
    await c.send(sent[3]!);
    sent.push(generate({ cmd: 'disconnect' }));
    await c.send(sent[4]!);
    await c.closed();
    const t1 = performance.timeOrigin + performance.now();

    await until(() => of(rig!.records, 1).length === 9, '9 records');
    const all = of(rig.records, 1);
    expect(all.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (let i = 1; i < all.length; i++) expect(all[i]!.time).toBeGreaterThanOrEqual(all[i - 1]!.time);
    expect(all[0]!.time).toBeGreaterThanOrEqual(t0);
    expect(all.at(-1)!.time).toBeLessThanOrEqual(t1);
    expect(of(rig.records, 1, 'toBroker').map((r) => Buffer.from(r.bytes))).toEqual(sent.map((b) => Buffer.from(b)));
    expect(of(rig.records, 1, 'toClient').map((r) => Buffer.from(r.bytes))).toEqual(received.map((b) => Buffer.from(b)));
    for (const r of all) {
      expect(r.decoded.length).toBe(r.bytes.length);
      expect(hasError(r)).toBe(false);
    }
    const pub = all.find((r) => r.direction === 'toBroker' && r.decoded.type === 'PUBLISH')!;
    expect(pub.decoded.info).toMatchObject({ topic: 'rec/a', qos: 1, packetId: 2, payloadLength: 5 });
    expect(pub.decoded.summary).toContain("'rec/a'");
  });

  it('tracks a connection: open, then client id and version from CONNECT, connected on CONNACK 0, closed', async () => {
    rig = await startRig();
    const c = await rig.client({ clientId: 'tracker', keepalive: 30 });
    const id = rig.connOf('tracker')!.connId;
    await c.endAsync();
    const closed = await until(() => rig!.conn(id)?.state === 'closed' && rig!.conn(id), 'closed');
    const states = rig.connEvents.filter((e) => e.connId === id).map((e) => [e.state, e.clientId ?? null, e.version ?? null]);
    expect(states[0]).toEqual(['open', null, null]);
    expect(states).toContainEqual(['open', 'tracker', 4]);
    expect(states).toContainEqual(['connected', 'tracker', 4]);
    expect(states.at(-1)).toEqual(['closed', 'tracker', 4]);
    expect(closed.remote).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(closed.endedAt!).toBeGreaterThanOrEqual(closed.since);
    expect(rig.tap.connections().find((x) => x.connId === id)).toMatchObject({ state: 'closed', ended: 'disconnect' });
  });

  it('a refused CONNECT never makes the connection "connected"', async () => {
    rig = await startRig({ users: { alice: 'secret' } });
    const c = await rig.raw();
    await c.send(generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'intruder', keepalive: 0, username: 'alice', password: Buffer.from('guess') }));
    expect(Buffer.from(await c.next()).toString('hex')).toBe('20020004');
    await c.closed();
    const conn = await until(() => rig!.conn(1)?.state === 'closed' && rig!.conn(1), 'closed');
    expect(rig.connEvents.filter((e) => e.connId === 1).map((e) => e.state)).not.toContain('connected');
    expect(conn).toMatchObject({ clientId: 'intruder', ended: 'broker-closed' });
    expect(of(rig.records, 1, 'toClient')[0]!.decoded.info.reasonCode).toBe(4);
  });

  it('an MQTT 5 CONNECT to aedes (3.1.1 only) is refused with a 3.1.1 CONNACK, flagged under v5', async () => {
    rig = await startRig();
    const c = await rig.raw();
    await c.send(generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: true, clientId: 'new', keepalive: 0 }));
    await c.closed();
    const conn = await until(() => rig!.conn(1)?.state === 'closed' && rig!.conn(1), 'closed');
    expect(conn.version).toBe(5);
    const connack = of(rig.records, 1, 'toClient')[0]!;
    expect(Buffer.from(connack.bytes).toString('hex')).toBe('20020001');
    // Read as MQTT 5 (what the client asked for), reason code 1 does not exist: the record says so.
    expect(connack.decoded.version).toBe(5);
    expect(hasError(connack)).toBe(true);
    expect(rig.connEvents.filter((e) => e.connId === 1).map((e) => e.state)).not.toContain('connected');
  });

  it.skipIf(missing('mosquitto') !== undefined)('learns MQTT 5 from CONNECT and decodes later packets with properties (mosquitto)', async () => {
    rig = await startRig({ kind: 'mosquitto' });
    const c = await rig.client({
      clientId: 'five',
      protocolVersion: 5,
      properties: { sessionExpiryInterval: 120, receiveMaximum: 10 },
    });
    const got = inbox(c);
    await c.subscribeAsync('v5/#', { qos: 1 });
    await c.publishAsync('v5/t', 'x', { qos: 1, properties: { userProperties: { room: 'kitchen' }, contentType: 'text/plain' } });
    await until(() => got.length === 1, 'the message back');
    const id = rig.connOf('five')!.connId;
    expect(rig.conn(id)).toMatchObject({ version: 5, state: 'connected' });
    const mine = of(rig.records, id);
    expect(mine.every((r) => r.decoded.version === 5)).toBe(true);
    const connack = mine.find((r) => r.decoded.type === 'CONNACK')!;
    expect(connack.decoded.info.reasonCode).toBe(0);
    expect(findField(connack.decoded.fields, 'mqtt.properties')).toBeDefined();
    const pubs = mine.filter((r) => r.decoded.type === 'PUBLISH');
    expect(pubs.map((r) => r.direction).sort()).toEqual(['toBroker', 'toClient']);
    for (const p of pubs) {
      expect(findField(p.decoded.fields, 'mqtt.prop_key')?.value).toBe('room');
      expect(findField(p.decoded.fields, 'mqtt.prop_value')?.value).toBe('kitchen');
      expect(findField(p.decoded.fields, 'mqtt.property.content_type')?.value).toBe('text/plain');
      expect(hasError(p)).toBe(false);
    }
    // A v5 PUBACK from mosquitto may carry a reason code; decoded as v3 it would be flagged as too long.
    expect(mine.filter((r) => r.decoded.type === 'PUBACK').some(hasError)).toBe(false);
  });
});

describe('how connections end', () => {
  const ended = async (r: Rig, id: number): Promise<string | undefined> =>
    (await until(() => r.conn(id)?.state === 'closed' && r.conn(id), `connection ${id} to close`, 8000)).ended;

  it('DISCONNECT', async () => {
    rig = await startRig();
    const c = await rig.client({ clientId: 'polite' });
    await c.endAsync();
    expect(await ended(rig, rig.connOf('polite')!.connId)).toBe('disconnect');
    expect(arrows(of(rig.records, 1)).at(-1)).toBe('→DISCONNECT');
  });

  it('client closed its socket without DISCONNECT', async () => {
    rig = await startRig();
    const c = await rig.raw();
    await c.send(connect('abrupt'));
    await c.next();
    c.socket.end();
    expect(await ended(rig, 1)).toBe('client-closed');
    expect(arrows(of(rig.records, 1))).toEqual(['→CONNECT', '←CONNACK']);
  });

  it('broker closed it (a second client took over the client id)', async () => {
    rig = await startRig();
    const first = await rig.raw();
    await first.send(connect('same'));
    await first.next();
    const second = await rig.raw();
    await second.send(connect('same'));
    await second.next();
    await first.closed();
    expect(await ended(rig, 1)).toBe('broker-closed');
    expect(rig.conn(2)?.state).toBe('connected');
  });

  it('severed by the tap', async () => {
    rig = await startRig();
    const c = await rig.raw();
    await c.send(connect('cut'));
    await c.next();
    expect(rig.tap.sever(1)).toBe(true);
    await c.closed();
    expect(await ended(rig, 1)).toBe('severed');
    expect(rig.tap.sever(1)).toBe(false);
  });

  // The broker's keepalive timer and the tap's time run on fake timers the test moves (rig.ts fakeTime):
  // 1.5 × keepalive is checked to the millisecond, without sleeping through it.
  it('keepalive timeout: the broker closes after 1.5 × keepalive of silence, not a millisecond before', async () => {
    rig = await startRig({ brokerThread: false });
    const c = await rig.raw();
    fakeTime();
    try {
      await writeRaw(c, connect('sleepy', 1));
      await c.next();
      const start = rig.records.find((r) => r.decoded.type === 'CONNECT')!.time;
      // MQTT-3.1.2-24: one and a half keepalive periods of silence; aedes waits 1500 ms and one more.
      vi.advanceTimersByTime(1500);
      await settle();
      expect(rig.conn(1)?.state).toBe('connected');
      vi.advanceTimersByTime(1);
      await c.closed();
      await closedAtTap(rig, 1);
      expect(rig.conn(1)!.ended).toBe('keepalive-timeout');
      const after = rig.conn(1)!.endedAt! - start;
      expect(after).toBeGreaterThanOrEqual(1500);
      expect(after).toBeLessThan(1510);
      expect(rig.brokerEvents.some((e) => e.kind === 'keepalive-timeout' && e.clientId === 'sleepy')).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a client that keeps pinging is not timed out', async () => {
    rig = await startRig({ brokerThread: false });
    const c = await rig.raw();
    fakeTime();
    try {
      await writeRaw(c, connect('awake', 1));
      await c.next();
      // Four pings 1.4 s apart: 5.6 s in all, far past one keepalive, but never 1.5 s of silence.
      for (let i = 0; i < 4; i++) {
        vi.advanceTimersByTime(1400);
        await writeRaw(c, generate({ cmd: 'pingreq' }));
        await c.next();
      }
      vi.advanceTimersByTime(1400);
      await settle();
      expect(rig.conn(1)?.state).toBe('connected');
      expect(rig.brokerEvents.some((e) => e.kind === 'keepalive-timeout')).toBe(false);
      // The timer was live all along: 1.5 s after the last ping, silence ends it.
      vi.advanceTimersByTime(101);
      await c.closed();
      await closedAtTap(rig, 1);
      expect(rig.conn(1)!.ended).toBe('keepalive-timeout');
    } finally {
      vi.useRealTimers();
    }
  });

  it('protocol error: garbage makes the broker hang up', async () => {
    rig = await startRig();
    const c = await rig.raw();
    await c.send(connect('garbler'));
    await c.next();
    // Packet type 0 is reserved: a broker must close the connection.
    await c.send(new Uint8Array([0x00, 0x02, 0xde, 0xad]));
    await c.closed();
    expect(await ended(rig, 1)).toBe('protocol-error');
    const bad = of(rig.records, 1, 'toBroker').at(-1)!;
    expect(hasError(bad)).toBe(true);
  });
});
