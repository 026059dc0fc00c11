// `mqtt-lab compare`: a real run of MQTT (QoS 0 and 1) and HTTP polling for the same readings, its --json
// shape and whether its figures make sense against each other; and usage mistakes (one line, exit 2).
import { describe, expect, it } from 'vitest';
import type { Comparison } from '../../src/core/compare/run-comparison.js';
import { percentile, traffic } from '../../src/core/compare/metrics.js';
import { cli } from './cli-process.js';

describe('compare --json', () => {
  it('measures both protocols from one real run', async () => {
    const r = await cli(['compare', '--json', '--readings', '6', '--interval', '150', '--poll', '400'], 60_000);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const c = JSON.parse(r.stdout) as Comparison;
    expect(c).toMatchObject({ readings: 6, intervalMs: 150, pollMs: 400 });
    expect(c.protocols.map((p) => p.protocol)).toEqual(['mqtt-qos0', 'mqtt-qos1', 'http-polling']);
    const [q0, q1, http] = c.protocols as [Comparison['protocols'][0], Comparison['protocols'][0], Comparison['protocols'][0]];
    for (const p of c.protocols) {
      expect(p.received).toBe(6);
      expect(p.lost).toBe(0);
      expect(p.perReading.wireBytes).toBeGreaterThan(p.perReading.payloadBytes);
      expect(p.delayMs.median).not.toBeNull();
      expect(p.delayMs.p95!).toBeGreaterThanOrEqual(p.delayMs.median!);
    }
    // Push at QoS 0: one PUBLISH in, one out per reading; QoS 1 adds a PUBACK on each hop.
    expect(q0.perReading.messages).toBe(2);
    expect(q1.perReading.messages).toBe(4);
    // HTTP: POST and its answer per reading, plus the GETs and their answers (about 900 ms / 400 ms of them).
    expect(http.perReading.messages).toBeGreaterThan(2);
    expect(http.polls!).toBeGreaterThanOrEqual(2);
    // Every counted message is a POST or a GET, or the answer to one (a poll just begun may not be on the wire yet).
    expect(http.totals.messages).toBeLessThanOrEqual(2 * 6 + 2 * http.polls!);
    expect(http.totals.messages).toBeGreaterThanOrEqual(2 * 6 + 2 * (http.polls! - 1));
    expect(http.emptyPolls!).toBeGreaterThanOrEqual(0);
    expect(http.emptyPolls!).toBeLessThan(http.polls!);
    // Text headers cost more than MQTT's binary ones for the same reading.
    expect(http.perReading.payloadBytes).toBeGreaterThan(2 * q1.perReading.payloadBytes);
    // A poller sees a reading only at its next poll; push needs no wait.
    expect(http.delayMs.median!).toBeGreaterThan(q0.delayMs.median!);
    expect(q0.setup.messages).toBe(6);
    expect(http.setup.messages).toBe(0);
    expect(c.wireModel).toMatch(/52 bytes/);
    const drop = Object.fromEntries(c.drop.map((d) => [d.protocol, d]));
    expect(drop['mqtt-qos0']).toMatchObject({ delivered: false, delayMs: null });
    expect(drop['mqtt-qos1']).toMatchObject({ delivered: true });
    expect(drop['http-polling']).toMatchObject({ delivered: true });
    expect(drop['http-polling']!.delayMs!).toBeGreaterThan(900);
  }, 60_000);

  it('prints a table without --json', async () => {
    const r = await cli(['compare', '--readings', '2', '--interval', '100', '--poll', '200', '--no-drop'], 60_000);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/bytes per reading \(TCP payload\)/);
    expect(r.stdout).toMatch(/mqtt-qos0 +mqtt-qos1 +http-polling/);
    expect(r.stdout).not.toMatch(/dropped/);
  }, 60_000);

  it.each([
    [['--readings', 'ten'], /--readings must be a whole number/],
    [['--readings', '0'], /--readings must be a whole number from 1/],
    [['--poll'], /--poll needs a value/],
    [['--bogus'], /unknown option --bogus/],
    [['extra'], /compare takes no FILE/],
  ])('refuses %j with one line and exit 2', async (args, message) => {
    const r = await cli(['compare', ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});

describe('compare metrics', () => {
  it('adds 52 header bytes per segment and a handshake per new connection', () => {
    expect(traffic([10, 3000], 0)).toEqual({ messages: 2, payloadBytes: 3010, segments: 1 + 3, wireBytes: 3010 + 4 * 52 });
    expect(traffic([10], 1)).toEqual({ messages: 1, payloadBytes: 10, segments: 4, wireBytes: 10 + 52 + 172 });
  });

  it('takes percentiles by nearest rank', () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], 95)).toBe(19);
    expect(percentile([], 50)).toBeNull();
  });
});
