// Progress of every lesson and the student's name, in the data folder: one file per lesson, so a damaged
// file costs that lesson only. Without a folder (tests, `lesson run`) progress lives as long as the Lab.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LessonProgress, ProgressSummary, ProgressView } from '../../shared/progress.js';
import { readDataFile, writeDataFile } from './data-file.js';
import { progressProblem } from './progress-check.js';

const PROGRESS = 'mqtt-lab-progress';
const STUDENT = 'mqtt-lab-student';
const VERSION = 1;
/** A name is a line of text; anything longer is a paste gone wrong. */
export const MAX_NAME = 200;

export interface LessonIdentity {
  id: string;
  title: string;
  version: string;
}

export class ProgressStore {
  private readonly cache = new Map<string, LessonProgress | null>();
  private readonly problems: string[] = [];
  private name: string | undefined | null = null;

  constructor(readonly folder?: string) {}

  get persistent(): boolean {
    return this.folder !== undefined;
  }

  /** Problems met while reading files, each reported once. */
  takeProblems(): string[] {
    return this.problems.splice(0);
  }

  get(lessonId: string): LessonProgress | null {
    if (!this.cache.has(lessonId)) this.cache.set(lessonId, this.read(lessonId));
    return this.cache.get(lessonId) ?? null;
  }

  view(lesson: LessonIdentity): ProgressView {
    const progress = this.get(lesson.id);
    const v: ProgressView = { progress, saved: this.persistent, problems: this.takeProblems() };
    if (this.folder !== undefined) v.folder = this.folder;
    if (progress !== null && progress.lessonVersion !== lesson.version) v.lessonChanged = true;
    return v;
  }

  summaries(ids: string[]): Record<string, ProgressSummary> {
    const out: Record<string, ProgressSummary> = {};
    for (const id of ids) {
      const p = this.get(id);
      if (p === null) continue;
      const steps = Object.values(p.steps);
      out[id] = { stepsRun: steps.length, stepsPassed: steps.filter((s) => s.result.passed).length, completed: p.completedAt !== undefined, updatedAt: p.updatedAt };
    }
    return out;
  }

  /** Changes a lesson's progress (created on first use) and saves it at once. */
  update(lesson: LessonIdentity, change: (p: LessonProgress) => void): LessonProgress {
    const now = Date.now();
    const p = this.get(lesson.id) ?? {
      lessonId: lesson.id, lessonTitle: lesson.title, lessonVersion: lesson.version, startedAt: now, updatedAt: now,
      predictions: {}, answers: {}, steps: {},
    };
    change(p);
    p.lessonTitle = lesson.title;
    p.updatedAt = now;
    this.cache.set(lesson.id, p);
    this.write(lesson.id, p);
    return p;
  }

  /** "Start over": the lesson's progress is gone, in memory and on disk. */
  clear(lessonId: string): void {
    this.cache.set(lessonId, null);
    if (this.folder !== undefined) rmSync(this.file(lessonId), { force: true });
  }

  studentName(): string | undefined {
    if (this.name === null) {
      this.name = undefined;
      if (this.folder !== undefined) {
        const r = readDataFile<{ name: string }>(join(this.folder, 'student.json'), STUDENT, VERSION, (d) =>
          typeof d === 'object' && d !== null && typeof (d as { name?: unknown }).name === 'string' ? null : 'it holds no name');
        if (r.kind === 'ok') this.name = r.data.name;
        if (r.kind === 'set-aside') this.problems.push(r.message);
      }
    }
    return this.name;
  }

  /** The name exactly as typed (trimmed at the ends); the report escapes it, nothing else changes it. */
  setStudentName(name: string): string {
    const n = name.trim();
    if (n.length > MAX_NAME) throw new Error(`a name has at most ${MAX_NAME} characters`);
    this.name = n;
    if (this.folder !== undefined) writeDataFile(join(this.folder, 'student.json'), STUDENT, VERSION, { name: n });
    return n;
  }

  private file(lessonId: string): string {
    // Lesson ids come from file names; anything unusual in one must not reach outside the folder.
    return join(this.folder!, 'progress', `${lessonId.replace(/[^\w.-]/g, '_').replace(/^\.+/, '_')}.json`);
  }

  private read(lessonId: string): LessonProgress | null {
    if (this.folder === undefined) return null;
    const r = readDataFile<LessonProgress>(this.file(lessonId), PROGRESS, VERSION, (d) => {
      const why = progressProblem(d);
      if (why !== null) return why;
      return (d as LessonProgress).lessonId === lessonId ? null : `it belongs to lesson '${(d as LessonProgress).lessonId}'`;
    });
    if (r.kind === 'set-aside') this.problems.push(r.message);
    return r.kind === 'ok' ? r.data : null;
  }

  /** A save that fails (disk full, folder read-only) is reported; the progress stays in memory. */
  private write(lessonId: string, p: LessonProgress): void {
    if (this.folder === undefined) return;
    try {
      writeDataFile(this.file(lessonId), PROGRESS, VERSION, p);
    } catch (e) {
      this.problems.push(`the progress of '${p.lessonTitle}' could not be saved in ${this.folder}: ${(e as Error).message}`);
    }
  }
}
