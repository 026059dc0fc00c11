// Every lesson in lessons/ (found afresh on each run, so lessons added later are covered) must pass
// `lesson check` and `lesson run` against a fresh lab.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lessonCommand } from '../../src/cli/lesson.js';
import { lessonFiles, type LessonResult } from '../../src/core/lessons/index.js';
import { missing } from '../peers/have.js';

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const files = await lessonFiles(join(root, 'lessons'));

/**
 * A lesson that needs MQTT 5 or says `broker: mosquitto` runs on mosquitto (aedes does not speak 5);
 * without mosquitto its run skips.
 */
function needsMosquitto(file: string): boolean {
  const front = readFileSync(file, 'utf8').split(/^---\s*$/m)[1] ?? '';
  return /^requires:.*mqtt5/m.test(front) || /^broker:\s*mosquitto\s*$/m.test(front);
}

async function command(...argv: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await lessonCommand(argv, (l) => lines.push(l));
  return { code, lines };
}

describe('lessons/', () => {
  it('holds lessons', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
  });

  describe.each(files.map((f) => [f.slice(root.length + 1), f]))('%s', (_name, file) => {
    it('passes lesson check', async () => {
      const { code, lines } = await command('check', file);
      // A note (mosquitto not installed here) is not a problem in the lesson, nor is a warning (an answer
      // that reads as intended but could be misread); lesson check prints both for the lecturer.
      expect(lines.slice(0, -1).filter((l) => !/:\d+:\d+: (note|warning): /.test(l))).toEqual([]);
      expect(code).toBe(0);
    });

    it.skipIf(needsMosquitto(file) && missing('mosquitto') !== undefined)('passes lesson run', async () => {
      const { code, lines } = await command('run', file, '--json');
      const result = JSON.parse(lines.at(-1)!) as LessonResult;
      const failed = result.steps.flatMap((s) => [
        ...s.actions.filter((a) => !a.ok).map((a) => `step ${s.index + 1}, line ${a.at.line}: ${a.error}`),
        ...s.expectations.filter((e) => !e.passed).map((e) => `step ${s.index + 1}, line ${e.at.line}: ${e.message}`),
      ]);
      expect(failed).toEqual([]);
      expect(result.skipped).toBeUndefined();
      expect(code).toBe(0);
      // A lesson is a classroom exercise: it must run in well under a minute.
      expect(result.durationMs).toBeLessThan(45_000);
    }, 60_000);
  });
});
