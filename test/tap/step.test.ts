// Step mode: every packet, both directions, every connection, waits at the tap until released. Time is the
// lab's hand-moved clock: how long a packet waited is exact, and "nothing else moved" is shown by a barrier
// (a ping round trip, which step mode lets through) instead of a sleep.
import { generate } from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import type { PacketRecord } from '../../src/shared/lab.js';
import type { RawMqtt } from '../peers/raw-mqtt.js';
import { ManualClock } from '../support/manual-clock.js';
import { inbox, of, startRig, until, type Rig } from './rig.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

/** A raw connection made before step mode: its PINGREQ passes step mode, so a round trip through the tap and
 *  the in-process broker lets whatever was already on its way arrive first. */
async function barrierClient(r: Rig): Promise<() => Promise<void>> {
  const c: RawMqtt = await r.raw();
  await c.send(generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'barrier', keepalive: 0 }));
  await c.next();
  return async () => {
    await c.send(generate({ cmd: 'pingreq' }));
    expect(Buffer.from(await c.next()).toString('hex')).toBe('d000');
  };
}

async function stepRig(): Promise<{ r: Rig; clock: ManualClock }> {
  const clock = new ManualClock();
  rig = await startRig({ tap: { clock } });
  return { r: rig, clock };
}

/** `→p1` / `←p1`: the waiting list as direction and payload, payload being all these tests publish. */
const picture = (ws: PacketRecord[]): string[] =>
  ws.map((w) => `${w.direction === 'toBroker' ? '→' : '←'}${Buffer.from(w.bytes.subarray(w.bytes.length - 2)).toString()}`);

describe('step mode', () => {
  it('releaseNext lets exactly one packet go, oldest first, whatever its direction; each says how long it waited', async () => {
    const { r, clock } = await stepRig();
    const barrier = await barrierClient(r);
    const sub = await r.client({ clientId: 'sub' });
    const got = inbox(sub);
    await sub.subscribeAsync('st/#');
    const pub = await r.client({ clientId: 'pub' });
    r.tap.setStepMode(true);
    expect(r.tap.stepMode).toBe(true);
    for (const p of ['p1', 'p2', 'p3']) pub.publish('st/x', p);
    await until(() => r.tap.waiting().length === 3, 'three stepped');
    expect(picture(r.tap.waiting())).toEqual(['→p1', '→p2', '→p3']);
    expect(r.tap.waiting().every((w) => w.fault?.action === 'step')).toBe(true);

    const fromBroker = (): number => r.records.filter((x) => x.direction === 'toClient' && x.decoded.type === 'PUBLISH').length;
    // Each release of a PUBLISH to the broker brings exactly one PUBLISH back from it, which waits in turn.
    const expected = [
      ['→p2', '→p3', '←p1'],
      ['→p3', '←p1', '←p2'],
      ['←p1', '←p2', '←p3'],
    ];
    for (let i = 0; i < 3; i++) {
      clock.advance(1000);
      const released = r.tap.releaseNext()!;
      expect(picture([released])).toEqual([`→p${i + 1}`]);
      // p1 waited 1 s, p2 2 s, p3 3 s on the lab clock.
      expect(released.fault).toEqual({ action: 'step', released: true, ms: 1000 * (i + 1) });
      await until(() => fromBroker() === i + 1, `PUBLISH ${i + 1} back from the broker`);
      await barrier();
      expect(fromBroker()).toBe(i + 1);
      expect(picture(r.tap.waiting())).toEqual(expected[i]);
    }
    expect(got).toEqual([]);
    expect(picture([r.tap.releaseNext()!])).toEqual(['←p1']);
    await until(() => got.length === 1, 'p1 at the subscriber');
    await barrier();
    expect(got.map((m) => m.payload)).toEqual(['p1']);
    const released = r.updates.filter((u) => u.fault?.released === true);
    expect(released).toHaveLength(4);
    expect(released.every((u) => u.fault?.action === 'step')).toBe(true);

    r.tap.setStepMode(false);
    await until(() => got.length === 3, 'the rest');
    expect(got.map((m) => m.payload)).toEqual(['p1', 'p2', 'p3']);
    expect(r.tap.waiting()).toEqual([]);
  });

  it('a CONNECT waits, and so does the CONNACK, until each is released', async () => {
    const { r, clock } = await stepRig();
    const barrier = await barrierClient(r);
    const before = r.records.length;
    r.tap.setStepMode(true);
    const c = await r.raw();
    await c.send(generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'stepper', keepalive: 60 }));
    await until(() => r.tap.waiting().length === 1, 'CONNECT waiting');
    clock.advance(60_000);
    await barrier();
    // However long it waits, nothing reached the broker, so nothing came back.
    expect(r.records.slice(before).filter((x) => x.connId !== r.connOf('barrier')!.connId).map((x) => x.decoded.type)).toEqual(['CONNECT']);
    expect(r.tap.releaseNext()!.fault).toEqual({ action: 'step', released: true, ms: 60_000 });
    await until(() => r.tap.waiting().length === 1 && r.tap.waiting()[0]!.decoded.type === 'CONNACK', 'CONNACK waiting');
    await barrier();
    expect(c.pending()).toHaveLength(0);
    r.tap.releaseNext();
    expect(Buffer.from(await c.next()).toString('hex')).toBe('20020000');
    expect(r.tap.releaseNext()).toBeNull();
  });

  it('turning step mode off releases everything waiting, in order, and later packets flow untouched', async () => {
    rig = await startRig();
    const r = rig;
    const sub = await r.client({ clientId: 'sub' });
    const got = inbox(sub);
    await sub.subscribeAsync('st/#');
    const pub = await r.client({ clientId: 'pub' });
    r.tap.setStepMode(true);
    for (const p of ['p1', 'p2', 'p3', 'p4']) pub.publish('st/x', p);
    await until(() => r.tap.waiting().length === 4, 'four stepped');
    r.tap.releaseNext();
    await until(() => r.tap.waiting().length === 4, 'p1 back from the broker');
    r.tap.setStepMode(false);
    await until(() => got.length === 4, 'all four');
    expect(got.map((m) => m.payload)).toEqual(['p1', 'p2', 'p3', 'p4']);
    expect(r.tap.waiting()).toEqual([]);
    pub.publish('st/x', 'p5');
    await until(() => got.length === 5, 'p5');
    const p5 = of(r.records, r.connOf('pub')!.connId, 'toBroker').at(-1)!;
    expect(p5.fault).toBeUndefined();
  });

  it('fault rules still act in step mode: a dropped packet never waits, the others do', async () => {
    const { r } = await stepRig();
    const barrier = await barrierClient(r);
    const sub = await r.client({ clientId: 'sub' });
    const got = inbox(sub);
    await sub.subscribeAsync('st/#');
    const pub = await r.client({ clientId: 'pub' });
    r.tap.rules.add({ match: { direction: 'toBroker', type: 'PUBLISH', nth: 1 }, action: 'drop' });
    r.tap.setStepMode(true);
    for (const p of ['p1', 'p2']) pub.publish('st/x', p);
    await until(() => r.tap.waiting().length === 1, 'one stepped');
    expect(picture(r.tap.waiting())).toEqual(['→p2']);
    const dropped = r.records.filter((x) => x.fault?.action === 'drop');
    expect(dropped.map((x) => Buffer.from(x.bytes.subarray(x.bytes.length - 2)).toString())).toEqual(['p1']);
    r.tap.setStepMode(false);
    await until(() => got.length === 1, 'p2 delivered');
    await barrier();
    expect(got.map((m) => m.payload)).toEqual(['p2']);
  });

  it('lets keepalive pings pass unless asked to step them too', async () => {
    const { r, clock } = await stepRig();
    const c = await r.raw();
    await c.send(generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'pinger', keepalive: 10 }));
    await c.next();
    r.tap.setStepMode(true);
    // A keepalive round trip completes though step mode is on: a lecture is not about pings.
    await c.send(generate({ cmd: 'pingreq' }));
    expect(Buffer.from(await c.next()).toString('hex')).toBe('d000');
    expect(r.tap.waiting()).toEqual([]);
    r.tap.setStepMode(true, true);
    await c.send(generate({ cmd: 'pingreq' }));
    await until(() => r.tap.waiting().some((w) => w.decoded.type === 'PINGREQ'), 'a PINGREQ waiting');
    clock.advance(500);
    r.tap.releaseNext();
    await until(() => r.tap.waiting().some((w) => w.decoded.type === 'PINGRESP'), 'its PINGRESP waiting');
    expect(c.pending()).toHaveLength(0);
    r.tap.setStepMode(false);
    expect(Buffer.from(await c.next()).toString('hex')).toBe('d000');
    const reqs = r.records.filter((x) => x.decoded.type === 'PINGREQ');
    expect(reqs.map((x) => x.fault)).toEqual([undefined, { action: 'step', released: true, ms: 500 }]);
  });
});
