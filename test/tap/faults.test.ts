// Fault rules acting on real traffic: what arrives, what does not, in which order, and what the record says.
import type { MqttClient } from 'mqtt';
import { generate } from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { Tap, type TapOptions } from '../../src/core/tap/tap.js';
import { ManualClock } from '../support/manual-clock.js';
import type { FaultMatch } from '../../src/shared/lab.js';
import { arrows, inbox, of, sleep, startRig, until, type Rig } from './rig.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

/** A rig with a subscriber on `filter` and the named publishers, all through the tap. */
async function setup(filter: string, ...publishers: string[]): ReturnType<typeof setupWith> {
  return setupWith(filter, {}, ...publishers);
}

/** The same, with tap options (a ManualClock). */
async function setupWith(filter: string, tap: Partial<TapOptions>, ...publishers: string[]) {
  rig = await startRig({ tap });
  const sub = await rig.client({ clientId: 'sub' });
  const got = inbox(sub);
  await sub.subscribeAsync(filter, { qos: 1 });
  const pubs: Record<string, MqttClient> = {};
  for (const id of publishers) pubs[id] = await rig.client({ clientId: id });
  return { r: rig, sub, got, pubs };
}

const payloads = (got: Array<{ payload: string }>): string[] => got.map((m) => m.payload);

describe('drop', () => {
  it('the packet never arrives; traffic around it does', async () => {
    const { r, got, pubs } = await setup('d/#', 'pub');
    const rule = r.tap.rules.add({ match: { type: 'PUBLISH', direction: 'toBroker', topic: 'd/lost' }, action: 'drop' });
    pubs.pub!.publish('d/kept', 'before');
    pubs.pub!.publish('d/lost', 'gone');
    pubs.pub!.publish('d/kept', 'after');
    await until(() => got.length === 2, 'two messages');
    await sleep(200);
    expect(payloads(got)).toEqual(['before', 'after']);
    const lost = r.records.find((x) => x.decoded.info.topic === 'd/lost')!;
    expect(lost.fault).toEqual({ action: 'drop', ruleId: rule.id });
    expect(r.records.filter((x) => x.decoded.info.topic === 'd/lost')).toHaveLength(1);
  });
});

describe('delay', () => {
  it('arrives exactly ms later on the lab clock; packets behind it on that connection wait, other connections do not', async () => {
    const clock = new ManualClock();
    const { r, got, pubs } = await setupWith('s/#', { clock }, 'slowpoke', 'other');
    r.tap.rules.add({ match: { topic: 's/slow', direction: 'toBroker' }, action: 'delay', ms: 300, times: 1 });
    pubs.slowpoke!.publish('s/slow', 'slow');
    pubs.slowpoke!.publish('s/fast', 'fast1');
    pubs.slowpoke!.publish('s/fast', 'fast2');
    await until(() => r.records.filter((x) => x.decoded.info.topic === 's/fast').length === 2, 'the fast ones at the tap');
    pubs.other!.publish('s/other', 'other');
    await until(() => got.length === 1, 'the other connection');
    // One tick short of the delay nothing moves, however long the wall clock runs: a barrier round trip
    // on the other connection shows the broker had every chance to deliver.
    clock.advance(299);
    pubs.other!.publish('s/other', 'barrier');
    await until(() => got.length === 2, 'the barrier');
    expect(payloads(got)).toEqual(['other', 'barrier']);
    clock.advance(1);
    await until(() => got.length === 5, 'the delayed and those behind it');
    expect(payloads(got)).toEqual(['other', 'barrier', 'slow', 'fast1', 'fast2']);
    const slow = r.records.find((x) => x.decoded.info.topic === 's/slow' && x.direction === 'toBroker')!;
    expect(slow.fault).toMatchObject({ action: 'delay', ms: 300 });
    // Packets that merely queued behind the delayed one carry no fault: the rule did not touch them.
    expect(r.records.filter((x) => x.decoded.info.topic === 's/fast').every((x) => x.fault === undefined)).toBe(true);
    expect(clock.pending).toBe(0);
  });
});

describe('hold', () => {
  it('waits until release(seq); the record is updated with the time held on the lab clock', async () => {
    const clock = new ManualClock();
    const { r, got, pubs } = await setupWith('h/#', { clock }, 'holder', 'free');
    r.tap.rules.add({ match: { clientId: 'holder', type: 'PUBLISH' }, action: 'hold' });
    pubs.holder!.publish('h/1', 'held');
    const [w] = await until(() => r.tap.waiting().length === 1 && r.tap.waiting(), 'a held packet');
    expect(w!.fault).toMatchObject({ action: 'hold' });
    // Time passing does not release a hold; only release() does.
    clock.advance(60_000);
    pubs.free!.publish('h/2', 'free');
    await until(() => got.length === 1, 'the free message');
    expect(payloads(got)).toEqual(['free']);
    expect(r.tap.release(w!.seq)).toBe(true);
    await until(() => got.length === 2, 'the held message');
    expect(payloads(got)).toEqual(['free', 'held']);
    expect(r.tap.release(w!.seq)).toBe(false);
    const upd = r.updates.find((u) => u.seq === w!.seq)!;
    expect(upd.fault).toEqual({ action: 'hold', ruleId: expect.any(String), released: true, ms: 60_000 });
    expect(r.tap.waiting()).toEqual([]);
  });

  it('releaseNext lets the oldest go, releaseAll the rest, in order', async () => {
    const { r, got, pubs } = await setup('h/#', 'holder', 'free');
    r.tap.rules.add({ match: { clientId: 'holder', type: 'PUBLISH' }, action: 'hold' });
    for (const p of ['h1', 'h2', 'h3']) pubs.holder!.publish('h/x', p);
    const held = await until(() => r.tap.waiting().length === 3 && r.tap.waiting(), 'three held');
    expect(held.map((x) => x.seq)).toEqual([...held.map((x) => x.seq)].sort((a, b) => a - b));
    expect(r.tap.releaseNext()?.seq).toBe(held[0]!.seq);
    await until(() => got.length === 1, 'one message');
    expect(r.tap.waiting().map((x) => x.seq)).toEqual(held.slice(1).map((x) => x.seq));
    // No sleep: a round trip on another connection shows the broker had every chance to deliver more.
    pubs.free!.publish('h/free', 'barrier');
    await until(() => got.length === 2, 'the barrier');
    expect(payloads(got)).toEqual(['h1', 'barrier']);
    expect(r.tap.releaseAll()).toBe(2);
    await until(() => got.length === 4, 'all three');
    expect(payloads(got)).toEqual(['h1', 'barrier', 'h2', 'h3']);
    expect(r.tap.releaseNext()).toBeNull();
  });

  it('held packets of a connection that ends are discarded, not released later', async () => {
    const { r, pubs } = await setup('h/#', 'holder');
    r.tap.rules.add({ match: { clientId: 'holder', type: 'PUBLISH' }, action: 'hold' });
    pubs.holder!.publish('h/x', 'never');
    pubs.holder!.publish('h/x', 'never again');
    const [held] = await until(() => r.tap.waiting().length === 2 && r.tap.waiting(), 'held');
    expect(r.tap.sever(r.connOf('holder')!.connId)).toBe(true);
    await until(() => r.conn(r.connOf('holder')!.connId)?.state === 'closed', 'closed');
    expect(r.tap.release(held!.seq)).toBe(false);
    expect(r.tap.releaseAll()).toBe(0);
    expect(r.tap.waiting()).toEqual([]);
    expect(r.tap.releaseNext()).toBeNull();
  });
});

describe('corrupt', () => {
  const connectRaw = async (r: Rig, clientId: string) => {
    const c = await r.raw();
    await c.send(generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId, keepalive: 60 }));
    await c.next();
    return c;
  };

  it('by default changes the packet identifier; the broker acknowledges the id it received', async () => {
    rig = await startRig();
    const rule = rig.tap.rules.add({ match: { type: 'PUBLISH', direction: 'toBroker' }, action: 'corrupt', times: 1 });
    const c = await connectRaw(rig, 'mangled');
    const sent = generate({ cmd: 'publish', topic: 'c/t', payload: Buffer.from('x'), qos: 1, messageId: 0x0102, dup: false, retain: false });
    await c.send(sent);
    expect(Buffer.from(await c.next()).toString('hex')).toBe('4002fefd');
    const rec = of(rig.records, 1, 'toBroker').find((x) => x.decoded.type === 'PUBLISH')!;
    expect(rec.fault).toEqual({ action: 'corrupt', ruleId: rule.id, field: 'mqtt.msgid' });
    expect(rec.decoded.info.packetId).toBe(0xfefd);
    const expected = Buffer.from(sent);
    expected.writeUInt16BE(0xfefd, expected.length - 3);
    expect(Buffer.from(rec.bytes)).toEqual(expected);
  });

  it('a chosen bit field: QoS 1 becomes QoS 2, and the broker answers with PUBREC', async () => {
    rig = await startRig();
    rig.tap.rules.add({ match: { type: 'PUBLISH', qos: 1 }, action: 'corrupt', field: 'mqtt.qos', times: 1 });
    const c = await connectRaw(rig, 'upgraded');
    await c.send(generate({ cmd: 'publish', topic: 'c/q', payload: Buffer.from('x'), qos: 1, messageId: 7, dup: false, retain: false }));
    expect(Buffer.from(await c.next()).toString('hex')).toBe('50020007');
    const rec = of(rig.records, 1, 'toBroker').find((x) => x.decoded.type === 'PUBLISH')!;
    expect(rec.fault?.field).toBe('mqtt.qos');
    expect(rec.bytes[0]).toBe(0x34);
    expect(rec.decoded.info.qos).toBe(2);
  });

  it('a framing field is refused: the packet passes unchanged and the record says why', async () => {
    rig = await startRig();
    rig.tap.rules.add({ match: { type: 'PUBLISH' }, action: 'corrupt', field: 'mqtt.len', times: 1 });
    const c = await connectRaw(rig, 'intact');
    const sent = generate({ cmd: 'publish', topic: 'c/l', payload: Buffer.from('x'), qos: 1, messageId: 3, dup: false, retain: false });
    await c.send(sent);
    expect(Buffer.from(await c.next()).toString('hex')).toBe('40020003');
    const rec = of(rig.records, 1, 'toBroker').find((x) => x.decoded.type === 'PUBLISH')!;
    expect(Buffer.from(rec.bytes)).toEqual(Buffer.from(sent));
    expect(rec.fault?.field).toBe('mqtt.len');
    expect(rec.fault?.note).toMatch(/desynchronise/);
  });
});

describe('sever', () => {
  it('closes both sockets without DISCONNECT, and the broker publishes the will', async () => {
    const { r, sub, got } = await setup('will/#');
    await sub.subscribeAsync('v/#', { qos: 1 });
    const victim = await r.client({ clientId: 'victim', will: { topic: 'will/victim', payload: Buffer.from('gone'), qos: 1, retain: false } });
    const closed = new Promise<void>((resolve) => victim.once('close', () => resolve()));
    const rule = r.tap.rules.add({ match: { clientId: 'victim', type: 'PUBLISH' }, action: 'sever' });
    victim.publish('v/x', 'last words');
    await closed;
    const id = r.connOf('victim')!.connId;
    await until(() => r.conn(id)?.state === 'closed', 'closed');
    expect(r.conn(id)?.ended).toBe('severed');
    await until(() => got.length === 1, 'the will');
    await sleep(100);
    expect(got.map((m) => [m.topic, m.payload])).toEqual([['will/victim', 'gone']]);
    const mine = of(r.records, id);
    expect(arrows(mine)).toEqual(['→CONNECT', '←CONNACK', '→PUBLISH']);
    expect(mine[2]!.fault).toEqual({ action: 'sever', ruleId: rule.id });
    expect(r.brokerEvents.some((e) => e.kind === 'will-published' && e.clientId === 'victim')).toBe(true);
  });
});

describe('matching', () => {
  // Five messages from two publishers; each rule drops some. The subscriber sees what survives.
  const sends: Array<[string, string, 0 | 1]> = [
    ['pubA', 'a/1', 0], ['pubA', 'sensors/k/temp', 1], ['pubB', 'sensors/k/temp', 0], ['pubA', 'sensors/k/hum', 0], ['pubB', 'a/2', 0],
  ];
  const cases: Array<[string, FaultMatch, number[]]> = [
    ['clientId', { clientId: 'pubA', type: 'PUBLISH', direction: 'toBroker' }, [2, 4]],
    ['topic with +', { topic: 'sensors/+/temp' }, [0, 3, 4]],
    ['topic with # and qos', { topic: 'sensors/#', qos: 1 }, [0, 2, 3, 4]],
    ['direction toClient only', { direction: 'toClient', topic: 'a/1' }, [1, 2, 3, 4]],
    ['nth (type in lower case)', { type: 'publish', direction: 'toBroker', nth: 2 }, [0, 2, 3, 4]],
    ['nothing matches', { type: 'PUBLISH', clientId: 'nobody' }, [0, 1, 2, 3, 4]],
  ];
  it.each(cases)('%s', async (_name, match, survivors) => {
    const { r, got, pubs } = await setup('#', 'pubA', 'pubB');
    r.tap.rules.add({ match, action: 'drop' });
    for (const [i, [who, topic, qos]] of sends.entries()) {
      pubs[who]!.publish(topic, `m${i}`, { qos });
      // mqtt.js stores a QoS 1 message before writing it; waiting for the tap keeps the order (nth counts it).
      await until(() => r.records.filter((x) => x.direction === 'toBroker' && x.decoded.type === 'PUBLISH').length === i + 1, `m${i} at the tap`);
    }
    await until(() => got.length >= survivors.length, `${survivors.length} messages`);
    await sleep(200);
    expect(payloads(got).sort()).toEqual(survivors.map((i) => `m${i}`));
    const dropped = r.records.filter((x) => x.fault?.action === 'drop');
    expect(dropped.length).toBeGreaterThanOrEqual(5 - survivors.length);
  });

  it('times retires a rule after it fired that often', async () => {
    const { r, got, pubs } = await setup('t/#', 'pub');
    const rule = r.tap.rules.add({ match: { type: 'PUBLISH', direction: 'toBroker' }, action: 'drop', times: 2 });
    expect(r.tap.rules.list()).toEqual([{ ...rule, fired: 0 }]);
    for (const p of ['m0', 'm1', 'm2', 'm3']) pubs.pub!.publish('t/x', p);
    await until(() => got.length === 2, 'two messages');
    await sleep(150);
    expect(payloads(got)).toEqual(['m2', 'm3']);
    expect(r.tap.rules.list()).toEqual([]);
    expect(r.records.filter((x) => x.fault?.ruleId === rule.id)).toHaveLength(2);
  });
});

describe('rule validation', () => {
  const rules = new Tap({ broker: { host: '127.0.0.1', port: 1 } }).rules;
  const bad: Array<[string, unknown, RegExp]> = [
    ['unknown action', { match: {}, action: 'explode' }, /^fault rule: action must be one of drop, delay, hold, corrupt, sever \(got 'explode'\)$/],
    ['no match', { action: 'drop' }, /^fault rule: match is required/],
    ['misspelt type', { match: { type: 'PUBLSH' }, action: 'drop' }, /^fault rule: unknown packet type 'PUBLSH'$/],
    ['direction', { match: { direction: 'up' }, action: 'drop' }, /^fault rule: direction must be toBroker or toClient \(got 'up'\)$/],
    ['qos 3', { match: { qos: 3 }, action: 'drop' }, /^fault rule: qos must be 0, 1 or 2 \(got 3\)$/],
    ['nth 0', { match: { nth: 0 }, action: 'drop' }, /^fault rule: nth counts from 1 \(got 0\)$/],
    ['delay without ms', { match: {}, action: 'delay' }, /^fault rule: delay needs ms between 0 and 600000$/],
    ['negative delay', { match: {}, action: 'delay', ms: -5 }, /^fault rule: delay needs ms/],
    ['times 0', { match: {}, action: 'drop', times: 0 }, /^fault rule: times must be a whole number from 1 \(got 0\)$/],
    ['times 1.5', { match: {}, action: 'drop', times: 1.5 }, /^fault rule: times must be a whole number/],
  ];
  it.each(bad)('%s', (_name, rule, message) => {
    expect(() => rules.add(rule as Parameters<typeof rules.add>[0])).toThrow(message);
    expect(rules.size).toBe(0);
  });

  it('a duplicate id is refused; remove and clear work', () => {
    rules.add({ id: 'x', match: {}, action: 'drop' });
    expect(() => rules.add({ id: 'x', match: {}, action: 'hold' })).toThrow("fault rule: a rule named 'x' exists already");
    expect(rules.remove('x')).toBe(true);
    expect(rules.remove('x')).toBe(false);
    rules.add({ match: {}, action: 'drop' });
    rules.clear();
    expect(rules.size).toBe(0);
  });
});
