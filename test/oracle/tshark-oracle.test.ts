// The tshark oracle: for every MQTT packet Wireshark decodes, every field it shows must be in our tree
// with the same filter name, offset and length. Two sources:
//   - the committed sample (fixtures/, no tools needed): fast, for working on the dissector;
//   - a fresh capture of real clients against mosquitto (needs root, tshark, mosquitto, paho);
//     set ORACLE_LIVE=0 to skip it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dissect } from '../../src/core/dissect/index.js';
import { missing } from '../peers/have.js';
import { killAll } from '../peers/run.js';
import { pdml } from '../peers/tshark.js';
import { compareAll, formatReport, type OraclePdu } from './compare.js';
import { fromSampleLine, readSample, SAMPLE_PCAP, toSampleLines } from './fixture.js';
import { mqttFrames } from './pdml.js';
import { captureScenarios } from './scenarios.js';

describe('tshark oracle: committed sample', () => {
  const { meta, lines } = readSample();

  it('matches every tshark field of every packet', () => {
    const report = compareAll(lines.map(fromSampleLine), dissect);
    const summary = formatReport(report, 'sample');
    console.log(summary);
    expect(report.packets).toBe(meta.packets);
    expect(report.mismatches.length, summary).toBe(0);
    expect(report.matched, summary).toBe(report.total);
  });

  const noTshark = missing('tshark');
  it.skipIf(noTshark !== undefined)(`sample.mqtt.jsonl is tshark's reading of sample.pcapng${noTshark ? ` (skipped: ${noTshark})` : ''}`, async () => {
    const fresh = toSampleLines(mqttFrames(await pdml(SAMPLE_PCAP, meta.port), meta.port));
    // Field `show` is cut in the fixture; compare what the oracle uses.
    const shape = (l: (typeof lines)[number]): unknown => [l.frame, l.index, l.type, l.size, l.bytes, l.fields.map((f) => f.slice(0, 3))];
    expect(fresh.map(shape)).toEqual(lines.map(shape));
  }, 60_000);
});

const skipLive =
  process.env.ORACLE_LIVE === '0'
    ? 'ORACLE_LIVE=0'
    : missing('capture', 'mosquitto', 'mosquitto_pub', 'mosquitto_sub', 'mosquitto_passwd', 'paho');

describe.skipIf(skipLive !== undefined)(`tshark oracle: live capture${skipLive ? ` (skipped: ${skipLive})` : ''}`, () => {
  let dir = '';
  let pdus: OraclePdu[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mqtt-lab-oracle-'));
    const cap = await captureScenarios({ file: join(dir, 'live.pcapng') });
    console.log(`live capture: ${cap.ms} ms, broker port ${cap.port}`);
    pdus = mqttFrames(await pdml(cap.file, cap.port), cap.port).flatMap((f) => f.pdus);
  }, 120_000);

  afterAll(async () => {
    await killAll();
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('captured every kind of packet', () => {
    const types = new Set(pdus.map((p) => p.msgtype));
    expect([...types].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
  });

  it('matches every tshark field of every packet', () => {
    const report = compareAll(pdus, dissect);
    const summary = formatReport(report, 'live');
    console.log(summary);
    expect(report.mismatches.length, summary).toBe(0);
    expect(report.matched, summary).toBe(report.total);
  });
});
