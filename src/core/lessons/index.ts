// The lesson engine's public face: parse and check lessons, load a folder, run a lesson against a LabApi.
export type { Action, Expectation, Lesson, LessonBlock, MessageMatch, PacketMatch, Problem, Question, SourcePos, Step, ViewName } from '../../shared/lesson.js';
export type { ActionResult, ExpectationResult, LessonResult, StepResult } from '../../shared/lesson-results.js';
export { checkLessonFile, formatProblem, parseLesson, type CheckResult } from './validate.js';
export { lessonFiles, loadLessons, type LoadedLessons } from './load.js';
export { LessonRunner, runLesson, type RunnerOptions } from './engine.js';
export type { QuizHook } from './judge.js';
export { reportLines } from './report-text.js';
export { actionLabel, expectationLabel } from './labels.js';
