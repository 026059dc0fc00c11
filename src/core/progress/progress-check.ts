// What a progress file must hold to be restored. Anything else (edited by hand, cut short, another
// version) is set aside rather than half-trusted: the renderer relies on these shapes.
import type { LessonProgress } from '../../shared/progress.js';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function answersProblem(v: unknown, what: string): string | null {
  if (!isObj(v)) return `${what} is not an object`;
  for (const [k, a] of Object.entries(v)) {
    if (!/^\d+$/.test(k)) return `${what} has a key '${k}' that is no step number`;
    const given = isObj(a) && (Number.isInteger(a['choice']) || typeof a['text'] === 'string');
    if (!isObj(a) || !given || !(a['correct'] === null || typeof a['correct'] === 'boolean')) return `${what} of step ${Number(k) + 1} is malformed`;
  }
  return null;
}

export function progressProblem(v: unknown): string | null {
  if (!isObj(v)) return 'its progress is not an object';
  for (const k of ['lessonId', 'lessonTitle', 'lessonVersion'] as const) if (typeof v[k] !== 'string') return `${k} is missing`;
  for (const k of ['startedAt', 'updatedAt'] as const) if (!isNum(v[k])) return `${k} is missing`;
  if (v['completedAt'] !== undefined && !isNum(v['completedAt'])) return 'completedAt is not a time';
  const a = answersProblem(v['predictions'], 'predictions') ?? answersProblem(v['answers'], 'answers');
  if (a !== null) return a;
  if (v['chosen'] !== undefined && (!isObj(v['chosen']) || Object.values(v['chosen']).some((x) => typeof x !== 'string'))) return 'chosen is malformed';
  if (!isObj(v['steps'])) return 'steps is not an object';
  for (const [k, s] of Object.entries(v['steps'])) {
    const r = isObj(s) ? s['result'] : undefined;
    if (!/^\d+$/.test(k) || !isObj(s) || !isObj(r) || r['index'] !== Number(k) || typeof r['passed'] !== 'boolean'
      || !Array.isArray(r['expectations']) || !Array.isArray(r['actions']) || !Array.isArray(s['packets']) || !Array.isArray(s['connections'])) {
      return `the saved result of step ${/^\d+$/.test(k) ? Number(k) + 1 : k} is malformed`;
    }
    for (const p of s['packets'] as unknown[]) {
      if (!isObj(p) || !isNum(p['seq']) || !isNum(p['connId']) || typeof p['bytes'] !== 'string' || !/^([0-9a-f]{2})*$/.test(p['bytes'])) {
        return `a saved packet of step ${Number(k) + 1} is malformed`;
      }
    }
  }
  return null;
}

/** For the type checker: a value that passed progressProblem. */
export function asProgress(v: unknown): LessonProgress {
  return v as LessonProgress;
}
