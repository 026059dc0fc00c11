// Geometry of the live chart: d3 scales and line paths for the chosen series over a sliding time window.
import { extent, line, scaleLinear, scaleTime } from 'd3';
import type { Series } from '../state/series.svelte.js';

export const WINDOWS = [
  { label: 'last 30 s', ms: 30_000 },
  { label: 'last 2 min', ms: 120_000 },
  { label: 'last 10 min', ms: 600_000 },
  { label: 'everything', ms: 0 },
];

// Mid-tone colours that keep their contrast on both the light and the dark background.
const PALETTE = ['#e8590c', '#1c7ed6', '#2f9e44', '#ae3ec9', '#d6336c', '#0c8599', '#f59f00', '#5c7cfa'];

/** Timestamps and counters make poor default lines; the student can still tick them. */
const BORING = /(^|\.)(ts|time|timestamp|epoch|id|seq|n|count)$/i;

export function defaultSeries(keys: string[]): string[] {
  const good = keys.filter((k) => !BORING.test(k.split(' › ')[1] ?? ''));
  return (good.length ? good : keys).slice(0, 4);
}

export interface ChartLine {
  key: string;
  d: string;
  color: string;
  last?: { x: number; y: number };
  lastValue?: number;
}

export interface ChartModel {
  left: number;
  right: number;
  lines: ChartLine[];
  xTicks: Array<{ v: number; x: number; label: string }>;
  yTicks: Array<{ v: number; y: number; label: string }>;
}

export function colorFor(key: string, keys: readonly string[]): string {
  return PALETTE[Math.max(0, keys.indexOf(key)) % PALETTE.length]!;
}

export function chartModel(
  chosen: Series[],
  o: { width: number; height: number; rem: number; windowMs: number; now: number },
): ChartModel {
  const left = 3.2 * o.rem;
  const right = 0.8 * o.rem;
  const top = 0.6 * o.rem;
  const bottom = 1.5 * o.rem;
  // The window shrinks to the data while there is less of it than the window holds, so the first points
  // do not huddle at the right edge.
  const first = Math.min(...chosen.map((s) => s.t[0] ?? o.now), o.now);
  const span = Math.max(10_000, (o.now - first) * 1.05);
  const tMin = o.now - (o.windowMs > 0 ? Math.min(o.windowMs, span) : span);
  const inWindow = chosen.map((s) => {
    let i = 0;
    while (i < s.t.length && s.t[i]! < tMin) i++;
    return { s, from: i };
  });
  const values = inWindow.flatMap(({ s, from }) => s.v.slice(from));
  const [lo = 0, hi = 1] = extent(values);
  const pad = hi === lo ? Math.max(1, Math.abs(hi) * 0.1) : (hi - lo) * 0.12;
  const x = scaleTime().domain([tMin, o.now]).range([left, o.width - right]);
  const y = scaleLinear().domain([lo - pad, hi + pad]).nice().range([o.height - bottom, top]);
  const keys = chosen.map((s) => s.key);
  const lines = inWindow.map(({ s, from }): ChartLine => {
    const idx = Array.from({ length: s.t.length - from }, (_, k) => from + k);
    const gen = line<number>().x((i) => x(s.t[i]!)).y((i) => y(s.v[i]!));
    const l: ChartLine = { key: s.key, d: gen(idx) ?? '', color: colorFor(s.key, keys) };
    const li = s.t.length - 1;
    if (li >= from) {
      l.last = { x: x(s.t[li]!), y: y(s.v[li]!) };
      l.lastValue = s.v[li]!;
    }
    return l;
  });
  const fmtT = x.tickFormat(5);
  return {
    left,
    right,
    lines,
    xTicks: x.ticks(Math.max(2, Math.floor(o.width / (7 * o.rem)))).map((t) => ({ v: +t, x: x(t), label: fmtT(t) })),
    yTicks: y.ticks(4).map((v) => ({ v, y: y(v), label: String(+v.toFixed(3)) })),
  };
}
