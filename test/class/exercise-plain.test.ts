// A class exercise is judged from a plain PUBLISH's bytes when nobody has built its tree (issue 12: every
// PUBLISH of a class is checked); the verdict must be the one its tree gives, for every exercise rule.
import * as mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { completes } from '../../src/core/class/exercise-match.js';
import { dissect } from '../../src/core/dissect/index.js';
import { lazyRecord } from '../../src/core/tap/lazy-record.js';
import type { Exercise } from '../../src/shared/exercise.js';
import type { PacketRecord, RecordFinding } from '../../src/shared/lab.js';
import type { MqttVersion } from '../../src/shared/packet.js';
import { Prng, seedFromEnv } from '../dissect/support/prng.js';

const exercise = (e: Partial<Exercise>): Exercise =>
  ({ at: { file: 'x.md', line: 1 }, id: 'e', title: 'e', kind: 'publish', topic: 'class/{client}/temp', ...e }) as Exercise;

describe('exercise verdicts from bytes equal those from the tree', () => {
  it('on random PUBLISHes against every rule', () => {
    const rng = new Prng(seedFromEnv(77));
    const exercises = [
      exercise({}), exercise({ qos: 1 }), exercise({ retain: true }), exercise({ payload: 'number' }),
      exercise({ payload: 'json' }), exercise({ topic: 'class/all' }), exercise({ qos: 0, payload: 'number', retain: false }),
    ];
    const payloads = ['21.5', '{"t": 21}', '{"t": "x"}', 'hello', '', '\u0000', 'NaN', '[1]', Buffer.from([0xff, 0xfe])];
    let plainSeen = 0;
    for (let i = 0; i < 600; i++) {
      const version = rng.pick([3, 4, 5] as const) as MqttVersion;
      const qos = rng.int(0, 2);
      const topic = rng.pick(['class/s1/temp', 'class/s2/temp', 'class/all', 'class/s1/temp/x', 'class/+/temp']);
      const bytes = new Uint8Array(mqttPacket.generate({ cmd: 'publish', topic, payload: rng.pick(payloads), qos, messageId: qos ? rng.int(1, 9) : undefined,
        retain: rng.bool(), dup: false } as unknown as mqttPacket.Packet, { protocolVersion: version }));
      const findings: RecordFinding[] | undefined = rng.bool(0.1) ? [{ severity: 'error', message: 'after DISCONNECT', filter: 'mqtt.hdrflags', offset: 0 }] : undefined;
      const base = { seq: i + 1, time: 1, connId: 1, direction: 'toBroker' as const, bytes, ...(findings ? { findings } : {}) };
      for (const ex of exercises) {
        const lazy = lazyRecord({ ...base }, version) as PacketRecord;
        const built = { ...base, decoded: dissect(bytes, { version }) } as PacketRecord;
        expect(completes(ex, lazy, 's1'), `${JSON.stringify(ex)} ${topic} v${version}`).toBe(completes(ex, built, 's1'));
        if (Object.getOwnPropertyDescriptor(lazy, 'decoded')?.get !== undefined) plainSeen++;
      }
    }
    // Most verdicts were reached without a tree.
    expect(plainSeen).toBeGreaterThan(600 * 7 * 0.7);
  });
});

describe('the topic read from the bytes first', () => {
  const ex = exercise({});
  const publish = (topic: string, version: MqttVersion = 4): Uint8Array =>
    new Uint8Array(mqttPacket.generate({ cmd: 'publish', topic, payload: '21.5', qos: 0, retain: false, dup: false } as unknown as mqttPacket.Packet, { protocolVersion: version }));
  const verdicts = (bytes: Uint8Array, clientId: string, version: MqttVersion = 4): [boolean, boolean] => {
    const base = { seq: 1, time: 1, connId: 1, direction: 'toBroker' as const, bytes };
    return [completes(ex, lazyRecord({ ...base }, version) as PacketRecord, clientId), completes(ex, { ...base, decoded: dissect(bytes, { version }) } as PacketRecord, clientId)];
  };

  it('tells a topic of the same length apart, and finds a client id in any script', () => {
    expect(verdicts(publish('class/s1/temp'), 's1')).toEqual([true, true]);
    expect(verdicts(publish('class/s2/temp'), 's1')).toEqual([false, false]);
    expect(verdicts(publish('class/s1/tamp'), 's1')).toEqual([false, false]);
    expect(verdicts(publish('class/étudiant-7/temp'), 'étudiant-7')).toEqual([true, true]);
    expect(verdicts(publish('class/etudiant-7/temp'), 'étudiant-7')).toEqual([false, false]);
    expect(verdicts(publish('class/s1/temp', 5), 's1', 5)).toEqual([true, true]);
  });

  it('reads past a Remaining Length written longer than it needs to be, as the tree does', () => {
    // 3.1.1 only warns of a Remaining Length in more bytes than needed: the packet still counts.
    const short = publish('class/s1/temp');
    const long = new Uint8Array(short.length + 2);
    long[0] = short[0]!;
    long.set([0x80 | short[1]!, 0x80, 0x00], 1);
    long.set(short.subarray(2), 4);
    const tree = dissect(long, { version: 4 });
    expect(tree.issues.some((i) => i.severity === 'error')).toBe(false);
    expect(verdicts(long, 's1')).toEqual([true, true]);
    expect(verdicts(long, 's2')).toEqual([false, false]);
  });
});
