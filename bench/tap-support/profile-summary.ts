// A V8 CPU profile (.cpuprofile) reduced to what a closing note quotes: self time per function and per
// part of the program, over a window of the run.
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Which part of the program a script belongs to, by its URL. */
function partOf(url: string, fn: string): string {
  if (url === '') {
    if (fn === '(garbage collector)') return 'GC';
    if (fn === '(idle)') return 'idle';
    return fn === '(program)' ? 'V8/native (program)' : `native ${fn}`;
  }
  const parts: Array<[RegExp, string]> = [
    // Packages first: some keep their code in a src/ of their own (debug's src/common.js is aedes').
    [/node_modules\/(aedes|mqtt-packet|mqemitter|aedes-[^/]+|bl|readable-stream|process-nextick-args|fastfall|fastparallel|fastseries|reusify|hyperid|retimer|uuid|debug|qlobber)\//, 'broker (aedes, mqtt-packet)'],
    [/node_modules\/ws\//, 'ws'],
    [/node_modules\/tsx\/|node_modules\/esbuild|node_modules\/get-tsconfig/, 'tsx'],
    [/node_modules\//, 'other packages'],
    [/\/src\/core\/tap\//, 'tap'],
    [/\/src\/core\/frame\//, 'tap'],
    [/\/src\/core\/dissect\//, 'dissector'],
    [/\/src\/core\/store\//, 'capture store'],
    [/\/src\/core\/lab\//, 'lab'],
    [/\/src\/shared\/event-stream\//, 'event stream'],
    [/\/src\/(server|core\/api)\//, 'web server'],
    [/\/src\/cli\//, 'cli'],
    [/\/src\/core\/broker\//, 'broker host'],
    [/\/src\//, 'other lab code'],
    [/^node:/, 'node core'],
  ];
  for (const [re, name] of parts) if (re.test(url)) return name;
  return 'other';
}

const shortUrl = (url: string): string =>
  (url.includes('/node_modules/') ? url.replace(/^.*\/node_modules\//, 'node_modules/') : url.replace(/^.*\/src\//, 'src/')).replace(/^file:\/\//, '');

export function summarizeProfile(p: CpuProfile, window: { from: number; to: number }, top: number, options: { callers?: boolean } = {}): { text: string; byPart: Map<string, number>; busyMs: number } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let t = p.startTime;
  let inWindow = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i]!;
    if (t < window.from || t > window.to) continue;
    // A sample's time is the gap to the next one (the last sample gets the previous gap).
    const dt = p.timeDeltas[i + 1] ?? p.timeDeltas[i]!;
    selfUs.set(p.samples[i]!, (selfUs.get(p.samples[i]!) ?? 0) + dt);
    inWindow++;
  }
  const parentOf = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const keyOf = (id: number): string => {
    const cf = byId.get(id)!.callFrame;
    return `${cf.functionName || '(anonymous)'}  ${cf.url === '' ? '' : `${shortUrl(cf.url)}:${cf.lineNumber + 1}`}`;
  };
  // Who calls a hot function: a copy or an allocation in Node core says nothing until its caller is known.
  const callers = new Map<string, Map<string, number>>();
  const byFn = new Map<string, number>();
  const byPart = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const cf = byId.get(id)!.callFrame;
    const part = partOf(cf.url, cf.functionName);
    byPart.set(part, (byPart.get(part) ?? 0) + us / 1000);
    if (part === 'idle') continue;
    busy += us;
    const key = keyOf(id);
    byFn.set(key, (byFn.get(key) ?? 0) + us / 1000);
    const chain: string[] = [];
    for (let up = parentOf.get(id); up !== undefined && chain.length < 3; up = parentOf.get(up)) chain.push(keyOf(up).split('  ')[0]!);
    const via = callers.get(key) ?? new Map<string, number>();
    via.set(chain.join(' < '), (via.get(chain.join(' < ')) ?? 0) + us / 1000);
    callers.set(key, via);
  }
  const busyMs = busy / 1000;
  const pct = (ms: number): string => `${((ms / busyMs) * 100).toFixed(1).padStart(5)} %`;
  const lines = [`  profile: ${inWindow} samples in the window, ${busyMs.toFixed(0)} ms busy (idle ${(byPart.get('idle') ?? 0).toFixed(0)} ms)`];
  lines.push('  self time by part (of busy):');
  for (const [part, ms] of [...byPart].filter(([k]) => k !== 'idle').sort((a, b) => b[1] - a[1])) {
    lines.push(`    ${pct(ms)}  ${ms.toFixed(0).padStart(6)} ms  ${part}`);
  }
  lines.push(`  top ${top} functions by self time:`);
  for (const [fn, ms] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`    ${pct(ms)}  ${ms.toFixed(0).padStart(6)} ms  ${fn}`);
    if (!options.callers || ms < busyMs * 0.02) continue;
    for (const [chain, cms] of [...callers.get(fn)!].sort((a, b) => b[1] - a[1]).slice(0, 3)) {
      lines.push(`               ${cms.toFixed(0).padStart(6)} ms  < ${chain}`);
    }
  }
  return { text: lines.join('\n'), byPart, busyMs };
}
