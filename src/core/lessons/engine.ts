// The lesson engine: runs a parsed lesson against any LabApi (in-process, IPC or WebSocket), one step at
// a time for the lesson pane (`next()`), or all at once for `lesson run` (`runAll()`), and leaves the lab
// as it found it (`close()`).
import type { Clock } from '../../shared/clock.js';
import type { LabApi, ParamsOf, WirePacket } from '../../shared/api.js';
import { judge, type QuizHook, type QuizOutcome } from './judge.js';
import { answerKey, answerText, type AnswerKey } from './open-answer.js';
import { stepWithChoice } from './choice.js';
import { knownFilters } from '../dissect/fields.js';
import { parseStep } from './parse-step.js';
import { actionLabel, expectationLabel } from './labels.js';
import { LabObserver } from './lab-observer.js';
import type { PacketSource } from './observed-packet.js';
import type { BrokerSetup, Lesson, Step } from '../../shared/lesson.js';
import { perform } from './perform.js';
import { prepareLab, resetLab } from './reset.js';
import type { ActionResult, ExpectationResult, LessonResult, StepResult } from '../../shared/lesson-results.js';
import { RunContext } from './run-context.js';

export interface RunnerOptions {
  /**
   * Asks the step's question when it has `quiz: true`; without it any answer is accepted (an open question
   * must still be answerable from the capture). `close()` waits for the running step, so a pane closing
   * mid-question should settle its pending answer first.
   */
  quiz?: QuizHook;
  /** Waits, expectation windows and step durations; default the wall clock. */
  clock?: Clock;
  /** A wrong first answer fails the step's quiz expectation. */
  graded?: boolean;
  /** The student's value for a step with `choose:`; without it the lesson's example is used. */
  choose?: (step: Step) => Promise<string>;
  /** The Lab's packets whole, synchronously, so the engine builds a tree only for what it checks field by field. */
  packets?: PacketSource;
}

export class LessonRunner {
  private readonly obs: LabObserver;
  private readonly ctx: RunContext;
  private readonly steps: StepResult[] = [];
  private readonly cleanup: string[] = [];
  private position = 0;
  private started: Promise<void> | undefined;
  private skipped: string | undefined;
  /** Why the lesson could not start on this lab (its broker setup was refused); the lesson then fails. */
  private failure: string | undefined;
  private closed = false;
  /** Steps run one after another even if the UI asks for the next before the last has ended. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly startedAt: number;
  /** The step whose actions or expectations are under way. */
  private runningIndex: number | undefined;
  /** Fault rules each step added, by step index: a re-run removes its own before adding them again. */
  private readonly stepRules = new Map<number, string[]>();

  constructor(readonly api: LabApi, readonly lesson: Lesson, private readonly opts: RunnerOptions = {}) {
    this.obs = new LabObserver(api, opts.clock, opts.packets);
    this.startedAt = this.obs.clock.now();
    this.ctx = new RunContext(api, this.obs);
  }

  /** True when every step has run (or the lesson cannot run on this lab). */
  get done(): boolean {
    return this.closed || this.skipped !== undefined || this.failure !== undefined || this.position >= this.lesson.steps.length;
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
    try {
      while ((await this.next()) !== null) {
        // every step runs, even after a failure: the report shows all of them
      }
    } catch (e) {
      // A lesson that cannot start is reported in its result; anything else is a bug worth seeing.
      if (this.failure === undefined) throw e;
    }
    return this.result();
  }

  result(): LessonResult {
    const r: LessonResult = {
      file: this.lesson.file,
      id: this.lesson.id,
      title: this.lesson.title,
      passed: this.skipped === undefined && this.failure === undefined && this.steps.length === this.lesson.steps.length && this.steps.every((s) => s.passed),
      steps: [...this.steps],
      cleanup: [...this.cleanup],
      durationMs: this.obs.clock.now() - this.startedAt,
    };
    if (this.skipped !== undefined) r.skipped = this.skipped;
    if (this.failure !== undefined) r.error = this.failure;
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
      if (this.lesson.requires.includes('mqtt5') || this.lesson.runsOn !== undefined) {
        const status = await this.api.call('lab.status', {});
        if (this.lesson.runsOn !== undefined && status.broker.kind !== this.lesson.runsOn) {
          this.skipped = `runs on ${this.lesson.runsOn} (front matter 'broker: ${this.lesson.runsOn}'); this lab's broker is ${status.broker.kind}`;
        } else if (!status.broker.mqtt5) {
          this.skipped = `needs a broker that speaks MQTT 5; this lab's broker (${status.broker.kind}) does not`;
        }
      }
      const ids = this.lesson.steps.flatMap((s) => s.actions.flatMap((a) => (a.kind === 'client' ? [a.id] : [])));
      this.cleanup.push(...(await prepareLab(this.api, ids)).map((p) => `before the lesson: ${p}`));
      if (this.skipped === undefined && this.lesson.broker !== undefined) await this.configureBroker(this.lesson.broker);
    })();
    return this.started;
  }

  /** Front matter `broker:`: the users and ACL the broker enforces for this lesson (reset by close()). */
  private async configureBroker(setup: BrokerSetup): Promise<void> {
    const params: ParamsOf<'broker.configure'> = {};
    if (setup.users !== undefined) params.users = setup.users;
    if (setup.acl !== undefined) params.acl = setup.acl;
    try {
      await this.api.call('broker.configure', params);
      this.ctx.brokerConfigured = true;
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      this.failure = `cannot run on this lab: the lesson sets the broker's users and ACL (front matter 'broker:'), but ${why}; run it on the embedded aedes broker`;
    }
  }

  /**
   * Runs again the step that ran last, when it failed: what that step itself left behind (the clients it
   * created, its fault rules still armed) goes first, so its actions can run as written, against the same
   * broker and with the rest of the lesson's state as it is now. Its new result replaces the old one.
   */
  rerun(index: number): Promise<StepResult> {
    const run = this.queue.then(() => this.runAgain(index));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async runAgain(index: number): Promise<StepResult> {
    const n = index + 1;
    if (this.closed) throw new Error('the lesson was closed');
    const last = this.steps.at(-1);
    if (last === undefined || last.index !== index) {
      throw new Error(last === undefined ? `step ${n} has not run yet` : `only the step that ran last (step ${last.index + 1}) can be run again`);
    }
    if (last.passed) throw new Error(`step ${n} passed: there is nothing to run again`);
    const written = this.lesson.steps[index]!;
    for (const a of written.actions) {
      if (a.kind !== 'client' || !this.ctx.clients.has(a.id)) continue;
      await this.api.call('clients.remove', { id: a.id });
      this.ctx.clients.delete(a.id);
      this.ctx.connecting.delete(a.id);
    }
    const armed = new Set((await this.api.call('faults.list', {})).map((r) => r.id));
    for (const id of this.stepRules.get(index) ?? []) if (armed.has(id)) await this.api.call('faults.remove', { id });
    this.steps.pop();
    const result = await this.runStep(written);
    result.attempt = (last.attempt ?? 1) + 1;
    return result;
  }

  private async runNext(): Promise<StepResult | null> {
    if (this.done) return null;
    await this.start();
    if (this.failure !== undefined) throw new Error(this.failure);
    if (this.done) return null;
    return this.runStep(this.lesson.steps[this.position++]!);
  }

  private async runStep(written: Step): Promise<StepResult> {
    const rulesBefore = this.ctx.rulesAdded.length;
    const began = this.obs.clock.now();
    const afterSeq = await this.obs.beginStep();
    this.runningIndex = written.index;
    const actions: ActionResult[] = [];
    let failed: ActionResult | undefined;
    let chosen: string | undefined;
    let step = written;
    if (written.choose !== undefined) {
      // The student's choice goes into the step's actions and expectations; a value that does not fit fails the step.
      const c = written.choose;
      let problem: string | undefined;
      try {
        chosen = this.opts.choose === undefined ? c.example : await this.opts.choose(written);
        const r = stepWithChoice(written, chosen, this.lesson, knownFilters(), parseStep);
        if (typeof r === 'string') problem = r;
        else step = r;
      } catch (e) {
        problem = e instanceof Error ? e.message : String(e);
      }
      if (problem !== undefined) {
        failed = { kind: written.actions[0]?.kind ?? 'wait', at: c.at, label: `your choice: ${c.prompt}`, ok: false, error: problem };
        actions.push(failed);
      }
    }
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
      ? await judge(this.ctx, step, this.opts.quiz ?? ((s) => Promise.resolve(this.headlessQuiz(s))), this.opts.graded === true)
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
      durationMs: this.obs.clock.now() - began,
    };
    if (step.title !== undefined) result.title = step.title;
    if (chosen !== undefined) result.chosen = chosen;
    this.runningIndex = undefined;
    this.stepRules.set(step.index, this.ctx.rulesAdded.slice(rulesBefore));
    this.steps.push(result);
    return result;
  }

  /**
   * The right answer of a step's open question in this run, read from that step's packets (the step may
   * still be running: the question is asked while its quiz expectation waits). A string says why there is none.
   */
  answerKey(stepIndex: number): { key: AnswerKey; text: string } | string {
    const step = this.lesson.steps[stepIndex];
    const open = (step?.question ?? step?.predict)?.open;
    if (step === undefined || open === undefined) return `step ${stepIndex + 1} has no open question`;
    const packets = this.stepPackets(stepIndex);
    if (packets === undefined) return `step ${stepIndex + 1} has not run yet`;
    const key = answerKey(open, packets, this.ctx);
    return typeof key === 'string' ? key : { key, text: answerText(key, packets) };
  }

  private stepPackets(stepIndex: number): WirePacket[] | undefined {
    if (this.runningIndex === stepIndex) return this.obs.packets;
    const r = this.steps.find((s) => s.index === stepIndex);
    return r === undefined ? undefined : this.obs.since(r.afterSeq).filter((p) => p.seq <= r.lastSeq);
  }

  /** Without a person: an open question read from the capture must at least be answerable from this run. */
  private headlessQuiz(step: Step): QuizOutcome {
    if (step.question?.open === undefined) return { answered: true, correct: null, message: 'headless run: any answer is accepted' };
    const k = this.answerKey(step.index);
    return typeof k === 'string' ? { answered: false, correct: null, message: k } : { answered: true, correct: null, message: `headless run: the answer here is ${k.text}` };
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
