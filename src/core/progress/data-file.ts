// One JSON file of the data folder, written so that a crash mid-write never leaves half a file (write a
// temporary file, then rename over), and read so that a file that is not ours, is corrupt or comes from
// another version is set aside under a new name, kept for whoever wants to look, and reported.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The envelope every data file has: what it is and which shape of it. */
export interface Envelope<T> {
  format: string;
  version: number;
  data: T;
}

export type ReadOutcome<T> =
  | { kind: 'missing' }
  | { kind: 'ok'; data: T }
  /** The file was unreadable and now lives at `keptAs`; `message` says so in words. */
  | { kind: 'set-aside'; keptAs: string; message: string };

/**
 * Reads `path`. `check` returns why the data is unusable, or null; anything unusable is renamed to
 * `<name>.unreadable-<time>` beside it (never deleted) so the next save starts afresh without losing it.
 */
export function readDataFile<T>(path: string, format: string, version: number, check: (data: unknown) => string | null): ReadOutcome<T> {
  if (!existsSync(path)) return { kind: 'missing' };
  let why: string | null;
  let data: unknown;
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    why = envelopeProblem(parsed, format, version);
    if (why === null) {
      data = (parsed as Envelope<unknown>).data;
      why = check(data);
    }
  } catch (e) {
    why = e instanceof SyntaxError ? `it is not valid JSON (${e.message})` : `it cannot be read (${(e as Error).message})`;
  }
  if (why === null) return { kind: 'ok', data: data as T };
  const keptAs = join(dirname(path), `${basename(path)}.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  try {
    renameSync(path, keptAs);
  } catch (e) {
    return { kind: 'set-aside', keptAs: path, message: `${path} is unusable: ${why}; it could not be moved aside either (${(e as Error).message}), so it is ignored` };
  }
  return { kind: 'set-aside', keptAs, message: `${basename(path)} was unusable: ${why}. It was kept as ${keptAs}; this starts afresh.` };
}

function envelopeProblem(v: unknown, format: string, version: number): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'it is not a JSON object';
  const e = v as Partial<Envelope<unknown>>;
  if (e.format !== format) return `it is not a ${format} file`;
  if (e.version !== version) return `it was written in format version ${String(e.version)} (this app reads version ${version})`;
  if (!('data' in e)) return 'it holds no data';
  return null;
}

export function writeDataFile<T>(path: string, format: string, version: number, data: T): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify({ format, version, data } satisfies Envelope<T>));
  renameSync(tmp, path);
}
