// `bench/ui --profile`: where a phase's time went in the page. Two views of the same minutes:
// - the V8 sampling profiler: the functions with the most self time, mapped through the renderer's source
//   maps to file:line (the bench builds the renderer with maps for this);
// - a Chromium trace of the renderer's main thread: the longest tasks and what they were made of (script,
//   style, layout, paint, GC), which the JS profiler only sees as "(program)".
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import type { Browser, CDPSession, Page } from 'playwright-core';

interface CallFrame {
  functionName: string;
  scriptId?: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}
interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  /** Thread (CPU) time of a complete event, µs: wall time less the time the thread waited for a core. */
  tdur?: number;
  pid: number;
  tid: number;
  args?: {
    name?: string;
    beginData?: { dirtyObjects?: number; totalObjects?: number; frame?: string };
    endData?: { layoutRoots?: Array<{ nodeId?: number; depth?: number }> };
    data?: { type?: string; functionName?: string; url?: string; lineNumber?: number };
  };
}

/** Source maps of the built renderer's scripts, by file name. */
function loadMaps(rendererOut: string): Map<string, TraceMap> {
  const maps = new Map<string, TraceMap>();
  const dir = join(rendererOut, 'assets');
  if (!existsSync(dir)) return maps;
  for (const f of readdirSync(dir)) {
    if (f.endsWith('.js.map')) maps.set(f.slice(0, -4), new TraceMap(readFileSync(join(dir, f), 'utf8')));
  }
  return maps;
}

export class PageProfiler {
  #cdp: CDPSession | null = null;
  /** After stop(): the longest task's thread time in the phase (ms), for a run's one-line summary. */
  longestThreadMs = NaN;
  readonly #maps: Map<string, TraceMap>;

  constructor(private readonly browser: Browser, private readonly page: Page, private readonly root: string, rendererOut: string) {
    this.#maps = loadMaps(rendererOut);
  }

  async start(): Promise<void> {
    this.#cdp = await this.page.context().newCDPSession(this.page);
    await this.#cdp.send('Profiler.enable');
    // 200 µs: fine enough for the few-ms functions a frame is made of, coarse enough not to skew the frames.
    await this.#cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await this.browser.startTracing(this.page, { categories: ['devtools.timeline', 'v8', 'disabled-by-default-devtools.timeline'] });
    await this.#cdp.send('Profiler.start');
  }

  /** Stops both and returns the report's lines. */
  async stop(top = 25): Promise<string[]> {
    const { profile } = (await this.#cdp!.send('Profiler.stop')) as unknown as { profile: CpuProfile };
    const trace = JSON.parse((await this.browser.stopTracing()).toString('utf8')) as { traceEvents: TraceEvent[] };
    const lines = [...this.#hottest(profile, top), ...this.#longTasks(trace.traceEvents, profile)];
    const named = await this.#nameRoots(lines);
    await this.#cdp!.detach();
    this.#cdp = null;
    return named;
  }

  /**
   * A long task's layouts name their roots by backend DOM node id (`⟨node N⟩` in the lines): each is replaced
   * by the element's tag and classes, so the report says which part of the page was laid out.
   */
  async #nameRoots(lines: string[]): Promise<string[]> {
    const ids = new Set<number>();
    for (const l of lines) for (const m of l.matchAll(/⟨node (\d+)⟩/g)) ids.add(Number(m[1]));
    const names = new Map<number, string>();
    if (ids.size) {
      await this.#cdp!.send('DOM.getDocument', { depth: 0 });
      for (const id of ids) {
        try {
          const { node } = await this.#cdp!.send('DOM.describeNode', { backendNodeId: id });
          const attrs = node.attributes ?? [];
          const cls = attrs[attrs.indexOf('class') + 1];
          names.set(id, `${node.localName || node.nodeName}${attrs.includes('class') && cls ? `.${cls.trim().split(/\s+/).join('.')}` : ''}`);
        } catch {
          names.set(id, `node ${id} (gone)`);
        }
      }
    }
    return lines.map((l) => l.replace(/⟨node (\d+)⟩/g, (_, id: string) => names.get(Number(id)) ?? id));
  }

  #where(f: CallFrame): string {
    const file = f.url.split('/').pop()?.split('?')[0] ?? '';
    const map = this.#maps.get(file);
    if (map) {
      const o = originalPositionFor(map, { line: f.lineNumber + 1, column: f.columnNumber });
      if (o.source) {
        const src = o.source.replace(/^(\.\.\/)+/, '');
        return `${o.name ?? (f.functionName || '(anonymous)')} ${src.startsWith('node_modules') ? src.replace(/^.*node_modules\//, '~') : relative(this.root, join(this.root, src))}:${o.line}`;
      }
    }
    if (!f.url) return f.functionName || `(unnamed native, script ${f.scriptId ?? '?'})`;
    return `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
  }

  #hottest(p: CpuProfile, top: number): string[] {
    const byNode = new Map<number, ProfileNode>(p.nodes.map((n) => [n.id, n]));
    const self = new Map<string, number>();
    let total = 0;
    for (let i = 0; i < p.samples.length; i++) {
      const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
      const n = byNode.get(p.samples[i]!);
      if (!n || n.callFrame.functionName === '(idle)') continue;
      total += dt;
      const key = this.#where(n.callFrame);
      self.set(key, (self.get(key) ?? 0) + dt);
    }
    const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, top);
    return [
      `    busy ${total.toFixed(0)} ms (not idle); top ${rows.length} by self time:`,
      ...rows.map(([k, ms]) => `      ${ms.toFixed(1).padStart(7)} ms ${((100 * ms) / (total || 1)).toFixed(1).padStart(5)}%  ${k}`),
    ];
  }

  /**
   * The functions with the most self time between two trace timestamps (µs). The sampler and the trace read
   * the same monotonic clock, so a long task's own JavaScript can be named.
   */
  #hottestIn(p: CpuProfile, from: number, to: number, top = 4): string {
    const byNode = new Map<number, ProfileNode>(p.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const self = new Map<string, number>();
    // Time under each of the app's own files (inclusive): a Svelte internal's self time says what was done,
    // this says for which view.
    const under = new Map<string, number>();
    let t = p.startTime;
    for (let i = 0; i < p.samples.length; i++) {
      t += p.timeDeltas[i] ?? 0;
      if (t < from || t > to) continue;
      const n = byNode.get(p.samples[i]!);
      if (!n || n.callFrame.functionName === '(idle)') continue;
      const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
      const key = this.#where(n.callFrame);
      self.set(key, (self.get(key) ?? 0) + dt);
      const files = new Set<string>();
      for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
        const f = this.#where(byNode.get(id)!.callFrame).split(' ').pop()!.split(':')[0]!;
        if (f.startsWith('src/')) files.add(f);
      }
      for (const f of files) under.set(f, (under.get(f) ?? 0) + dt);
    }
    const fmt = (m: Map<string, number>): string => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, ms]) => `${k} ${ms.toFixed(0)}`).join('; ');
    return self.size ? `${fmt(self)}\n             under the app's files (inclusive ms): ${fmt(under) || 'none'}` : '';
  }

  /** The renderer main thread's tasks over 50 ms, each with the kinds of work inside it. */
  #longTasks(events: TraceEvent[], profile: CpuProfile): string[] {
    const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
    if (!main) return ['    (no renderer main thread in the trace)'];
    const mine = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined).sort((a, b) => a.ts - b.ts);
    // The profiler's own start is a long task of the bench, not of the page.
    const profilerStarts = mine.filter((e) => e.name === 'CpuProfiler::StartProfiling');
    const runs = mine.filter((e) => e.name === 'RunTask' && !profilerStarts.some((p) => p.ts >= e.ts && p.ts < e.ts + e.dur!));
    const tasks = runs.filter((e) => e.dur! > 50_000);
    // On a loaded machine a task's wall time includes the time its thread waited for a core; its thread
    // time is what it cost, and what a quiet machine would come close to.
    const byCpu = runs.filter((e) => e.tdur !== undefined).sort((a, b) => b.tdur! - a.tdur!);
    const cpu = byCpu.map((e) => e.tdur! / 1000);
    this.longestThreadMs = cpu[0] ?? 0;
    // Where the phase's rendering went, in thread time (these events do not nest in one another).
    const kinds = ['UpdateLayoutTree', 'Layout', 'PrePaint', 'Paint', 'Layerize', 'Commit', 'MinorGC', 'MajorGC'];
    const totals = kinds.map((k) => [k, mine.filter((e) => e.name === k).reduce((n, e) => n + (e.tdur ?? e.dur!) / 1000, 0)] as const);
    // A layout that starts at the document walks every box from the root down to what changed; one that
    // starts at a contained pane or a scroller stays inside it. How many each, and what they cost.
    const byRoot = new Map<string, { n: number; ms: number }>();
    for (const e of mine) {
      if (e.name !== 'Layout') continue;
      const key = (e.args?.endData?.layoutRoots ?? []).map((r) => (r.nodeId ? `⟨node ${r.nodeId}⟩` : '?')).join(' + ') || '?';
      const b = byRoot.get(key) ?? { n: 0, ms: 0 };
      b.n++;
      b.ms += (e.tdur ?? e.dur!) / 1000;
      byRoot.set(key, b);
    }
    const roots = [...byRoot].sort((a, b) => b[1].ms - a[1].ms).slice(0, 6);
    const out = [
      `    rendering and GC over the phase (thread ms): ${totals.map(([k, ms]) => `${k === 'UpdateLayoutTree' ? 'style' : k} ${ms.toFixed(0)}`).join(', ')}`,
      `    layouts by where they started (count, thread ms): ${roots.map(([k, b]) => `${k} ${b.n}, ${b.ms.toFixed(0)} ms`).join('; ')}`,
      `    tasks by thread time (CPU ms, without waiting for a core): longest ${cpu.slice(0, 5).map((t) => t.toFixed(0)).join(', ')}; ${cpu.filter((t) => t > 50).length} over 50 ms, ${cpu.filter((t) => t > 25).length} over 25 ms`,
      ...byCpu.slice(0, 3).flatMap((t) => this.#describe(t, mine, profile)),
      `    ${tasks.length} tasks over 50 ms (wall time) on the renderer's main thread${tasks.length > 12 ? ' (longest 12)' : ''}:`,
      ...[...tasks].sort((a, b) => b.dur! - a.dur!).slice(0, 12).flatMap((t) => this.#describe(t, mine, profile)),
    ];
    return out;
  }

  /** One task: wall and thread time, when in the phase it ran, the kinds of work inside it, and whose script. */
  #describe(t: TraceEvent, mine: TraceEvent[], profile: CpuProfile): string[] {
    // Events nest (a layout forced inside a function call): each name's sum is its own, they do not add up.
    const sums = new Map<string, number>();
    let laidOut = 0;
    const layouts: string[] = [];
    for (const e of mine) {
      if (e === t || e.ts < t.ts || e.ts + e.dur! > t.ts + t.dur!) continue;
      if (e.name === 'Layout' && e.dur! >= 2000) {
        // Which objects were dirty and where the layout started: what a change dirtied, and how far up.
        const roots = (e.args?.endData?.layoutRoots ?? []).map((r) => (r.nodeId ? `⟨node ${r.nodeId}⟩` : '?')).join(' + ');
        layouts.push(`${(e.dur! / 1000).toFixed(0)} ms (thread ${((e.tdur ?? NaN) / 1000).toFixed(0)}), ${e.args?.beginData?.dirtyObjects ?? '?'} dirty of ${e.args?.beginData?.totalObjects ?? '?'} from ${roots || '?'}`);
      }
      if (e.dur! < 1000) continue;
      const name = e.name === 'EventDispatch' && e.args?.data?.type ? `EventDispatch(${e.args.data.type})` : e.name;
      sums.set(name, (sums.get(name) ?? 0) + e.dur! / 1000);
      if (e.name === 'Layout') laidOut = Math.max(laidOut, e.args?.beginData?.totalObjects ?? 0);
    }
    const parts = [...sums].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, ms]) => `${k} ${ms.toFixed(0)}`).join(', ') + (laidOut ? `; layouts of up to ${laidOut} objects in the tree` : '');
    const out = [`      ${(t.dur! / 1000).toFixed(0).padStart(5)} ms (thread ${((t.tdur ?? NaN) / 1000).toFixed(0)}) at +${((t.ts - mine[0]!.ts) / 1e6).toFixed(2)} s: ${parts}`];
    if (layouts.length) out.push(`             layouts: ${layouts.join('; ')}`);
    const js = this.#hottestIn(profile, t.ts, t.ts + t.dur!);
    if (js) out.push(`             script by self time (ms): ${js}`);
    return out;
  }
}
