// Questions that check understanding: open answers read from the student's own capture, a student's own
// choice put into a step and checked by what the real broker then does, graded runs, and the lesson check
// of all three. Run against the real Lab (aedes behind the tap).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/core/lab/index.js';
import { parseLesson, runLesson, type Lesson } from '../../src/core/lessons/index.js';
import { isRightAnswer } from '../../src/core/lessons/open-answer.js';

let lab: Lab;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'questions-'));
  writeFileSync(join(dir, 'open.md'), lessonText([SETUP, OPEN]));
  writeFileSync(join(dir, 'choose.md'), lessonText([SETUP, CHOOSE]));
  writeFileSync(join(dir, 'pick.md'), lessonText(['question: { prompt: Which packet answers a QoS 1 PUBLISH?, choices: [PUBREC, PUBACK], answer: 2 }\nexpect:\n  - quiz: true']));
  lab = await createLab({ broker: 'aedes', port: 0, lessonDirs: [{ dir, origin: 'yours' }] });
});
afterAll(async () => {
  await lab?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function lessonText(steps: string[]): string {
  return `---\ntitle: Q\n---\n\n${steps.map((s) => `\`\`\`step\n${s}\n\`\`\``).join('\n\n')}\n`;
}

function lessonOf(steps: string[]): Lesson {
  const { lesson, problems } = parseLesson(lessonText(steps), 'q.md');
  expect(problems).toEqual([]);
  return lesson!;
}

function problems(steps: string[]): string[] {
  return parseLesson(lessonText(steps), 'q.md').problems.map((p) => `${p.line}:${p.col}: ${p.severity ?? 'error'}: ${p.message}`);
}

const SETUP = 'do:\n  - client: { id: sensor }\n  - client: { id: display }\n  - connect: sensor\n  - connect: display';

const OPEN = [
  'do:',
  '  - publish: { client: sensor, topic: home/temp, payload: "21.5", qos: 1 }',
  'expect:',
  '  - packet: { type: PUBACK, to: sensor }',
  '  - quiz: true',
  'question:',
  '  prompt: Which packet identifier did the broker acknowledge?',
  '  answer: { read: mqtt.msgid, packet: { type: PUBACK, to: sensor } }',
].join('\n');

const CHOOSE = [
  'choose: { name: filter, prompt: "A filter for every room\'s temperature, nothing else", kind: filter, example: home/+/temp }',
  'do:',
  '  - subscribe: { client: display, filter: {{filter}} }',
  '  - publish: { client: sensor, topic: home/kitchen/temp, payload: "21.5" }',
  '  - publish: { client: sensor, topic: home/kitchen/humidity, payload: "40" }',
  'expect:',
  '  - received: { client: display, topic: home/kitchen/temp }',
  '  - not-received: { client: display, topic: home/kitchen/humidity, within: 500 }',
].join('\n');

describe('lesson check of questions and choices', () => {
  it('accepts an open question read from the capture, and a choice used in the step', () => {
    expect(problems([SETUP, OPEN, CHOOSE])).toEqual([]);
  });

  it('warns when a bare number answer is also the text of another choice, and still reads it as a position', () => {
    const text = lessonText(['question: { prompt: How many?, choices: ["2", "3", "4"], answer: 3 }\nexpect:\n  - quiz: true']);
    const r = parseLesson(text, 'q.md');
    expect(r.problems.map((p) => `${p.line}:${p.col}: ${p.severity}: ${p.message}`)).toEqual([
      '6:66: warning: question: answer 3 is read as choice number 3 (\'4\'), but it is also the text of choice 2; write answer: "3" (quoted) if you meant the text',
    ]);
    expect(r.lesson?.steps[0]!.question!.answer).toBe(2);
    // The same numbers in their own places are not ambiguous.
    expect(problems(['question: { prompt: How many?, choices: ["1", "2"], answer: 2 }\nexpect:\n  - quiz: true'])).toEqual([]);
  });

  it('reports a placeholder nobody chooses, a choice nothing uses, a bad example, and a prediction read from the capture', () => {
    expect(problems([SETUP, 'do:\n  - publish: { client: sensor, topic: a, payload: x, qos: {{qos}} }'])).toEqual([
      '15:59: error: {{qos}} is not chosen in this step: add choose: { name: qos, prompt: …, kind: …, example: … }',
      "15:59: error: publish: qos must be a whole number from 0 to 2 (got '{{qos}}')",
    ]);
    expect(problems([SETUP, 'choose: { name: qos, prompt: Pick, kind: qos, example: "1" }\ndo:\n  - publish: { client: sensor, topic: a, payload: x }'])).toEqual([
      '14:9: error: choose: nothing in this step uses {{qos}}; write it where the choice goes, e.g. qos: {{qos}}',
    ]);
    expect(problems([SETUP, 'choose: { name: f, prompt: Pick, kind: filter, example: "a/#/b" }\ndo:\n  - subscribe: { client: display, filter: {{f}} }'])[0]).toMatch(
      /^14:\d+: error: choose: example 'a\/#\/b' is not a valid topic filter/);
    expect(problems([SETUP, 'predict: { prompt: Which id?, answer: { read: mqtt.msgid, packet: { type: PUBACK } } }'])).toEqual([
      '14:39: error: predict: a prediction is answered before the step runs, so its answer cannot be read from the capture',
    ]);
  });
});

describe('open answers', () => {
  it('compares numbers as numbers, in decimal or hex, and text as text', () => {
    expect(isRightAnswer({ value: 50 }, ' 0x32 ')).toBe(true);
    expect(isRightAnswer({ value: 50 }, '50')).toBe(true);
    expect(isRightAnswer({ value: 50 }, '32')).toBe(false);
    expect(isRightAnswer({ value: 'home/temp' }, 'home/temp')).toBe(true);
    expect(isRightAnswer({ value: 'home/temp' }, 'Home/temp')).toBe(false);
  });

  it('a headless run reads the answer from its own capture, and fails when there is nothing to read', async () => {
    const r = await runLesson(lab.api, lessonOf([SETUP, OPEN]));
    expect(r.passed).toBe(true);
    expect(r.steps[1]!.expectations[1]!.message).toMatch(/^headless run: the answer here is \d+( \(0x[0-9a-f]+\))?, read from PUBACK #\d+$/);
    const missing = await runLesson(lab.api, lessonOf([SETUP, OPEN.replace('qos: 1', 'qos: 0').replace('  - packet: { type: PUBACK, to: sensor }\n', '')]));
    expect(missing.steps[1]!.expectations[0]).toMatchObject({ passed: false, message: 'the capture of this step has no PUBACK to sensor to read the answer from' });
  });

  it('through the API: practice mode takes a later right answer; graded mode fails the step on a wrong first one', async () => {
    for (const graded of [false, true]) {
      await lab.api.call('lessons.start', { id: 'open', graded });
      await lab.api.call('lessons.next', {});
      const running = lab.api.call('lessons.next', {});
      // The step waits for the answer; its PUBACK is captured by the time the question can be answered.
      let wrong = await lab.api.call('lessons.answer', { step: 1, text: '0' }).catch((e: Error) => e);
      for (let i = 0; i < 50 && wrong instanceof Error; i++) {
        await new Promise((r) => setTimeout(r, 50));
        wrong = await lab.api.call('lessons.answer', { step: 1, text: '0' }).catch((e: Error) => e);
      }
      expect(wrong).toMatchObject({ correct: false });
      const puback = (await lab.api.call('packets.query', { type: 'PUBACK' })).at(-1)!;
      const id = String(puback.info.packetId);
      const right = await lab.api.call('lessons.answer', { step: 1, text: id });
      expect(right.correct).toBe(true);
      expect(right.expected).toMatch(new RegExp(`^${id}( \\(0x[0-9a-f]+\\))?, read from PUBACK #${puback.seq}$`));
      const r = await running;
      expect(r!.expectations[1]).toMatchObject(graded
        ? { passed: false, message: expect.stringMatching(/^the first answer was wrong; right: \d+( \(0x[0-9a-f]+\))?, read from PUBACK #\d+$/) }
        : { passed: true });
      if (!graded) expect(right.expected).toBeDefined();
      await lab.api.call('lessons.close', {});
    }
  });
});

describe('graded multiple choice', () => {
  it('counts the first answer: a later right one does not pass the step, in practice mode it does', async () => {
    for (const graded of [false, true]) {
      await lab.api.call('lessons.start', { id: 'pick', graded });
      const running = lab.api.call('lessons.next', {});
      expect(await lab.api.call('lessons.answer', { step: 0, choice: 0 })).toMatchObject({ correct: false });
      expect(await lab.api.call('lessons.answer', { step: 0, choice: 1 })).toMatchObject({ correct: true });
      const r = await running;
      expect(r!.expectations[0]).toMatchObject(graded ? { passed: false, message: 'the first answer was wrong' } : { passed: true });
      await lab.api.call('lessons.close', {});
    }
  });
});

describe('a choice of the student', () => {
  it('runs the step with the student\'s value, and the broker\'s behaviour checks it', async () => {
    const run = async (value: string) => runLesson(lab.api, lessonOf([SETUP, CHOOSE]), { choose: async () => value });
    const right = await run('home/+/temp');
    expect(right.passed).toBe(true);
    expect(right.steps[1]!.chosen).toBe('home/+/temp');
    const tooWide = await run('home/#');
    expect(tooWide.passed).toBe(false);
    expect(tooWide.steps[1]!.expectations[1]).toMatchObject({ passed: false, message: expect.stringContaining("received '40' on home/kitchen/humidity") });
    const invalid = await run('home/#/temp');
    expect(invalid.steps[1]!.actions[0]).toMatchObject({ ok: false, error: expect.stringMatching(/^your choice 'home\/#\/temp' is not a valid topic filter/) });
  });

  it('through the API: a value that does not fit is refused at once, and the step needs a choice', async () => {
    await lab.api.call('lessons.start', { id: 'choose' });
    await lab.api.call('lessons.next', {});
    await expect(lab.api.call('lessons.choose', { step: 1, value: 'home+' })).rejects.toThrow(/'home\+' is not a valid topic filter/);
    expect(await lab.api.call('lessons.choose', { step: 1, value: 'home/+/temp' })).toEqual({ value: 'home/+/temp' });
    const r = await lab.api.call('lessons.next', {});
    expect(r).toMatchObject({ passed: true, chosen: 'home/+/temp' });
    await lab.api.call('lessons.close', {});
  });
});
