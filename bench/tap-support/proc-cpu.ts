// CPU time of processes on Linux, from /proc: the relaying child and the broker are measured over the same
// rounds, so "relay CPU ÷ broker CPU" compares like with like.
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** user + system CPU of a process, in ms; NaN once it is gone. */
export function childCpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    // Fields after the command name (which may hold spaces) start at ") ".
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) * TICK_MS;
  } catch {
    return NaN;
  }
}

/**
 * Minor page faults of a process so far (all its threads; NaN once it is gone). On this kind of virtual
 * machine the first touch of fresh memory costs about 15 µs a 4 kB page, so faults per message say how much
 * of the relay's time goes to memory it has not used before.
 */
export function minorFaults(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
  } catch {
    return NaN;
  }
}

/** This process's own CPU, in ms. */
export function processCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Direct children of a process (default: this one), with their command lines. */
export function ownChildren(parent = process.pid): Array<{ pid: number; cmdline: string }> {
  const out: Array<{ pid: number; cmdline: string }> = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== parent) continue;
      out.push({ pid: Number(name), cmdline: readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ') });
    } catch {
      // gone between listing and reading
    }
  }
  return out;
}

/** Every process below `root` (default: this one), children first. */
export function descendants(root = process.pid): Array<{ pid: number; cmdline: string }> {
  const out: Array<{ pid: number; cmdline: string }> = [];
  const todo = [root];
  while (todo.length > 0) {
    for (const c of ownChildren(todo.pop()!)) {
      out.push(c);
      todo.push(c.pid);
    }
  }
  return out;
}

/**
 * CPU of each thread of a process, in ms, keyed by thread id with its name (`comm`). The relay's process runs
 * more than its event loop: V8's helper threads (collection, compilation), libuv's pool and the store's chunk
 * warmer all take one of the same 2 cores the broker and the clients need.
 */
export function threadCpuMs(pid: number | undefined): Map<number, { name: string; ms: number }> {
  const out = new Map<number, { name: string; ms: number }>();
  if (pid === undefined) return out;
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), { name, ms: (Number(rest[11]) + Number(rest[12])) * TICK_MS });
    } catch {
      // the thread ended between listing and reading
    }
  }
  return out;
}

/**
 * Thread CPU between two `threadCpuMs` readings of process `pid`, summed by thread name, busiest first. The
 * main thread (tid = pid) is named apart: Node's other threads mostly share its name.
 */
export function threadCpuDelta(pid: number, before: Map<number, { name: string; ms: number }>, after: Map<number, { name: string; ms: number }>): Array<[string, number]> {
  const byName = new Map<string, number>();
  for (const [tid, t] of after) {
    const d = t.ms - (before.get(tid)?.ms ?? 0);
    // Other threads by id, in the order they were made (V8's helpers at start, the warmer when first asked).
    const name = tid === pid ? 'main thread' : `${t.name} #${tid - pid}`;
    if (d > 0) byName.set(name, (byName.get(name) ?? 0) + d);
  }
  return [...byName].sort((a, b) => b[1] - a[1]);
}

/**
 * Waits until every process below this one (the CLI children, Chromium's, mosquitto) used at most `quietMs`
 * of CPU over a `windowMs` window, or `maxMs` passed; returns the ms waited. A page that fell behind a round
 * goes on catching up after it (up to a second of Chromium's CPU after 20k messages), and that work landed
 * on whichever setup ran next.
 */
export async function settle(windowMs = 200, quietMs = 20, maxMs = 5000): Promise<number> {
  const t0 = performance.now();
  const total = (pids: number[]): number => pids.reduce((n, p) => n + (childCpuMs(p) || 0), 0);
  for (;;) {
    const pids = descendants().map((c) => c.pid);
    const a = total(pids);
    await new Promise((r) => setTimeout(r, windowMs));
    const used = total(pids) - a;
    const waited = performance.now() - t0;
    if (used <= quietMs || waited >= maxMs) return waited - windowMs;
  }
}
