// The ways bench/tap reaches a broker: straight, through a bare Tap in this process (capture off or on),
// and through what users run: `mqtt-lab broker` printing its live log to /dev/null, the same with
// `--upstream` in front of mosquitto, and `mqtt-lab web` with a notebook page open in Chromium.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { BrokerHost } from '../../src/core/broker/index.js';
import type { BrokerInfo } from '../../src/shared/lab.js';
import { findExecutable } from '../../src/core/broker/find-executable.js';
import { CaptureStore } from '../../src/core/store/index.js';
import { chunkWarmer } from '../../src/core/store/warm-chunks.js';
import { Tap } from '../../src/core/tap/tap.js';
import { launch } from '../../test/ui/support/browser.js';
import { startLabServer } from '../../test/ui/support/lab-server.js';

export interface Setup {
  name: string;
  /** Where clients connect. */
  port: number;
  /** Whether every packet is kept in a capture store (what the targets ask about). */
  capture: boolean;
  /** The direct setup it is weighed against, when not the in-process one (bench/tap). */
  versus?: Setup;
  stop(): Promise<void>;
}

const ROOT = join(import.meta.dirname, '..', '..');

export function direct(info: BrokerInfo): Setup {
  return { name: 'direct', port: info.port, capture: false, stop: async () => undefined };
}

/** A bare Tap in this process, as the CLI's Lab builds it (in-process connection to an embedded broker). */
export async function bareTap(broker: BrokerHost, info: BrokerInfo, capture: boolean): Promise<Setup & { store?: CaptureStore }> {
  // As the Lab makes it: arena chunks touched on a worker thread.
  const store = capture ? new CaptureStore(undefined, { warmer: chunkWarmer() }) : undefined;
  // And its memory reserved, as `mqtt-lab broker` and `web` reserve it (LabOptions.reserveCapture).
  store?.reserve();
  const tap = new Tap({
    broker: { host: info.host, port: info.port, connect: broker.connect?.bind(broker) },
    ...(store === undefined ? {} : { record: (r) => store.append(r) }),
  });
  const { port } = await tap.start();
  return { name: capture ? 'Tap, capture on' : 'Tap, capture off', port, capture, store, stop: () => tap.stop() };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

async function accepting(port: number, child: ChildProcess, ms: number, what: string): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode})`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not listen on ${port} within ${ms} ms`);
}

/**
 * A program of the bench's own in a process of its own, given a free port as its first argument after `before`, once it
 * accepts there: a relay or broker without the tap, beside the setups users run. `done` runs once it has
 * stopped, or failed to start.
 */
async function ownProgram(name: string, command: string, before: string[], args: string[], done = (): void => undefined): Promise<Setup> {
  const port = await freePort();
  const child = spawn(command, [...before, String(port), ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    await accepting(port, child, 30_000, name);
  } catch (e) {
    child.kill('SIGKILL');
    done();
    throw e;
  }
  return { name, port, capture: false, stop: () => stopChild(child).then(done) };
}

/** A Node script of the bench's own (see ownProgram). */
function ownProcess(name: string, nodeArgs: string[], script: string, args: string[]): Promise<Setup> {
  return ownProgram(name, process.execPath, [...nodeArgs, join(import.meta.dirname, script)], args);
}

/** A plain Node pipe proxy in a process of its own in front of the broker (pipe-proxy.mjs): the floor. */
export function pipeProxy(info: BrokerInfo): Promise<Setup> {
  return ownProcess('plain pipe proxy (own process)', [], 'pipe-proxy.mjs', [info.host, String(info.port)]);
}

/**
 * A relay in C in a process of its own in front of the broker (c-relay.c), built with the system's C
 * compiler into a temporary directory: the floor with no runtime under it. Throws, saying why, when there
 * is no compiler.
 */
export async function cRelay(info: BrokerInfo): Promise<Setup> {
  const cc = findExecutable('cc') ?? findExecutable('gcc');
  if (cc === undefined) throw new Error('no C compiler (cc or gcc) on PATH');
  const dir = mkdtempSync(join(tmpdir(), 'mqtt-lab-c-relay-'));
  const binary = join(dir, 'c-relay');
  const cleanUp = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    execFileSync(cc, ['-O2', '-o', binary, join(import.meta.dirname, 'c-relay.c')], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    cleanUp();
    throw new Error(`c-relay.c did not compile: ${(e as { stderr?: Buffer }).stderr?.toString().trim() ?? (e as Error).message}`);
  }
  return ownProgram('plain C relay (own process)', binary, [], [String(info.port)], cleanUp);
}

/** `mqtt-lab broker [args]` as a user runs it, its live log going to /dev/null. */
export async function cliBroker(name: string, args: string[]): Promise<Setup> {
  const port = await freePort();
  const devNull = openSync('/dev/null', 'w');
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'mqtt-lab.js'), 'broker', '--port', String(port), ...args], {
    cwd: ROOT,
    stdio: ['ignore', devNull, 'inherit'],
  });
  closeSync(devNull);
  try {
    await accepting(port, child, 60_000, `mqtt-lab broker ${args.join(' ')}`);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return { name, port, capture: true, stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** `mqtt-lab web [args]` with its notebook open in the system Chromium, following the capture live. */
export async function webWithPage(name: string, args: string[]): Promise<Setup> {
  const server = await startLabServer(args);
  let browser: Browser | undefined;
  try {
    browser = await launch();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(server.url);
    // The page is live once it shows the tap's address (its first API answer).
    await page.waitForFunction(() => document.body.innerText.includes('127.0.0.1'), undefined, { timeout: 30_000 });
  } catch (e) {
    await browser?.close();
    await server.stop();
    throw e;
  }
  const b = browser;
  return {
    name,
    port: server.mqtt.port,
    capture: true,
    stop: async () => {
      await b.close();
      await server.stop();
    },
  };
}

/** A plain aedes broker in a process of its own (aedes-process.ts): direct for the child-process setups. */
export function aedesProcess(): Promise<Setup> {
  return ownProcess('aedes, own process', ['--import', 'tsx'], 'aedes-process.ts', []);
}
