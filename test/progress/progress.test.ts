// Lesson progress in the data folder: saved as it happens, restored by a new Lab on the same folder,
// cleared by "start over", and a corrupt or old-format file set aside without losing the other lessons.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/core/lab/index.js';
import { writeTinyLessons } from './tiny-lesson.js';

const root = mkdtempSync(join(tmpdir(), 'mqtt-lab-progress-'));
const lessons = writeTinyLessons(join(root, 'lessons'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let labs: Lab[] = [];
afterEach(async () => {
  await Promise.all(labs.map((l) => l.stop()));
  labs = [];
});

async function lab(dataDir?: string): Promise<Lab> {
  const l = await createLab({ port: 0, lessonDirs: [{ dir: lessons, origin: 'built-in' }], ...(dataDir ? { dataDir } : {}) });
  labs.push(l);
  return l;
}

/** Runs the tiny lesson: a prediction, both steps, the quiz answered while step 2 waits for it. */
async function runTiny(l: Lab): Promise<void> {
  await l.api.call('progress.predict', { id: '01-tiny', step: 0, choice: 1 });
  await l.api.call('lessons.start', { id: '01-tiny' });
  expect((await l.api.call('lessons.next', {}))?.passed).toBe(true);
  const step2 = l.api.call('lessons.next', {});
  await new Promise((r) => setTimeout(r, 200));
  expect(await l.api.call('lessons.answer', { step: 1, choice: 0 })).toMatchObject({ correct: true });
  expect((await step2)?.passed).toBe(true);
}

describe('lesson progress', () => {
  it('is saved as it happens and restored by a new lab on the same data folder', async () => {
    const dataDir = join(root, 'data-restore');
    const a = await lab(dataDir);
    await a.api.call('student.set', { name: '  Zoë <b>O\'Neil</b> ' });
    await runTiny(a);
    // Saved before anything is closed: a crash right now would lose nothing.
    expect(existsSync(join(dataDir, 'progress', '01-tiny.json'))).toBe(true);
    await a.stop();
    labs = [];

    const b = await lab(dataDir);
    const v = await b.api.call('progress.get', { id: '01-tiny' });
    expect(v.saved).toBe(true);
    expect(v.problems).toEqual([]);
    const p = v.progress!;
    expect(p.predictions[0]).toMatchObject({ choice: 1, correct: false });
    expect(p.answers[1]).toMatchObject({ choice: 0, correct: true });
    expect(Object.keys(p.steps)).toEqual(['0', '1']);
    expect(p.steps[1]!.result.passed).toBe(true);
    expect(p.completedAt).toBeGreaterThanOrEqual(p.startedAt);
    // The packets the step decided on were kept with it.
    const puback = p.steps[1]!.result.expectations[0]!.seqs.at(-1)!;
    expect(p.steps[1]!.packets.find((x) => x.seq === puback)?.bytes).toMatch(/^40/);
    expect((await b.api.call('student.get', {})).name).toBe('Zoë <b>O\'Neil</b>');
    expect(await b.api.call('progress.summaries', {})).toEqual({ '01-tiny': expect.objectContaining({ stepsRun: 2, stepsPassed: 2, completed: true }) });
    expect((await b.api.call('progress.get', { id: '02-other' })).progress).toBeNull();
  });

  it('resumes by running the saved steps again, so the next step follows in a lab like the one left', async () => {
    const dataDir = join(root, 'data-resume');
    const a = await lab(dataDir);
    await a.api.call('lessons.start', { id: '01-tiny' });
    await a.api.call('lessons.next', {});
    await a.stop();
    labs = [];
    const b = await lab(dataDir);
    expect(await b.api.call('lessons.start', { id: '01-tiny', resume: true })).toEqual({ steps: 2, replayed: 1 });
    const step2 = b.api.call('lessons.next', {});
    await new Promise((r) => setTimeout(r, 200));
    await b.api.call('lessons.answer', { step: 1, choice: 1 });
    expect((await step2)?.passed).toBe(true);
    const p = (await b.api.call('progress.get', { id: '01-tiny' })).progress!;
    expect(p.answers[1]).toMatchObject({ choice: 1, correct: false });
    expect(p.completedAt).toBeDefined();
  });

  it('"start over" forgets the lesson, on disk too; a new attempt keeps only predictions for steps not yet run', async () => {
    const dataDir = join(root, 'data-clear');
    const a = await lab(dataDir);
    await runTiny(a);
    await a.api.call('lessons.close', {});
    await a.api.call('lessons.start', { id: '01-tiny' });
    let p = (await a.api.call('progress.get', { id: '01-tiny' })).progress!;
    expect(p.steps).toEqual({});
    expect(p.answers).toEqual({});
    expect(p.predictions).toEqual({});
    expect(p.completedAt).toBeUndefined();
    await a.api.call('progress.predict', { id: '01-tiny', step: 0, choice: 0 });
    await a.api.call('lessons.close', {});
    await a.api.call('lessons.start', { id: '01-tiny' });
    p = (await a.api.call('progress.get', { id: '01-tiny' })).progress!;
    expect(p.predictions[0]).toMatchObject({ choice: 0, correct: true });
    await a.api.call('progress.clear', { id: '01-tiny' });
    expect((await a.api.call('progress.get', { id: '01-tiny' })).progress).toBeNull();
    expect(existsSync(join(dataDir, 'progress', '01-tiny.json'))).toBe(false);
  });

  it('sets a corrupt or old-format file aside, says so, and keeps the other lessons', async () => {
    const dataDir = join(root, 'data-corrupt');
    const a = await lab(dataDir);
    await runTiny(a);
    await a.api.call('lessons.close', {});
    await a.api.call('lessons.start', { id: '02-other' });
    await a.api.call('lessons.next', {});
    await a.stop();
    labs = [];
    const dir = join(dataDir, 'progress');
    writeFileSync(join(dir, '01-tiny.json'), '{"format":"mqtt-lab-progress","version":1,"data":{"lessonId":"01-ti');

    const b = await lab(dataDir);
    const v = await b.api.call('progress.get', { id: '01-tiny' });
    expect(v.progress).toBeNull();
    expect(v.problems).toHaveLength(1);
    expect(v.problems[0]).toMatch(/^01-tiny\.json was unusable: it is not valid JSON .*It was kept as .*01-tiny\.json\.unreadable-.*; this starts afresh\.$/);
    const kept = readdirSync(dir).filter((f) => f.startsWith('01-tiny.json.unreadable-'));
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(dir, kept[0]!), 'utf8')).toContain('"lessonId":"01-ti');
    expect((await b.api.call('progress.get', { id: '02-other' })).progress?.steps[0]?.result.passed).toBe(true);
    // The lesson still runs and saves afresh.
    await b.api.call('lessons.start', { id: '01-tiny' });
    await b.api.call('lessons.next', {});
    expect(Object.keys((await b.api.call('progress.get', { id: '01-tiny' })).progress!.steps)).toEqual(['0']);

    // A file from a future version of the app: set aside too, with the version named.
    const other = join(dir, '02-other.json');
    writeFileSync(other, JSON.stringify({ format: 'mqtt-lab-progress', version: 2, data: {} }));
    const c = await lab(dataDir);
    const w = await c.api.call('progress.get', { id: '02-other' });
    expect(w.progress).toBeNull();
    expect(w.problems[0]).toMatch(/format version 2 \(this app reads version 1\)/);
    expect(existsSync(other)).toBe(false);
  });

  it('without a data folder keeps progress only while the lab runs', async () => {
    const a = await lab();
    await a.api.call('lessons.start', { id: '02-other' });
    await a.api.call('lessons.next', {});
    const v = await a.api.call('progress.get', { id: '02-other' });
    expect(v.saved).toBe(false);
    expect(v.progress?.steps[0]?.result.passed).toBe(true);
  });

  it('refuses a prediction for a step without one, and a name too long to be one', async () => {
    const a = await lab();
    await expect(a.api.call('progress.predict', { id: '02-other', step: 0, choice: 0 })).rejects.toThrow(/asks for no prediction/);
    await expect(a.api.call('progress.predict', { id: '01-tiny', step: 0, choice: 7 })).rejects.toThrow(/choice must be 0\.\.1/);
    await expect(a.api.call('student.set', { name: 'x'.repeat(201) })).rejects.toThrow(/at most 200/);
  });
});
