// capture.save writes what travelled on the wire as pcapng; tshark, the outside oracle, must read back the
// same packet list, and capture.open of that file must bring the same packets back into the store.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import type { Lab } from '../../src/core/lab/index.js';
import type { PacketRecord } from '../../src/shared/lab.js';
import { missing } from '../peers/have.js';
import { runOk } from '../peers/run.js';
import { fields, tsharkBinary } from '../peers/tshark.js';
import { cleanup, onCleanup, startLab } from './support/lab-rig.js';
import { captured, connOf, field, waitEnded, waitRecord } from './support/records.js';

// Every test here is bounded well below the suite's default; a hang fails fast.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

afterEach(cleanup);

/** Two clients, every QoS, a retained message, and one PUBACK the tap drops (so it never was on the wire). */
async function traffic(lab: Lab): Promise<void> {
  for (const id of ['sub', 'pub']) {
    await lab.api.call('clients.create', { id, options: { clean: id === 'sub' } });
    await lab.api.call('clients.connect', { id });
  }
  await lab.api.call('clients.subscribe', { id: 'sub', subscriptions: [{ filter: 'home/#', qos: 2 }] });
  for (const qos of [0, 1, 2] as const) await lab.api.call('clients.publish', { id: 'pub', topic: `home/q${qos}`, payload: `reading ${qos}`, qos, retain: qos === 1 });
  await lab.api.call('faults.add', { match: { type: 'PUBACK', direction: 'toClient', clientId: 'pub' }, action: 'drop', times: 1 });
  void lab.api.call('clients.publish', { id: 'pub', topic: 'home/lost', payload: 'ack lost', qos: 1 }).catch(() => undefined);
  await waitRecord(lab, { type: 'PUBACK', fault: 'drop' });
  await waitRecord(lab, { type: 'PUBLISH', direction: 'toClient', topic: 'home/lost' });
  await lab.api.call('clients.disconnect', { id: 'sub' });
}

const onWire = async (lab: Lab): Promise<PacketRecord[]> => (await captured(lab)).filter((r) => r.fault === undefined);
const hex = (r: PacketRecord): string => Buffer.from(r.bytes).toString('hex');

it.skipIf(missing('tshark') !== undefined)('capture.save gives pcapng that tshark reads as the same packets; capture.open loads them back', async () => {
  const lab = await startLab();
  await traffic(lab);
  const wire = await onWire(lab);
  const dropped = (await captured(lab)).filter((r) => r.fault !== undefined);
  expect(dropped.map((r) => [r.decoded.type, r.fault?.action])).toEqual([['PUBACK', 'drop']]);

  const { pcapng } = await lab.api.call('capture.save', {});
  const dir = await mkdtemp(join(tmpdir(), 'mqtt-lab-capture-'));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'lab.pcapng');
  await writeFile(file, Buffer.from(pcapng, 'base64'));

  const port = lab.tapAddress.port;
  const rows = await fields(file, port, ['frame.number', 'mqtt.msgtype', 'tcp.dstport'], 'mqtt');
  // One row per frame; a frame carrying several MQTT packets lists their types comma-separated.
  const seen = rows.flatMap(([, types, dst]) => types!.split(',').map((t) => `${dst === String(port) ? '→' : '←'}${t}`));
  expect(seen).toEqual(wire.map((r) => `${r.direction === 'toBroker' ? '→' : '←'}${r.decoded.typeCode}`));

  const opened = await lab.api.call('capture.open', { pcapng });
  expect(opened.packets).toBe(wire.length);
  const back = await captured(lab);
  expect(back.map((r) => [r.direction, r.decoded.type, hex(r)])).toEqual(wire.map((r) => [r.direction, r.decoded.type, hex(r)]));
  // Client ids are learnt from the CONNECTs in the file, as they were live.
  expect(new Set(back.map((r) => r.clientId))).toEqual(new Set(['sub', 'pub']));
  const listed = await lab.api.call('packets.query', { type: 'PUBLISH', clientId: 'pub' });
  expect(listed.map((p) => p.info.topic)).toEqual(['home/q0', 'home/q1', 'home/q2', 'home/lost']);
});

it.skipIf(missing('tshark') !== undefined)('a packet held at the tap is in the pcapng once released, and never if its connection ended first', async () => {
  const lab = await startLab();
  for (const id of ['kept', 'cut']) {
    await lab.api.call('clients.create', { id });
    await lab.api.call('clients.connect', { id });
  }
  await lab.api.call('faults.add', { match: { type: 'PUBLISH', direction: 'toBroker' }, action: 'hold' });
  await lab.api.call('clients.publish', { id: 'cut', topic: 'a/cut', payload: 'never sent' });
  await lab.api.call('clients.publish', { id: 'kept', topic: 'a/kept', payload: 'sent late' });
  const [held] = await Promise.all([waitRecord(lab, { clientId: 'kept', type: 'PUBLISH' }), waitRecord(lab, { clientId: 'cut', type: 'PUBLISH' })]);
  const cut = (await connOf(lab, 'cut')).connId;
  expect(await lab.api.call('connections.sever', { connId: cut })).toBe(true);
  await waitEnded(lab, cut);
  expect(await lab.api.call('step.release', { seq: held.seq })).toBe(true);
  expect((await lab.api.call('packets.get', { seq: held.seq }))?.fault).toMatchObject({ action: 'hold', released: true });

  const dir = await mkdtemp(join(tmpdir(), 'mqtt-lab-capture-'));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'held.pcapng');
  await writeFile(file, Buffer.from((await lab.api.call('capture.save', {})).pcapng, 'base64'));
  const topics = await fields(file, lab.tapAddress.port, ['mqtt.topic'], 'mqtt.msgtype == 3');
  expect(topics).toEqual([['a/kept']]);
});

it.skipIf(missing('tshark') !== undefined)('HTTP beside MQTT is saved on its own port as its own streams: tshark reads HTTP and intact MQTT; capture.open counts the MQTT', async () => {
  const lab = await startLab();
  await lab.api.call('clients.create', { id: 'display' });
  await lab.api.call('clients.connect', { id: 'display' });
  await lab.api.call('clients.subscribe', { id: 'display', subscriptions: [{ filter: 'ward7/bp', qos: 1 }] });
  // HTTP in the middle of the MQTT conversation, so that a stream mixed up with another shows.
  await lab.api.call('http.post', { client: 'web-cuff', body: '{"bp":"128/84"}' });
  await lab.api.call('clients.publish', { id: 'display', topic: 'ward7/bp', payload: '128/84', qos: 1 });
  await lab.api.call('http.poll', { client: 'web-phone', everyMs: 100, forMs: 250 });
  await waitRecord(lab, { type: 'PUBACK', direction: 'toBroker' });
  await lab.api.call('clients.disconnect', { id: 'display' });
  // The server stopping (a lesson closing) must not lose where its connections ran.
  await lab.api.call('http.reset', {});

  const all = await captured(lab);
  const mqtt = all.filter((r) => r.decoded.type !== 'HTTP');
  const http = all.filter((r) => r.decoded.type === 'HTTP');
  expect(http.length).toBeGreaterThanOrEqual(4);
  // The port the HTTP clients connected to, as their requests name it (Host header).
  const httpPort = Number(String(field(http.find((r) => r.direction === 'toBroker')!, 'http.host')).split(':').pop());
  expect(httpPort).toBeGreaterThan(0);
  expect(httpPort).not.toBe(lab.tapAddress.port);

  const dir = await mkdtemp(join(tmpdir(), 'mqtt-lab-capture-'));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'mqtt-and-http.pcapng');
  const { pcapng } = await lab.api.call('capture.save', {});
  await writeFile(file, Buffer.from(pcapng, 'base64'));

  const tshark = async (filter: string, names: string[]): Promise<string[][]> => {
    const r = await runOk(tsharkBinary(), ['-r', file, '-d', `tcp.port==${lab.tapAddress.port},mqtt`, '-d', `tcp.port==${httpPort},http`,
      '-Y', filter, '-T', 'fields', '-E', 'occurrence=a', ...names.flatMap((n) => ['-e', n])], { timeoutMs: 60_000 });
    return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
  };
  // The MQTT stream is whole: the same packets in the same order, nothing malformed anywhere.
  const mqttTypes = (await tshark('mqtt', ['mqtt.msgtype'])).flatMap(([t]) => t!.split(','));
  expect(mqttTypes).toEqual(mqtt.map((r) => String(r.decoded.typeCode)));
  expect(await tshark('_ws.malformed || tcp.analysis.flags', ['frame.number'])).toEqual([]);
  // Every HTTP message is read as HTTP, on the HTTP port, one TCP stream per connection.
  const rows = await tshark('http', ['http.request.method', 'http.response.code', 'tcp.srcport', 'tcp.dstport', 'tcp.stream']);
  const said = (r: PacketRecord): string => {
    const first = r.decoded.fields[0]?.children ?? [];
    return r.direction === 'toBroker' ? String(first[0]?.value) : String(first[1]?.value);
  };
  expect(rows.map(([method, code]) => method || code)).toEqual(http.map(said));
  for (const [, , src, dst] of rows) expect([src, dst]).toContain(String(httpPort));
  const streamsOf = (conns: number[], streams: string[]) => new Map(conns.map((c, i) => [c, streams[i]]));
  const httpStreams = streamsOf(http.map((r) => r.connId), rows.map((r) => r[4]!));
  expect(new Set(httpStreams.values()).size).toBe(new Set(http.map((r) => r.connId)).size);
  const mqttStreams = new Set((await tshark('mqtt', ['tcp.stream'])).map(([s]) => s));
  for (const s of httpStreams.values()) expect(mqttStreams.has(s)).toBe(false);

  // The lab's own reader takes the MQTT back and leaves the HTTP streams alone.
  const opened = await lab.api.call('capture.open', { pcapng });
  expect(opened.packets).toBe(mqtt.length);
  expect((await captured(lab)).map((r) => r.decoded.type)).toEqual(mqtt.map((r) => r.decoded.type));
});
