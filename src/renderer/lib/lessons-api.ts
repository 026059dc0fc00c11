// What the lesson pane needs from a lesson engine: the Lab API's `lessons.*` commands (api.ts), behind an
// interface so the offline capture viewer, which has no lesson engine, can say so (viewer/capture-lab.ts).
import type { LessonList } from '../../shared/api.js';
import type { StepResult } from '../../shared/lesson-results.js';
import type { Lesson } from '../../shared/lesson.js';

export interface AnswerResult {
  /** null when the question has no right answer (an open prediction). */
  correct: boolean | null;
  explain?: string;
  /** An open question's right answer, once it may be shown. */
  expected?: string;
}

export interface LessonsApi {
  list(): Promise<LessonList>;
  get(id: string): Promise<Lesson>;
  start(id: string, graded?: boolean): Promise<{ steps: number }>;
  /** Runs the running lesson's next step; null when the lesson is over. */
  next(): Promise<StepResult | null>;
  /** Answers the step's question (or its prediction when it has no question). */
  answer(step: number, given: { choice?: number; text?: string }): Promise<AnswerResult>;
  /** The student's value for a step with `choose:`, before it runs. */
  choose(step: number, value: string): Promise<{ value: string }>;
  /** Runs the step that ran last again, after it failed; its new result replaces the old. */
  rerun(step: number): Promise<StepResult>;
  /** Ends the lesson (with `id`: only if that one is running); says in words what could not be reset. */
  close(id?: string): Promise<string[]>;
}
