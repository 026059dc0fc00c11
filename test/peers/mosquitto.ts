// A throwaway mosquitto broker on 127.0.0.1 for tests: own config in a temp dir, no persistence,
// and `stop()` that waits for the process to be gone so the port and files are really released.
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { which } from './have.js';
import { freePort } from './free-port.js';
import { run, runOk, sleep, spawnTracked, terminate } from './run.js';

export interface MosquittoOptions {
  /** Default: a free port. */
  port?: number;
  /**
   * Require a broker that speaks MQTT 5 (mosquitto ≥ 1.6); on those every listener accepts 3.1, 3.1.1
   * and 5 alike, so there is nothing to configure, only to check. Default true.
   */
  v5?: boolean;
  /** Appended verbatim to the generated config. */
  extraConfig?: string;
  /**
   * A mosquitto password file, or users and plain passwords to build one with mosquitto_passwd.
   * Anonymous clients stay allowed; a client that sends a wrong password is refused.
   */
  passwordFile?: string | Record<string, string>;
  /** Log every packet (`log_type all`) into `log()`; handy when a test fails. Default false. */
  verbose?: boolean;
  /** How long to wait for the port to accept connections. Default 5000 ms. */
  startTimeoutMs?: number;
}

export interface Mosquitto {
  port: number;
  /** Directory holding the generated config (and password file); removed by stop(). */
  dir: string;
  /** Everything the broker logged so far. */
  log(): string;
  /**
   * Resolves when the log (from the start) matches; with `verbose` the broker logs every packet, e.g.
   * `Sending SUBACK to watch-5`, which is how a test knows a subscription is in place.
   */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

// Config dirs of brokers not yet stopped; removed on exit too if a test dies before calling stop().
const liveDirs = new Set<string>();
process.on('exit', () => {
  for (const d of liveDirs) rmSync(d, { recursive: true, force: true });
});

export function mosquittoBinary(): string | undefined {
  return which('mosquitto');
}

export async function startMosquitto(opts: MosquittoOptions = {}): Promise<Mosquitto> {
  const bin = mosquittoBinary();
  if (bin === undefined) throw new Error('mosquitto not found in /usr/sbin or on PATH');
  if (opts.v5 !== false) await requireV5(bin);
  // A free port can be taken between asking and binding; when the caller did not pin one, try again.
  const attempts = opts.port === undefined ? 3 : 1;
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await startOnce(bin, opts.port ?? (await freePort()), opts);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function requireV5(bin: string): Promise<void> {
  // `mosquitto -h` prints its version with the usage text (and exits non-zero, which does not matter here).
  const r = await run(bin, ['-h'], { timeoutMs: 5000 });
  const m = /mosquitto version (\d+)\.(\d+)/.exec(r.stdout + r.stderr);
  if (m === null) return; // unknown output: let the broker prove itself
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major < 1 || (major === 1 && minor < 6)) throw new Error(`mosquitto ${major}.${minor} does not speak MQTT 5`);
}

async function startOnce(bin: string, port: number, opts: MosquittoOptions): Promise<Mosquitto> {
  const dir = await mkdtemp(join(tmpdir(), 'mqtt-lab-mosquitto-'));
  liveDirs.add(dir);
  const lines = [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    'persistence false',
    'log_dest stderr',
    opts.verbose === true ? 'log_type all' : 'log_type error\nlog_type warning\nlog_type notice',
  ];
  // Started as root, mosquitto would switch to the 'mosquitto' user and then be locked out of this
  // private temp dir (its password file in particular). A test broker gains nothing from switching.
  if (process.getuid?.() === 0) lines.push('user root');
  if (opts.passwordFile !== undefined) lines.push(`password_file ${await passwordFile(dir, opts.passwordFile)}`);
  if (opts.extraConfig !== undefined) lines.push(opts.extraConfig);
  const conf = join(dir, 'mosquitto.conf');
  await writeFile(conf, lines.join('\n') + '\n');

  const child = spawnTracked(bin, ['-c', conf]);
  let log = '';
  const listeners = new Set<() => void>();
  const append = (d: string): void => {
    log += d;
    for (const l of listeners) l();
  };
  child.stderr?.setEncoding('utf8').on('data', append);
  child.stdout?.setEncoding('utf8').on('data', append);
  const waitForLog = (pattern: RegExp, timeoutMs = 5000): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (!pattern.test(log)) return;
        listeners.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`mosquitto log did not show ${pattern} within ${timeoutMs} ms`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });
  const stop = async (): Promise<void> => {
    await terminate(child, 'SIGTERM', 3000);
    await rm(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
  };
  try {
    await waitForPort(port, opts.startTimeoutMs ?? 5000, () => child.exitCode !== null || child.signalCode !== null);
  } catch (err) {
    await stop();
    throw new Error(`mosquitto did not start on port ${port}: ${(err as Error).message}\n${log.trim()}`);
  }
  return { port, dir, log: () => log, waitForLog, stop };
}

async function passwordFile(dir: string, spec: string | Record<string, string>): Promise<string> {
  if (typeof spec === 'string') return spec;
  const tool = which('mosquitto_passwd');
  if (tool === undefined) throw new Error('mosquitto_passwd not found; pass a ready password file instead');
  const file = join(dir, 'passwd');
  await writeFile(file, '', { mode: 0o600 });
  for (const [user, pass] of Object.entries(spec)) await runOk(tool, ['-b', file, user, pass], { timeoutMs: 10_000 });
  return file;
}

async function waitForPort(port: number, timeoutMs: number, gaveUp: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gaveUp()) throw new Error('process exited');
    if (await accepts(port)) return;
    await sleep(25);
  }
  throw new Error(`nothing listening after ${timeoutMs} ms`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}
