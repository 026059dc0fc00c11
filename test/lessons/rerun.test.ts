// Running a failed step again (issue 17 item 6): the step's actions run a second time against the real broker
// (aedes behind the tap), after what the step itself left (its clients, its rules) is taken away; its new
// result replaces the old one. The first run fails for a reason outside the lesson: a drop rule a student
// left armed in the Faults panel.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LabEvents } from '../../src/shared/api.js';
import { createLab, type Lab } from '../../src/core/lab/index.js';

const LESSON = `---
title: Again
---

\`\`\`step
do:
  - client: { id: watcher }
  - connect: watcher
  - subscribe: { client: watcher, filter: home/# }
expect:
  - packet: { type: SUBACK, to: watcher }
\`\`\`

\`\`\`step
do:
  - client: { id: sensor }
  - connect: sensor
  - fault: { id: slow, match: { type: PUBLISH, direction: toBroker }, action: delay, ms: 10 }
  - publish: { client: sensor, topic: home/temp, payload: "21.5" }
expect:
  - received: { client: watcher, topic: home/temp, payload: "21.5", within: 1500 }
\`\`\`
`;

let lab: Lab;
let dir: string;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rerun-'));
  writeFileSync(join(dir, 'again.md'), LESSON);
  lab = await createLab({ broker: 'aedes', port: 0, lessonDirs: [{ dir, origin: 'yours' }] });
});
afterEach(async () => {
  await lab?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const publishes = async (): Promise<number> =>
  (await lab.api.call('packets.query', {})).filter((p) => p.type === 'PUBLISH' && p.direction === 'toBroker').length;

describe('running a failed step again', () => {
  it('runs the step again on the real broker once the cause is gone, and its new result replaces the failure', async () => {
    const sent: LabEvents['lesson-step'][] = [];
    lab.api.on('lesson-step', (r) => sent.push(r));
    await lab.api.call('lessons.start', { id: 'again' });
    expect((await lab.api.call('lessons.next', {}))?.passed).toBe(true);
    // Armed outside the lesson, as a student would in the Faults panel.
    const stray = await lab.api.call('faults.add', { match: { type: 'PUBLISH', direction: 'toBroker', clientId: 'sensor' }, action: 'drop' });
    const failed = await lab.api.call('lessons.next', {});
    expect(failed?.passed).toBe(false);
    expect(failed?.expectations[0]?.message).toMatch(/home\/temp/);
    await expect(lab.api.call('lessons.rerun', { step: 0 })).rejects.toThrow('only the step that ran last (step 2) can be run again');

    await lab.api.call('faults.remove', { id: stray.id });
    const again = await lab.api.call('lessons.rerun', { step: 1 });
    expect(again.passed, JSON.stringify(again)).toBe(true);
    expect(again.attempt).toBe(2);
    expect(again.afterSeq).toBeGreaterThanOrEqual(failed!.lastSeq);
    expect(sent.map((r) => [r.index, r.passed])).toEqual([[0, true], [1, false], [1, true]]);
    // Truly sent again: a second PUBLISH on the wire, a fresh client (the step's own was removed first), and
    // the step's rule re-armed once, not twice.
    expect(await publishes()).toBe(2);
    expect((await lab.api.call('clients.list', {})).map((c) => c.id).sort()).toEqual(['sensor', 'watcher']);
    expect((await lab.api.call('faults.list', {})).map((r) => r.id)).toEqual(['slow']);
    await expect(lab.api.call('lessons.rerun', { step: 1 })).rejects.toThrow('step 2 passed: there is nothing to run again');
    expect(await lab.api.call('lessons.next', {})).toBeNull();
    await lab.api.call('lessons.close', {});
  });

  it('refuses without a running lesson, for a step that has not run, and in a graded run', async () => {
    await expect(lab.api.call('lessons.rerun', { step: 0 })).rejects.toThrow('no lesson is running');
    await lab.api.call('lessons.start', { id: 'again' });
    await expect(lab.api.call('lessons.rerun', { step: 0 })).rejects.toThrow('step 1 has not run yet');
    await lab.api.call('lessons.start', { id: 'again', graded: true });
    await lab.api.call('lessons.next', {});
    await lab.api.call('faults.add', { match: { type: 'PUBLISH', direction: 'toBroker', clientId: 'sensor' }, action: 'drop' });
    expect((await lab.api.call('lessons.next', {}))?.passed).toBe(false);
    await expect(lab.api.call('lessons.rerun', { step: 1 })).rejects.toThrow('in a graded run each step counts as it first ran');
    await lab.api.call('lessons.close', {});
  });

  it("closes only the lesson named, so a reloaded page ends its own run and no other window's", async () => {
    await lab.api.call('lessons.start', { id: 'again' });
    await lab.api.call('lessons.next', {});
    expect(await lab.api.call('lessons.close', { id: 'some-other-lesson' })).toEqual([]);
    expect((await lab.api.call('clients.list', {})).map((c) => c.id)).toEqual(['watcher']);
    await lab.api.call('lessons.close', { id: 'again' });
    expect(await lab.api.call('clients.list', {})).toEqual([]);
  });
});
