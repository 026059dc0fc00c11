// What changed from one message on a topic to the next, as MQTT Explorer shows it: for JSON, each leaf that
// changed, appeared or went (with the numeric change); for a number, the change; for other text, both texts.

export interface LeafChange {
  /** Dotted path of the leaf (`room.temp`, `readings.0`); empty for the whole payload. */
  path: string;
  kind: 'changed' | 'added' | 'removed';
  before?: string;
  after?: string;
  /** after − before, when both are numbers. */
  delta?: number;
}

export type PayloadDiff =
  | { kind: 'first' }
  | { kind: 'same' }
  /** One side is binary, or only a preview of it is known: nothing honest to compare. */
  | { kind: 'incomparable'; why: string }
  | { kind: 'leaves'; changes: LeafChange[] }
  | { kind: 'text'; before: string; after: string };

export interface DiffSide {
  text: string | undefined;
  /** The text is only the start of the payload. */
  cut?: boolean;
}

/** Leaves of a JSON value by dotted path, each as JSON text (so `1` and `"1"` differ); bounded in count. */
function leaves(v: unknown, path = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (out.size >= 200) return out;
  if (v !== null && typeof v === 'object') {
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v as Record<string, unknown>);
    if (entries.length === 0) out.set(path, v);
    for (const [k, x] of entries) leaves(x, path ? `${path}.${k}` : k, out);
  } else out.set(path, v);
  return out;
}

function parseJson(s: string): { ok: true; v: unknown } | { ok: false } {
  const t = s.trim();
  // Only objects, arrays and numbers: a bare word such as `true` or `"on"` reads better as text.
  if (!/^[[{\-\d]/.test(t)) return { ok: false };
  try {
    return { ok: true, v: JSON.parse(t) };
  } catch {
    return { ok: false };
  }
}

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

export function payloadDiff(prev: DiffSide | undefined, cur: DiffSide): PayloadDiff {
  if (prev === undefined) return { kind: 'first' };
  if (prev.text === undefined || cur.text === undefined) return { kind: 'incomparable', why: 'binary payload' };
  if (prev.cut === true || cur.cut === true) return { kind: 'incomparable', why: 'only the start of the payload is here' };
  if (prev.text === cur.text) return { kind: 'same' };
  const a = parseJson(prev.text);
  const b = parseJson(cur.text);
  if (!a.ok || !b.ok) return { kind: 'text', before: prev.text, after: cur.text };
  const la = leaves(a.v);
  const lb = leaves(b.v);
  const changes: LeafChange[] = [];
  for (const [path, before] of la) {
    if (!lb.has(path)) {
      changes.push({ path, kind: 'removed', before: show(before) });
      continue;
    }
    const after = lb.get(path);
    if (JSON.stringify(before) === JSON.stringify(after)) continue;
    const c: LeafChange = { path, kind: 'changed', before: show(before), after: show(after) };
    // Rounded to the larger precision of the two, so 20.5 → 20.7 says +0.2 and not +0.1999999.
    if (typeof before === 'number' && typeof after === 'number') c.delta = roundLike(after - before, before, after);
    changes.push(c);
  }
  for (const [path, after] of lb) if (!la.has(path)) changes.push({ path, kind: 'added', after: show(after) });
  // Same leaves in another order or spacing: the payload text changed, its meaning did not.
  return changes.length === 0 ? { kind: 'same' } : { kind: 'leaves', changes };
}

function decimals(n: number): number {
  const s = String(n);
  const e = /e-(\d+)$/.exec(s);
  if (e) return Number(e[1]);
  return s.includes('.') ? s.length - s.indexOf('.') - 1 : 0;
}

function roundLike(d: number, a: number, b: number): number {
  const k = Math.min(12, Math.max(decimals(a), decimals(b)));
  return Number(d.toFixed(k));
}

/** `+0.2`, `−3`, `±0`: a signed change for the diff column. */
export function signed(d: number): string {
  return d > 0 ? `+${d}` : d < 0 ? `−${Math.abs(d)}` : '±0';
}
