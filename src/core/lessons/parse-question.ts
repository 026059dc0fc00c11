// Questions: `question:` asked after a step has run, `predict:` before. A question with `choices` is
// multiple choice; the file counts choices from 1 (`answer: 2` is the second choice), as a lecturer would,
// and the parsed form counts from 0. A question without choices is open: the student types the answer,
// which the lesson gives (`answer: 20022`) or reads from the student's own capture
// (`answer: { read: mqtt.msgid, packet: { type: PUBACK, to: sensor } }`).
import { isMap, isScalar, isSeq } from 'yaml';
import { PACKET_LENGTH_FIELD, type OpenAnswer, type Question, type SourcePos } from '../../shared/lesson.js';
import { packetMatch, MATCH_KEYS } from './parse-expectations.js';
import { checkFieldName, optional } from './parse-values.js';
import type { ParseContext } from './scope.js';
import type { YNode } from './yaml-reader.js';

export function parseQuestion(c: ParseContext, node: YNode, what: 'question' | 'predict', at: SourcePos): Question | undefined {
  const f = c.r.fields(node, what, ['prompt', 'choices', 'answer', 'explain'], what === 'question' ? ['prompt', 'answer'] : ['prompt'], at);
  if (f === undefined) return undefined;
  const prompt = optional(c, f, 'prompt', (n) => c.r.text(n, `${what}: prompt`));
  const choiceNodes = optional(c, f, 'choices', (n) => c.r.items(n, `${what}: choices`)) ?? [];
  const choices = choiceNodes.map((n) => c.r.text(n, `${what}: choice`));
  if (f.has('choices') && choiceNodes.length < 2) c.r.report(f.get('choices')!.key, `${what}: choices needs at least two choices`);
  const q: Question = { at: c.r.at(node, at), prompt: prompt ?? '', choices: choices.map((x) => x ?? '') };
  const answer = f.get('answer');
  if (answer !== undefined && f.has('choices')) {
    const index = optional(c, f, 'answer', (n) => answerIndex(c, n, what, q.choices));
    if (index !== undefined) q.answer = index;
  } else if (answer !== undefined) {
    // The capture only exists once the actions have run, so a prediction can only have a fixed answer.
    const open = openAnswer(c, answer.value, what, what === 'question');
    if (open !== undefined) q.open = open;
  } else if (!f.has('choices')) {
    c.r.report(q.at, `${what} needs 'choices', or an 'answer' for the student to type`);
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
    if (!(Number.isInteger(k) && k >= 1 && k <= choices.length)) {
      c.r.report(n, `${what}: answer ${k} is out of range: choices are numbered 1 to ${choices.length}`);
      return undefined;
    }
    // choices ["2", "3", "4"] with answer: 3 — the third choice, or the choice "3"? It is read as the position,
    // but a lecturer who meant the text would silently mark the wrong choice right, so say so.
    const sameText = choices.indexOf(n.source ?? String(k));
    if (sameText !== -1 && sameText !== k - 1) {
      c.r.warn(n, `${what}: answer ${k} is read as choice number ${k} ('${choices[k - 1]}'), but it is also the text of choice ${sameText + 1}; write answer: "${choices[sameText]}" (quoted) if you meant the text`);
    }
    return k - 1;
  }
  const text = c.r.text(n, `${what}: answer`);
  if (text === undefined) return undefined;
  const i = choices.indexOf(text);
  if (i === -1) c.r.report(n, `${what}: answer '${text}' is not one of the choices`);
  return i === -1 ? undefined : i;
}

/** A typed answer: a number or text, or `{ read: FIELD, packet: MATCH }` to take it from the step's packets. */
function openAnswer(c: ParseContext, n: YNode, what: string, mayRead: boolean): OpenAnswer | undefined {
  if (isMap(n)) {
    if (!mayRead) {
      c.r.report(n, `${what}: a prediction is answered before the step runs, so its answer cannot be read from the capture`);
      return undefined;
    }
    const f = c.r.fields(n, `${what}: answer`, ['read', 'packet'], ['read', 'packet']);
    if (f === undefined) return undefined;
    const field = optional(c, f, 'read', (v) => {
      const name = c.r.text(v, `${what}: answer: read`);
      if (name === undefined || name === PACKET_LENGTH_FIELD) return name;
      return checkFieldName(c, v, name, `${what}: answer: read`);
    });
    const pf = f.get('packet') === undefined ? undefined : c.r.fields(f.get('packet')!.value, `${what}: answer: packet`, MATCH_KEYS, []);
    const packet = pf === undefined ? undefined : packetMatch(c, pf, `${what}: answer: packet`, c.r.at(f.get('packet')!.value));
    if (field === undefined || packet === undefined) return undefined;
    return { read: { field, packet } };
  }
  const v = c.r.value(n, `${what}: answer`);
  if (v === undefined) return undefined;
  if (typeof v === 'boolean') {
    c.r.report(n, `${what}: answer must be a number or text for the student to type (got ${String(v)})`);
    return undefined;
  }
  return { value: v };
}
