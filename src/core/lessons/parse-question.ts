// Multiple-choice questions: `question:` asked after a step has run, `predict:` before. The file counts
// choices from 1 (`answer: 2` is the second choice), as a lecturer would; the parsed form counts from 0.
import { isScalar, isSeq } from 'yaml';
import type { Question, SourcePos } from '../../shared/lesson.js';
import { optional } from './parse-values.js';
import type { ParseContext } from './scope.js';
import type { YNode } from './yaml-reader.js';

export function parseQuestion(c: ParseContext, node: YNode, what: 'question' | 'predict', at: SourcePos): Question | undefined {
  const f = c.r.fields(node, what, ['prompt', 'choices', 'answer', 'explain'], what === 'question' ? ['prompt', 'choices', 'answer'] : ['prompt', 'choices'], at);
  if (f === undefined) return undefined;
  const prompt = optional(c, f, 'prompt', (n) => c.r.text(n, `${what}: prompt`));
  const choiceNodes = optional(c, f, 'choices', (n) => c.r.items(n, `${what}: choices`)) ?? [];
  const choices = choiceNodes.map((n) => c.r.text(n, `${what}: choice`));
  if (f.has('choices') && choiceNodes.length < 2) c.r.report(f.get('choices')!.key, `${what}: choices needs at least two choices`);
  const q: Question = { at: c.r.at(node, at), prompt: prompt ?? '', choices: choices.map((x) => x ?? '') };
  const answer = f.get('answer');
  if (answer !== undefined) {
    const index = optional(c, f, 'answer', (n) => answerIndex(c, n, what, q.choices));
    if (index !== undefined) q.answer = index;
  }
  const explain = f.get('explain');
  if (explain !== undefined && !c.r.isNull(explain.value)) {
    if (isSeq(explain.value)) {
      // One explanation per choice, shown after that choice is picked.
      const list = c.r.items(explain.value, `${what}: explain`) ?? [];
      if (list.length !== q.choices.length) {
        c.r.report(explain.value, `${what}: explain has ${list.length} entries for ${q.choices.length} choices; give one per choice, or a single text`);
      }
      q.choiceExplain = list.map((n) => c.r.text(n, `${what}: explain`) ?? '');
    } else {
      const text = c.r.text(explain.value, `${what}: explain`);
      if (text !== undefined) q.explain = text;
    }
  }
  return q;
}

/** `answer: 2` (the second choice) or `answer: "PUBACK"` (the choice with that text). */
function answerIndex(c: ParseContext, n: YNode, what: string, choices: string[]): number | undefined {
  if (isScalar(n) && typeof n.value === 'number') {
    const k = n.value;
    if (Number.isInteger(k) && k >= 1 && k <= choices.length) return k - 1;
    c.r.report(n, `${what}: answer ${k} is out of range: choices are numbered 1 to ${choices.length}`);
    return undefined;
  }
  const text = c.r.text(n, `${what}: answer`);
  if (text === undefined) return undefined;
  const i = choices.indexOf(text);
  if (i === -1) c.r.report(n, `${what}: answer '${text}' is not one of the choices`);
  return i === -1 ? undefined : i;
}
