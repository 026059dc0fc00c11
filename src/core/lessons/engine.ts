// The lesson engine: runs a parsed lesson against any LabApi (in-process, IPC or WebSocket), one step at
// a time for the lesson pane (`next()`), or all at once for `lesson run` (`runAll()`), and leaves the lab
// as it found it (`close()`).
import type { LabApi } from '../../shared/api.js';
import { judge, type QuizHook } from './judge.js';
import { actionLabel, expectationLabel } from './labels.js';
import { LabObserver } from './lab-observer.js';
import type { Lesson, Step } from '../../shared/lesson.js';
import { perform } from './perform.js';
import { prepareLab, resetLab } from './reset.js';
import type { ActionResult, ExpectationResult, LessonResult, StepResult } from '../../shared/lesson-results.js';
import { RunContext } from './run-context.js';

export interface RunnerOptions {
  /**
   * Asks the step's question when it has `quiz: true`; without it any answer is accepted. `close()` waits
   * for the running step, so a pane closing mid-question should settle its pending answer first.
   */
  quiz?: QuizHook;
}

export class LessonRunner {
  private readonly obs: LabObserver;
  private readonly ctx: RunContext;
  private readonly steps: StepResult[] = [];
  private readonly cleanup: string[] = [];
  private position = 0;
  private started: Promise<void> | undefined;
  private skipped: string | undefined;
  private closed = false;
  /** Steps run one after another even if the UI asks for the next before the last has ended. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly startedAt = Date.now();

  constructor(readonly api: LabApi, readonly lesson: Lesson, private readonly opts: RunnerOptions = {}) {
    this.obs = new LabObserver(api);
    this.ctx = new RunContext(api, this.obs);
  }

  /** True when every step has run (or the lesson cannot run on this lab). */
  get done(): boolean {
    return this.closed || this.skipped !== undefined || this.position >= this.lesson.steps.length;
  }

  /** The step `next()` will run, e.g. to ask its `predict` question first. */
  peek(): Step | null {
    return this.done ? null : this.lesson.steps[this.position] ?? null;
  }

  /** Runs the next step; null when there is none left. */
  next(): Promise<StepResult | null> {
    const run = this.queue.then(() => this.runNext());
    this.queue = run.catch(() => undefined);
    return run;
  }

  async runAll(): Promise<LessonResult> {
    while ((await this.next()) !== null) {
      // every step runs, even after a failure: the report shows all of them
    }
    return this.result();
  }

  result(): LessonResult {
    const r: LessonResult = {
      file: this.lesson.file,
      id: this.lesson.id,
      title: this.lesson.title,
      passed: this.skipped === undefined && this.steps.length === this.lesson.steps.length && this.steps.every((s) => s.passed),
      steps: [...this.steps],
      cleanup: [...this.cleanup],
      durationMs: Date.now() - this.startedAt,
    };
    if (this.skipped !== undefined) r.skipped = this.skipped;
    return r;
  }

  /** Resets the lab (clients, rules, step mode, retained messages, sessions) and stops listening. */
  async close(): Promise<string[]> {
    await this.queue;
    if (this.closed) return this.cleanup;
    this.closed = true;
    if (this.started !== undefined) this.cleanup.push(...(await resetLab(this.ctx)));
    this.obs.stop();
    return this.cleanup;
  }

  private start(): Promise<void> {
    this.started ??= (async () => {
      await this.obs.start();
      if (this.lesson.requires.includes('mqtt5')) {
        const status = await this.api.call('lab.status', {});
        if (!status.broker.mqtt5) this.skipped = `needs a broker that speaks MQTT 5; this lab's broker (${status.broker.kind}) does not`;
      }
      const ids = this.lesson.steps.flatMap((s) => s.actions.flatMap((a) => (a.kind === 'client' ? [a.id] : [])));
      this.cleanup.push(...(await prepareLab(this.api, ids)).map((p) => `before the lesson: ${p}`));
    })();
    return this.started;
  }

  private async runNext(): Promise<StepResult | null> {
    if (this.done) return null;
    await this.start();
    if (this.done) return null;
    const step = this.lesson.steps[this.position++]!;
    const began = Date.now();
    const afterSeq = await this.obs.beginStep();
    const actions: ActionResult[] = [];
    let failed: ActionResult | undefined;
    for (const a of step.actions) {
      if (failed !== undefined) {
        actions.push({ kind: a.kind, at: a.at, label: actionLabel(a), ok: false, error: `not run: the action on line ${failed.at.line} failed` });
        continue;
      }
      const r = await perform(this.ctx, a);
      actions.push(r);
      if (!r.ok) failed = r;
    }
    const expectations: ExpectationResult[] = failed === undefined
      ? await judge(this.ctx, step, this.opts.quiz)
      : step.expectations.map((e) => ({
        kind: e.kind, at: e.at, label: expectationLabel(e), passed: false, seqs: [],
        message: `not checked: the action on line ${failed!.at.line} failed (${failed!.error ?? ''})`,
      }));
    const result: StepResult = {
      index: step.index,
      at: step.at,
      passed: actions.every((a) => a.ok) && expectations.every((e) => e.passed),
      actions,
      expectations,
      afterSeq,
      lastSeq: Math.max(afterSeq, this.obs.latestSeq),
      durationMs: Date.now() - began,
    };
    if (step.title !== undefined) result.title = step.title;
    this.steps.push(result);
    return result;
  }
}

/** Runs a whole lesson and resets the lab afterwards, whatever happened. */
export async function runLesson(api: LabApi, lesson: Lesson, opts: RunnerOptions = {}): Promise<LessonResult> {
  const runner = new LessonRunner(api, lesson, opts);
  try {
    await runner.runAll();
  } finally {
    await runner.close();
  }
  return runner.result();
}
