// Handlers of the classroom commands (api.ts): saved lesson progress, the student's name, lab reports,
// the lecturer's class table, and finding or grouping many students' connections.
import type { Handlers } from './commands.js';
import { need, num } from './commands.js';
import type { ClassQuery } from '../../shared/exercise.js';
import type { ConnectionQuery } from '../../shared/client-groups.js';
import type { LabParts } from './lab-parts.js';
import { buildLessonReport } from './lesson-report.js';

type ClassroomHandlers = Pick<Handlers, 'progress.get' | 'progress.clear' | 'progress.predict' | 'progress.summaries' | 'student.get' | 'student.set' | 'report.build' | 'class.table' | 'class.csv' | 'class.clear' | 'connections.find' | 'connections.groups'>;

function connectionQuery(p: unknown): ConnectionQuery {
  const o = (typeof p === 'object' && p !== null ? p : {}) as Record<string, unknown>;
  const q: ConnectionQuery = {};
  for (const k of ['search', 'prefix', 'group'] as const) {
    if (o[k] === undefined) continue;
    if (typeof o[k] !== 'string') throw new Error(`${k} must be text`);
    q[k] = o[k];
  }
  if (o['state'] !== undefined) {
    if (o['state'] !== 'open' && o['state'] !== 'connected' && o['state'] !== 'closed') throw new Error('state must be open, connected or closed');
    q.state = o['state'];
  }
  for (const k of ['idleFor', 'activeWithin', 'limit'] as const) if (o[k] !== undefined) q[k] = num(o[k], k);
  return q;
}

function classQuery(p: unknown): ClassQuery {
  const q: ClassQuery = {};
  const o = (typeof p === 'object' && p !== null ? p : {}) as Record<string, unknown>;
  for (const k of ['search', 'prefix', 'lessonId'] as const) {
    if (o[k] === undefined) continue;
    if (typeof o[k] !== 'string') throw new Error(`${k} must be text`);
    q[k] = o[k];
  }
  return q;
}

export function classroomCommands(lab: LabParts): ClassroomHandlers {
  const host = lab.lessons;
  const store = host.progress.store;
  return {
    'progress.get': (p) => host.saved(need(p?.id, 'id')),
    'progress.clear': (p) => {
      host.progress.clear(host.get(need(p?.id, 'id')));
      return null;
    },
    'progress.predict': (p) => host.predict(need(p?.id, 'id'), num(p.step, 'step'), num(p.choice, 'choice')),
    'progress.summaries': () => store.summaries(host.list().lessons.map((l) => l.id)),
    'student.get': () => ({ name: store.studentName() ?? null }),
    'student.set': (p) => {
      if (typeof p?.name !== 'string') throw new Error('name must be text');
      return { name: store.setStudentName(p.name) };
    },
    'report.build': (p) => buildLessonReport(lab, host.get(need(p?.id, 'id'))),
    'class.table': (p) => lab.class.table(classQuery(p)),
    'class.csv': (p) => ({ csv: lab.class.csv(classQuery(p)), fileName: `class-${new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-')}.csv` }),
    'connections.find': (p) => lab.activity.find(lab.tap.connections(), connectionQuery(p)),
    'connections.groups': (p) => lab.activity.groups(lab.tap.connections(), p?.activeWithin === undefined ? undefined : num(p.activeWithin, 'activeWithin')),
    'class.clear': () => {
      lab.class.clear();
      return null;
    },
  };
}
