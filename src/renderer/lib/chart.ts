// Geometry of the live chart: one small panel per chosen series, all over the same sliding time window, each
// with its own y scale, so a temperature moving between 20 and 21 is not flattened beside a humidity of 45.
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

export function colorFor(key: string, keys: readonly string[]): string {
  return PALETTE[Math.max(0, keys.indexOf(key)) % PALETTE.length]!;
}

export interface Tick {
  v: number;
  /** Pixel position along the axis. */
  at: number;
  label: string;
}

/** The time window all panels share: [tMin, now], and the x ticks for a plot area of the given width. */
export interface TimeFrame {
  tMin: number;
  tMax: number;
}

export function timeFrame(chosen: readonly Series[], windowMs: number, now: number): TimeFrame {
  // The window shrinks to the data while there is less of it than the window holds, so the first points
  // do not huddle at the right edge.
  const first = Math.min(...chosen.map((s) => s.t[0] ?? now), now);
  const span = Math.max(10_000, (now - first) * 1.05);
  return { tMin: now - (windowMs > 0 ? Math.min(windowMs, span) : span), tMax: now };
}

export interface PanelModel {
  key: string;
  color: string;
  /** Points inside the window; 0 means the panel says so instead of drawing an empty axis. */
  points: number;
  d: string;
  last?: { x: number; y: number };
  /** The newest value of the series, in the window or not, and when it came. */
  latest?: { v: number; t: number };
  yTicks: Tick[];
  xTicks: Tick[];
}

export interface PanelBox {
  width: number;
  height: number;
  /** Plot area insets: room for the y labels on the left and the x labels below. */
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export function panelBox(width: number, height: number, rem: number, withXLabels: boolean): PanelBox {
  return { width, height, left: 3.4 * rem, right: 0.8 * rem, top: 0.5 * rem, bottom: withXLabels ? 1.5 * rem : 0.4 * rem };
}

/** Short, readable y labels: at most 4 significant digits, no float noise. */
function yLabel(v: number): string {
  return String(Number(v.toPrecision(4)));
}

export function panelModel(s: Series, color: string, frame: TimeFrame, box: PanelBox, rem: number): PanelModel {
  let from = 0;
  while (from < s.t.length && s.t[from]! < frame.tMin) from++;
  const li = s.t.length - 1;
  const model: PanelModel = { key: s.key, color, points: s.t.length - from, d: '', yTicks: [], xTicks: [] };
  if (li >= 0) model.latest = { v: s.v[li]!, t: s.t[li]! };
  if (model.points === 0) return model;
  const [lo = 0, hi = 0] = extent(s.v.slice(from));
  // A flat series still gets a visible band around its value, scaled to the value, never 0–1.
  const pad = hi === lo ? Math.max(Math.abs(hi) * 0.02, 0.5) : (hi - lo) * 0.12;
  const x = scaleTime().domain([frame.tMin, frame.tMax]).range([box.left, box.width - box.right]);
  const y = scaleLinear().domain([lo - pad, hi + pad]).nice(3).range([box.height - box.bottom, box.top]);
  const idx = Array.from({ length: model.points }, (_, k) => from + k);
  model.d = line<number>().x((i) => x(s.t[i]!)).y((i) => y(s.v[i]!))(idx) ?? '';
  model.last = { x: x(s.t[li]!), y: y(s.v[li]!) };
  model.yTicks = y.ticks(3).map((v) => ({ v, at: y(v), label: yLabel(v) }));
  const fmt = x.tickFormat(5);
  model.xTicks = x.ticks(Math.max(2, Math.floor((box.width - box.left) / (7 * rem)))).map((t) => ({ v: +t, at: x(t), label: fmt(t) }));
  return model;
}

/** "3 min ago", "12 s ago": how old the newest value of a series that left the window is. */
export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s ago`;
  const m = Math.round(s / 60);
  return m < 90 ? `${m} min ago` : `${Math.round(m / 60)} h ago`;
}

export interface PanelGrid {
  cols: number;
  /** Width and height of one panel's plot (its caption sits above it). */
  width: number;
  height: number;
}

/**
 * Panels of the large chart, laid out so every one fits the overlay's `height` below its legend: one column
 * while each panel can be at least 7 rem high, else as many columns (each at least 14 rem wide) as give the
 * tallest panels. `caption` is a panel's caption height in a column that wide (a topic wraps at its levels in a
 * narrow one), `gap` the space between panels.
 */
export function panelGrid(n: number, width: number, height: number, rem: number, caption: (width: number) => number, gap: number): PanelGrid {
  const count = Math.max(1, n);
  let best: PanelGrid | undefined;
  for (let cols = 1; cols <= count; cols++) {
    const w = (width - (cols - 1) * gap) / cols;
    if (cols > 1 && w < 14 * rem) break;
    const rows = Math.ceil(count / cols);
    const h = Math.min(18 * rem, (height - (rows - 1) * gap) / rows - caption(w));
    const g = { cols, width: Math.floor(w), height: Math.floor(Math.max(3 * rem, h)) };
    if (h >= 7 * rem) return g;
    if (best === undefined || g.height > best.height) best = g;
  }
  return best!;
}
