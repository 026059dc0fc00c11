// Loads every lesson of a folder, the way the app (re)loads a lecturer's folder: a broken lesson is
// reported with its problems and the others load regardless.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lesson, Problem } from '../../shared/lesson.js';
import { checkLessonFile } from './validate.js';

export interface LoadedLessons {
  /** Sorted by `order`, then by file name; lessons without an order come last. */
  lessons: Lesson[];
  problems: Problem[];
}

/** Lesson files of a folder: every `*.md` except README.md, which documents the folder. */
export async function lessonFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  return names
    .filter((n) => /\.md$/i.test(n) && n.toLowerCase() !== 'readme.md')
    .sort()
    .map((n) => join(dir, n));
}

export async function loadLessons(dir: string): Promise<LoadedLessons> {
  let files: string[];
  try {
    files = await lessonFiles(dir);
  } catch (e) {
    return { lessons: [], problems: [{ file: dir, line: 1, col: 1, message: `cannot read the lessons folder: ${(e as Error).message}` }] };
  }
  const results = await Promise.all(files.map((f) => checkLessonFile(f)));
  const lessons = results.flatMap((r) => (r.lesson === null ? [] : [r.lesson]));
  lessons.sort((a, b) => (a.order ?? Infinity) - (b.order ?? Infinity) || a.file.localeCompare(b.file));
  // Warnings are for `lesson check`; the lessons they concern load and run as written.
  return { lessons, problems: results.flatMap((r) => r.problems.filter((p) => p.severity !== 'warning')) };
}
