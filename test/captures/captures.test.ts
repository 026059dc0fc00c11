// lessons/captures/ holds real recordings (mqtt.js clients, aedes, the tap; scenarios.ts). CI does not
// overwrite them: it records each story afresh and requires the same shape as the committed file, so a
// change in the lab that alters what goes on the wire shows up here, and re-recording is a deliberate
// `npx tsx test/captures/record.ts`. tshark must count the same MQTT packets in each file as our reader.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readCaptureRecords } from '../../src/core/pcap/decoded-records.js';
import { killAll } from '../peers/run.js';
import { missing } from '../peers/have.js';
import { fields } from '../peers/tshark.js';
import { capturePath, FILE_BROKER_PORT, record } from './record.js';
import { SCENARIOS } from './scenarios.js';
import { captureShape } from './shape.js';

vi.setConfig({ testTimeout: 30_000 });
afterEach(() => killAll());

const committed = (name: string): Uint8Array => new Uint8Array(readFileSync(capturePath(name)));

describe('the committed captures tell their story', () => {
  it('qos-tour: QoS 0, 1 and 2 from sensor, each delivered to phone with its own exchange', () => {
    const [phone, sensor] = captureShape(committed('qos-tour'));
    expect(sensor).toEqual([
      '→CONNECT id=sensor clean=true', '←CONNACK',
      "→PUBLISH q0 d0 r0 'home/livingroom/temp'",
      "→PUBLISH q1 d0 r0 'home/livingroom/temp'", '←PUBACK',
      "→PUBLISH q2 d0 r0 'home/livingroom/temp'", '←PUBREC', '→PUBREL', '←PUBCOMP',
      '→DISCONNECT',
    ]);
    expect(phone!.filter((l) => l.startsWith('←PUBLISH'))).toEqual([0, 1, 2].map((q) => `←PUBLISH q${q} d0 r0 'home/livingroom/temp'`));
  });

  it('puback-dropped: no PUBACK and no resend on the first connection; DUP=1 and PUBACK on the second', () => {
    const [, first, second] = captureShape(committed('puback-dropped'));
    expect(first).toEqual(['→CONNECT id=sensor clean=false', '←CONNACK', "→PUBLISH q1 d0 r0 'home/door'"]);
    expect(second).toEqual(['→CONNECT id=sensor clean=false', '←CONNACK', "→PUBLISH q1 d1 r0 'home/door'", '←PUBACK', '→DISCONNECT']);
  });

  it('will-after-sever: patient never sends DISCONNECT; nurse receives the will', () => {
    const [nurse, patient] = captureShape(committed('will-after-sever'));
    expect(patient!.some((l) => l.startsWith('→DISCONNECT'))).toBe(false);
    expect(nurse).toContain("←PUBLISH q1 d0 r0 'care/patient/status'");
  });
});

describe.skipIf(missing('tshark') !== undefined)('tshark finds the same MQTT packets', () => {
  it.each(SCENARIOS.map((s) => s.name))('%s', async (name) => {
    const rows = await fields(capturePath(name), FILE_BROKER_PORT, ['frame.number', 'mqtt.msgtype'], 'mqtt');
    const theirs = rows.flatMap(([frame, types]) => (types ?? '').split(',').map((t) => `${frame}:${t}`));
    const ours = readCaptureRecords(committed(name), [FILE_BROKER_PORT]).map((r) => `${r.frame}:${r.record.decoded.typeCode}`);
    expect(ours).toEqual(theirs);
  });
});

describe('a fresh recording has the committed shape', () => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, s) => {
    expect(captureShape(await record(s))).toEqual(captureShape(committed(s.name)));
  });
});
