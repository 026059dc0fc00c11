// The `exercise:` key of a step: parsed shape and every mistake reported with its line and column.
import { describe, expect, it } from 'vitest';
import { parseLesson } from '../../src/core/lessons/index.js';

function lesson(...steps: string[]): string {
  return `---\ntitle: T\n---\n\n${steps.map((s) => `\`\`\`step\n${s}\n\`\`\`\n`).join('\n')}`;
}

function problems(text: string): string[] {
  return parseLesson(text, 'l.md').problems.map((p) => `${p.line}:${p.col}: ${p.message}`);
}

describe('exercise:', () => {
  it('parses a publish and a subscribe exercise', () => {
    const r = parseLesson(lesson(
      'exercise:\n  id: reading\n  title: Publish a reading\n  publish: { topic: "lab/{client}/temp", payload: number, qos: 1 }',
      'exercise:\n  id: commands\n  title: Subscribe to your commands\n  subscribe: { filter: "lab/{client}/cmd/#" }',
    ), 'l.md');
    expect(r.problems).toEqual([]);
    expect(r.lesson!.steps[0]!.exercise).toEqual({ at: { line: 7, col: 3 }, id: 'reading', title: 'Publish a reading', kind: 'publish', topic: 'lab/{client}/temp', qos: 1, payload: 'number' });
    expect(r.lesson!.steps[1]!.exercise).toMatchObject({ id: 'commands', kind: 'subscribe', topic: 'lab/{client}/cmd/#' });
  });

  it('reports each mistake where it is', () => {
    expect(problems(lesson('exercise:\n  id: a\n  title: A\n  publish: { topic: "lab/x{client}/t" }'))).toEqual([
      "9:21: exercise: topic 'lab/x{client}/t': uses '{' or '}' outside {client}; {client} (the sender's client id) must fill a whole topic level",
    ]);
    expect(problems(lesson('exercise:\n  id: a\n  title: A\n  publish: { topic: "lab/+/t" }'))).toEqual([
      "9:21: exercise: topic 'lab/+/t': a topic name must not contain the wildcards + or #",
    ]);
    expect(problems(lesson('exercise:\n  id: a\n  title: A\n  publish: { topic: t, payload: float }'))).toEqual([
      "9:33: exercise: publish: payload must be one of any, json, number (got 'float')",
    ]);
    expect(problems(lesson('exercise:\n  id: a\n  title: A'))).toEqual([
      '7:3: exercise needs what to check: publish: { topic: … } or subscribe: { filter: … }',
    ]);
    expect(problems(lesson('exercise:\n  id: a\n  title: A\n  publish: { topic: t }\n  subscribe: { filter: t }'))).toEqual([
      '7:3: exercise checks one thing: publish or subscribe, not both',
    ]);
    expect(problems(lesson('exercise:\n  title: A\n  publish: { topic: t }'))).toEqual(["7:3: exercise needs 'id'"]);
    expect(problems(lesson('exercise:\n  id: a b\n  title: A\n  publish: { topic: t }'))).toEqual([
      "7:7: exercise: id 'a b' may use only letters, digits, - and _ (it names a column of the class table)",
    ]);
    expect(problems(lesson('exercise:\n  id: a\n  title: A\n  publish: { topic: t }', 'exercise:\n  id: a\n  title: B\n  subscribe: { filter: t }'))).toEqual([
      "14:7: exercise: id 'a' is used by an earlier exercise of this lesson; give each its own",
    ]);
    expect(problems(lesson('exercise:\n  id: a\n  title: A\n  subscribe: { filter: t, retain: true }'))).toEqual([
      "9:27: exercise: subscribe: unknown key 'retain'; expected one of filter, qos",
    ]);
  });
});
