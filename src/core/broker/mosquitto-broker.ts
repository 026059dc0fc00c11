// A real mosquitto as a child process: generated config in a temp dir, 127.0.0.1 and a free port, stopped
// with the host (SIGTERM, SIGKILL if it lingers, wait for exit, temp dir removed).
//
// What mosquitto 2.0 does differently from the embedded broker, and a lesson may show:
// - a wrong password and a missing one are both refused with CONNACK 5 (not authorized), 0x87 in MQTT 5;
// - its acl_file never refuses a SUBSCRIBE: the SUBACK grants it, and messages the client may not read are
//   simply not delivered; a denied PUBLISH is acknowledged and dropped (MQTT 5: PUBACK 0x87);
// - keepalive is checked in periodic housekeeping, so a 1 s keepalive times out after about 5 s, not 1.5 s.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrokerInfo } from '../../shared/lab.js';
import { StartOnce } from './start-once.js';
import { BrokerEvents, now, type AuthOptions, type BrokerEventListener, type BrokerHost } from './broker-host.js';
import { findExecutable } from './find-executable.js';
import { aclFileText, mosquittoConfigText, passwordFileLine } from './mosquitto-config.js';
import { waitUntilAccepting } from './tcp-probe.js';

export const MOSQUITTO_MISSING =
  'mosquitto not found on PATH: install it (Debian: apt-get install mosquitto) or use the embedded broker';

export interface MosquittoBrokerOptions extends AuthOptions {
  /** Default: a free port. */
  port?: number;
  /** Where to look for mosquitto and mosquitto_passwd, PATH syntax. Default: PATH, then the sbin directories. */
  searchPath?: string;
  /** The mosquitto executable, bypassing the search. */
  binary?: string;
  /** How long to wait for the port to accept. Default 5000 ms. */
  startTimeoutMs?: number;
}

interface Running {
  child: ChildProcess;
  dir: string;
  info: BrokerInfo;
  stopping: boolean;
}

const HOST = '127.0.0.1';

export class MosquittoBroker implements BrokerHost {
  readonly kind = 'mosquitto' as const;
  private readonly events = new BrokerEvents();
  private readonly life = new StartOnce<Running>(() => this.launch());
  private logText = '';

  constructor(private readonly options: MosquittoBrokerOptions = {}) {}

  onEvent(listener: BrokerEventListener): () => void {
    return this.events.on(listener);
  }

  /** Everything mosquitto has logged (notice level and up); useful when a test or lesson goes wrong. */
  log(): string {
    return this.logText;
  }

  async start(): Promise<BrokerInfo> {
    return (await this.life.start()).info;
  }

  async stop(): Promise<void> {
    const r = await this.life.take();
    if (r === undefined) return;
    r.stopping = true;
    await terminate(r.child);
    await rm(r.dir, { recursive: true, force: true });
  }

  private async launch(): Promise<Running> {
    const bin = this.options.binary ?? findExecutable('mosquitto', this.options.searchPath);
    if (bin === undefined) throw new Error(MOSQUITTO_MISSING);
    // A free port can be taken by someone else between asking and binding; only then is a retry useful.
    const attempts = this.options.port === undefined ? 3 : 1;
    let last: unknown;
    for (let i = 0; i < attempts; i++) {
      try {
        return await this.launchOnce(bin, this.options.port ?? (await freePort()));
      } catch (err) {
        last = err;
        if (!/Address already in use/.test(String(err))) break;
      }
    }
    throw last;
  }

  private async launchOnce(bin: string, port: number): Promise<Running> {
    const dir = await mkdtemp(join(tmpdir(), 'mqtt-lab-mosquitto-'));
    let child: ChildProcess | undefined;
    try {
      const passwordFile = this.options.users === undefined ? undefined : await this.writePasswords(dir, this.options.users);
      const aclFile = this.options.acl === undefined ? undefined : join(dir, 'acl');
      if (aclFile !== undefined) await writeFile(aclFile, aclFileText(this.options.acl ?? []), { mode: 0o600 });
      const conf = join(dir, 'mosquitto.conf');
      const runningAsRoot = process.getuid?.() === 0;
      await writeFile(conf, mosquittoConfigText({ host: HOST, port, passwordFile, aclFile, runningAsRoot }), { mode: 0o600 });

      const proc = spawn(bin, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
      child = proc;
      track(proc);
      const spawnError = new Promise<never>((_, reject) => proc.once('error', (e) => reject(new Error(`cannot run ${bin}: ${e.message}`))));
      spawnError.catch(() => undefined);
      let startLog = '';
      const onLine = (line: string): void => {
        startLog += line + '\n';
        this.logText += line + '\n';
        this.events.emit({ kind: 'log', time: now(), line });
        const timeout = /^\d+: Client (.+) has exceeded timeout, disconnecting\.$/.exec(line);
        if (timeout !== null && timeout[1] !== undefined) this.events.emit({ kind: 'keepalive-timeout', time: now(), clientId: timeout[1] });
      };
      splitLines(proc, onLine);
      const exited = (): boolean => proc.exitCode !== null || proc.signalCode !== null;
      await Promise.race([spawnError, waitUntilAccepting(HOST, port, this.options.startTimeoutMs ?? 5000, exited)]).catch((err: unknown) => {
        throw new Error(`mosquitto did not start on ${HOST}:${port}: ${(err as Error).message}\n${startLog.trim()}`);
      });
      // mosquitto 2.0 keeps running without its password or ACL file if it cannot read them; that would be an
      // open broker that pretends to be a locked one.
      if (/Error: Unable to open (pwfile|acl_file)|Error opening (password|acl) file/i.test(startLog)) {
        throw new Error(`mosquitto could not read its generated files:\n${startLog.trim()}`);
      }
      const running: Running = { child: proc, dir, info: { host: HOST, port, kind: 'mosquitto', mqtt5: true }, stopping: false };
      proc.once('exit', (code, signal) => {
        if (!running.stopping) this.events.emit({ kind: 'log', time: now(), line: `mosquitto exited unexpectedly (${code ?? signal})` });
      });
      return running;
    } catch (err) {
      if (child !== undefined) await terminate(child);
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  private async writePasswords(dir: string, users: Record<string, string>): Promise<string> {
    const file = join(dir, 'passwd');
    await writeFile(file, '', { mode: 0o600 });
    const tool = findExecutable('mosquitto_passwd', this.options.searchPath);
    if (tool === undefined) {
      const text = Object.entries(users).map(([u, p]) => passwordFileLine(u, p)).join('\n') + '\n';
      await writeFile(file, text, { mode: 0o600 });
      return file;
    }
    for (const [user, password] of Object.entries(users)) await runTool(tool, ['-b', file, user, password]);
    return file;
  }
}

// A Node process that exits without stop() must not leave a broker behind. 'exit' handlers run synchronously,
// so a plain SIGKILL is all that can be done there.
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
// 'close' rather than 'exit': it comes once the stdio pipes are closed too, so no handle is left behind.
const closedOf = new WeakMap<ChildProcess, Promise<void>>();

function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
  live.add(child);
  closedOf.set(child, new Promise<void>((resolve) => child.once('close', () => resolve())));
  child.once('exit', () => live.delete(child));
  child.once('error', () => live.delete(child));
}

function splitLines(child: ChildProcess, onLine: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) if (line !== '') onLine(line);
    });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** SIGTERM, then SIGKILL after a grace period; resolves once the process has exited. */
async function terminate(child: ChildProcess, graceMs = 3000): Promise<void> {
  const closed = closedOf.get(child);
  if (closed === undefined || child.pid === undefined) return;
  if (child.exitCode !== null || child.signalCode !== null) {
    await closed;
    return;
  }
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await closed;
  clearTimeout(timer);
}

function runTool(bin: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${bin}: ${e.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${bin} exited with ${code}: ${err.trim()}`));
    });
  });
}
