// Valid packets of every type and version to mutate: the hand-written fixtures plus packets written by
// mqtt-packet from random objects (kept under 2 KiB so that mutating them stays cheap).
import mqttPacket from 'mqtt-packet';
import type { MqttVersion } from '../../../src/shared/packet.js';
import { ALL_FIXTURES } from '../fixtures/index.js';
import { Prng } from './prng.js';
import { randomPacket } from './random-packets.js';

export interface CorpusEntry { version: MqttVersion; bytes: Uint8Array; name: string }

export function validCorpus(seed: number, generated = 300): CorpusEntry[] {
  const out: CorpusEntry[] = ALL_FIXTURES
    .filter((f) => f.bytes.length < 2048)
    .map((f) => ({ version: f.version, bytes: Uint8Array.from(f.bytes), name: f.name }));
  const rng = new Prng(seed);
  while (out.length < ALL_FIXTURES.length + generated) {
    const { version, packet } = randomPacket(rng);
    const buf = mqttPacket.generate(packet as unknown as mqttPacket.Packet, { protocolVersion: version });
    if (buf.length >= 2048) continue;
    out.push({ version, bytes: new Uint8Array(buf), name: `${packet.cmd} v${version}` });
  }
  return out;
}
