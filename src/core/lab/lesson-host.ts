// Lessons inside a running Lab, for the lesson pane: the built-in course and a lecturer's own folder,
// reloaded when a file changes, and one lesson run at a time, step by step.
import { watch, type FSWatcher } from 'node:fs';
import type { Lesson, Problem, Step } from '../../shared/lesson.js';
import type { StepResult } from '../../shared/lesson-results.js';
import type { LessonSummary } from '../../shared/api.js';
import { LessonRunner, loadLessons } from '../lessons/index.js';
import type { Lab } from './lab.js';

export interface LessonSource { dir: string; origin: 'built-in' | 'yours' }

export class LessonHost {
  private lessons: Lesson[] = [];
  private origins = new Map<string, 'built-in' | 'yours'>();
  private problems: Problem[] = [];
  private runner: LessonRunner | null = null;
  private current: Lesson | null = null;
  private readonly answers = new Map<number, (ok: boolean) => void>();
  private readonly answered = new Set<number>();
  private watchers: FSWatcher[] = [];
  private reloadTimer: NodeJS.Timeout | null = null;

  constructor(private readonly lab: Lab, private readonly sources: LessonSource[]) {}

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
    this.lab.emit('lessons', this.list());
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

  get(id: string): Lesson {
    const l = this.lessons.find((x) => x.id === id);
    if (l === undefined) throw new Error(`no lesson '${id}'`);
    return l;
  }

  async start(id: string): Promise<{ steps: number }> {
    const lesson = this.get(id);
    await this.close();
    // A lesson on mosquitto (or one needing MQTT 5 on a lab whose broker lacks it) gets the system mosquitto
    // behind the tap for as long as it runs; close() goes back to the lab's own broker.
    const wantsMosquitto = lesson.runsOn === 'mosquitto' || (lesson.requires.includes('mqtt5') && !this.lab.brokerInfo.mqtt5);
    if (wantsMosquitto && this.lab.brokerInfo.kind !== 'mosquitto') {
      try {
        await this.lab.useLessonBroker('mosquitto');
      } catch (e) {
        throw new Error(`'${lesson.title}' runs on mosquitto, which could not be started: ${(e as Error).message}`);
      }
    }
    this.current = lesson;
    this.answered.clear();
    this.runner = new LessonRunner(this.lab.api, lesson, { quiz: (step) => this.awaitAnswer(step), clock: this.lab.clock });
    return { steps: lesson.steps.length };
  }

  /** Runs the next step; null when the lesson is over. */
  async next(): Promise<StepResult | null> {
    if (this.runner === null) throw new Error('no lesson is running: start one first');
    const r = await this.runner.next();
    if (r !== null) this.lab.emit('lesson-step', r);
    return r;
  }

  /** Records a person's answer to a step's question; says whether it was the right choice. */
  answer(stepIndex: number, choice: number): { correct: boolean | null; explain?: string } {
    const step = this.current?.steps[stepIndex];
    if (step === undefined) throw new Error(`the running lesson has no step ${stepIndex + 1}`);
    const q = step.question ?? step.predict;
    if (q === undefined) throw new Error(`step ${stepIndex + 1} asks no question`);
    if (!Number.isInteger(choice) || choice < 0 || choice >= q.choices.length) throw new Error(`choice must be 0..${q.choices.length - 1}`);
    this.answered.add(stepIndex);
    this.answers.get(stepIndex)?.(true);
    const explain = q.choiceExplain?.[choice] ?? q.explain;
    return { correct: q.answer === undefined ? null : q.answer === choice, ...(explain === undefined ? {} : { explain }) };
  }

  async close(): Promise<string[]> {
    const runner = this.runner;
    this.runner = null;
    this.current = null;
    for (const resolve of this.answers.values()) resolve(false);
    this.answers.clear();
    const cleanup = runner === null ? [] : await runner.close();
    // The reset above ran on the lesson's broker; only now may it go.
    await this.lab.useLessonBroker(null).catch((e: Error) => cleanup.push(`stop the lesson's broker: ${e.message}`));
    return cleanup;
  }

  async stop(): Promise<void> {
    for (const w of this.watchers) w.close();
    this.watchers = [];
    if (this.reloadTimer !== null) clearTimeout(this.reloadTimer);
    await this.close();
  }

  private awaitAnswer(step: Step): Promise<boolean> {
    if (this.answered.has(step.index)) return Promise.resolve(true);
    return new Promise((resolve) => this.answers.set(step.index, resolve));
  }
}
