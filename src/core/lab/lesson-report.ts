// Lab reports of a Lab's lessons: from saved progress (the lesson pane) or from a headless run.
import type { Lesson } from '../../shared/lesson.js';
import type { BrokerInfo } from '../../shared/lab.js';
import type { LessonResult, StepResult } from '../../shared/lesson-results.js';
import type { SavedStep } from '../../shared/progress.js';
import { lessonVersion } from '../progress/index.js';
import { appVersion, KEY_ENV, renderReport, reportRecord, sealOf } from '../report/index.js';
import type { LabParts } from './lab-parts.js';

export interface BuiltReport {
  html: string;
  fileName: string;
}

function fileName(lesson: Lesson, student: string | null): string {
  const who = (student ?? '').normalize('NFKD').replace(/[^\w-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return `${lesson.id}-report${who ? `-${who}` : ''}.html`;
}

function seal(record: ReturnType<typeof reportRecord>): BuiltReport['html'] {
  return renderReport(record, sealOf(record, process.env[KEY_ENV]));
}

/** The report of a lesson's saved progress, as far as the student got. */
export function buildLessonReport(lab: Pick<LabParts, 'lessons' | 'brokerInfo'>, lesson: Lesson): BuiltReport {
  const p = lab.lessons.progress.store.get(lesson.id);
  if (p === null) throw new Error(`'${lesson.title}' has no saved progress yet: run at least one step first`);
  const student = lab.lessons.progress.store.studentName() ?? null;
  const record = reportRecord({
    lesson, lessonVersion: lab.lessons.progress.identity(lesson).version, student,
    startedAt: p.startedAt, completedAt: p.completedAt ?? null, steps: p.steps, predictions: p.predictions, answers: p.answers,
    via: 'lesson pane', broker: lab.brokerInfo, appVersion: appVersion(),
  });
  return { html: seal(record), fileName: fileName(lesson, student) };
}

/** The report of `lesson run`: taken from the lab's capture right after the run, before the lab stops. */
export function buildRunReport(
  lab: { snapshot(r: StepResult): SavedStep; brokerInfo: BrokerInfo }, lesson: Lesson, result: LessonResult, student: string | null,
): BuiltReport {
  const steps: Record<number, SavedStep> = {};
  for (const r of result.steps) steps[r.index] = lab.snapshot(r);
  const end = Date.now();
  const record = reportRecord({
    lesson, lessonVersion: lessonVersion(lesson), student, startedAt: end - result.durationMs,
    completedAt: result.steps.length === lesson.steps.length ? end : null, steps, predictions: {}, answers: {},
    via: 'lesson run', broker: lab.brokerInfo, appVersion: appVersion(),
  });
  return { html: seal(record), fileName: fileName(lesson, student) };
}
