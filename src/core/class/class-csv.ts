// The class table as CSV for a spreadsheet: one row per client id, one column per exercise holding the
// time it was completed (empty when not). Client ids are untrusted: a cell that a spreadsheet would run
// as a formula (starting with = + - @) is prefixed with ' so it stays text.
import type { ClassTable } from '../../shared/exercise.js';

function cell(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const iso = (t: number): string => new Date(t).toISOString();

export function classCsv(t: ClassTable): string {
  const head = ['client id', 'lab client', 'connected', 'first seen', 'last seen', 'completed', ...t.exercises.map((e) => `${e.lessonTitle}: ${e.title}`)];
  const lines = [head.map(cell).join(',')];
  for (const r of t.rows) {
    lines.push([
      r.clientId, r.embedded ? 'yes' : 'no', r.connected ? 'yes' : 'no', iso(r.firstSeen), iso(r.lastSeen),
      `${Object.keys(r.done).length}/${t.exercises.length}`,
      ...t.exercises.map((e) => (r.done[e.key] ? iso(r.done[e.key]!.time) : '')),
    ].map(cell).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
