// The fault stage on its own: what happens to one packet, from its facts, the rules and step mode. No
// sockets; the packets are real ones (mqtt-packet writes them) read by packet-facts.ts.
import { generate } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { dissect } from '../../src/core/dissect/index.js';
import { FaultRules } from '../../src/core/tap/fault-rules.js';
import { FaultStage, releasedFault } from '../../src/core/tap/fault-stage.js';
import { packetFacts } from '../../src/core/tap/packet-facts.js';

const PUB = (topic: string, qos: 0 | 1 = 0): Uint8Array =>
  generate({ cmd: 'publish', topic, payload: Buffer.from('x'), qos, messageId: qos === 0 ? undefined : 5, dup: false, retain: false });
const PINGREQ = generate({ cmd: 'pingreq' });

function stage() {
  const rules = new FaultRules();
  return { rules, stage: new FaultStage(rules) };
}
const judge = (s: FaultStage, bytes: Uint8Array, dir: 'toBroker' | 'toClient' = 'toBroker', clientId = 'c1') =>
  s.judge(dir, clientId, bytes, packetFacts(bytes, 4)!, 4);

describe('fault stage', () => {
  it('inactive without rules or step mode; then every packet goes on untouched', () => {
    const { rules, stage: s } = stage();
    expect(s.active).toBe(false);
    rules.add({ match: { type: 'SUBSCRIBE' }, action: 'drop' });
    expect(s.active).toBe(true);
    const pub = PUB('a');
    expect(judge(s, pub)).toEqual({ act: 'forward', bytes: pub });
  });

  it('drop, sever, hold and delay by the first matching rule, with its id; delay keeps its ms', () => {
    const { rules, stage: s } = stage();
    rules.add({ id: 'd', match: { topic: 'drop/#' }, action: 'drop' });
    rules.add({ id: 's', match: { clientId: 'cutme' }, action: 'sever' });
    rules.add({ id: 'h', match: { type: 'publish', qos: 1 }, action: 'hold' });
    rules.add({ id: 'w', match: { direction: 'toClient' }, action: 'delay', ms: 250 });
    expect(judge(s, PUB('drop/x'))).toEqual({ act: 'drop', fault: { action: 'drop', ruleId: 'd' } });
    expect(judge(s, PUB('a'), 'toBroker', 'cutme')).toEqual({ act: 'sever', fault: { action: 'sever', ruleId: 's' } });
    expect(judge(s, PUB('a', 1))).toEqual({ act: 'wait', fault: { action: 'hold', ruleId: 'h' } });
    expect(judge(s, PUB('a'), 'toClient')).toEqual({ act: 'wait', fault: { action: 'delay', ruleId: 'w', ms: 250 }, ms: 250 });
    expect(judge(s, PUB('a')).act).toBe('forward');
  });

  it('corrupt builds the tree only to change the named field; the record gets the changed packet\'s tree', () => {
    const { rules, stage: s } = stage();
    rules.add({ id: 'c', match: { type: 'PUBLISH' }, action: 'corrupt', field: 'mqtt.topic' });
    const pub = PUB('ab');
    const v = judge(s, pub);
    if (v.act !== 'forward') throw new Error(v.act);
    expect(v.fault).toEqual({ action: 'corrupt', ruleId: 'c', field: 'mqtt.topic' });
    expect(Buffer.from(v.bytes)).not.toEqual(Buffer.from(pub));
    expect(v.bytes.length).toBe(pub.length);
    expect(v.decoded).toEqual(dissect(v.bytes, { version: 4 }));
    expect(v.decoded!.issues.some((i) => i.severity === 'error')).toBe(true);
  });

  it('corrupt naming an absent field: forwarded untouched, the record says why', () => {
    const { rules, stage: s } = stage();
    rules.add({ id: 'c', match: {}, action: 'corrupt', field: 'mqtt.msgid' });
    const pub = PUB('ab');
    const v = judge(s, pub);
    expect(v).toMatchObject({ act: 'forward', bytes: pub, fault: { action: 'corrupt', ruleId: 'c', field: 'mqtt.msgid', note: 'this PUBLISH has no field mqtt.msgid' } });
  });

  it('step mode: every packet waits, pings pass unless asked; rules act first', () => {
    const { rules, stage: s } = stage();
    s.setStep(true, false);
    expect(s.stepping).toBe(true);
    expect(judge(s, PUB('a'))).toEqual({ act: 'wait', fault: { action: 'step' } });
    expect(judge(s, PINGREQ)).toEqual({ act: 'forward', bytes: PINGREQ });
    s.setStep(true, true);
    expect(judge(s, PINGREQ)).toEqual({ act: 'wait', fault: { action: 'step' } });
    rules.add({ id: 'd', match: { type: 'PUBLISH' }, action: 'drop' });
    expect(judge(s, PUB('a')).act).toBe('drop');
    s.setStep(false, false);
    expect(judge(s, PINGREQ).act).toBe('forward');
  });

  it('nth and times count only matching packets', () => {
    const { rules, stage: s } = stage();
    rules.add({ id: 'n', match: { type: 'PUBLISH', nth: 2 }, action: 'drop', times: 1 });
    expect([judge(s, PUB('a')).act, judge(s, PINGREQ).act, judge(s, PUB('a')).act, judge(s, PUB('a')).act]).toEqual(['forward', 'forward', 'drop', 'forward']);
    expect(rules.size).toBe(0);
  });

  it('a released packet\'s fault says how long it waited; a delay keeps its rule\'s ms', () => {
    expect(releasedFault({ action: 'hold', ruleId: 'h' }, 1000, 3400.4)).toEqual({ action: 'hold', ruleId: 'h', released: true, ms: 2400 });
    expect(releasedFault({ action: 'step' }, 0, 12)).toEqual({ action: 'step', released: true, ms: 12 });
    expect(releasedFault({ action: 'delay', ms: 300 }, 0, 300)).toBeNull();
  });
});
