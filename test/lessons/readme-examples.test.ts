// The examples in lessons/README.md are what lecturers copy: each must pass the validator, so the
// documentation can never drift from the format.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseLesson } from '../../src/core/lessons/index.js';

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const readme = readFileSync(join(root, 'lessons', 'README.md'), 'utf8');

/** The bodies of the ````markdown example fences. */
const examples = [...readme.matchAll(/^````markdown\n([\s\S]*?)^````$/gm)].map((m) => m[1]!);

/** Examples use the clients of the lessons (sensor, display, logger, phone); a step put first creates them. */
const CLIENTS_STEP = '```step\ndo:\n' + ['sensor', 'display', 'logger', 'phone'].map((id) => `  - client: { id: ${id} }\n`).join('') + '```\n\n';
const FRONT_MATTER = '---\ntitle: README example\nrequires: [mqtt5]\n---\n\n';

function asLesson(example: string): string {
  if (!example.startsWith('---')) return FRONT_MATTER + CLIENTS_STEP + example;
  // A whole lesson: the clients' step goes right after its own front matter.
  return example.replace(/^(---\n[\s\S]*?\n---\n)/, `$1\n${CLIENTS_STEP}`);
}

describe('lessons/README.md', () => {
  it('has examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
  });

  it.each(examples.map((e, i) => [i + 1, e] as const))('example %i is a valid lesson', (_n, example) => {
    expect(parseLesson(asLesson(example), 'README example').problems.map((p) => `${p.line}:${p.col}: ${p.message}`)).toEqual([]);
  });
});
