// A lesson run as text lines for the terminal: one line per step, action failure and expectation.
import type { LessonResult } from '../../shared/lesson-results.js';

export function reportLines(r: LessonResult): string[] {
  const out = [`lesson: ${r.title} (${r.file})`];
  if (r.skipped !== undefined) {
    out.push(`- skipped: ${r.skipped}`);
    return out;
  }
  if (r.error !== undefined) {
    out.push(`✗ ${r.error}`);
    for (const c of r.cleanup) out.push(`  note: ${c}`);
    out.push('FAILED: the lesson could not start');
    return out;
  }
  for (const s of r.steps) {
    out.push(`${s.passed ? '✓' : '✗'} step ${s.index + 1}${s.title === undefined ? '' : `: ${s.title}`} (line ${s.at.line})`);
    for (const a of s.actions) {
      if (!a.ok) out.push(`    ✗ ${a.label} (line ${a.at.line}): ${a.error ?? 'failed'}`);
    }
    for (const e of s.expectations) {
      out.push(e.passed ? `    ✓ ${e.label} — ${e.message}` : `    ✗ line ${e.at.line}: ${e.message}`);
    }
  }
  const all = r.steps.flatMap((s) => s.expectations);
  const passed = all.filter((e) => e.passed).length;
  for (const c of r.cleanup) out.push(`  note: ${c}`);
  out.push(`${r.passed ? 'PASSED' : 'FAILED'}: ${passed}/${all.length} expectations, ${r.steps.filter((s) => s.passed).length}/${r.steps.length} steps (${(r.durationMs / 1000).toFixed(1)} s)`);
  return out;
}
