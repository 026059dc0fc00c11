// One ```step block: its keys, its actions (which extend the scope as they create clients) and then its
// expectations (which may use those clients), whatever order the keys are written in.
import type { Action, Expectation, SourcePos, Step } from '../../shared/lesson.js';
import { parseChoice } from './choice.js';
import { parseAction } from './parse-actions.js';
import { parseExercise } from './parse-exercise.js';
import { parseExpectation } from './parse-expectations.js';
import { parseQuestion } from './parse-question.js';
import { fieldFilter, optional } from './parse-values.js';
import type { ParseContext } from './scope.js';
import { STEP_KEYS, VIEWS } from './vocabulary.js';
import type { YNode } from './yaml-reader.js';

export function parseStep(c: ParseContext, root: YNode, index: number, at: SourcePos): Step | undefined {
  if (c.r.isNull(root)) {
    c.r.report(at, 'this step is empty; give it at least a title and text, do or expect');
    return undefined;
  }
  const f = c.r.fields(root, 'step', STEP_KEYS, [], at);
  if (f === undefined) return undefined;
  const step: Step = { index, at, actions: [], expectations: [], highlight: [] };
  const text = (key: 'title' | 'text' | 'explain'): void => {
    const v = optional(c, f, key, (n) => c.r.text(n, `step: ${key}`));
    if (v !== undefined) step[key] = v;
  };
  text('title');
  text('text');
  text('explain');
  const predict = optional(c, f, 'predict', (n) => parseQuestion(c, n, 'predict', c.r.at(n, at)));
  if (predict !== undefined) step.predict = predict;
  // The step's source and the scope before it are added by the caller (validate.ts), which knows them.
  const choose = optional(c, f, 'choose', (n) => parseChoice(c, n, c.r.at(n, at)));
  if (choose !== undefined) step.choose = { ...choose, source: { text: '', line: 0, indent: 0 }, scope: { clients: [], faultIds: [] } };

  for (const n of optional(c, f, 'do', (v) => c.r.items(v, 'do')) ?? []) {
    const a: Action | undefined = parseAction(c, n);
    if (a !== undefined) step.actions.push(a);
  }
  // After the actions: an open question may read a packet of a client this step creates.
  const question = optional(c, f, 'question', (n) => parseQuestion(c, n, 'question', c.r.at(n, at)));
  if (question !== undefined) step.question = question;
  for (const n of optional(c, f, 'expect', (v) => c.r.items(v, 'expect')) ?? []) {
    const e: Expectation | undefined = parseExpectation(c, n);
    if (e === undefined) continue;
    if (e.kind === 'quiz' && !f.has('question')) c.r.report(e.at, 'quiz: true needs a question in the same step');
    step.expectations.push(e);
  }
  for (const n of optional(c, f, 'highlight', (v) => c.r.items(v, 'highlight', true)) ?? []) {
    const name = fieldFilter(c, n, 'highlight');
    if (name !== undefined) step.highlight.push(name);
  }
  const view = optional(c, f, 'view', (n) => c.r.choice(n, 'view', VIEWS));
  if (view !== undefined) step.view = view;
  const exercise = optional(c, f, 'exercise', (n) => parseExercise(c, n, c.r.at(n, at)));
  if (exercise !== undefined) step.exercise = exercise;
  return step;
}
