// The `mqtt-lab` command as a user runs it: `node bin/mqtt-lab.js …` in the checkout, its output read
// line by line so a test can wait for a particular line instead of sleeping.
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { exited, run, spawnTracked, type RunResult } from '../peers/run.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENTRY = 'bin/mqtt-lab.js';

/** Runs the CLI to completion. */
export function cli(args: readonly string[], timeoutMs = 20_000): Promise<RunResult> {
  return run(process.execPath, [ENTRY, ...args], { cwd: ROOT, timeoutMs });
}

export interface LiveCli {
  child: ChildProcess;
  lines: string[];
  stderr(): string;
  /** The first line (from the start) that matches; waits for it until the deadline. */
  waitLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code once the process is gone. */
  exit(): Promise<number | null>;
}

export function startCli(args: readonly string[], env?: NodeJS.ProcessEnv): LiveCli {
  const child = spawnTracked(process.execPath, [ENTRY, ...args], { cwd: ROOT, ...(env === undefined ? {} : { env }) });
  const lines: string[] = [];
  let err = '';
  let partial = '';
  const waiters = new Set<() => void>();
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    for (const w of [...waiters]) w();
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const gone = exited(child);
  void gone.then(() => {
    for (const w of [...waiters]) w();
  });
  return {
    child,
    lines,
    stderr: () => err,
    waitLine(pattern, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const hit = lines.find((l) => pattern.test(l));
          if (hit !== undefined) {
            done();
            resolve(hit);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(new Error(`mqtt-lab exited (${child.exitCode ?? child.signalCode}) without printing ${pattern}\n${lines.join('\n')}\n${err}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`mqtt-lab did not print ${pattern} within ${timeoutMs} ms; printed:\n${lines.join('\n')}\n${err}`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async exit() {
      await gone;
      return child.exitCode;
    },
  };
}
