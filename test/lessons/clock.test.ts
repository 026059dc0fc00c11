// A lesson's waits and expectation windows run on the lab's clock: with a clock the test moves by hand, a
// 10 s wait and a 10 s "no PUBACK" window pass in no wall-clock time, and not one tick early.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLab, type Lab } from '../../src/core/lab/index.js';
import { parseLesson, runLesson } from '../../src/core/lessons/index.js';
import { ManualClock } from '../support/manual-clock.js';

vi.setConfig({ testTimeout: 20_000 });

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.stop();
  lab = undefined;
});

const LESSON = `---
title: Time on the lab's clock
---

\`\`\`step
title: A quiet lab
do:
  - wait: 4000
expect:
  - no-packet: { type: PUBLISH, within: 10000 }
\`\`\`
`;

/** Resolves once the clock has a timer waiting (the runner reached its wait or its window). */
async function timerSet(clock: ManualClock): Promise<void> {
  const deadline = Date.now() + 5000;
  while (clock.pending === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  expect(clock.pending).toBeGreaterThan(0);
}

describe('lessons on an injected clock', () => {
  it('a wait and a no-packet window end when the clock says so, not before', async () => {
    const clock = new ManualClock();
    lab = await createLab({ port: 0, lessonDirs: [], clock });
    const parsed = parseLesson(LESSON, 'clock.md');
    expect(parsed.problems).toEqual([]);
    let done = false;
    const result = runLesson(lab.api, parsed.lesson!, { clock }).then((r) => {
      done = true;
      return r;
    });
    await timerSet(clock);
    clock.advance(3_999);
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false);
    // The wait ends; the no-packet window opens and needs its whole 10 s: absence takes time to show.
    clock.advance(1);
    await timerSet(clock);
    clock.advance(9_999);
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false);
    clock.advance(1);
    const r = await result;
    expect(r.steps[0]!.expectations.map((e) => e.passed)).toEqual([true]);
    expect(r.steps[0]!.durationMs).toBe(14_000);
  });
});
