// Topic-name and topic-filter matching (MQTT 3.1.1 §4.7, MQTT 5 §4.7). Used by the embedded broker's ACL and
// by the capture store's topic query, so both agree with what a real broker would route.

function levels(s: string): string[] {
  return s.split('/');
}

/** A filter starting with a wildcard never matches a topic starting with `$` [MQTT-4.7.2-1]. */
function dollarBlocked(filterFirst: string, otherFirst: string): boolean {
  return (filterFirst === '#' || filterFirst === '+') && otherFirst.startsWith('$');
}

/** Whether `topic` (a topic name, no wildcards) matches `filter`. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = levels(filter);
  const t = levels(topic);
  if (dollarBlocked(f[0] ?? '', t[0] ?? '')) return false;
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    // `#` also matches the parent level: `a/#` matches `a` [MQTT-4.7.1-2].
    if (level === '#') return true;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Whether every topic matched by `inner` is also matched by `outer` (both filters). */
export function filterCovers(outer: string, inner: string): boolean {
  const o = levels(outer);
  const n = levels(inner);
  if (dollarBlocked(o[0] ?? '', n[0] ?? '')) return false;
  for (let i = 0; i < o.length; i++) {
    const ol = o[i];
    if (ol === '#') return true;
    if (i >= n.length) return false;
    const nl = n[i];
    if (nl === '#') return false;
    if (ol === '+') continue;
    if (nl === '+' || nl !== ol) return false;
  }
  if (n.length === o.length) return true;
  // `a` does not cover `a/#` even though `a/#` matches `a`: it also matches `a/x`.
  return false;
}

/** Whether some topic name is matched by both filters. */
export function filtersIntersect(a: string, b: string): boolean {
  const x = levels(a);
  const y = levels(b);
  if (dollarBlocked(x[0] ?? '', y[0] ?? '') || dollarBlocked(y[0] ?? '', x[0] ?? '')) return false;
  const n = Math.max(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const xl = x[i];
    const yl = y[i];
    if (xl === '#' || yl === '#') return true;
    if (xl === undefined || yl === undefined) return false;
    if (xl !== '+' && yl !== '+' && xl !== yl) return false;
  }
  return true;
}

export function hasWildcard(filter: string): boolean {
  return filter.includes('+') || filter.includes('#');
}
