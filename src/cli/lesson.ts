// `mqtt-lab lesson check FILE…` and `mqtt-lab lesson run FILE [--json] [--broker aedes|mosquitto]`.
import { stat, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { BrokerKind } from '../shared/lab.js';
import type { Lesson } from '../shared/lesson.js';
import { findExecutable } from '../core/broker/find-executable.js';
import { checkLessonFile, formatProblem, lessonFiles, reportLines, runLesson } from '../core/lessons/index.js';
import { UsageError, one, parseArgs, type FlagSpec } from './args.js';

const USAGE = 'lesson check FILE|FOLDER… | lesson run FILE [--json] [--broker aedes|mosquitto] [--report OUT.html [--student NAME]]';

export async function lessonCommand(argv: string[], out: (line: string) => void): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'check') return check(rest, out);
  if (sub === 'run') return run(rest, out);
  throw new UsageError(sub === undefined ? `needs a subcommand: ${USAGE}` : `unknown subcommand '${sub}': ${USAGE}`);
}

async function check(argv: string[], out: (line: string) => void): Promise<number> {
  const p = parseArgs(argv, {});
  if (p.positional.length === 0) throw new UsageError('lesson check needs at least one FILE');
  let problems = 0;
  let warnings = 0;
  const files = await expand(p.positional, out);
  for (const file of files) {
    const r = await checkLessonFile(file);
    for (const problem of r.problems) out(formatProblem(problem));
    const w = r.problems.filter((x) => x.severity === 'warning').length;
    warnings += w;
    problems += r.problems.length - w;
    const note = brokerNote(r.lesson);
    if (note !== undefined) out(`${file}:1:1: note: ${note}`);
  }
  const also = warnings === 0 ? '' : `, ${warnings} warning${warnings === 1 ? '' : 's'}`;
  // Warnings do not fail the check: the lesson loads and runs as written.
  out(`${files.length} lesson${files.length === 1 ? '' : 's'} checked, ${problems === 0 ? 'no' : problems} problem${problems === 1 ? '' : 's'}${also}`);
  return problems === 0 ? 0 : 1;
}

/**
 * A lesson on mosquitto is correct whether or not mosquitto is installed, so its absence is a note, not a
 * problem; but the lecturer learns it before class rather than from a failing run.
 */
function brokerNote(lesson: Lesson | null): string | undefined {
  if (lesson === null) return undefined;
  const needs = lesson.runsOn === 'mosquitto' ? "runs on mosquitto ('broker: mosquitto')" : lesson.requires.includes('mqtt5') ? 'needs MQTT 5, so it runs on mosquitto' : undefined;
  if (needs === undefined || findExecutable('mosquitto') !== undefined) return undefined;
  return `this lesson ${needs}, and mosquitto is not installed here (Debian: apt-get install mosquitto); lesson run and the app cannot run it until it is`;
}

/**
 * A folder stands for the lessons in it (every *.md but its README). A README named directly is skipped
 * too, with a line saying so: `lesson check lessons/*.md` names the folder's guide along with its lessons.
 */
async function expand(paths: string[], say: (line: string) => void): Promise<string[]> {
  const out: string[] = [];
  for (const path of paths) {
    const isDir = await stat(path).then((s) => s.isDirectory(), () => false);
    if (!isDir && basename(path).toLowerCase() === 'readme.md') {
      say(`${path}: skipped: a README describes lessons, it is not one`);
      continue;
    }
    out.push(...(isDir ? await lessonFiles(path) : [path]));
  }
  return out;
}

/** `lesson run`'s; `lesson check` takes none. */
export const LESSON_RUN_FLAGS: FlagSpec = { values: ['broker', 'report', 'student'], booleans: ['json'] };

async function run(argv: string[], out: (line: string) => void): Promise<number> {
  const p = parseArgs(argv, LESSON_RUN_FLAGS);
  if (p.positional.length !== 1) throw new UsageError(`lesson run needs exactly one FILE${p.positional.length > 1 ? ` (got ${p.positional.length})` : ''}`);
  const brokerText = one(p, 'broker');
  if (brokerText !== undefined && brokerText !== 'aedes' && brokerText !== 'mosquitto') {
    throw new UsageError(`--broker must be aedes or mosquitto, not '${brokerText}'`);
  }
  const json = p.booleans.has('json');
  const reportPath = one(p, 'report');
  const student = one(p, 'student');
  if (student !== undefined && reportPath === undefined) throw new UsageError('--student names the student on a report: give --report OUT.html too');
  if (reportPath === '') throw new UsageError('--report needs a file name');
  const checked = await checkLessonFile(p.positional[0]!);
  if (checked.lesson === null) {
    if (json) out(JSON.stringify({ file: p.positional[0], passed: false, problems: checked.problems }));
    else for (const problem of checked.problems) out(formatProblem(problem));
    return 1;
  }
  const lesson = checked.lesson;
  // aedes does not speak MQTT 5, so a lesson that needs it gets mosquitto unless told otherwise.
  const broker: BrokerKind = (brokerText as BrokerKind | undefined) ?? (lesson.runsOn ?? (lesson.requires.includes('mqtt5') ? 'mosquitto' : 'aedes'));
  const { createLab } = await import('../core/lab/index.js');
  const lab = await createLab({ broker, port: 0 });
  try {
    const result = await runLesson(lab.api, lesson, { clock: lab.clock, packets: (seq) => lab.packetAt(seq) });
    if (reportPath !== undefined) {
      await writeFile(reportPath, lab.runReport(lesson, result, student ?? null).html);
      if (!json) out(`report: ${reportPath}`);
    }
    if (json) out(JSON.stringify(result));
    else for (const line of reportLines(result)) out(line);
    return result.passed ? 0 : 1;
  } finally {
    await lab.stop();
  }
}
