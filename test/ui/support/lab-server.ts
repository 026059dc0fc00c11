// The real browser-mode server (`mqtt-lab web`), started for a test on free ports and stopped after it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './build.js';

export interface LabServer {
  /** The notebook URL with its token, as printed. */
  url: string;
  origin: string;
  token: string;
  /** Where MQTT clients connect (the tap). */
  mqtt: { host: string; port: number };
  stop(): Promise<void>;
}

/** Why the real server cannot be used here, or undefined when it can. */
export function labServerMissing(): string | undefined {
  return existsSync(join(ROOT, 'src', 'server', 'web-server.ts')) ? undefined : 'src/server is not there yet';
}

export function startLabServer(extra: string[] = []): Promise<LabServer> {
  // Progress goes to a folder of the test's own, never the user's data folder, unless the test names one.
  const data = extra.includes('--data-dir') ? [] : ['--data-dir', mkdtempSync(join(tmpdir(), 'mqtt-lab-ui-data-'))];
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'bin', 'mqtt-lab.js'), 'web', '--port', '0', '--broker-port', '0', ...data, ...extra], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`mqtt-lab web printed no URLs in 60 s:\n${out}\n${err}`)), 60_000);
    const fail = (e: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(e);
    };
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => fail(new Error(`mqtt-lab web exited (${code}):\n${out}\n${err}`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const page = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out);
      const mqtt = /mqtt:\/\/([\d.]+):(\d+)/.exec(out);
      if (!page || !mqtt) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const url = new URL(page[1]!);
      resolve({
        url: page[1]!,
        origin: url.origin,
        token: url.searchParams.get('token') ?? '',
        mqtt: { host: mqtt[1]!, port: Number(mqtt[2]) },
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(kill);
              if (data.length) rmSync(data[1]!, { recursive: true, force: true });
              done();
            });
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
