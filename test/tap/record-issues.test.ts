// A record's issues as every view counts them: the tap's findings, then the dissector's; the summary line
// marked with the first error of the two, so the live log shows a finding like a malformed packet.
import { generate } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { dissect } from '../../src/core/dissect/index.js';
import { recordIssues, recordSummary, worstSeverity } from '../../src/shared/record-issues.js';
import type { RecordFinding } from '../../src/shared/lab.js';

const publish = dissect(generate({ cmd: 'publish', topic: 'a/b', payload: Buffer.from('x'), qos: 0, dup: false, retain: false }), { version: 4 });
/** PUBLISH with QoS 3: the dissector's own error (MQTT-3.3.1-4). */
const qos3 = dissect(new Uint8Array([0x36, 0x05, 0x00, 0x01, 0x74, 0x00, 0x01]), { version: 4 });
const early: RecordFinding = { severity: 'error', message: 'PUBLISH before CONNECT: the first packet from a client must be CONNECT', specRef: 'MQTT-3.1.0-1', filter: 'mqtt.fixed_header', offset: 0 };
const hint: RecordFinding = { severity: 'warning', message: 'session present should be 1', filter: 'mqtt.conack.flags.sp', offset: 2 };

describe('recordIssues', () => {
  it('without findings is the dissector\'s own list, not a copy', () => {
    expect(recordIssues({ decoded: publish })).toBe(publish.issues);
    expect(recordIssues({ decoded: publish, findings: [] })).toBe(publish.issues);
  });

  it('puts the findings before the dissector\'s issues and leaves the tree alone', () => {
    expect(qos3.issues.length).toBeGreaterThan(0);
    const before = structuredClone(qos3);
    expect(recordIssues({ decoded: qos3, findings: [early] })).toEqual([early, ...qos3.issues]);
    expect(qos3).toEqual(before);
  });

  it('worst severity over both', () => {
    expect(worstSeverity({ decoded: publish })).toBeUndefined();
    expect(worstSeverity({ decoded: publish, findings: [hint] })).toBe('warning');
    expect(worstSeverity({ decoded: qos3, findings: [hint] })).toBe('error');
  });
});

describe('recordSummary', () => {
  it('is the dissector\'s line when no finding is an error', () => {
    expect(recordSummary({ decoded: publish })).toBe(publish.summary);
    expect(recordSummary({ decoded: publish, findings: [hint] })).toBe(publish.summary);
  });

  it('marks a clean packet with the finding', () => {
    expect(recordSummary({ decoded: publish, findings: [early] })).toBe(`${publish.summary} [malformed: ${early.message}]`);
  });

  it('a finding takes the place of the dissector\'s own mark, never both', () => {
    expect(qos3.summary).toMatch(/ \[malformed: .*\]$/);
    const s = recordSummary({ decoded: qos3, findings: [early] });
    expect(s).toMatch(/^PUBLISH \(.*\) \[malformed: PUBLISH before CONNECT: the first packet from a client must be CONNECT\]$/);
    expect(s.match(/\[malformed:/g)).toHaveLength(1);
  });
});
