// A student's own choice in a step (`choose:`): a QoS, a topic filter, a client identifier. The step's
// actions and expectations use it as `{{name}}`, a whole value, and the real broker's behaviour with that
// value is what the step's expectations then check. The step is read twice: when the lesson is checked,
// with the lesson's example in place of `{{name}}`, and when it runs, with the student's value — read by the
// same parser, so a value the lesson format would refuse (an invalid filter, QoS 3) is refused the same way.
import { isMap, parseDocument } from 'yaml';
import type { ChoiceKind, Choice, Problem, SourcePos, Step } from '../../shared/lesson.js';
import { topicFilterProblem, topicNameProblem } from '../dissect/topic-rules.js';
import { optional } from './parse-values.js';
import { Scope, type ParseContext } from './scope.js';
import type { YNode } from './yaml-reader.js';
import { Reader } from './yaml-reader.js';

export const CHOICE_KINDS: readonly ChoiceKind[] = ['qos', 'filter', 'topic', 'client-id', 'text'];

const PLACEHOLDER = /\{\{\s*([A-Za-z][\w-]*)\s*\}\}/g;

/** The names used as `{{name}}` in a step's text, each with its 1-based line in the block. */
export function placeholders(text: string): Array<{ name: string; line: number; col: number }> {
  const out: Array<{ name: string; line: number; col: number }> = [];
  text.split('\n').forEach((l, i) => {
    for (const m of l.matchAll(PLACEHOLDER)) out.push({ name: m[1]!, line: i + 1, col: (m.index ?? 0) + 1 });
  });
  return out;
}

/**
 * The step's text with `{{name}}` replaced by `value` as YAML: a QoS bare (a number), anything else as a
 * double-quoted scalar, so that no value a student types can change the step's structure.
 */
export function substitute(text: string, name: string, kind: ChoiceKind, value: string): string {
  const yaml = kind === 'qos' && /^[0-2]$/.test(value) ? value : JSON.stringify(value);
  return text.replace(PLACEHOLDER, (all, n: string) => (n === name ? yaml : all));
}

/**
 * Reads the `choose:` key of a step whose placeholders are not yet filled in, to learn the example to fill
 * them with. The placeholders are quoted first so that the YAML can be read at all.
 */
export function peekChoice(text: string): { name?: string; kind?: string; example?: string } {
  const quoted = text.replace(PLACEHOLDER, (all) => JSON.stringify(all));
  const doc = parseDocument(quoted, { strict: false });
  const root = doc.contents;
  if (!isMap(root)) return {};
  const choose = root.get('choose', true);
  if (!isMap(choose)) return {};
  const s = (k: string): string | undefined => {
    const v = choose.get(k);
    return v === undefined || v === null ? undefined : String(v);
  };
  const out: { name?: string; kind?: string; example?: string } = {};
  for (const k of ['name', 'kind', 'example'] as const) {
    const v = s(k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** The `choose:` mapping of a step (its source and scope are added by the caller, who knows them). */
export function parseChoice(c: ParseContext, node: YNode, at: SourcePos): Omit<Choice, 'source' | 'scope'> | undefined {
  const f = c.r.fields(node, 'choose', ['name', 'prompt', 'kind', 'options', 'example'], ['name', 'prompt', 'kind', 'example'], at);
  if (f === undefined) return undefined;
  const name = optional(c, f, 'name', (n) => {
    const t = c.r.text(n, 'choose: name');
    if (t !== undefined && !/^[A-Za-z][\w-]*$/.test(t)) c.r.report(n, `choose: name '${t}' must be a word (letters, digits, - and _), used as {{${t}}}`);
    return t;
  });
  const prompt = optional(c, f, 'prompt', (n) => c.r.text(n, 'choose: prompt'));
  const kind = optional(c, f, 'kind', (n) => c.r.choice(n, 'choose: kind', CHOICE_KINDS));
  const options = optional(c, f, 'options', (n) => c.r.items(n, 'choose: options'))?.map((n) => c.r.text(n, 'choose: option') ?? '');
  const example = optional(c, f, 'example', (n) => c.r.text(n, 'choose: example'));
  if (name === undefined || prompt === undefined || kind === undefined || example === undefined) return undefined;
  const bad = kind === undefined ? null : valueProblem(kind, example);
  if (bad !== null) c.r.report(f.get('example')!.value, `choose: example '${example}' ${bad}`);
  for (const o of options ?? []) {
    const p = valueProblem(kind, o);
    if (p !== null) c.r.report(f.get('options')!.value, `choose: option '${o}' ${p}`);
  }
  const out: Omit<Choice, 'source' | 'scope'> = { at: c.r.at(node, at), name, prompt, kind, example };
  if (options !== undefined) out.options = options;
  return out;
}

/** Why a value cannot be used for a choice of this kind, in words for the student; null when it can. */
export function valueProblem(kind: ChoiceKind, value: string): string | null {
  switch (kind) {
    case 'qos':
      return /^[0-2]$/.test(value) ? null : 'is not a QoS: choose 0, 1 or 2';
    case 'filter': {
      const p = topicFilterProblem(value);
      return p === null ? null : `is not a valid topic filter: ${p}`;
    }
    case 'topic': {
      const p = topicNameProblem(value);
      return p === null ? null : `is not a valid topic name: ${p}`;
    }
    case 'client-id':
      // Every server must accept 1 to 23 letters and digits [MQTT-3.1.3-5]; the lab's brokers take more.
      if (value.length === 0) return 'is empty: give your client a name';
      return /^[\x21-\x7e]{1,64}$/.test(value) ? null : 'must be 1 to 64 printable characters without spaces';
    case 'text':
      return value.length > 0 && value.length <= 1000 ? null : 'must be 1 to 1000 characters';
  }
}

/**
 * The step as it runs with the student's value: its actions and expectations read again from its source.
 * Returns the reason instead when the value does not fit.
 */
export function stepWithChoice(step: Step, value: string, lesson: { file: string; requires: readonly string[]; runsOn?: 'mosquitto' }, filters: ReadonlySet<string>,
  parse: (c: ParseContext, root: YNode, index: number, at: SourcePos) => Step | undefined): Step | string {
  const choice = step.choose;
  if (choice === undefined) return step;
  const bad = valueProblem(choice.kind, value);
  if (bad !== null) return `your choice '${value}' ${bad}`;
  const problems: Problem[] = [];
  const r = new Reader(lesson.file, choice.source.line, choice.source.indent, problems);
  const scope = new Scope();
  for (const [id, d] of choice.scope.clients) scope.clients.set(id, d);
  for (const [id, retires] of choice.scope.faultIds) scope.faultIds.set(id, retires);
  const c: ParseContext = { r, scope, filters, requires: lesson.requires, ...(lesson.runsOn === undefined ? {} : { broker: lesson.runsOn }) };
  const root = r.parse(substitute(choice.source.text, choice.name, choice.kind, value));
  const again = root === undefined ? undefined : parse(c, root, step.index, step.at);
  if (again === undefined || problems.length > 0) {
    return `the step cannot run with '${value}': ${problems.map((p) => p.message).join('; ') || 'it could not be read'}`;
  }
  return { ...step, actions: again.actions, expectations: again.expectations };
}
