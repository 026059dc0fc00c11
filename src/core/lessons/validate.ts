// A lesson file → a Lesson, or the list of its mistakes with line and column. Every block is checked even
// after a mistake, so a lecturer sees all of them in one run of `lesson check`.
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { knownFilters } from '../dissect/fields.js';
import { HTTP_FILTER_NAMES } from '../http/http-decode.js';
import { readFrontMatter, type FrontMatter } from './front-matter.js';
import { splitLesson } from './markdown-split.js';
import type { Lesson, LessonBlock, Problem, Step } from '../../shared/lesson.js';
import { parseStep } from './parse-step.js';
import { peekChoice, placeholders, substitute } from './choice.js';
import type { ChoiceKind } from '../../shared/lesson.js';
import { Scope, type ParseContext } from './scope.js';
import { MAX_LESSON_BYTES } from './vocabulary.js';
import { Reader } from './yaml-reader.js';

export interface CheckResult {
  /** The parsed lesson, only when it has no problems: a lesson with a mistake is never run. */
  lesson: Lesson | null;
  problems: Problem[];
}

let filterNames: ReadonlySet<string> | undefined;

export function parseLesson(source: string, file: string): CheckResult {
  filterNames ??= new Set([...knownFilters(), ...HTTP_FILTER_NAMES]);
  const problems: Problem[] = [];
  const split = splitLesson(source);
  for (const p of split.problems) problems.push({ file, ...p });
  if (split.broken === true) return { lesson: null, problems };

  let fm: FrontMatter = { objectives: [], requires: [] };
  if (split.frontMatter === undefined) {
    problems.push({ file, line: 1, col: 1, message: "a lesson starts with front matter: a '---' line, 'title: …', and a closing '---' line" });
  } else {
    const r = new Reader(file, split.frontMatter.line, 0, problems);
    fm = readFrontMatter(r, r.parse(split.frontMatter.text));
  }

  const scope = new Scope();
  const blocks: LessonBlock[] = [];
  const steps: Step[] = [];
  for (const piece of split.pieces) {
    if (piece.kind === 'markdown') {
      blocks.push({ kind: 'markdown', line: piece.line, text: piece.text });
      continue;
    }
    const r = new Reader(file, piece.line, piece.indent, problems);
    const c: ParseContext = { r, scope, filters: filterNames, requires: fm.requires, ...(fm.runsOn === undefined ? {} : { broker: fm.runsOn }) };
    // A step with `choose:` is checked with the lesson's example in place of {{name}}; the scope before it is
    // kept so that the engine can read it again with the student's value.
    const before = { clients: [...scope.clients], faultIds: [...scope.faultIds] };
    const text = withExample(piece.text, piece.line, file, problems);
    const root = r.parse(text);
    // A step whose YAML is broken is skipped; later steps are still checked, with what it would have declared unknown.
    if (root === undefined) continue;
    const step = parseStep(c, root, steps.length, { line: piece.line - 1, col: piece.indent + 1 });
    if (step === undefined) continue;
    if (step.choose !== undefined) {
      step.choose.source = { text: piece.text, line: piece.line, indent: piece.indent };
      step.choose.scope = before;
      const name = step.choose.name;
      if (!placeholders(piece.text).some((u) => u.name === name)) {
        problems.push({ file, ...step.choose.at, message: `choose: nothing in this step uses {{${name}}}; write it where the choice goes, e.g. qos: {{${name}}}` });
      }
    }
    blocks.push({ kind: 'step', index: step.index });
    steps.push(step);
  }
  if (steps.length === 0 && !split.pieces.some((p) => p.kind === 'step')) {
    problems.push({ file, line: 1, col: 1, message: 'a lesson needs at least one ```step block' });
  }
  const unique = dedupe(problems);
  const warnings = unique.filter((p) => p.severity === 'warning');
  if (unique.length > warnings.length || fm.title === undefined) return { lesson: null, problems: unique };
  const lesson: Lesson = {
    file,
    id: basename(file).replace(/\.md$/i, ''),
    title: fm.title,
    objectives: fm.objectives,
    requires: fm.requires,
    blocks,
    steps,
  };
  if (fm.order !== undefined) lesson.order = fm.order;
  if (fm.broker !== undefined) lesson.broker = fm.broker;
  if (fm.runsOn !== undefined) lesson.runsOn = fm.runsOn;
  return { lesson, problems: warnings };
}

/** The step's text with its `{{name}}` filled in by the `choose:` example; a placeholder without one is a problem. */
function withExample(text: string, line: number, file: string, problems: Problem[]): string {
  const used = placeholders(text);
  if (used.length === 0) return text;
  const peek = peekChoice(text);
  let out = text;
  if (peek.name !== undefined && peek.example !== undefined) out = substitute(text, peek.name, (peek.kind ?? 'text') as ChoiceKind, peek.example);
  // Any placeholder left is quoted, so that the YAML still reads and the value's own check names it.
  out = out.replace(/\{\{\s*[A-Za-z][\w-]*\s*\}\}/g, (all) => JSON.stringify(all));
  for (const u of used.filter((x) => x.name !== peek.name)) {
    problems.push({ file, line: line + u.line - 1, col: u.col, message: `{{${u.name}}} is not chosen in this step: add choose: { name: ${u.name}, prompt: …, kind: …, example: … }` });
  }
  return out;
}

/** In file order, each distinct message once (a broken YAML flow can raise the same error twice). */
function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems
    .sort((a, b) => a.line - b.line || a.col - b.col)
    .filter((p) => {
      const key = formatProblem(p);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** Reads and checks one file; a file that cannot be read is one problem, never an exception. */
export async function checkLessonFile(file: string): Promise<CheckResult> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return fileProblem(file, 'not a file');
    if (info.size > MAX_LESSON_BYTES) return fileProblem(file, `too large for a lesson (${info.size} bytes; the limit is ${MAX_LESSON_BYTES})`);
    return parseLesson(await readFile(file, 'utf8'), file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fileProblem(file, code === 'ENOENT' ? 'no such file' : `cannot read: ${(e as Error).message}`);
  }
}

function fileProblem(file: string, message: string): CheckResult {
  return { lesson: null, problems: [{ file, line: 1, col: 1, message }] };
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.severity === 'warning' ? 'warning: ' : ''}${p.message}`;
}
