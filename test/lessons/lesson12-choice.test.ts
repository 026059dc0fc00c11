// Lesson 12's choice step: the student picks the QoS of a reading that both legs must acknowledge, and
// the real broker's packets decide. Only QoS 1 passes: QoS 0 is acknowledged nowhere, QoS 2 answers with
// PUBREC instead of PUBACK. Runs the lesson's own file (up to that step) against the real Lab.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/core/lab/index.js';
import { parseLesson, runLesson, type Lesson } from '../../src/core/lessons/index.js';

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const file = join(root, 'lessons', '12-mqtt-and-http.md');

let lab: Lab;
beforeAll(async () => {
  lab = await createLab({ broker: 'aedes', port: 0 });
});
afterAll(async () => {
  await lab?.stop();
});

/** The lesson cut after its choice step, so each run is the setup and the choice only. */
function upToChoice(): { lesson: Lesson; at: number } {
  const { lesson, problems } = parseLesson(readFileSync(file, 'utf8'), file);
  expect(problems.filter((p) => (p.severity ?? 'error') === 'error')).toEqual([]);
  const at = lesson!.steps.findIndex((s) => s.choose?.name === 'qos');
  expect(at).toBeGreaterThan(0);
  return { lesson: { ...lesson!, steps: lesson!.steps.slice(0, at + 1) }, at };
}

describe('lesson 12: the student chooses the QoS', () => {
  it('passes with QoS 1 only, and says why the others fail', async () => {
    const { lesson, at } = upToChoice();
    const run = async (value: string) => (await runLesson(lab.api, lesson, { choose: async () => value })).steps[at]!;
    const failing = (s: Awaited<ReturnType<typeof run>>) => s.expectations.filter((e) => !e.passed).map((e) => e.message);

    const one = await run('1');
    expect(one.chosen).toBe('1');
    expect(failing(one)).toEqual([]);

    // QoS 0: delivered, but no PUBACK on either leg.
    const zero = await run('0');
    expect(zero.expectations.filter((e) => !e.passed)).toHaveLength(2);
    expect(zero.expectations[1]).toMatchObject({ passed: true });

    // QoS 2: delivered and confirmed, but by PUBREC/PUBREL/PUBCOMP: the PUBREC is seen.
    const two = await run('2');
    expect(two.expectations.at(-1)).toMatchObject({ passed: false });
    expect(two.expectations[2]).toMatchObject({ passed: false });
  }, 40_000);
});
