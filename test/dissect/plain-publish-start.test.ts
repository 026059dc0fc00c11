// A capture store that cut a plain PUBLISH to its first 4 kB reads its line and info again from those bytes
// and its true length (plainPublishStart): they must be exactly what plainPacket and the tree said of the
// whole packet, and nothing is claimed when the kept bytes stop before the payload.
import * as mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { dissect } from '../../src/core/dissect/index.js';
import { plainPacket, plainPublishStart } from '../../src/core/dissect/plain-packet.js';
import type { MqttVersion } from '../../src/shared/packet.js';
import { Prng } from './support/prng.js';

const gen = (p: Record<string, unknown>, v: MqttVersion): Uint8Array =>
  new Uint8Array(mqttPacket.generate(p as unknown as mqttPacket.Packet, { protocolVersion: v }));

describe('plainPublishStart', () => {
  it('gives the whole packet\'s facts from its first bytes, for 300 random plain PUBLISHes of every version', () => {
    const rng = new Prng(1212);
    for (let i = 0; i < 300; i++) {
      const version = ([3, 4, 5] as const)[rng.int(0, 2)]!;
      const qos = rng.int(0, 2);
      const topic = `t/${'x'.repeat(rng.int(0, 300))}/${i}`;
      const payload = Buffer.alloc(rng.int(4000, 70_000), rng.int(0, 255));
      const whole = gen({ cmd: 'publish', topic, payload, qos, messageId: qos === 0 ? undefined : rng.int(1, 65535), dup: qos > 0 && rng.int(0, 1) === 1, retain: rng.int(0, 1) === 1 }, version);
      const full = plainPacket(whole, version);
      expect(full, `packet ${i}`).not.toBeNull();
      const kept = whole.subarray(0, Math.min(whole.length, 4096));
      const start = plainPublishStart(kept, version, whole.length)!;
      expect(start, `packet ${i}`).not.toBeNull();
      expect(JSON.stringify(start)).toBe(JSON.stringify(full));
      const tree = dissect(whole, { version });
      expect(start.summary).toBe(tree.summary);
      expect(start.info).toEqual(tree.info);
    }
  });

  it('says nothing when the bytes kept end inside the topic, or the length given is not the packet\'s', () => {
    const whole = gen({ cmd: 'publish', topic: `long/${'y'.repeat(5000)}`, payload: Buffer.alloc(100), qos: 0, dup: false, retain: false }, 4);
    expect(plainPacket(whole, 4)).not.toBeNull();
    expect(plainPublishStart(whole.subarray(0, 4096), 4, whole.length)).toBeNull();
    const short = gen({ cmd: 'publish', topic: 'a', payload: Buffer.alloc(5000), qos: 1, messageId: 5, dup: false, retain: false }, 4);
    expect(plainPublishStart(short.subarray(0, 4096), 4, short.length + 1)).toBeNull();
    expect(plainPublishStart(short.subarray(0, 3), 4, short.length)).toBeNull();
    // Not a PUBLISH.
    expect(plainPublishStart(new Uint8Array([0x40, 0x02, 0x00, 0x05]), 4, 4)).toBeNull();
  });
});
