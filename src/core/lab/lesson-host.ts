// Lessons inside a running Lab, for the lesson pane: the built-in course and a lecturer's own folder,
// reloaded when a file changes, and one lesson run at a time, step by step.
import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import type { Clock } from '../../shared/clock.js';
import type { BrokerInfo } from '../../shared/lab.js';
import type { SavedStep } from '../../shared/progress.js';
import type { Lesson, Problem, Step } from '../../shared/lesson.js';
import type { StepResult } from '../../shared/lesson-results.js';
import type { LabApi, LabEvents, LessonSummary } from '../../shared/api.js';
import type { ProgressView } from '../../shared/progress.js';
import { LessonRunner, loadLessons } from '../lessons/index.js';
import type { PacketSource } from '../lessons/observed-packet.js';
import type { QuizOutcome } from '../lessons/judge.js';
import { valueProblem } from '../lessons/choice.js';
import { isRightAnswer } from '../lessons/open-answer.js';
import { LessonProgressRecorder } from './lesson-progress.js';

export interface LessonSource { dir: string; origin: 'built-in' | 'yours' }

/** What the host needs from the lab around it, given at construction (it never reaches into the Lab). */
export interface LessonHostDeps {
  /** The API a lesson's steps drive, as a student's page would. */
  api: LabApi;
  clock: Clock;
  /** The broker behind the tap now. */
  brokerInfo(): BrokerInfo;
  /** Puts mosquitto behind the tap for a lesson, or (null) goes back to the lab's own broker. */
  useLessonBroker(kind: 'mosquitto' | null): Promise<void>;
  /** The capture's packets by seq, read in process (the engine builds trees only for what it checks). */
  packets: PacketSource;
  /** A step's result with its packets, as saved in progress. */
  snapshot(r: StepResult): SavedStep;
  dataDir?: string;
}

/** The host announces its own changes: the lesson list, each step run, each saved progress change. */
export type LessonHostEvents = { [E in 'lessons' | 'lesson-step' | 'progress']: [LabEvents[E]] };

export class LessonHost extends EventEmitter<LessonHostEvents> {
  private lessons: Lesson[] = [];
  private origins = new Map<string, 'built-in' | 'yours'>();
  private problems: Problem[] = [];
  private runner: LessonRunner | null = null;
  private current: Lesson | null = null;
  private readonly answers = new Map<number, (o: QuizOutcome) => void>();
  /** Steps answered, each with whether its first answer was right (what a graded run counts). */
  private readonly answered = new Map<number, QuizOutcome>();
  /** The student's values for steps with `choose:`. */
  private readonly chosen = new Map<number, string>();
  private graded = false;
  private watchers: FSWatcher[] = [];
  private reloadTimer: NodeJS.Timeout | null = null;
  /** Saves what happens in the running lesson as it happens (lesson-progress.ts). */
  readonly progress: LessonProgressRecorder;

  constructor(private readonly deps: LessonHostDeps, private readonly sources: LessonSource[]) {
    super();
    this.progress = new LessonProgressRecorder({ dataDir: deps.dataDir, snapshot: deps.snapshot, changed: (e) => this.emit('progress', e) });
  }

  async reload(): Promise<void> {
    const lessons: Lesson[] = [];
    const problems: Problem[] = [];
    this.origins.clear();
    for (const s of this.sources) {
      const loaded = await loadLessons(s.dir);
      for (const l of loaded.lessons) {
        // A lecturer's lesson with the id of a built-in one would be ambiguous: theirs gets a prefix.
        const id = this.origins.has(l.id) ? `yours-${l.id}` : l.id;
        lessons.push({ ...l, id });
        this.origins.set(id, s.origin);
      }
      problems.push(...loaded.problems);
    }
    lessons.sort((a, b) => (a.order ?? Infinity) - (b.order ?? Infinity) || a.id.localeCompare(b.id));
    this.lessons = lessons;
    this.problems = problems;
    this.emit('lessons', this.list());
  }

  /** Reloads when a lesson file of a watched folder changes (debounced: editors write in bursts). */
  watch(): void {
    for (const s of this.sources.filter((x) => x.origin === 'yours')) {
      try {
        this.watchers.push(watch(s.dir, () => {
          if (this.reloadTimer !== null) clearTimeout(this.reloadTimer);
          this.reloadTimer = setTimeout(() => void this.reload(), 200);
        }));
      } catch {
        // A folder that cannot be watched is still loaded; reload happens on request.
      }
    }
  }

  list(): { lessons: LessonSummary[]; problems: Problem[] } {
    return {
      lessons: this.lessons.map((l) => ({
        id: l.id, title: l.title, objectives: l.objectives, steps: l.steps.length, file: l.file,
        requires: l.requires, origin: this.origins.get(l.id) ?? 'built-in', ...(l.order === undefined ? {} : { order: l.order }),
      })),
      problems: this.problems,
    };
  }

  /** Every loaded lesson, in course order. */
  all(): readonly Lesson[] {
    return this.lessons;
  }

  get(id: string): Lesson {
    const l = this.lessons.find((x) => x.id === id);
    if (l === undefined) throw new Error(`no lesson '${id}'`);
    return l;
  }

  /**
   * Makes the lesson the running one. With `graded`, a wrong first answer fails its step (practice mode
   * lets a student try again). A fresh start begins a new attempt (saved results and answers go);
   * `resume` runs the saved steps again, with their saved answers and choices, so the lab is where the
   * student left it and the next step can follow.
   */
  async start(id: string, opts: { graded?: boolean; resume?: boolean } = {}): Promise<{ steps: number; replayed: number }> {
    const graded = opts.graded === true;
    const resume = opts.resume === true;
    const lesson = this.get(id);
    await this.close();
    // A lesson on mosquitto (or one needing MQTT 5 on a lab whose broker lacks it) gets the system mosquitto
    // behind the tap for as long as it runs; close() goes back to the lab's own broker.
    const wantsMosquitto = lesson.runsOn === 'mosquitto' || (lesson.requires.includes('mqtt5') && !this.deps.brokerInfo().mqtt5);
    if (wantsMosquitto && this.deps.brokerInfo().kind !== 'mosquitto') {
      try {
        await this.deps.useLessonBroker('mosquitto');
      } catch (e) {
        throw new Error(`'${lesson.title}' runs on mosquitto, which could not be started: ${(e as Error).message}`);
      }
    }
    this.current = lesson;
    this.answered.clear();
    this.chosen.clear();
    this.graded = graded;
    this.runner = new LessonRunner(this.deps.api, lesson, {
      quiz: (step) => this.awaitAnswer(step),
      graded,
      choose: (step) => this.choiceFor(step),
      clock: this.deps.clock,
      packets: this.deps.packets,
    });
    const replay = resume ? this.progress.stepsToReplay(lesson) : 0;
    if (!resume) this.progress.newAttempt(lesson);
    else {
      const saved = this.progress.store.get(lesson.id);
      for (const [k, v] of Object.entries(saved?.chosen ?? {})) this.chosen.set(Number(k), v);
      // Steps run again take their saved answers: nobody should have to answer twice.
      for (let i = 0; i < replay; i++) this.answered.set(i, { answered: true, correct: saved?.answers[i]?.correct ?? null });
    }
    for (let i = 0; i < replay; i++) await this.next();
    return { steps: lesson.steps.length, replayed: replay };
  }

  /** Runs the next step; null when the lesson is over. */
  async next(): Promise<StepResult | null> {
    if (this.runner === null) throw new Error('no lesson is running: start one first');
    const lesson = this.current;
    const r = await this.runner.next();
    if (r !== null && lesson !== null) this.progress.stepRan(lesson, r);
    if (r !== null) this.emit('lesson-step', r);
    return r;
  }

  /** Runs the step that ran last again, after it failed (engine.ts `rerun`); saved and sent like any step. */
  async rerun(stepIndex: number): Promise<StepResult> {
    if (this.runner === null || this.current === null) throw new Error('no lesson is running: start one first');
    // A graded run counts each step's first run, as it counts each question's first answer.
    if (this.graded) throw new Error('in a graded run each step counts as it first ran: start the lesson over to try again');
    const lesson = this.current;
    const r = await this.runner.rerun(stepIndex);
    this.progress.stepRan(lesson, r);
    this.emit('lesson-step', r);
    return r;
  }

  /** Saved progress of a lesson, for the pane to restore when it opens the lesson. */
  saved(id: string): ProgressView {
    return this.progress.view(this.get(id));
  }

  /** Records a prediction made before the step runs (kept even before the lesson starts). */
  predict(id: string, stepIndex: number, choice: number): { correct: boolean | null } {
    const lesson = this.get(id);
    const q = lesson.steps[stepIndex]?.predict;
    if (q === undefined) throw new Error(`step ${stepIndex + 1} of '${lesson.title}' asks for no prediction`);
    if (!Number.isInteger(choice) || choice < 0 || choice >= q.choices.length) throw new Error(`choice must be 0..${q.choices.length - 1}`);
    const correct = q.answer === undefined ? null : q.answer === choice;
    this.progress.answered(lesson, stepIndex, { choice }, correct, 'prediction');
    return { correct };
  }

  /**
   * Records a person's answer to a step's question: a choice's index, or the text typed for an open
   * question. Says whether it was right; the right answer of an open question is shown once it is right,
   * or at once in a graded run, where only the first answer counts.
   */
  answer(stepIndex: number, given: { choice?: number; text?: string }): { correct: boolean | null; explain?: string; expected?: string } {
    const step = this.current?.steps[stepIndex];
    if (step === undefined) throw new Error(`the running lesson has no step ${stepIndex + 1}`);
    const q = step.question ?? step.predict;
    if (q === undefined) throw new Error(`step ${stepIndex + 1} asks no question`);
    let correct: boolean | null;
    let expected: string | undefined;
    let explain = q.explain;
    if (q.open !== undefined) {
      const text = given.text;
      if (typeof text !== 'string' || text.trim() === '') throw new Error('type an answer first');
      // Until the step's packets are there, there is nothing to check against: the answer is not taken.
      const key = this.runner?.answerKey(stepIndex) ?? 'no lesson is running';
      if (typeof key === 'string') throw new Error(key);
      correct = isRightAnswer(key.key, text);
      if (correct || this.graded) expected = key.text;
    } else {
      const choice = given.choice;
      if (choice === undefined || !Number.isInteger(choice) || choice < 0 || choice >= q.choices.length) throw new Error(`choice must be 0..${q.choices.length - 1}`);
      correct = q.answer === undefined ? null : q.answer === choice;
      explain = q.choiceExplain?.[choice] ?? q.explain;
    }
    if (!this.answered.has(stepIndex)) {
      const outcome: QuizOutcome = { answered: true, correct };
      if (expected !== undefined) outcome.message = expected;
      this.answered.set(stepIndex, outcome);
      this.answers.get(stepIndex)?.(outcome);
    }
    this.progress.answered(this.current!, stepIndex, q.open !== undefined ? { text: given.text! } : { choice: given.choice! }, correct, q === step.question ? 'answer' : 'prediction');
    return { correct, ...(explain === undefined ? {} : { explain }), ...(expected === undefined ? {} : { expected }) };
  }

  /** The student's value for the step's `choose:`, checked now so that a typo is answered at once. */
  choose(stepIndex: number, value: string): { value: string } {
    const step = this.current?.steps[stepIndex];
    if (step?.choose === undefined) throw new Error(`step ${stepIndex + 1} has nothing to choose`);
    const problem = valueProblem(step.choose.kind, value);
    if (problem !== null) throw new Error(`'${value}' ${problem}`);
    this.chosen.set(stepIndex, value);
    this.progress.chose(this.current!, stepIndex, value);
    return { value };
  }

  /**
   * Ends the running lesson and takes away what it made (its clients leave with a DISCONNECT). With `id`,
   * only when that lesson is the one running: a page that lost track of the run (reloaded) can close its own
   * lesson without ending one another window started.
   */
  async close(id?: string): Promise<string[]> {
    if (id !== undefined && this.current?.id !== id) return [];
    const runner = this.runner;
    this.runner = null;
    this.current = null;
    for (const resolve of this.answers.values()) resolve({ answered: false, correct: null, message: 'the lesson was closed' });
    this.answers.clear();
    const cleanup = runner === null ? [] : await runner.close();
    // The reset above ran on the lesson's broker; only now may it go.
    await this.deps.useLessonBroker(null).catch((e: Error) => cleanup.push(`stop the lesson's broker: ${e.message}`));
    return cleanup;
  }

  async stop(): Promise<void> {
    for (const w of this.watchers) w.close();
    this.watchers = [];
    if (this.reloadTimer !== null) clearTimeout(this.reloadTimer);
    await this.close();
  }

  private awaitAnswer(step: Step): Promise<QuizOutcome> {
    const done = this.answered.get(step.index);
    if (done !== undefined) return Promise.resolve(done);
    return new Promise((resolve) => this.answers.set(step.index, resolve));
  }

  private choiceFor(step: Step): Promise<string> {
    const v = this.chosen.get(step.index);
    if (v === undefined) return Promise.reject(new Error(`make your choice first: ${step.choose?.prompt ?? ''}`));
    return Promise.resolve(v);
  }
}
