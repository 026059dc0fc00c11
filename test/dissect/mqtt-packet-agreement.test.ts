// 10,000 random valid packets, written by mqtt-packet's generate, read back by our dissector and by
// mqtt-packet's parser: both must find the same values, and our tree must carry no error.
// Replay a failure with SEED=<printed seed>; explore with SEED=random.
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { dissect } from '../../src/core/dissect/index.js';
import type { MqttVersion } from '../../src/shared/packet.js';
import { fromMqttPacket, fromTree, type Plain } from './support/normalize.js';
import { Prng, seedFromEnv } from './support/prng.js';
import { randomPacket } from './support/random-packets.js';
import { treeProblems, uncoveredBytes } from './support/tree.js';

const COUNT = 10_000;
const SEED = seedFromEnv(0x5eed_2024);

function parseWithMqttPacket(buf: Buffer, version: MqttVersion): Plain {
  const parser = mqttPacket.parser({ protocolVersion: version });
  const packets: Plain[] = [];
  const errors: string[] = [];
  parser.on('packet', (p) => packets.push(p as unknown as Plain));
  parser.on('error', (e: Error) => errors.push(e.message));
  parser.parse(buf);
  if (errors.length > 0 || packets.length !== 1) throw new Error(`mqtt-packet could not parse it: ${errors.join('; ') || `${packets.length} packets`}`);
  return packets[0]!;
}

describe('agreement with mqtt-packet', () => {
  it(`decodes ${COUNT} random valid packets to the same values as mqtt-packet (seed ${SEED})`, () => {
    const rng = new Prng(SEED);
    const seen = new Map<string, number>();
    let bigPayloads = 0;
    for (let i = 0; i < COUNT; i++) {
      const { version, packet } = randomPacket(rng);
      const buf = mqttPacket.generate(packet as unknown as mqttPacket.Packet, { protocolVersion: version });
      const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
      const where = `seed ${SEED}, packet #${i} (${packet.cmd}, version ${version}): ${buf.subarray(0, 400).toString('hex')}${buf.length > 400 ? '…' : ''}`;

      const d = dissect(bytes, { version });
      const errors = d.issues.filter((x) => x.severity === 'error');
      expect(errors, where).toEqual([]);
      expect(treeProblems(bytes, d), where).toEqual([]);
      expect(uncoveredBytes(bytes, d), where).toEqual([]);
      expect(d.length, where).toBe(buf.length);

      const ours = fromTree(d, bytes);
      const theirs = fromMqttPacket(parseWithMqttPacket(buf, version), version);
      expect(ours, where).toEqual(theirs);
      expectInfoAgrees(d.info, theirs, where);

      const key = `${packet.cmd} v${version}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      if (packet.cmd === 'publish' && (packet['payload'] as Buffer).length > 16_384) bigPayloads++;
    }
    console.log(`mqtt-packet agreement: ${COUNT} packets, seed ${SEED}, ${bigPayloads} payloads over 16 KiB; ` +
      [...seen].sort().map(([k, n]) => `${k}: ${n}`).join(', '));
    // Every type in every version mqtt-packet writes, AUTH only in 5.0.
    expect(seen.size).toBe(14 * 3 + 1);
    expect(bigPayloads).toBeGreaterThan(0);
  });
});

/** The convenience values lifted out of the tree must match the tree's own values. */
function expectInfoAgrees(info: ReturnType<typeof dissect>['info'], p: Plain, where: string): void {
  if (p['messageId'] !== undefined) expect(info.packetId, where).toBe(p['messageId']);
  if (p['cmd'] === 'publish') {
    expect([info.topic, info.qos, info.dup, info.retain, info.payloadLength], where)
      .toEqual([p['topic'], p['qos'], p['dup'], p['retain'], (p['payload'] as string).length / 2]);
  }
  if (p['cmd'] === 'connect') {
    expect([info.clientId, info.keepalive, info.cleanStart, info.protocolVersion], where)
      .toEqual([p['clientId'], p['keepalive'], p['clean'], p['protocolVersion']]);
  }
  if (p['cmd'] === 'subscribe') expect(info.topics, where).toEqual((p['subscriptions'] as Plain[]).map((s) => s['topic']));
  if (p['cmd'] === 'unsubscribe') expect(info.topics, where).toEqual(p['unsubscriptions']);
}
