// Python paho-mqtt clients as test peers. The scripts live in ./py so they can be read (and run by hand)
// next to the captures they produce; this module only runs them with the Python that has paho.
import { fileURLToPath } from 'node:url';
import { SYSTEM_PYTHON } from './have.js';
import { run, type RunResult } from './run.js';

export type PahoScript = 'telemetry' | 'auth' | 'will' | 'v5_properties' | 'transports' | 'classroom';

export const PY_DIR = fileURLToPath(new URL('./py/', import.meta.url));

export interface PahoOptions {
  port: number;
  host?: string;
  /** Extra command-line flags: `{ topic: 'a/b', v5: true }` → `--topic a/b --v5`; false/undefined omitted. */
  args?: Record<string, string | number | boolean | undefined>;
  /** Default 15 s. */
  timeoutMs?: number;
}

export function pahoArgs(opts: PahoOptions): string[] {
  const out = ['--host', opts.host ?? '127.0.0.1', '--port', String(opts.port)];
  for (const [key, v] of Object.entries(opts.args ?? {})) {
    if (v === undefined || v === false) continue;
    const flag = '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
    out.push(flag);
    if (v !== true) out.push(String(v));
  }
  return out;
}

/** Run `py/<script>.py` to completion. Resolves with its result whatever the exit code; see `runPahoOk`. */
export function runPaho(script: PahoScript, opts: PahoOptions): Promise<RunResult> {
  return run(SYSTEM_PYTHON, [`${PY_DIR}${script}.py`, ...pahoArgs(opts)], {
    timeoutMs: opts.timeoutMs ?? 15_000,
    cwd: PY_DIR,
    // Unbuffered, so a timed-out script still shows how far it got.
    env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
  });
}

/** Like runPaho, but rejects unless the script exits with `expectCode` (default 0). */
export async function runPahoOk(script: PahoScript, opts: PahoOptions, expectCode = 0): Promise<RunResult> {
  const r = await runPaho(script, opts);
  if (r.timedOut || r.code !== expectCode) {
    const why = r.timedOut ? 'timed out' : `exited ${r.code ?? r.signal}, expected ${expectCode}`;
    throw new Error(`paho ${script} ${why}\n${r.stdout}${r.stderr}`.trim());
  }
  return r;
}
