// The embedded broker as the Lab runs it (aedes on an in-process stream behind the tap, with the lab's
// corrections): a publisher that kept a session without subscriptions is told so on reconnect
// [MQTT-3.2.2-2], and the tap leaves that CONNACK unmarked.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/core/lab/index.js';
import { parseLesson, runLesson } from '../../src/core/lessons/index.js';

let lab: Lab;
beforeAll(async () => {
  lab = await createLab({ broker: 'aedes', port: 0 });
});
afterAll(async () => {
  await lab?.stop();
});

it('answers session present 1 to a publisher whose session was kept', async () => {
  const text = [
    '---', 'title: t', '---', '', '```step', 'do:', '  - client: { id: s, clean: false }', '  - connect: s', '  - disconnect: s', '  - reconnect: s',
    'expect:', '  - packet: { type: CONNACK, to: s, fields: { mqtt.conack.flags.sp: 1 } }', '```', '',
  ].join('\n');
  const { lesson } = parseLesson(text, 't.md');
  const r = await runLesson(lab.api, lesson!);
  expect(r.passed).toBe(true);
  const acks = (await lab.api.call('packets.query', { type: 'CONNACK' })).filter((p) => p.seq > r.steps[0]!.afterSeq);
  expect(acks.map((p) => p.summary).slice(0, 2)).toEqual(['CONNACK (sp0, rc0 Connection Accepted)', 'CONNACK (sp1, rc0 Connection Accepted)']);
  expect(acks.map((p) => p.issues ?? 0)).toEqual(acks.map(() => 0));
});
