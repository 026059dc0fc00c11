// Between the running lesson and the progress files: each step result (with its packets), prediction and
// answer is saved the moment it happens, and what a reopened lesson needs is read back.
import type { Lesson } from '../../shared/lesson.js';
import type { StepResult } from '../../shared/lesson-results.js';
import type { LabEvents } from '../../shared/api.js';
import type { ProgressView, SavedStep } from '../../shared/progress.js';
import { lessonVersion, ProgressStore, type LessonIdentity } from '../progress/index.js';

/** What the recorder needs from the lab around it, given at construction. */
export interface ProgressDeps {
  /** Where progress files go; undefined: kept only while the Lab runs. */
  dataDir?: string;
  /** A step's result with its packets, as saved (taken from the capture at once: the capture moves on). */
  snapshot(r: StepResult): SavedStep;
  /** Every saved change, for the views' progress badges. */
  changed(e: LabEvents['progress']): void;
}

export class LessonProgressRecorder {
  readonly store: ProgressStore;
  private readonly versions = new WeakMap<Lesson, string>();

  constructor(private readonly deps: ProgressDeps) {
    this.store = new ProgressStore(deps.dataDir);
  }

  identity(l: Lesson): LessonIdentity {
    let v = this.versions.get(l);
    if (v === undefined) {
      v = lessonVersion(l);
      this.versions.set(l, v);
    }
    return { id: l.id, title: l.title, version: v };
  }

  view(l: Lesson): ProgressView {
    return this.store.view(this.identity(l));
  }

  /** A new attempt: results, answers and completion go; predictions for steps not yet run stay. */
  newAttempt(l: Lesson): void {
    const id = this.identity(l);
    this.save(l, (p) => {
      for (const k of Object.keys(p.predictions)) if (p.steps[Number(k)] !== undefined) delete p.predictions[Number(k)];
      p.steps = {};
      p.answers = {};
      delete p.chosen;
      delete p.completedAt;
      p.startedAt = Date.now();
      p.lessonVersion = id.version;
    });
  }

  /** Saved steps from the first on, without a gap: those a resumed lesson runs again. */
  stepsToReplay(l: Lesson): number {
    const p = this.store.get(l.id);
    let n = 0;
    while (p !== null && p.steps[n] !== undefined && n < l.steps.length) n++;
    return n;
  }

  stepRan(l: Lesson, r: StepResult): void {
    const saved = this.deps.snapshot(r);
    this.save(l, (p) => {
      p.steps[r.index] = saved;
      if (l.steps.every((s) => p.steps[s.index] !== undefined)) p.completedAt ??= Date.now();
    });
  }

  answered(l: Lesson, step: number, given: { choice: number } | { text: string }, correct: boolean | null, kind: 'prediction' | 'answer'): void {
    this.save(l, (p) => {
      (kind === 'prediction' ? p.predictions : p.answers)[step] = { ...given, correct, time: Date.now() };
    });
  }

  chose(l: Lesson, step: number, value: string): void {
    this.save(l, (p) => {
      (p.chosen ??= {})[step] = value;
    });
  }

  clear(l: Lesson): void {
    this.store.clear(l.id);
    this.deps.changed({ lessonId: l.id, summary: null, problems: [] });
  }

  private save(l: Lesson, change: Parameters<ProgressStore['update']>[1]): void {
    this.store.update(this.identity(l), change);
    const summary = this.store.summaries([l.id])[l.id] ?? null;
    this.deps.changed({ lessonId: l.id, summary, problems: this.store.takeProblems() });
  }
}
