// The relay's cheap facts must say what the dissector says: for random valid packets of every type and
// version (mqtt-packet writes them), every fact read equals the dissector's; unusual bytes get no facts,
// and factsOf then takes them from the dissector's tree.
import * as mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { dissect } from '../../src/core/dissect/index.js';
import { findField } from '../../src/core/dissect/tree.js';
import { factsOf, packetFacts } from '../../src/core/tap/packet-facts.js';
import { Prng, seedFromEnv } from '../dissect/support/prng.js';
import { randomPacket } from '../dissect/support/random-packets.js';

describe('packet facts agree with the dissector', () => {
  it('on 3000 random valid packets of every type and version', () => {
    const rng = new Prng(seedFromEnv(1111));
    const kinds = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const { version, packet } = randomPacket(rng);
      const bytes = mqttPacket.generate(packet as unknown as mqttPacket.Packet, { protocolVersion: version });
      const d = dissect(bytes, { version });
      expect(d.issues.filter((x) => x.severity === 'error'), `${packet.cmd} v${version}`).toEqual([]);
      const f = packetFacts(bytes, version);
      if (f === null) throw new Error(`no facts for a valid ${packet.cmd} v${version} (seed ${rng.seed})`);
      kinds.add(`${f.type}/${version}`);
      expect([f.typeCode, f.type, f.version]).toEqual([d.typeCode, d.type, d.version]);
      for (const [k, v] of Object.entries(f.info)) expect(v, `${packet.cmd} v${version} info.${k}`).toEqual(d.info[k as keyof typeof d.info]);
      if (f.sessionPresent !== undefined) expect(f.sessionPresent).toBe(findField(d.fields, 'mqtt.conack.flags.sp')?.value === true);
      expect(f.body).toBe(d.fields[0]!.length);
    }
    // Every kind that carries facts was met, in every version.
    for (const t of ['CONNECT', 'CONNACK', 'PUBLISH', 'SUBSCRIBE', 'UNSUBSCRIBE']) for (const v of [3, 4, 5]) expect(kinds.has(`${t}/${v}`), `${t}/${v}`).toBe(true);
  });

  it('reads exactly what rules match on', () => {
    const pub = mqttPacket.generate({ cmd: 'publish', topic: 'home/+x', payload: Buffer.from('hi'), qos: 1, messageId: 7, dup: true, retain: true });
    expect(packetFacts(pub, 4)?.info).toEqual({ qos: 1, dup: true, retain: true, topic: 'home/+x' });
    const sub = mqttPacket.generate({ cmd: 'subscribe', messageId: 3, subscriptions: [{ topic: 'a/#', qos: 0 }, { topic: 'b', qos: 2 }] });
    expect(packetFacts(sub, 4)?.info).toEqual({ topics: ['a/#', 'b'], qos: 2 });
  });

  const irregular: Array<[string, Uint8Array]> = [
    ['PUBLISH with QoS 3', new Uint8Array([0x36, 0x05, 0x00, 0x01, 0x74, 0x00, 0x01])],
    ['topic length past the end', new Uint8Array([0x30, 0x04, 0x00, 0x09, 0x61, 0x62])],
    ['remaining length shorter than the bytes', new Uint8Array([0x30, 0x02, 0x00, 0x01, 0x61])],
    ['SUBSCRIBE without a topic', new Uint8Array([0x82, 0x02, 0x00, 0x01])],
    ['SUBSCRIBE asking QoS 3', new Uint8Array([0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 0x74, 0x03])],
    ['a TLS ClientHello', new Uint8Array([0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00])],
    ['CONNECT cut before its client id', new Uint8Array([0x10, 0x0a, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3c])],
  ];
  it.each(irregular)('%s: no facts; factsOf takes the dissector\'s', (_n, bytes) => {
    expect(packetFacts(bytes, 4)).toBeNull();
    const { facts, decoded } = factsOf(bytes, 4);
    const d = dissect(bytes, { version: 4 });
    expect(decoded).toEqual(d);
    expect([facts.type, facts.info]).toEqual([d.type, d.info]);
  });
});
