// The display filter that shows one client's packets, as a student would type it (and as Wireshark could
// not: `lab.client` is the lab's own field). A connection without a client id is named by its number.
export function clientFilter(lane: string): string {
  const conn = /^conn #(\d+)$/.exec(lane);
  if (conn) return `lab.conn == ${conn[1]}`;
  return `lab.client == "${lane.replace(/["\\]/g, '\\$&')}"`;
}

/** Characters a regular expression (with the `u` flag, which allows escaping nothing else) treats as syntax. */
const REGEX_SYNTAX = /[\\^$.*+?()[\]{}|/]/g;

/**
 * The display filter that shows a group's packets: client ids starting with the group's prefix, written with
 * Wireshark's `matches` so a student can read and reuse it. The group of connections without a client id
 * (`conn #12` … share the prefix `conn #`) is every packet without one.
 */
export function groupFilter(prefix: string): string {
  if (prefix === 'conn #' || prefix === '(no client id)') return '!lab.client';
  const regex = `^${prefix.replace(REGEX_SYNTAX, '\\$&')}`;
  return `lab.client matches "${regex.replace(/["\\]/g, '\\$&')}"`;
}
