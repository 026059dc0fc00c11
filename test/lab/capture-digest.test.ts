// capture.digest must tell the page what reading every summary through told it: per topic the counts, the
// newest message, the retained one and the publishers' history; the wills; the rule hits. The reference
// here reads each record's summary (the dissector's tree, as the page saw it) with the page's rules written
// out plainly; the digest reads bytes, and must agree on random, damaged and real packets, also when it is
// brought up to date in several steps.
import { readFileSync, readdirSync } from 'node:fs';
import * as mqttPacket from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { CaptureDigestCache } from '../../src/core/lab/capture-digest.js';
import { summaryOf } from '../../src/core/lab/wire.js';
import { findField } from '../../src/core/dissect/tree.js';
import { readCaptureRecords } from '../../src/core/pcap/decoded-records.js';
import { CaptureStore } from '../../src/core/store/index.js';
import { lazyRecord } from '../../src/core/tap/lazy-record.js';
import type { CaptureDigest } from '../../src/shared/api.js';
import { checkCall } from '../../src/shared/api-schemas.js';
import { cleanup, startLab } from './support/lab-rig.js';
import { waitRecords } from './support/records.js';
import type { MqttVersion } from '../../src/shared/packet.js';
import { Prng, seedFromEnv } from '../dissect/support/prng.js';

const TOPICS = ['home/temp', 'home/hum', 'a', 'ünï/☕', 'x/y/z'];

function publish(rng: Prng, version: MqttVersion): Uint8Array {
  const qos = rng.int(0, 2);
  const r = rng.next();
  const payload = r < 0.1 ? Buffer.alloc(0) : r < 0.2 ? Buffer.from(rng.bytes(rng.int(1, 40)))
    : r < 0.3 ? Buffer.from('{"t":' + 'x'.repeat(rng.int(60, 2000)) + '}') : Buffer.from(JSON.stringify({ temperature: rng.int(-10, 40), n: rng.int(0, 9) }));
  const p: Record<string, unknown> = { cmd: 'publish', topic: rng.pick(TOPICS), payload, qos, retain: rng.bool(0.3), dup: qos > 0 && rng.bool(0.1) };
  if (qos > 0) p.messageId = rng.int(1, 65535);
  if (version === 5 && rng.bool(0.1)) {
    p.topic = '';
    p.properties = { topicAlias: 3 };
  }
  return new Uint8Array(mqttPacket.generate(p as unknown as mqttPacket.Packet, { protocolVersion: version }));
}

function connect(rng: Prng, version: MqttVersion): Uint8Array {
  const p: Record<string, unknown> = { cmd: 'connect', clientId: `c${rng.int(1, 4)}`, protocolVersion: version, keepalive: 30, clean: true };
  if (rng.bool(0.7)) p.will = { topic: `dead/${rng.int(1, 3)}`, payload: Buffer.from(rng.bool(0.2) ? 'gone '.repeat(30) : 'offline'), qos: 0, retain: false };
  if (version === 3) p.protocolId = 'MQIsdp';
  return new Uint8Array(mqttPacket.generate(p as unknown as mqttPacket.Packet));
}

function fill(store: CaptureStore, rng: Prng, n: number, time: { t: number }): void {
  for (let i = 0; i < n; i++) {
    const version = rng.pick([3, 4, 5] as const);
    let bytes = rng.bool(0.08) ? connect(rng, version) : publish(rng, version);
    // Some malformed: a byte changed or the end cut; the summary then speaks for them.
    if (rng.bool(0.05)) bytes = rng.bool(0.5) ? bytes.subarray(0, Math.max(2, bytes.length - rng.int(1, 5))) : bytes.map((b, k) => (k === 1 + rng.int(1, 3) ? rng.int(0, 255) : b));
    time.t += rng.int(0, 3);
    const fault = rng.bool(0.05) ? { action: 'drop' as const, ruleId: `r${rng.int(1, 2)}` } : undefined;
    store.append(lazyRecord({ time: time.t, connId: version, direction: rng.bool(0.6) ? 'toBroker' : 'toClient', bytes, ...(fault ? { fault } : {}) }, version));
  }
}

/** The page's rules over every record's summary (topics.svelte.ts), written out plainly. */
function reference(store: CaptureStore): Omit<CaptureDigest, 'seqsAt' | 'upTo'> {
  const topics = new Map<string, CaptureDigest['topics'][number]>();
  const wills = new Map<string, CaptureDigest['wills'][number]>();
  const ruleHits: Record<string, number> = {};
  const connections = new Map<number, { connId: number; clientId?: string }>();
  const kinds = new Map<string, number[]>();
  for (let s = store.firstSeq!; s <= store.lastSeq!; s++) {
    const r = store.get(s)!;
    const sum = summaryOf(r, undefined);
    const clientId = store.clientIdOf(r.connId);
    if (!connections.has(r.connId)) connections.set(r.connId, clientId === undefined ? { connId: r.connId } : { connId: r.connId, clientId });
    const kind = `${sum.typeCode}/${store.versionOf(s)}`;
    const seen = kinds.get(kind) ?? [];
    if (seen.length < 2) kinds.set(kind, [...seen, s]);
    if (sum.fault?.ruleId !== undefined) ruleHits[sum.fault.ruleId] = (ruleHits[sum.fault.ruleId] ?? 0) + 1;
    if (sum.type === 'CONNECT' && sum.info.clientId) {
      if (sum.will === undefined) wills.delete(sum.info.clientId);
      else wills.set(sum.info.clientId, { clientId: sum.info.clientId, seq: s, topic: sum.will.topic, ...(sum.will.text !== undefined ? { text: sum.will.text } : {}), cut: (sum.will.text?.length ?? 0) >= 64 });
    }
    if (sum.type !== 'PUBLISH' || !sum.info.topic) continue;
    const topic = sum.info.topic;
    let t = topics.get(topic);
    if (!t) topics.set(topic, (t = { topic, published: 0, delivered: 0, messages: [] }));
    const toBroker = sum.direction === 'toBroker';
    const size = sum.info.payloadLength ?? 0;
    const text = sum.payloadText;
    const cut = sum.payloadCut === true;
    const shown = text === undefined ? {} : { text };
    if (toBroker) {
      t.published++;
      t.messages.push({ seq: s, time: sum.time, ...shown, cut, size, qos: sum.info.qos ?? 0, retain: sum.info.retain === true, dup: sum.info.dup === true });
    } else t.delivered++;
    if (!t.last || sum.time >= t.last.time) t.last = { ...shown, cut, time: sum.time, qos: sum.info.qos ?? 0 };
    if (sum.info.retain && (toBroker ? sum.time >= (t.retainedAt ?? -Infinity) : !t.retained)) {
      if (toBroker && size === 0) delete t.retained;
      else t.retained = { ...shown, cut, time: sum.time };
      if (toBroker) t.retainedAt = sum.time;
    }
  }
  return { topics: [...topics.values()], wills: [...wills.values()], ruleHits, connections: [...connections.values()], samples: [...kinds.values()].flat() };
}

/** A digest's payload text may be longer than the summary's preview (whole up to 1 KiB): it must then be the whole payload. */
function sameText(store: CaptureStore, seq: number, got: { text?: string; cut: boolean }, want: { text?: string; cut: boolean }, what: string): void {
  if (got.cut || !want.cut || want.text === undefined) {
    expect({ text: got.text, cut: got.cut }, what).toEqual({ text: want.text, cut: want.cut });
    return;
  }
  const whole = findField(store.tree(seq)!.fields, 'mqtt.msg')?.value;
  expect(got.text, what).toBe(whole);
  expect(got.text!.startsWith(want.text), what).toBe(true);
}

function compare(store: CaptureStore, got: CaptureDigest): void {
  const want = reference(store);
  expect(got.ruleHits).toEqual(want.ruleHits);
  expect(got.connections).toEqual(want.connections);
  expect(got.samples).toEqual(want.samples);
  expect(got.wills).toEqual(want.wills);
  expect(got.topics.map((t) => t.topic).sort()).toEqual(want.topics.map((t) => t.topic).sort());
  for (const w of want.topics) {
    const g = got.topics.find((t) => t.topic === w.topic)!;
    expect([g.published, g.delivered, g.retainedAt], w.topic).toEqual([w.published, w.delivered, w.retainedAt]);
    expect(g.last?.time, w.topic).toBe(w.last?.time);
    expect(g.retained?.time, w.topic).toBe(w.retained?.time);
    const tail = w.messages.slice(-g.messages.length);
    expect(g.messages.map((m) => [m.seq, m.time, m.size, m.qos, m.retain, m.dup]), w.topic).toEqual(tail.map((m) => [m.seq, m.time, m.size, m.qos, m.retain, m.dup]));
    g.messages.forEach((m, i) => sameText(store, m.seq, m, tail[i]!, `${w.topic} #${m.seq}`));
  }
}

describe('capture.digest', () => {
  it('agrees with the page\'s rules over every summary, on random, damaged and MQTT 5 alias packets', () => {
    const seed = seedFromEnv(31);
    const rng = new Prng(seed);
    const store = new CaptureStore(100_000);
    const time = { t: 1_000 };
    fill(store, rng, 3000, time);
    const digest = new CaptureDigestCache(store);
    digest.update();
    const d = digest.result(1000);
    compare(store, d);
    expect(d.upTo).toBe(store.lastSeq);
    // Not vacuous: several topics with history, retained messages, wills and hits.
    // Damaged topics add a few of their own.
    const main = d.topics.filter((t) => TOPICS.includes(t.topic));
    expect(main.length).toBe(TOPICS.length);
    expect(main.every((t) => t.messages.length > 10 && t.retained !== undefined)).toBe(true);
    expect(d.wills.length).toBeGreaterThan(0);
    expect(Object.keys(d.ruleHits).length).toBe(2);
  });

  it('brought up to date in steps, with packets arriving between them, says what a fresh one says', () => {
    const rng = new Prng(seedFromEnv(32));
    const store = new CaptureStore(100_000);
    const time = { t: 5_000 };
    const digest = new CaptureDigestCache(store);
    for (let round = 0; round < 5; round++) {
      fill(store, rng, 400, time);
      // A deadline already past: one slice of at most 4,096 records per call.
      while (!digest.update(0)) { /* next slice */ }
    }
    const fresh = new CaptureDigestCache(store);
    fresh.update();
    expect(digest.result(50)).toEqual(fresh.result(50));
    compare(store, digest.result(50));
    expect(digest.result(50).topics.filter((t) => TOPICS.includes(t.topic)).every((t) => t.messages.length === 50)).toBe(true);
    // A cleared store starts the digest again.
    store.clear();
    digest.update();
    expect(digest.result()).toEqual({ upTo: null, topics: [], wills: [], ruleHits: {}, connections: [], samples: [], seqsAt: [] });
  });

  it('places times at the newest packet at or before them', () => {
    const store = new CaptureStore(100);
    for (const t of [10, 20, 20, 30]) store.append(lazyRecord({ time: t, connId: 1, direction: 'toBroker', bytes: new Uint8Array([0xc0, 0]) }, 4));
    const digest = new CaptureDigestCache(store);
    digest.update();
    expect(digest.result(0, [5, 10, 15, 20, 29, 30, 99]).seqsAt).toEqual([null, 1, 1, 3, 3, 4, 4]);
  });

  it('reads the repository\'s real captures as their summaries say', () => {
    const dir = new URL('../../lessons/captures/', import.meta.url);
    const store = new CaptureStore(10_000);
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.pcapng'))) {
      for (const r of readCaptureRecords(readFileSync(new URL(f, dir)), [1883])) store.append(r.record);
    }
    const digest = new CaptureDigestCache(store);
    digest.update();
    const d = digest.result(100);
    compare(store, d);
    expect(d.topics.length).toBeGreaterThan(0);
  });
});

describe('capture.digest through the Lab API', () => {
  afterEach(cleanup);

  it('answers for real clients through the tap, with a fault rule\'s hits, and checks its parameters at the boundary', async () => {
    const lab = await startLab();
    for (const id of ['sensor', 'display']) {
      await lab.api.call('clients.create', { id, options: id === 'sensor' ? { will: { topic: 'dead/sensor', payload: 'sensor offline', qos: 0, retain: false } } : {} });
      await lab.api.call('clients.connect', { id });
    }
    await lab.api.call('clients.subscribe', { id: 'display', subscriptions: [{ filter: 'home/#', qos: 1 }] });
    const rule = await lab.api.call('faults.add', { match: { type: 'PUBACK', direction: 'toClient', clientId: 'sensor' }, action: 'delay', ms: 10, times: 1 });
    for (const t of [20.5, 21]) await lab.api.call('clients.publish', { id: 'sensor', topic: 'home/temp', payload: JSON.stringify({ t }), qos: 1, retain: true });
    await waitRecords(lab, { type: 'PUBLISH', direction: 'toClient', topic: 'home/temp' }, 2);
    const d = await lab.api.call('capture.digest', { messages: 10 });
    const temp = d.topics.find((t) => t.topic === 'home/temp')!;
    expect([temp.published, temp.delivered]).toEqual([2, 2]);
    expect(temp.messages.map((m) => [m.text, m.qos, m.retain, m.cut])).toEqual([['{"t":20.5}', 1, true, false], ['{"t":21}', 1, true, false]]);
    expect(temp.retained?.text).toBe('{"t":21}');
    expect(d.wills).toEqual([expect.objectContaining({ clientId: 'sensor', topic: 'dead/sensor', text: 'sensor offline', cut: false })]);
    expect(d.ruleHits[rule.id]).toBe(1);
    expect(checkCall('capture.digest', { messages: 10, times: [1] }).method).toBe('capture.digest');
    expect(() => checkCall('capture.digest', { messages: 5000 })).toThrow(/messages/);
    expect(() => checkCall('capture.save', { brokerPort: 70000 })).toThrow(/brokerPort/);
  });
});
