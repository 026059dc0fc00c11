// Records lessons/captures/*.pcapng from the scenarios, each on a fresh real Lab. Run it to re-record:
//   npx tsx test/captures/record.ts [name…]
// The test (captures.test.ts) records into memory and compares shapes; it never overwrites the files.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLab } from '../../src/core/lab/index.js';
import { SCENARIOS, type Scenario } from './scenarios.js';

export const CAPTURES_DIR = fileURLToPath(new URL('../../lessons/captures/', import.meta.url));

/** The port the files name for the broker: the one Wireshark and the viewer take for MQTT without being told. */
export const FILE_BROKER_PORT = 1883;

export async function record(s: Scenario): Promise<Uint8Array> {
  const lab = await createLab({ port: 0, lessonDirs: [] });
  try {
    await s.run(lab);
    const { pcapng } = await lab.api.call('capture.save', { brokerPort: FILE_BROKER_PORT });
    return new Uint8Array(Buffer.from(pcapng, 'base64'));
  } finally {
    await lab.stop();
  }
}

export function capturePath(name: string): string {
  return `${CAPTURES_DIR}${name}.pcapng`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const wanted = process.argv.slice(2);
  for (const s of SCENARIOS.filter((x) => wanted.length === 0 || wanted.includes(x.name))) {
    writeFileSync(capturePath(s.name), await record(s));
    console.log(`${capturePath(s.name)}: ${s.about}`);
  }
}
