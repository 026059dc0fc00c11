// A record's issues as views count and show them: the tap's connection-level findings first (they often
// explain the dissector's, e.g. a stream cut mid-packet), then the dissector's own. Both the capture store's
// summaries and the packet views call these, so the count, the worst severity and the `[malformed: …]` line
// agree everywhere. Pure: the page bundles it.
import type { RecordFinding } from './lab.js';
import type { DecodedPacket, Severity } from './packet.js';

/** What these helpers read: a PacketRecord, a WirePacket, or anything else carrying both. */
export interface WithFindings {
  decoded: DecodedPacket;
  findings?: RecordFinding[] | undefined;
}

export function recordIssues(r: WithFindings): RecordFinding[] {
  const f = r.findings;
  // The common case allocates nothing: most records have no finding.
  return f === undefined || f.length === 0 ? r.decoded.issues : [...f, ...r.decoded.issues];
}

/** Severities from least to most severe: a severity's index is its rank (the store keeps rank + 1 per record). */
export const SEVERITIES: readonly Severity[] = ['note', 'warning', 'error'];
const RANK: Record<Severity, number> = { note: 0, warning: 1, error: 2 };

/** The worst severity among the record's issues, or undefined when it has none. */
export function worstSeverity(r: WithFindings): Severity | undefined {
  let worst: Severity | undefined;
  for (const i of recordIssues(r)) if (worst === undefined || RANK[i.severity] > RANK[worst]) worst = i.severity;
  return worst;
}

/**
 * The dissector's one-liner, marked `[malformed: …]` with the first error of recordIssues: the live log and
 * the list read this, so a finding shows there like a malformed packet does.
 */
export function recordSummary(r: WithFindings): string {
  const d = r.decoded;
  const finding = r.findings?.find((i) => i.severity === 'error');
  if (finding === undefined) return d.summary;
  // The dissector marks its own first error the same way; the finding comes first and takes its place.
  const own = d.issues.find((i) => i.severity === 'error');
  const ownMark = own === undefined ? '' : ` [malformed: ${own.message}]`;
  const base = ownMark !== '' && d.summary.endsWith(ownMark) ? d.summary.slice(0, -ownMark.length) : d.summary;
  return `${base} [malformed: ${finding.message}]`;
}

/** Adds a finding to a record (still being built by the tap, before anyone else sees it). */
export function addFinding(r: { findings?: RecordFinding[] }, f: RecordFinding): void {
  (r.findings ??= []).push(f);
}
