// The lesson pane's state. A lesson runs on the Lab, one step after another (`lessons.next`); the pane keeps
// each step's result, the student's predictions (checked here, against the lesson's own answer) and the
// engine's verdict on answered questions.
import type { LessonList } from '../../shared/api.js';
import type { StepResult } from '../../shared/lesson-results.js';
import type { Lesson, ViewName } from '../../shared/lesson.js';
import type { ProgressView } from '../../shared/progress.js';
import { findField } from '../lib/fields.js';
import type { AnswerResult, LessonsApi } from '../lib/lessons-api.js';
import type { LabStore } from './lab.svelte.js';

export interface Answer {
  /** The choice picked, for a multiple-choice question. */
  choice?: number;
  /** The text typed, for an open question. */
  text?: string;
  result?: AnswerResult;
}

export class LessonsStore {
  list = $state.raw<LessonList>({ lessons: [], problems: [] });
  /** null while unknown; false when the lab has no lesson engine. */
  available = $state<boolean | null>(null);
  problem = $state<string | null>(null);
  current = $state.raw<Lesson | null>(null);
  /** Whether `lessons.start` has run for the current lesson. */
  started = $state(false);
  results = $state.raw<Record<number, StepResult>>({});
  running = $state<number | null>(null);
  predictions = $state<Record<number, Answer>>({});
  questions = $state<Record<number, Answer>>({});
  /** The student's values for steps with `choose:`, accepted by the lab. */
  chosen = $state<Record<number, string>>({});
  /** Graded: the first answer to each question counts, and a wrong one fails its step. Set before starting. */
  graded = $state(false);
  /** The view a step asked to show after running; the pane applies it to the layout and clears it. */
  view = $state<ViewName | null>(null);
  /** What the Lab saved of the open lesson (null: this lab saves nothing, e.g. the demo lab). */
  saved = $state.raw<ProgressView | null>(null);
  /** Results shown were restored from saved progress and the lesson has not been resumed yet. */
  restored = $state(false);

  constructor(private readonly lab: LabStore, private readonly api: LessonsApi) {}

  /** The step `lessons.next` will run: steps run in order. */
  get nextIndex(): number {
    let i = 0;
    while (this.results[i]) i++;
    return i;
  }

  async load(): Promise<void> {
    try {
      this.setList(await this.api.list());
      this.available = true;
      this.problem = null;
    } catch (e) {
      this.available = false;
      this.problem = e instanceof Error ? e.message : String(e);
    }
  }

  setList(l: LessonList): void {
    this.list = { ...l, lessons: l.lessons.slice().sort((a, b) => (a.order ?? 1e9) - (b.order ?? 1e9) || a.title.localeCompare(b.title)) };
  }

  /** A step result pushed by the Lab (this window, or another driving the same lesson). */
  onStep(r: StepResult): void {
    if (this.current && this.started) this.results = { ...this.results, [r.index]: r };
  }

  async open(id: string): Promise<void> {
    const lesson = await this.lab.run('Opening the lesson', () => this.api.get(id));
    if (!lesson) return;
    this.current = lesson;
    this.started = false;
    this.results = {};
    this.predictions = {};
    this.questions = {};
    this.chosen = {};
    await this.restore(lesson);
  }

  /** Brings back what was saved of the lesson: predictions, answers and step results. */
  async restore(lesson: Lesson): Promise<void> {
    let v: ProgressView;
    try {
      v = await this.lab.api.call('progress.get', { id: lesson.id });
    } catch {
      this.saved = null;
      return;
    }
    if (this.current?.id !== lesson.id) return;
    this.saved = v;
    for (const p of v.problems) this.lab.notices.push(`Saved progress: ${p}`, 'error');
    const p = v.progress;
    this.restored = p !== null && Object.keys(p.steps).length > 0;
    if (p === null) return;
    const answer = (a: { choice?: number; text?: string; correct: boolean | null }): Answer => ({
      ...(a.choice === undefined ? {} : { choice: a.choice }), ...(a.text === undefined ? {} : { text: a.text }), result: { correct: a.correct },
    });
    this.predictions = Object.fromEntries(Object.entries(p.predictions).map(([k, a]) => [k, answer(a)]));
    this.questions = Object.fromEntries(Object.entries(p.answers).map(([k, a]) => [k, answer(a)]));
    this.results = Object.fromEntries(Object.entries(p.steps).map(([k, s]) => [k, s.result]));
    this.chosen = { ...(p.chosen ?? {}) };
  }

  /** "Start over": the saved progress goes, and the lesson is as if opened for the first time. */
  async startOver(): Promise<void> {
    const l = this.current;
    if (!l) return;
    if (this.started) await this.close();
    const ok = await this.lab.run('Starting over', () => this.lab.api.call('progress.clear', { id: l.id }));
    if (ok === undefined) return;
    this.current = l;
    this.started = false;
    this.restored = false;
    this.results = {};
    this.predictions = {};
    this.questions = {};
    this.chosen = {};
    this.saved = this.saved ? { ...this.saved, progress: null } : null;
  }

  async start(): Promise<void> {
    const l = this.current;
    if (!l) return;
    const ok = await this.lab.run('Starting the lesson', () => this.api.start(l.id, this.graded));
    if (!ok) return;
    this.started = true;
    this.restored = false;
    this.results = {};
    this.questions = {};
    this.chosen = {};
  }

  /** Gives the lab the student's value for a step with `choose:`; false when it was refused (the notice says why). */
  async choose(index: number, value: string): Promise<boolean> {
    if (!this.started) await this.start();
    if (!this.started) return false;
    const r = await this.lab.run('Your choice', () => this.api.choose(index, value));
    if (!r) return false;
    this.chosen = { ...this.chosen, [index]: r.value };
    return true;
  }

  /** Sends the text typed for an open question. */
  async answerText(index: number, text: string): Promise<void> {
    const r = await this.lab.run('Sending the answer', () => this.api.answer(index, { text }));
    if (!r) return;
    // In a graded run only the first answer counts: later ones are still checked, the first stays shown.
    if (this.graded && this.questions[index]?.result) return;
    this.questions[index] = { text, result: r };
  }

  /** Continues restored progress: the Lab runs the saved steps again, so the next one follows as before. */
  async resume(): Promise<void> {
    const l = this.current;
    if (!l) return;
    this.running = this.nextIndex;
    try {
      const ok = await this.lab.run('Resuming the lesson', () => this.lab.api.call('lessons.start', { id: l.id, resume: true, graded: this.graded }));
      if (!ok) return;
      this.started = true;
      this.restored = false;
      // The steps ran again: their fresh results (new packets) are the ones saved now.
      const v = await this.lab.run('Reading the saved progress', () => this.lab.api.call('progress.get', { id: l.id }));
      if (v?.progress && this.current?.id === l.id) this.results = Object.fromEntries(Object.entries(v.progress.steps).map(([k, x]) => [k, x.result]));
    } finally {
      this.running = null;
    }
  }

  async close(): Promise<void> {
    const id = this.current?.id;
    // After a reload the page no longer knows it started the lesson, but the Lab may still run it, with its
    // clients: closing by id ends that run and leaves a lesson another window started alone.
    if (this.started || id !== undefined) {
      const undone = await this.lab.run('Closing the lesson', () => this.api.close(this.started ? undefined : id));
      if (undone?.length) this.lab.notices.push(`Lesson closed: ${undone.join('; ')}`);
    }
    this.current = null;
    this.started = false;
  }

  async runNext(): Promise<void> {
    const l = this.current;
    if (!l || this.running !== null) return;
    if (!this.started) await (this.restored ? this.resume() : this.start());
    if (!this.started) return;
    const index = this.nextIndex;
    const step = l.steps[index];
    if (!step) return;
    this.running = index;
    try {
      // A prediction made before running is recorded with the engine when it is the step's only question.
      const p = this.predictions[index];
      if (p?.choice !== undefined && step.predict && !step.question) await this.#send(index, p.choice, 'predict');
      const r = await this.lab.run(`Step ${index + 1}`, () => this.api.next());
      if (r) {
        this.results = { ...this.results, [r.index]: r };
        this.#show(r, step.highlight);
        if (step.view) this.view = step.view;
      }
    } finally {
      this.running = null;
    }
  }

  /** Runs a failed step again (the step that ran last): the Lab undoes what the step left and runs it anew. */
  async rerun(index: number): Promise<void> {
    const step = this.current?.steps[index];
    if (!step || this.running !== null || !this.started) return;
    this.running = index;
    try {
      const r = await this.lab.run(`Step ${index + 1} again`, () => this.api.rerun(index));
      if (r) {
        this.results = { ...this.results, [r.index]: r };
        this.#show(r, step.highlight);
      }
    } finally {
      this.running = null;
    }
  }

  /** The step a failed run may repeat: the last one that ran, while the lesson runs here (not in a graded run). */
  get rerunnable(): number | null {
    if (!this.started || this.running !== null || this.graded) return null;
    const last = this.nextIndex - 1;
    const r = this.results[last];
    return r && !r.passed ? last : null;
  }

  predict(index: number, choice: number): void {
    if (this.results[index] || this.running === index) return;
    const q = this.current?.steps[index]?.predict;
    const result: AnswerResult | undefined = q?.answer === undefined ? undefined : { correct: q.answer === choice };
    this.predictions[index] = result ? { choice, result } : { choice };
    // Saved at once, so a prediction made before a reload or a crash is still there.
    const id = this.current?.id;
    if (id !== undefined && this.saved !== null) void this.lab.run('Saving the prediction', () => this.lab.api.call('progress.predict', { id, step: index, choice }));
  }

  async answer(index: number, choice: number): Promise<void> {
    await this.#send(index, choice, 'question');
  }

  async #send(index: number, choice: number, kind: 'predict' | 'question'): Promise<void> {
    const r = await this.lab.run('Sending the answer', () => this.api.answer(index, { choice }));
    if (!r) return;
    if (kind === 'question') this.questions[index] = { choice, result: r };
    else this.predictions[index] = { choice, result: r };
  }

  /** Points the views at what the step was about: its packets, and the fields the lesson highlights. */
  #show(r: StepResult, highlight: string[]): void {
    const seqs = r.expectations.flatMap((e) => (e.passed ? e.seqs : []));
    const cap = this.lab.capture;
    cap.highlightFields = highlight;
    if (highlight.length) cap.selectedField = highlight[0]!;
    const last = seqs[seqs.length - 1];
    if (!highlight.length) {
      if (last !== undefined) cap.select(last);
      return;
    }
    // The packet to open is the one holding the highlighted field: that needs the trees, fetched on demand.
    void this.lab.details.fetch(seqs).then((packets) => {
      const withField = packets.find((p) => p !== undefined && findField(p.decoded.fields, highlight[0]!) !== undefined);
      const pick = withField?.seq ?? last;
      if (pick !== undefined) cap.select(pick);
    });
  }
}
