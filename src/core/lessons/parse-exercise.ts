// A step's `exercise:`, a task for every student's own client that the lab checks from the broker's side:
//
//   exercise:
//     id: my-reading
//     title: Publish your reading to lab/<your client id>/temp
//     publish: { topic: "lab/{client}/temp", payload: number }
//
// `{client}` stands for the sender's client id and must fill a whole topic level.
import type { Exercise, PayloadRule } from '../../shared/exercise.js';
import type { SourcePos } from '../../shared/lesson.js';
import { topicFilterProblem, topicNameProblem } from '../dissect/topic-rules.js';
import { optional } from './parse-values.js';
import type { ParseContext, Scope } from './scope.js';
import type { YNode } from './yaml-reader.js';

export const EXERCISE_KEYS = ['id', 'title', 'publish', 'subscribe'] as const;
export const EXERCISE_PUBLISH_KEYS = ['topic', 'qos', 'retain', 'payload'] as const;
export const EXERCISE_SUBSCRIBE_KEYS = ['filter', 'qos'] as const;
export const PAYLOAD_RULES: readonly PayloadRule[] = ['any', 'json', 'number'];
export const CLIENT_SLOT = '{client}';

/** Exercise ids seen so far in each lesson being parsed: an id names one column of the class table. */
const idsOf = new WeakMap<Scope, Set<string>>();

export function parseExercise(c: ParseContext, node: YNode, at: SourcePos): Exercise | undefined {
  const f = c.r.fields(node, 'exercise', EXERCISE_KEYS, ['id', 'title'], at);
  if (f === undefined) return undefined;
  const id = optional(c, f, 'id', (n) => c.r.text(n, 'exercise: id'));
  const title = optional(c, f, 'title', (n) => c.r.text(n, 'exercise: title'));
  if (id !== undefined) {
    const ids = idsOf.get(c.scope) ?? new Set<string>();
    idsOf.set(c.scope, ids);
    if (!/^[\w-]+$/.test(id)) c.r.report(f.get('id')!.value, `exercise: id '${id}' may use only letters, digits, - and _ (it names a column of the class table)`);
    else if (ids.has(id)) c.r.report(f.get('id')!.value, `exercise: id '${id}' is used by an earlier exercise of this lesson; give each its own`);
    ids.add(id);
  }
  const kinds = (['publish', 'subscribe'] as const).filter((k) => f.has(k));
  if (kinds.length !== 1) {
    c.r.report(c.r.at(node, at), kinds.length === 0 ? 'exercise needs what to check: publish: { topic: … } or subscribe: { filter: … }' : 'exercise checks one thing: publish or subscribe, not both');
    return undefined;
  }
  const kind = kinds[0]!;
  const body = c.r.fields(f.get(kind)!.value, `exercise: ${kind}`, kind === 'publish' ? EXERCISE_PUBLISH_KEYS : EXERCISE_SUBSCRIBE_KEYS, [kind === 'publish' ? 'topic' : 'filter'], c.r.at(f.get(kind)!.key, at));
  if (body === undefined || id === undefined || title === undefined) return undefined;
  const topicKey = kind === 'publish' ? 'topic' : 'filter';
  const topic = optional(c, body, topicKey, (n) => {
    const t = c.r.text(n, `exercise: ${topicKey}`);
    if (t === undefined) return undefined;
    const why = slotProblem(t) ?? (kind === 'publish' ? topicNameProblem(t.split(CLIENT_SLOT).join('x')) : topicFilterProblem(t.split(CLIENT_SLOT).join('x')));
    if (why !== null) {
      c.r.report(n, `exercise: ${topicKey} '${t}': ${why}`);
      return undefined;
    }
    return t;
  });
  if (topic === undefined) return undefined;
  const ex: Exercise = { at: c.r.at(node, at), id, title, kind, topic };
  const qos = optional(c, body, 'qos', (n) => c.r.int(n, `exercise: ${kind}: qos`, 0, 2));
  if (qos !== undefined) ex.qos = qos;
  if (kind === 'publish') {
    const retain = optional(c, body, 'retain', (n) => c.r.bool(n, 'exercise: publish: retain'));
    if (retain !== undefined) ex.retain = retain;
    const payload = optional(c, body, 'payload', (n) => c.r.choice(n, 'exercise: publish: payload', PAYLOAD_RULES));
    if (payload !== undefined) ex.payload = payload;
  }
  return ex;
}

/** `{client}` must be a whole level: `lab/{client}/temp`, not `lab/x{client}`. */
function slotProblem(t: string): string | null {
  const levels = t.split('/');
  if (levels.some((l) => l.includes('{') || l.includes('}') ? l !== CLIENT_SLOT : false)) {
    return `uses '{' or '}' outside ${CLIENT_SLOT}; ${CLIENT_SLOT} (the sender's client id) must fill a whole topic level`;
  }
  return null;
}
