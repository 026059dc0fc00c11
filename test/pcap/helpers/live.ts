// Runs a real broker and a real capture for the duration of a test file.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Resolves once `pattern` appears in the process's stderr (or stdout); rejects on exit or timeout. */
function waitForOutput(child: ChildProcess, pattern: RegExp, ms: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => done(new Error(`${what} did not print ${pattern} within ${ms} ms: ${seen.slice(-500)}`)), ms);
    const onData = (d: Buffer) => {
      seen += d.toString();
      if (pattern.test(seen)) done();
    };
    const onExit = (code: number | null) => done(new Error(`${what} exited (${code}) before printing ${pattern}: ${seen.slice(-500)}`));
    const done = (err?: Error) => {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    };
    child.stderr?.on('data', onData);
    child.stdout?.on('data', onData);
    child.on('exit', onExit);
  });
}

function exited(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export class Broker {
  readonly #child: ChildProcess;
  #log = '';

  private constructor(child: ChildProcess) {
    this.#child = child;
    const keep = (d: Buffer) => (this.#log += d.toString());
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  /** Waits for a line of the broker's verbose log, e.g. that it sent a SUBACK: clients buffer their own output. */
  async waitForLog(pattern: RegExp, ms = 10_000): Promise<void> {
    const until = Date.now() + ms;
    while (!pattern.test(this.#log)) {
      if (Date.now() > until) throw new Error(`mosquitto did not log ${pattern}: ${this.#log.slice(-500)}`);
      await sleep(20);
    }
  }

  static async start(dir: string, port: number): Promise<Broker> {
    const conf = join(dir, `mosquitto-${port}.conf`);
    writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\n`);
    const child = spawn('mosquitto', ['-c', conf, '-v'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const broker = new Broker(child);
    await waitForOutput(child, /running|Opening ipv4 listen socket/, 10_000, 'mosquitto');
    return broker;
  }

  async stop(): Promise<void> {
    this.#child.kill('SIGTERM');
    await exited(this.#child, 5000);
  }
}

export class Capture {
  readonly #child: ChildProcess;

  private constructor(child: ChildProcess) {
    this.#child = child;
  }

  /** Starts tshark writing `file`; resolves once it is capturing. */
  static async start(opts: { iface: string; port: number; file: string; format?: 'pcap' | 'pcapng'; linkType?: string }): Promise<Capture> {
    // A 32 MiB kernel buffer: the traffic comes in 300 kB bursts, and four captures run at once.
    const args = ['-i', opts.iface, '-B', '32', '-f', `tcp port ${opts.port}`, '-w', opts.file];
    if (opts.format === 'pcap') args.push('-F', 'pcap');
    if (opts.linkType) args.push('-y', opts.linkType);
    const child = spawn('tshark', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    await waitForOutput(child, /Capturing on/, 15_000, 'tshark');
    return new Capture(child);
  }

  /** Lets the last packets reach the file, then stops tshark with SIGINT and waits for it to exit. */
  async stop(): Promise<void> {
    await sleep(500);
    this.#child.kill('SIGINT');
    await exited(this.#child, 10_000);
  }
}

export function run(cmd: string, args: string[], ms = 15_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')} timed out; stderr: ${stderr}`));
    }, ms);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts a command in the background, e.g. a subscriber that must be listening before anything is published. */
export function background(cmd: string, args: string[]): {
  child: ChildProcess;
  done: Promise<{ code: number | null; stdout: string }>;
  waitFor: (pattern: RegExp, ms?: number) => Promise<void>;
} {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const done = new Promise<{ code: number | null; stdout: string }>((resolve) => child.on('exit', (code) => resolve({ code, stdout })));
  const waitFor = async (pattern: RegExp, ms = 10_000) => {
    const until = Date.now() + ms;
    while (!pattern.test(stdout)) {
      if (Date.now() > until) throw new Error(`${cmd} did not print ${pattern}: ${stdout.slice(-300)}`);
      if (child.exitCode !== null) throw new Error(`${cmd} exited before printing ${pattern}: ${stdout.slice(-300)}`);
      await sleep(20);
    }
  };
  return { child, done, waitFor };
}
