// Child processes for tests that drive real outside programs (brokers, tshark, clients).
// Every child is tracked so a failing or timed-out test cannot leave one behind: `killAll()` in afterAll,
// and a synchronous SIGKILL sweep when the Node process itself exits.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface RunOptions {
  /** Kill the child (SIGTERM, then SIGKILL) after this long; the result then has `timedOut: true`. */
  timeoutMs?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed. */
  input?: string | Uint8Array;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: a plain SIGKILL is all that can be done there.
  process.on('exit', () => {
    for (const child of live) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/** Spawn and track a long-running child; it is removed from tracking once it exits. */
export function spawnTracked(cmd: string, args: readonly string[], opts: SpawnOptions = {}): ChildProcess {
  installExitHook();
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.once('error', () => live.delete(child));
  return child;
}

/** Resolves when the child has exited (immediately if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
}

/** Send `signal`, and SIGKILL if the child is still there after `graceMs`; resolves on exit. */
export async function terminate(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = exited(child);
  child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const forced = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, graceMs);
  });
  await Promise.race([done, forced]);
  clearTimeout(timer);
  await done;
}

/** Stop every tracked child; for afterAll hooks. */
export async function killAll(): Promise<void> {
  await Promise.all([...live].map((c) => terminate(c, 'SIGTERM', 1000)));
}

/** Run a program to completion, collecting its output. Never rejects for a non-zero exit; check `code`. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  const child = spawnTracked(cmd, args, {
    cwd: opts.cwd,
    env: opts.env,
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  if (opts.input !== undefined) child.stdin?.end(opts.input);
  let timedOut = false;
  const timer =
    opts.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          void terminate(child, 'SIGTERM', 1000);
        }, opts.timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${cmd}: ${err.message}`));
    });
    // 'close' rather than 'exit': it fires after stdout/stderr are drained.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut, ms: Date.now() - started });
    });
  });
}

/** Like `run`, but rejects with the program's stderr when it fails or times out. */
export async function runOk(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0 || r.timedOut) {
    const why = r.timedOut ? `timed out after ${opts.timeoutMs} ms` : `exited with ${r.code ?? r.signal}`;
    throw new Error(`${cmd} ${args.join(' ')} ${why}\n${r.stderr.trim()}`);
  }
  return r;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
