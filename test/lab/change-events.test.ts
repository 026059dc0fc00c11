// Each part of the Lab announces its own changes, so that no command (and no other path: a lesson's reset,
// a rule retiring, a file opened) can forget to tell the views. The parts are tested here on their own,
// through their own methods; the Lab is tested only for forwarding what they say to its API events.
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClassTracker } from '../../src/core/class/index.js';
import { ClientManager } from '../../src/core/clients/index.js';
import { HttpSide } from '../../src/core/lab/http-side.js';
import { LessonHost, type LessonHostDeps } from '../../src/core/lab/lesson-host.js';
import { CaptureStore } from '../../src/core/store/index.js';
import { Tap } from '../../src/core/tap/tap.js';
import type { LabEvents } from '../../src/shared/api.js';
import type { PacketRecord } from '../../src/shared/lab.js';
import { cleanup, onCleanup, startLab } from './support/lab-rig.js';
import { waitRecord } from './support/records.js';

afterEach(async () => {
  vi.useRealTimers();
  await cleanup();
});

const LESSONS = join(import.meta.dirname, '../../lessons');

/** A tap that is never started: its rules and step mode are plain state. */
const idleTap = (): Tap => new Tap({ broker: { host: '127.0.0.1', port: 1 } });

/** What a lesson host needs for loading lessons and saving progress; running a lesson would fail loudly. */
function hostDeps(): LessonHostDeps {
  const unused = (what: string) => (): never => {
    throw new Error(`${what} is not part of this test`);
  };
  return {
    api: { call: unused('api.call'), on: unused('api.on') },
    clock: { now: () => Date.now(), setTimeout: unused('setTimeout'), clearTimeout: unused('clearTimeout') } as unknown as LessonHostDeps['clock'],
    brokerInfo: unused('brokerInfo'),
    // Stopping a host goes back to the lab's own broker, which it never left here.
    useLessonBroker: async (kind) => {
      if (kind !== null) unused('a lesson broker')();
    },
    packets: unused('packets'),
    snapshot: unused('snapshot'),
  };
}

describe('each part announces its own changes', () => {
  it('the tap: rules added, removed and cleared, and step mode switched, on the tap itself', () => {
    const tap = idleTap();
    const rules: number[] = [];
    let steps = 0;
    tap.rules.onChange(() => rules.push(tap.rules.list().length));
    tap.on('step', () => steps++);
    const r = tap.rules.add({ match: { type: 'PUBLISH' }, action: 'drop' });
    tap.rules.add({ match: { type: 'PUBACK' }, action: 'delay', ms: 10 });
    tap.rules.remove(r.id);
    tap.rules.clear();
    tap.setStepMode(true);
    tap.setStepMode(false);
    expect(rules).toEqual([1, 2, 1, 0]);
    expect(steps).toBe(2);
  });

  it('the capture store: every clear() announces itself, whoever calls it', () => {
    const store = new CaptureStore(10);
    let cleared = 0;
    const off = store.onCleared(() => cleared++);
    store.clear();
    store.clear();
    off();
    store.clear();
    expect(cleared).toBe(2);
  });

  it('the lesson host: a reload announces the lessons, a prediction the progress it saved', async () => {
    const host = new LessonHost(hostDeps(), [{ dir: LESSONS, origin: 'built-in' }]);
    const lessons: Array<LabEvents['lessons']> = [];
    const progress: Array<LabEvents['progress']> = [];
    host.on('lessons', (l) => lessons.push(l));
    host.on('progress', (p) => progress.push(p));
    await host.reload();
    expect(lessons).toHaveLength(1);
    expect(lessons[0]!.lessons.length).toBeGreaterThan(5);
    const lesson = host.all().find((l) => l.steps.some((s) => s.predict !== undefined))!;
    const step = lesson.steps.findIndex((s) => s.predict !== undefined);
    host.predict(lesson.id, step, 0);
    expect(progress).toHaveLength(1);
    expect(progress[0]).toMatchObject({ lessonId: lesson.id, problems: [] });
    expect(progress[0]!.summary).not.toBeNull();
    host.progress.clear(lesson);
    expect(progress.at(-1)).toEqual({ lessonId: lesson.id, summary: null, problems: [] });
    await host.stop();
  });

  it('the HTTP side: each request and response it captures announces itself as a packet', async () => {
    const store = new CaptureStore(100);
    let conn = 0;
    const http = new HttpSide({ connId: () => ++conn, record: (r) => store.append(r), label: (c, name) => store.setClientId(c, name) });
    onCleanup(() => http.stop());
    const seen: PacketRecord[] = [];
    http.on('packet', (r) => seen.push(r));
    await http.post('cuff', '{"bp":"120/80"}');
    await vi.waitFor(() => expect(seen.map((r) => r.direction)).toEqual(['toBroker', 'toClient']));
    expect(seen.map((r) => r.seq)).toEqual(store.querySeqs());
    expect(seen[0]!.decoded.summary).toBe('HTTP POST /readings HTTP/1.1 (15 bytes)');
    expect(store.clientIdOf(seen[0]!.connId)).toBe('cuff');
  });

  it('the class tracker: clear() and a lesson reload announce the table, coalesced to one event per half second', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const lessons = new LessonHost(hostDeps(), [{ dir: LESSONS, origin: 'built-in' }]);
    const store = new CaptureStore(10);
    const tracker = new ClassTracker({ tap: idleTap(), clients: new ClientManager({ host: '127.0.0.1', port: 1 }), lessons, clientIdOf: (c) => store.clientIdOf(c) });
    const tables: Array<LabEvents['class']> = [];
    tracker.on('class', (t) => tables.push(t));
    tracker.clear();
    tracker.clear();
    expect(tables).toHaveLength(0);
    vi.advanceTimersByTime(500);
    expect(tables).toHaveLength(1);
    expect(tables[0]!.exercises).toEqual([]);
    await lessons.reload();
    vi.advanceTimersByTime(500);
    expect(tables).toHaveLength(2);
    expect(tables[1]!.exercises.length).toBeGreaterThan(0);
    tracker.stop();
    await lessons.stop();
  });
});

describe('the Lab forwards what its parts announce', () => {
  it('a rule that retires after firing (the tap itself, no command) reaches the rules event', async () => {
    const lab = await startLab({ lessonDirs: [] });
    const rules: number[] = [];
    lab.api.on('rules', (r) => rules.push(r.length));
    await lab.api.call('faults.add', { match: { type: 'PUBLISH', direction: 'toBroker' }, action: 'drop', times: 1 });
    expect(rules).toEqual([1]);
    await lab.api.call('clients.create', { id: 'pub' });
    await lab.api.call('clients.connect', { id: 'pub' });
    await lab.api.call('clients.publish', { id: 'pub', topic: 'a/b', payload: 'x' });
    await waitRecord(lab, { type: 'PUBLISH', fault: 'drop' });
    await vi.waitFor(() => expect(rules.at(-1)).toBe(0));
    expect(await lab.api.call('faults.list', {})).toEqual([]);
  });

  it('one cleared event per clear, from packets.clear and from capture.open alike', async () => {
    const lab = await startLab({ lessonDirs: [] });
    const events: string[] = [];
    lab.api.on('cleared', () => events.push('cleared'));
    await lab.api.call('clients.create', { id: 'one' });
    await lab.api.call('clients.connect', { id: 'one' });
    const { pcapng } = await lab.api.call('capture.save', {});
    await lab.api.call('packets.clear', {});
    expect(events).toEqual(['cleared']);
    const opened = await lab.api.call('capture.open', { pcapng });
    expect(opened.packets).toBe(2);
    expect(events).toEqual(['cleared', 'cleared']);
    // The event comes before the file's packets are read back, which are all there once the call returns.
    expect((await lab.api.call('packets.query', {})).map((p) => p.type)).toEqual(['CONNECT', 'CONNACK']);
  });

  it('lessons.reload sends one lessons event; progress.predict one progress event', async () => {
    const lab = await startLab({ lessonDirs: [{ dir: LESSONS, origin: 'built-in' }] });
    const got: string[] = [];
    lab.api.on('lessons', () => got.push('lessons'));
    lab.api.on('progress', (p) => got.push(`progress ${p.lessonId}`));
    const { lessons } = await lab.api.call('lessons.reload', {});
    expect(got).toEqual(['lessons']);
    for (const l of lessons) {
      const full = await lab.api.call('lessons.get', { id: l.id });
      const step = full.steps.findIndex((s) => s.predict !== undefined);
      if (step < 0) continue;
      await lab.api.call('progress.predict', { id: l.id, step, choice: 0 });
      expect(got).toEqual(['lessons', `progress ${l.id}`]);
      return;
    }
    throw new Error('no built-in lesson asks for a prediction');
  });
});
