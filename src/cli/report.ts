// `mqtt-lab report verify FILE [--key KEY]`: exit 0 when the report is as MQTT Lab wrote it, 1 when it was
// changed (or is no report), 2 for a usage mistake.
import { readFile } from 'node:fs/promises';
import { KEY_ENV, verifyReport } from '../core/report/index.js';
import { UsageError, one, parseArgs, type FlagSpec } from './args.js';

const USAGE = 'report verify FILE [--key KEY]';

export const REPORT_FLAGS: FlagSpec = { values: ['key'] };

export async function reportCommand(argv: string[], out: (line: string) => void): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'verify') throw new UsageError(sub === undefined ? `needs a subcommand: ${USAGE}` : `unknown subcommand '${sub}': ${USAGE}`);
  const p = parseArgs(rest, REPORT_FLAGS);
  if (p.positional.length !== 1) throw new UsageError(`report verify needs exactly one FILE${p.positional.length > 1 ? ` (got ${p.positional.length})` : ''}`);
  const file = p.positional[0]!;
  let html: string;
  try {
    html = await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const v = verifyReport(html, one(p, 'key') ?? process.env[KEY_ENV]);
  const r = v.record;
  if (r !== undefined) out(`${file}: lab report of '${r.lesson.title}' for ${r.student ? `'${r.student}'` : 'no name'}, ${r.attempt.stepsPassed}/${r.lesson.steps} steps passed, produced ${new Date(r.producedAt).toISOString()}`);
  for (const problem of v.problems) out(`✗ ${problem}`);
  for (const note of v.notes) out(`  note: ${note}`);
  out(v.status === 'ok' ? 'OK: unchanged since MQTT Lab wrote it' : v.status === 'tampered' ? 'TAMPERED: the report was changed after it was written' : 'NOT A REPORT');
  return v.status === 'ok' ? 0 : 1;
}
