// Where the time goes on one of bench/tap's paths (issue 12): runs publish rounds through the chosen setup
// with the V8 CPU profiler on in the process that relays (a child `mqtt-lab broker`/`web` gets
// --cpu-prof; a bare Tap is profiled in this process), then prints the top self-time functions, the time
// per part (tap, dissector, store, lab, event stream, broker, GC…) and the relay CPU ÷ broker CPU ratio.
// Only samples taken while the measured rounds ran count (both processes read CLOCK_MONOTONIC).
//   npm run bench -- tap-profile [--setup broker|broker-mosquitto|upstream|web|web-upstream|bare|bare-mosquitto|pipe]
//                                [--qos 0] [--size 64] [--messages 20000] [--rounds 3] [--top 20] [--callers] [--keep FILE]
// `pipe` is the floor for a relay in its own process: a plain Node pipe proxy in front of mosquitto.
// The event loop's delay in the relaying process over the same window (perf_hooks.monitorEventLoopDelay) says
// whether anything there stalls the relay; --keep FILE keeps the .cpuprofile (Chrome DevTools opens it).
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBroker, type BrokerHost } from '../src/core/broker/index.js';
import { ensureRendererBuilt } from '../test/ui/support/build.js';
import { summarizeProfile, type CpuProfile } from './tap-support/profile-summary.js';
import { childCpuMs, descendants, minorFaults, ownChildren, processCpuMs, threadCpuDelta, threadCpuMs } from './tap-support/proc-cpu.js';
import { throughput, type Qos } from './tap-support/raw-clients.js';
import { bareTap, cliBroker, direct, pipeProxy, webWithPage, type Setup } from './tap-support/setups.js';

const argv = process.argv.slice(2);
const value = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
};
const SETUPS = ['broker', 'broker-mosquitto', 'upstream', 'web', 'web-upstream', 'bare', 'bare-mosquitto', 'pipe'] as const;
type SetupName = (typeof SETUPS)[number];
const which = value('setup', 'broker') as SetupName;
if (!SETUPS.includes(which)) {
  console.error(`--setup must be one of ${SETUPS.join(', ')}, not '${which}'`);
  process.exit(2);
}
const QOS = Number(value('qos', '0')) as Qos;
if (![0, 1, 2].includes(QOS)) {
  console.error(`--qos must be 0, 1 or 2, not '${value('qos', '')}'`);
  process.exit(2);
}
const SIZE = Number(value('size', '64'));
const MESSAGES = Number(value('messages', '20000'));
const ROUNDS = Number(value('rounds', '3'));
const TOP = Number(value('top', '20'));
const KEEP = value('keep', '');
const kind = which.endsWith('mosquitto') || which.includes('upstream') || which === 'pipe' ? 'mosquitto' : 'aedes';

const profDir = mkdtempSync(join(tmpdir(), 'mqtt-lab-prof-'));
const broker: BrokerHost = createBroker({ kind });
const info = await broker.start();
const upstream = ['--upstream', `127.0.0.1:${info.port}`];

const profFile = join(profDir, 'relay.cpuprofile');
const hook = join(import.meta.dirname, 'tap-support', 'cpu-prof-hook.mjs');

/** Starts the setup; a child process inherits NODE_OPTIONS that load the profiler hook. */
async function start(): Promise<Setup> {
  if (which.startsWith('bare')) return bareTap(broker, info, true);
  const before = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = `${before ?? ''} --import ${hook}`.trim();
  process.env.MQTT_LAB_PROF_FILE = profFile;
  try {
    if (which === 'broker') return await cliBroker('mqtt-lab broker', []);
    if (which === 'broker-mosquitto') return await cliBroker('mqtt-lab broker --broker mosquitto', ['--broker', 'mosquitto']);
    if (which === 'upstream') return await cliBroker('mqtt-lab broker --upstream', upstream);
    if (which === 'pipe') return await pipeProxy(info);
    ensureRendererBuilt();
    return await webWithPage(which, which === 'web' ? [] : upstream);
  } finally {
    delete process.env.MQTT_LAB_PROF_FILE;
    if (before === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = before;
  }
}

const setup = await start();
const base = direct(info);
const relayPid = which.startsWith('bare') ? process.pid : ownChildren().find((c) => c.cmdline.includes('mqtt-lab.js') || c.cmdline.includes('pipe-proxy'))?.pid;
// mosquitto started by this bench (`--broker mosquitto` starts its own inside the child).
const mosquittoPids = (): number[] => [...ownChildren(), ...(relayPid !== undefined && relayPid !== process.pid ? ownChildren(relayPid) : [])]
  .filter((c) => c.cmdline.includes('mosquitto')).map((c) => c.pid);

const tag = (r: number, s: string): string => `prof-${s}-${r}`;
const rates = { direct: [] as number[], setup: [] as number[] };
let session: Session | undefined;
try {
  // Warm-up: every path through the JIT before it counts.
  await throughput(base.port, QOS, SIZE, Math.ceil(MESSAGES / 4), 'w-d');
  await throughput(setup.port, QOS, SIZE, Math.ceil(MESSAGES / 4), 'w-s');
  for (let r = 0; r < ROUNDS; r++) rates.direct.push(await throughput(base.port, QOS, SIZE, MESSAGES, tag(r, 'd')));
  if (which.startsWith('bare')) {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
  }
  // The loop's delay counts from here: the child resets its histogram on SIGWINCH (cpu-prof-hook.mjs).
  const ownLoop = which.startsWith('bare') ? monitorEventLoopDelay({ resolution: 1 }) : undefined;
  ownLoop?.enable();
  if (!which.startsWith('bare')) process.kill(relayPid!, 'SIGWINCH');
  const window0 = process.hrtime.bigint() / 1000n;
  const cpu0 = relayPid === process.pid ? processCpuMs() : childCpuMs(relayPid);
  const faults0 = minorFaults(relayPid);
  const threads0 = threadCpuMs(relayPid);
  const own0 = processCpuMs();
  const mosq0 = mosquittoPids().map((p) => [p, childCpuMs(p)] as const);
  // With a page open, Chromium runs on the same two cores as the relay and the broker.
  const page0 = descendants().filter((c) => c.cmdline.includes('chrom')).map((c) => [c.pid, childCpuMs(c.pid)] as const);
  const wall0 = performance.now();
  for (let r = 0; r < ROUNDS; r++) rates.setup.push(await throughput(setup.port, QOS, SIZE, MESSAGES, tag(r, 's')));
  const wallMs = performance.now() - wall0;
  const relayCpu = (relayPid === process.pid ? processCpuMs() : childCpuMs(relayPid)) - cpu0;
  const faults = minorFaults(relayPid) - faults0;
  const threads = threadCpuDelta(relayPid!, threads0, threadCpuMs(relayPid));
  const ownCpu = processCpuMs() - own0;
  const mosquittoCpu = mosq0.reduce((n, [p, c]) => n + childCpuMs(p) - c, 0);
  const pageCpu = page0.reduce((n, [p, c]) => n + (childCpuMs(p) - c || 0), 0);
  const window1 = process.hrtime.bigint() / 1000n;
  let profile: CpuProfile;
  let loop: { p50: number; p99: number; max: number; count: number } | undefined;
  if (ownLoop !== undefined) {
    ownLoop.disable();
    loop = { p50: ownLoop.percentile(50) / 1e6, p99: ownLoop.percentile(99) / 1e6, max: ownLoop.max / 1e6, count: ownLoop.count };
  }
  if (session !== undefined) {
    profile = (await session.post('Profiler.stop')).profile as unknown as CpuProfile;
    session.disconnect();
    session = undefined;
  }
  if (!which.startsWith('bare')) {
    process.kill(relayPid!, 'SIGUSR2');
    const until = performance.now() + 30_000;
    while (!existsSync(profFile) && performance.now() < until) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 300)); // the write may be under way
    profile = JSON.parse(readFileSync(profFile, 'utf8')) as CpuProfile;
    if (existsSync(`${profFile}.loop.json`)) loop = JSON.parse(readFileSync(`${profFile}.loop.json`, 'utf8')) as typeof loop;
  }
  if (KEEP !== '') {
    if (existsSync(profFile)) copyFileSync(profFile, KEEP);
    else writeFileSync(KEEP, JSON.stringify(profile!));
  }
  await setup.stop();
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const [d, s] = [median(rates.direct), median(rates.setup)];
  console.log(`tap-profile: ${which}, ${kind}, QoS ${QOS}, ${SIZE} B, ${ROUNDS} rounds of ${MESSAGES}`);
  console.log(`  throughput ${(s / 1000).toFixed(1)}k/s vs direct ${(d / 1000).toFixed(1)}k/s (${(s / d).toFixed(2)}×)`);
  const sum = summarizeProfile(profile!, { from: Number(window0), to: Number(window1) }, TOP, { callers: argv.includes('--callers') });
  console.log(`  relay process CPU ${relayCpu.toFixed(0)} ms over ${wallMs.toFixed(0)} ms of rounds (${(relayCpu / wallMs * 100).toFixed(0)} % of one core)` +
    (kind === 'mosquitto' ? `; mosquitto CPU ${mosquittoCpu.toFixed(0)} ms` : '') +
    (page0.length > 0 ? `; the page (Chromium, ${page0.length} processes) CPU ${pageCpu.toFixed(0)} ms` : ''));
  console.log(`  relay process CPU by thread: ${threads.map(([n, ms]) => `${n} ${ms.toFixed(0)} ms`).join(', ')}`);
  if (relayPid !== process.pid) console.log(`  the bench's own process (its clients) CPU ${ownCpu.toFixed(0)} ms`);
  // Relay ÷ broker: for aedes both share the relaying process (split by the profile); mosquitto is its own.
  const brokerMs = kind === 'mosquitto' ? mosquittoCpu : sum.byPart.get('broker (aedes, mqtt-packet)') ?? 0;
  const relayMs = kind === 'mosquitto' ? relayCpu : sum.busyMs - (sum.byPart.get('broker (aedes, mqtt-packet)') ?? 0);
  console.log(`  relay CPU ÷ broker CPU: ${(relayMs / Math.max(1, brokerMs)).toFixed(2)} (${relayMs.toFixed(0)} ms ÷ ${brokerMs.toFixed(0)} ms${kind === 'aedes' ? ', from the profile' : ''})`);
  // A bare Tap shares its process with the bench's clients: their faults count too.
  console.log(`  minor page faults in the relaying process: ${faults} (${(faults / (ROUNDS * MESSAGES)).toFixed(2)} per message${which.startsWith('bare') ? ', the bench\'s clients included' : ''})`);
  if (loop !== undefined) {
    console.log(`  event loop delay in the relaying process (1 ms timer, ${loop.count} samples): p50 ${loop.p50.toFixed(2)} ms, p99 ${loop.p99.toFixed(2)} ms, max ${loop.max.toFixed(1)} ms`);
  }
  console.log(sum.text);
} finally {
  if (session !== undefined) session.disconnect();
  await setup.stop().catch(() => undefined);
  await broker.stop();
  rmSync(profDir, { recursive: true, force: true });
}
