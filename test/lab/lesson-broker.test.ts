// A lesson that says `broker: mosquitto` in the app: the lab (on aedes) starts the system mosquitto behind
// the tap for that lesson, its clients speak MQTT 5 through the same tap port, and closing the lesson
// brings the lab back to aedes and stops mosquitto. And HTTP through the lab: its requests and responses
// reach the lab's packet events as HTTP rows.
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PacketSummary } from '../../src/shared/api.js';
import { Lab } from '../../src/core/lab/lab.js';
import { missing } from '../peers/have.js';

vi.setConfig({ testTimeout: 40_000, hookTimeout: 30_000 });

const LESSONS = join(import.meta.dirname, '../../lessons');
let lab: Lab | undefined;
afterEach(async () => {
  await lab?.stop();
  lab = undefined;
});

describe('a lesson on mosquitto, in the app', () => {
  it.skipIf(missing('mosquitto') !== undefined)('runs on mosquitto behind the same tap, then goes back to aedes', async () => {
    lab = await Lab.start({ port: 0, lessonDirs: [{ dir: LESSONS, origin: 'built-in' }] });
    expect(lab.brokerInfo.kind).toBe('aedes');
    const port = lab.tapAddress.port;
    await lab.api.call('lessons.start', { id: '15-mqtt5-reason-codes' });
    expect(lab.brokerInfo).toMatchObject({ kind: 'mosquitto', mqtt5: true });
    // The first step asks a question after it runs: answered in advance, as a student in the pane would.
    await lab.api.call('lessons.answer', { step: 0, choice: 0 });
    const first = await lab.api.call('lessons.next', {});
    expect(first?.expectations.filter((e) => e.kind !== 'quiz').every((e) => e.passed)).toBe(true);
    // The student's port did not move: the tap now forwards to mosquitto.
    expect(lab.tapAddress.port).toBe(port);
    const [connack] = await lab.api.call('packets.query', { type: 'CONNACK' });
    expect(connack!.version).toBe(5);
    await lab.api.call('lessons.close', {});
    expect(lab.brokerInfo.kind).toBe('aedes');
  });
});

describe('HTTP in the lab', () => {
  it('records the web server\'s requests and responses as HTTP rows with the client\'s name', async () => {
    lab = await Lab.start({ port: 0, lessonDirs: [] });
    const seen: PacketSummary[] = [];
    lab.api.on('packet', (p) => seen.push(p));
    await lab.api.call('http.post', { client: 'web-cuff', body: '{"bp":"128/84"}' });
    const polled = await lab.api.call('http.poll', { client: 'web-phone', everyMs: 100, forMs: 250 });
    expect(polled.readings).toEqual([{ bp: '128/84' }]);
    expect(polled.emptyPolls).toBeGreaterThanOrEqual(1);
    const rows = seen.filter((p) => p.type === 'HTTP');
    expect(rows[0]).toMatchObject({ clientId: 'web-cuff', direction: 'toBroker' });
    expect(rows[0]!.summary).toBe('HTTP POST /readings HTTP/1.1 (15 bytes)');
    expect(rows[1]!.summary).toMatch(/^HTTP HTTP\/1\.1 201 Created/);
    expect(rows.some((p) => p.clientId === 'web-phone' && /204 No Content/.test(p.summary))).toBe(true);
    await lab.api.call('http.reset', {});
    const again = await lab.api.call('http.poll', { client: 'web-phone', everyMs: 100, forMs: 150 });
    expect(again.readings).toEqual([]);
  });
});
