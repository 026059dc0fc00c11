// Handlers of the progress, student and report commands (api.ts): saved lesson progress and lab reports.
import type { Handlers } from './commands.js';
import { need, num } from './commands.js';
import type { Lab } from './lab.js';
import { buildLessonReport } from './lesson-report.js';

type ProgressHandlers = Pick<Handlers, 'progress.get' | 'progress.clear' | 'progress.predict' | 'progress.summaries' | 'student.get' | 'student.set' | 'report.build'>;

export function progressCommands(lab: Lab): ProgressHandlers {
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
  };
}
