// Lessons through the Lab's API, as the lesson pane uses them: list (with a broken lecturer's lesson
// reported by file and line while the others load), run step by step, answer, reload on change.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LabEvents } from '../../src/shared/api.js';
import { BUILT_IN_LESSONS, createLab, type Lab } from '../../src/core/lab/index.js';

let lab: Lab | null = null;
let dir = '';
afterEach(async () => {
  await lab?.stop();
  lab = null;
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

const GOOD = `---
title: My first lesson
order: 100
---
Hello.

\`\`\`step
title: Publish
do:
  - client: { id: a }
  - connect: a
  - publish: { client: a, topic: t/1, payload: hi, qos: 1 }
expect:
  - packet: { type: PUBACK, to: a }
question:
  prompt: Which packet acknowledged it?
  choices: [PUBREC, PUBACK]
  answer: 2
\`\`\`
`;

describe('lessons in a running Lab', () => {
  it('lists built-in and lecturer lessons, reports a broken one by line, runs a step and checks an answer', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lessons-'));
    writeFileSync(join(dir, 'mine.md'), GOOD);
    writeFileSync(join(dir, 'broken.md'), '---\ntitle: Broken\n---\n```step\ndo:\n  - launch: rockets\n```\n');
    lab = await createLab({ port: 0, lessonDirs: [{ dir: BUILT_IN_LESSONS, origin: 'built-in' }, { dir, origin: 'yours' }] });
    const list = await lab.api.call('lessons.list', {});
    expect(list.lessons.some((l) => l.origin === 'built-in')).toBe(true);
    const mine = list.lessons.find((l) => l.title === 'My first lesson');
    expect(mine?.origin).toBe('yours');
    expect(list.problems).toEqual([expect.objectContaining({ file: join(dir, 'broken.md'), line: 6 })]);

    const steps: LabEvents['lesson-step'][] = [];
    lab.api.on('lesson-step', (r) => steps.push(r));
    expect(await lab.api.call('lessons.start', { id: mine!.id })).toEqual({ steps: 1, replayed: 0 });
    const r = await lab.api.call('lessons.next', {});
    expect(r?.expectations.every((e) => e.passed)).toBe(true);
    expect(steps).toHaveLength(1);
    expect(await lab.api.call('lessons.answer', { step: 0, choice: 1 })).toEqual({ correct: true });
    expect((await lab.api.call('lessons.answer', { step: 0, choice: 0 })).correct).toBe(false);
    expect(await lab.api.call('lessons.next', {})).toBeNull();
    await lab.api.call('lessons.close', {});
    expect((await lab.api.call('clients.list', {})).length).toBe(0);
  });

  it('reloads when a lecturer edits a lesson file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lessons-'));
    lab = await createLab({ port: 0, lessonDirs: [{ dir, origin: 'yours' }] });
    expect((await lab.api.call('lessons.list', {})).lessons).toHaveLength(0);
    const reloaded = new Promise<LabEvents['lessons']>((resolve) => lab!.api.on('lessons', resolve));
    writeFileSync(join(dir, 'new.md'), GOOD);
    const list = await reloaded;
    expect(list.lessons.map((l) => l.title)).toEqual(['My first lesson']);
  });

  it('refuses to start an unknown lesson or step without one', async () => {
    lab = await createLab({ port: 0 });
    await expect(lab.api.call('lessons.start', { id: 'nope' })).rejects.toThrow("no lesson 'nope'");
    await expect(lab.api.call('lessons.next', {})).rejects.toThrow('no lesson is running');
  });
});
