// Loading a lecturer's folder: a broken lesson is reported with its line and never stops the others.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadLessons } from '../../src/core/lessons/index.js';

const dir = mkdtempSync(join(tmpdir(), 'mqtt-lab-lessons-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function lesson(title: string, order: number, step: string): string {
  return `---\ntitle: ${title}\norder: ${order}\n---\n\nProse.\n\n\`\`\`step\n${step}\n\`\`\`\n`;
}

describe('loadLessons', () => {
  writeFileSync(join(dir, 'a-second.md'), lesson('Second', 2, 'do:\n  - client: { id: s }\n  - connect: s'));
  writeFileSync(join(dir, 'b-broken.md'), lesson('Broken', 3, 'do:\n  - client: { id: s }\n  - conect: s'));
  writeFileSync(join(dir, 'c-first.md'), lesson('First', 1, 'title: Hello'));
  // README.md documents the folder; its example steps are not a lesson.
  writeFileSync(join(dir, 'README.md'), '# Lessons\n\n```step\ndo:\n  - nonsense: 1\n```\n');
  writeFileSync(join(dir, 'notes.txt'), 'not a lesson');

  it('loads the good lessons in order and reports the broken one with its line', async () => {
    const { lessons, problems } = await loadLessons(dir);
    expect(lessons.map((l) => l.title)).toEqual(['First', 'Second']);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: join(dir, 'b-broken.md'), line: 11, col: 5 });
    expect(problems[0]!.message).toMatch(/^unknown action 'conect' \(did you mean 'connect'\?\)/);
  });

  it('reports a folder that cannot be read', async () => {
    const { lessons, problems } = await loadLessons(join(dir, 'missing'));
    expect(lessons).toEqual([]);
    expect(problems[0]!.message).toMatch(/^cannot read the lessons folder/);
  });
});
