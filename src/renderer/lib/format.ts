// Formatting shared by views.

/** Seconds since `origin` with millisecond precision: `+12.345 s`. */
export function relTime(t: number, origin: number): string {
  const s = (t - origin) / 1000;
  return `${s < 0 ? '−' : '+'}${Math.abs(s).toFixed(3)}`;
}

export function clockTime(t: number): string {
  const d = new Date(t);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export function truncate(s: string, max: number): string {
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

export function plural(n: number, one: string, many = one + 's'): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}
