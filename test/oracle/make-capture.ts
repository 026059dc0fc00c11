// Regenerates the committed oracle fixtures:  npx tsx test/oracle/make-capture.ts [--out DIR]
// (`--reference-only` only re-renders tshark-fields.md from the committed sample.)
//
//   fixtures/sample.pcapng       the capture (mosquitto + every scenario in scenarios.ts)
//   fixtures/sample.mqtt.jsonl   tshark's reading of it: one MQTT packet per line, bytes and fields
//   fixtures/sample.meta.json    broker port, tshark version, field counts
//   fixtures/tshark-fields.md    per packet type and version, the fields tshark shows, with offsets
//
// Needs root (or capture rights on lo), tshark, mosquitto, mosquitto-clients and python3-paho-mqtt.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { missing } from '../peers/have.js';
import { killAll, runOk } from '../peers/run.js';
import { pdml, tsharkBinary } from '../peers/tshark.js';
import { FIXTURES, readSample, toSampleLines, type SampleMeta } from './fixture.js';
import { fieldsReference } from './fields-reference.js';
import { descendants, mqttFrames, type PdmlPacket } from './pdml.js';
import { captureScenarios } from './scenarios.js';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { out: { type: 'string', default: FIXTURES }, 'reference-only': { type: 'boolean', default: false } },
  });
  const out = values.out!;
  if (values['reference-only'] === true) {
    // Re-render tshark-fields.md from the committed sample, without capturing again.
    const { meta, lines } = readSample();
    await writeFile(join(out, 'tshark-fields.md'), fieldsReference(lines, meta));
    return 0;
  }
  const why = missing('capture', 'mosquitto', 'mosquitto_pub', 'mosquitto_sub', 'mosquitto_passwd', 'paho');
  if (why !== undefined) {
    console.error(`cannot make the capture: ${why}`);
    return 2;
  }
  await mkdir(out, { recursive: true });
  const file = join(out, 'sample.pcapng');
  console.log(`capturing to ${file}`);
  const cap = await captureScenarios({ file, verbose: true });
  await chmod(file, 0o644); // tshark running as root writes 0600
  console.log(`capture took ${cap.ms} ms (broker port ${cap.port})`);

  const packets = await pdml(file, cap.port);
  problems(packets);
  const frames = mqttFrames(packets, cap.port);
  const lines = toSampleLines(frames);
  const counts: Record<string, number> = {};
  for (const l of lines) for (const [name] of l.fields) counts[name] = (counts[name] ?? 0) + 1;
  const version = (await runOk(tsharkBinary(), ['--version'], { timeoutMs: 10_000 })).stdout.split('\n')[0]!.trim();
  const meta: SampleMeta = {
    port: cap.port,
    tshark: version,
    captureMs: cap.ms,
    packets: lines.length,
    fields: Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b))),
  };
  await writeFile(join(out, 'sample.mqtt.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  await writeFile(join(out, 'sample.meta.json'), JSON.stringify(meta, null, 2) + '\n');
  await writeFile(join(out, 'tshark-fields.md'), fieldsReference(lines, meta));
  console.log(`${lines.length} MQTT packets in ${frames.length} frames; ${Object.keys(counts).length} distinct fields`);
  return 0;
}

/** Refuse to write fixtures from a capture tshark itself could not read cleanly. */
function problems(packets: PdmlPacket[]): void {
  const flagged = ['_ws.malformed', 'mqtt.unknown_version', 'mqtt.illegal_topic_length', 'mqtt.unknown_topic_alias'];
  const bad: string[] = [];
  packets.forEach((p, i) => {
    for (const proto of p.protos) {
      for (const n of [proto, ...descendants(proto)]) if (flagged.includes(n.name)) bad.push(`frame ${i + 1}: ${n.name}`);
    }
  });
  if (bad.length > 0) throw new Error(`tshark reported problems in the capture:\n${bad.join('\n')}`);
}

main()
  .then((code) => (process.exitCode = code))
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => killAll());
