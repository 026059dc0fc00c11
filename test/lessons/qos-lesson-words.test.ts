// The QoS lesson's step 6 (issue 17 item 6) asks how often the display has received "22.0" and answers
// "Twice", while its check counts one copy: the check counts the step's own messages. The words must say
// so, and the real run (mqtt.js clients, the tap dropping a PUBACK, aedes) must show both numbers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_LESSONS, createLab, type Lab } from '../../src/core/lab/index.js';
import { expectationLabel, LessonRunner, parseLesson, type LessonResult } from '../../src/core/lessons/index.js';

const file = join(BUILT_IN_LESSONS, '07-qos.md');
const { lesson } = parseLesson(readFileSync(file, 'utf8'), file);
const step6 = lesson!.steps[5]!;

let lab: Lab;
let result: LessonResult;
let received: string[];
beforeAll(async () => {
  lab = await createLab({ broker: 'aedes', port: 0 });
  const runner = new LessonRunner(lab.api, lesson!);
  result = await runner.runAll();
  // Before close() takes the lesson's clients away with their messages.
  received = (await lab.api.call('clients.messages', { id: 'display' })).map((m) => m.text ?? '');
  await runner.close();
}, 60_000);
afterAll(() => lab?.stop());

describe('the QoS lesson, step 6', () => {
  it('passes on the real broker', () => {
    expect(step6.title).toMatch(/DUP=1/);
    expect(result.steps[5]?.passed, JSON.stringify(result.steps[5])).toBe(true);
  });

  it('says its count is of this step, and its answer is the total the display really received', () => {
    const check = step6.expectations.find((e) => e.kind === 'received')!;
    expect(expectationLabel(check)).toMatch(/exactly 1 × .*'22\.0' in this step/);
    const q = step6.question!;
    expect(q.prompt).toMatch(/in this step .* once/i);
    const total = received.filter((p) => p === '22.0').length;
    expect(total).toBe(2);
    expect(q.choices[q.answer!]).toBe('Twice');
  });
});
