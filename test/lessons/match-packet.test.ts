// Matching captured packets against a lesson's expectations, and the words for a near miss.
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { dissect } from '../../src/core/dissect/index.js';
import { describePacket, packetMismatch, type Identities } from '../../src/core/lessons/match-packet.js';
import type { PacketMatch } from '../../src/shared/lesson.js';
import type { WirePacket } from '../../src/shared/api.js';

const bytes = mqttPacket.generate({ cmd: 'publish', topic: 'home/temp', payload: Buffer.from('21.5'), qos: 1, messageId: 7, dup: true, retain: false });
const publish: WirePacket = { seq: 12, time: 0, connId: 3, clientId: 'sensor-1', direction: 'toBroker', bytes: bytes.toString('hex'), decoded: dissect(bytes) };
const ids: Identities = { mqttId: (c) => (c === 'sensor' ? 'sensor-1' : c), clientIdOf: (p) => p.clientId };
const m = (x: Partial<PacketMatch>): PacketMatch => ({ fields: [], ...x });

describe('packetMismatch', () => {
  it('matches on every criterion given, a lesson id standing for its MQTT client id', () => {
    expect(packetMismatch(m({ type: 'PUBLISH', from: 'sensor', qos: 1, dup: true, retain: false, topic: 'home/#', direction: 'toBroker' }), publish, ids)).toBeNull();
  });

  it('compares field values as a lecturer writes them', () => {
    const fields = [
      { filter: 'mqtt.msgid', value: 7 },
      { filter: 'mqtt.msgid', value: '7' },
      { filter: 'mqtt.dupflag', value: true },
      { filter: 'mqtt.dupflag', value: 1 },
      { filter: 'mqtt.topic', value: 'home/temp' },
      { filter: 'mqtt.msg', value: '21.5' },
    ];
    for (const f of fields) expect(packetMismatch(m({ fields: [f] }), publish, ids), JSON.stringify(f)).toBeNull();
  });

  it.each([
    [{ type: 'PUBACK' }, 'was PUBLISH'],
    [{ to: 'sensor' }, 'was not to sensor'],
    [{ from: 'display' }, 'was not from display'],
    [{ qos: 2 }, 'had qos 1'],
    [{ dup: false }, 'had dup 1'],
    [{ retain: true }, 'had retain 0'],
    [{ topic: 'garden/+' }, "had topic 'home/temp'"],
    [{ fault: 'drop' }, 'passed the tap untouched'],
    [{ fields: [{ filter: 'mqtt.msgid', value: 8 }] }, 'had mqtt.msgid = 7'],
    [{ fields: [{ filter: 'mqtt.willtopic', value: 'x' }] }, 'had no mqtt.willtopic'],
  ] as Array<[Partial<PacketMatch>, string]>)('%j → %s', (match, why) => {
    expect(packetMismatch(m(match), publish, ids)).toBe(why);
  });
});

describe('describePacket', () => {
  it('says what is expected in words', () => {
    expect(describePacket(m({ type: 'PUBACK', to: 'sensor' }))).toBe('PUBACK to sensor');
    expect(describePacket(m({ type: 'PUBLISH', from: 'sensor', qos: 1, dup: true, fault: 'drop' }))).toBe('PUBLISH from sensor with qos 1, dup 1, dropped by the tap');
    expect(describePacket(m({ fields: [{ filter: 'mqtt.kalive', value: 60 }] }))).toBe('a packet with mqtt.kalive = 60');
  });
});
