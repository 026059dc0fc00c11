// The engine against the real Lab (aedes behind the tap): passing and failing expectations, the messages
// a failure gives, step mode, faults, the reset between lessons, and repeated runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/core/lab/index.js';
import { LessonRunner, parseLesson, reportLines, runLesson, type Lesson, type LessonResult } from '../../src/core/lessons/index.js';
import type { LabApi } from '../../src/shared/api.js';

let lab: Lab;
beforeAll(async () => {
  lab = await createLab({ broker: 'aedes', port: 0 });
});
afterAll(async () => {
  await lab?.stop();
});

function lessonOf(steps: string[], name = 'test', frontMatter = ''): Lesson {
  const text = `---\ntitle: ${name}\n${frontMatter}---\n\n${steps.map((s) => `\`\`\`step\n${s}\n\`\`\``).join('\n\n')}\n`;
  const { lesson, problems } = parseLesson(text, `${name}.md`);
  expect(problems).toEqual([]);
  return lesson!;
}

/** Every failing line of a result, for assertion messages. */
function failures(r: LessonResult): string[] {
  return r.steps.flatMap((s) => [
    ...s.actions.filter((a) => !a.ok).map((a) => `step ${s.index + 1} action line ${a.at.line}: ${a.error}`),
    ...s.expectations.filter((e) => !e.passed).map((e) => `step ${s.index + 1} line ${e.at.line}: ${e.message}`),
  ]);
}

const SETUP = 'do:\n  - client: { id: sensor }\n  - connect: sensor';

describe('failing expectations say what was seen instead', () => {
  it('names the packets of the party when the expected type never came', async () => {
    const r = await runLesson(lab.api, lessonOf([SETUP, [
      'do:',
      '  - publish: { client: sensor, topic: home/temp, payload: "1", qos: 2 }',
      'expect:',
      '  - packet: { type: PUBACK, to: sensor, within: 1000 }',
      '  - packet: { type: PUBLISH, from: sensor, qos: 1, within: 300 }',
      '  - order: [ { type: PUBLISH, from: sensor }, { type: PUBCOMP, to: sensor }, { type: PUBREL, from: sensor } ]',
    ].join('\n')]));
    expect(r.passed).toBe(false);
    expect(r.steps[0]!.passed).toBe(true);
    const [puback, qos, order] = r.steps[1]!.expectations;
    expect(puback!.passed).toBe(false);
    expect(puback!.message).toMatch(/^expected PUBACK to sensor within 1000 ms; saw to sensor: PUBREC #\d+, PUBCOMP #\d+$/);
    expect(qos!.message).toMatch(/^expected PUBLISH from sensor with qos 1 within 300 ms; saw PUBLISH #\d+, which had qos 2$/);
    expect(order!.passed).toBe(false);
    expect(order!.message).toMatch(/saw PUBLISH #\d+ → PUBCOMP #\d+, then no PUBREL from sensor after it; saw no packets from sensor after #\d+$/);
    expect(order!.seqs).toHaveLength(2);
  });

  it('reports a packet that should not have come, and too many of one', async () => {
    const r = await runLesson(lab.api, lessonOf([SETUP, [
      'do:',
      '  - publish: { client: sensor, topic: a, payload: "1", qos: 1 }',
      '  - publish: { client: sensor, topic: a, payload: "2", qos: 1 }',
      'expect:',
      '  - no-packet: { type: PUBACK, to: sensor, within: 500 }',
      '  - packet: { type: PUBLISH, from: sensor, count: 1 }',
    ].join('\n')]));
    const [none, exactly] = r.steps[1]!.expectations;
    expect(none!.message).toMatch(/^expected no PUBACK to sensor within 500 ms; saw #\d+ PUBACK \(m\d+\)$/);
    expect(exactly!.passed).toBe(false);
    expect(exactly!.message).toMatch(/^expected exactly 1; saw 2: #\d+, #\d+$/);
  });

  it('does not check expectations after an action failed, and says why', async () => {
    const r = await runLesson(lab.api, lessonOf([
      'do:\n  - client: { id: sensor }\n  - publish: { client: sensor, topic: a }\n  - wait: 10\nexpect:\n  - packet: { type: PUBLISH }',
    ]));
    const step = r.steps[0]!;
    expect(step.actions[1]).toMatchObject({ ok: false, error: expect.stringMatching(/not connected/) });
    expect(step.actions[2]).toMatchObject({ ok: false, error: 'not run: the action on line 8 failed' });
    expect(step.expectations[0]!.message).toMatch(/^not checked: the action on line 8 failed/);
  });
});

describe('running a lesson', () => {
  it('runs one step at a time, with the seqs of what satisfied each expectation', async () => {
    const lesson = lessonOf([SETUP + '\nexpect:\n  - packet: { type: CONNACK, to: sensor }', [
      'do:',
      '  - client: { id: display }',
      '  - connect: display',
      '  - subscribe: { client: display, filter: "home/#", qos: 1 }',
      '  - publish: { client: sensor, topic: home/temp, payload: "21.5", qos: 1 }',
      'expect:',
      '  - received: { client: display, topic: home/temp, payload: "21.5", qos: 1 }',
      '  - packet: { type: PUBLISH, to: display, fields: { mqtt.msg: "21.5", mqtt.qos: 1 } }',
    ].join('\n')]);
    const runner = new LessonRunner(lab.api, lesson);
    try {
      expect(runner.peek()?.index).toBe(0);
      const first = await runner.next();
      expect(first?.passed).toBe(true);
      expect(runner.peek()?.index).toBe(1);
      const second = await runner.next();
      expect(second?.passed).toBe(true);
      const seq = second!.expectations[1]!.seqs[0]!;
      expect(seq).toBeGreaterThan(second!.afterSeq);
      expect(seq).toBeLessThanOrEqual(second!.lastSeq);
      expect(first!.lastSeq).toBeLessThanOrEqual(second!.afterSeq);
      expect(await runner.next()).toBeNull();
      expect(runner.done).toBe(true);
      expect(runner.result().passed).toBe(true);
    } finally {
      await runner.close();
    }
  });

  it('asks the quiz hook, and fails the quiz when it is not answered', async () => {
    const lesson = lessonOf(['question: { prompt: "Why?", choices: [a, b], answer: 1 }\nexpect:\n  - quiz: true']);
    const asked: number[] = [];
    const r = await runLesson(lab.api, lesson, { quiz: async (step) => (asked.push(step.index), { answered: false, correct: null }) });
    expect(asked).toEqual([0]);
    expect(r.steps[0]!.expectations[0]).toMatchObject({ passed: false, message: 'not answered' });
  });

  it('drives step mode: packets wait at the tap until released', async () => {
    const r = await runLesson(lab.api, lessonOf([[
      'do:',
      '  - client: { id: sensor }',
      '  - step-mode: on',
      '  - connect: sensor',
      '  - release-next: 2',
      '  - publish: { client: sensor, topic: a, payload: "x", qos: 1 }',
      '  - release-next: 2',
      '  - step-mode: off',
      'expect:',
      '  - order:',
      '      - { type: CONNECT, from: sensor, fault: step }',
      '      - { type: CONNACK, to: sensor, fault: step }',
      '      - { type: PUBLISH, from: sensor, fault: step }',
      '      - { type: PUBACK, to: sensor, fault: step }',
      '  - connection: { client: sensor, state: connected }',
    ].join('\n'), 'do:\n  - release-next: 1']));
    expect(failures(r)).toEqual(['step 2 action line 25: nothing waited at the tap to release (released 0 of 1); is step mode on, or a hold rule set?']);
    const actions = r.steps[0]!.actions;
    expect(actions[2]!.note).toMatch(/^CONNECT #\d+ waits at the tap \(step mode\); still waiting for CONNACK$/);
    expect(actions[4]!.note).toMatch(/waits at the tap \(step mode\); still waiting for PUBACK$/);
    expect(actions[3]!.seqs).toHaveLength(2);
  });

  it('shows a lost PUBACK answered only after a reconnect, with DUP=1', async () => {
    const r = await runLesson(lab.api, lessonOf([
      'do:\n  - client: { id: sensor, clean: false }\n  - connect: sensor',
      [
        'do:',
        '  - fault: { match: { type: PUBACK, direction: toClient, client: sensor }, action: drop, times: 1 }',
        '  - publish: { client: sensor, topic: a, payload: "x", qos: 1 }',
        'expect:',
        '  - packet: { type: PUBACK, to: sensor, fault: drop }',
      ].join('\n'),
      [
        'do:',
        '  - sever: sensor',
        '  - reconnect: sensor',
        'expect:',
        '  - connection: { client: sensor, state: connected }',
        '  - order: [ { type: PUBLISH, from: sensor, dup: true }, { type: PUBACK, to: sensor } ]',
      ].join('\n'),
    ]));
    expect(failures(r)).toEqual([]);
    expect(r.steps[1]!.actions[1]!.note).toMatch(/^PUBACK #\d+ was dropped by the tap; still waiting for PUBACK$/);
  });

  it('shows a will published after a kill but not after a DISCONNECT', async () => {
    const r = await runLesson(lab.api, lessonOf([
      [
        'do:',
        '  - client: { id: watcher }',
        '  - client: { id: dev, will: { topic: status/dev, payload: offline, qos: 1 } }',
        '  - client: { id: polite, will: { topic: status/polite, payload: offline } }',
        '  - connect: watcher',
        '  - subscribe: { client: watcher, filter: "status/#", qos: 1 }',
        '  - connect: dev',
        '  - connect: polite',
        '  - kill: dev',
        '  - disconnect: polite',
        'expect:',
        '  - received: { client: watcher, topic: status/dev, payload: offline }',
        '  - connection: { client: dev, ended: client-closed }',
        '  - connection: { client: polite, state: closed, ended: disconnect }',
        '  - not-received: { client: watcher, topic: status/polite, within: 1000 }',
      ].join('\n'),
    ]));
    expect(failures(r)).toEqual([]);
  });
});

describe('reset between lessons', () => {
  it('leaves no clients, rules, step mode, retained messages or queued sessions behind', async () => {
    const first = await runLesson(lab.api, lessonOf([[
      'do:',
      '  - client: { id: keeper, clientId: reset-keeper, clean: false }',
      '  - connect: keeper',
      '  - subscribe: { client: keeper, filter: "reset/#", qos: 1 }',
      '  - disconnect: keeper',
      '  - client: { id: pub }',
      '  - connect: pub',
      '  - publish: { client: pub, topic: reset/retained, payload: r, qos: 1, retain: true }',
      '  - publish: { client: pub, topic: reset/queued, payload: q, qos: 1 }',
      '  - fault: { id: forever, match: { type: PINGREQ }, action: drop }',
      '  - step-mode: on',
    ].join('\n')], 'first'));
    expect(first.passed).toBe(true);
    expect(first.cleanup).toEqual([]);
    const ids = (await lab.api.call('clients.list', {})).map((c) => c.id);
    expect(ids).not.toContain('keeper');
    expect(ids).not.toContain('pub');
    expect(await lab.api.call('faults.list', {})).toEqual([]);
    expect((await lab.api.call('lab.status', {})).stepMode).toBe(false);

    // Had the reset left the session or the retained message, keeper would now receive q or r.
    const second = await runLesson(lab.api, lessonOf([[
      'do:',
      '  - client: { id: keeper, clientId: reset-keeper, clean: false }',
      '  - connect: keeper',
      '  - subscribe: { client: keeper, filter: "reset/#", qos: 1 }',
      'expect:',
      '  - not-received: { client: keeper, within: 1000 }',
    ].join('\n')], 'second'));
    expect(failures(second)).toEqual([]);
  });
});

describe('broker users and ACL (front matter broker:)', () => {
  const SECURED = [
    'broker:',
    '  users: { hans: letmein }',
    '  acl:',
    '    - { user: hans, topic: "home/hans/#", access: both, allow: true }',
    '',
  ].join('\n');

  /** The lab's API, with every call counted and broker.configure answered by `configure` when given. */
  function wrapped(configure?: () => Promise<null>): { api: LabApi; calls: string[] } {
    const calls: string[] = [];
    const api: LabApi = {
      call: ((method: string, params: unknown) => {
        calls.push(method);
        if (method === 'broker.configure' && configure !== undefined) return configure();
        return (lab.api.call as (m: string, p: unknown) => Promise<unknown>)(method, params);
      }) as LabApi['call'],
      on: (event, listener) => lab.api.on(event, listener),
    };
    return { api, calls };
  }

  it('sets them when the lesson starts, shows refusals as passing steps, and opens the broker again at the end', async () => {
    const { api, calls } = wrapped();
    const r = await runLesson(api, lessonOf([[
      'do:',
      '  - client: { id: hans, username: hans, password: letmein }',
      '  - client: { id: intruder, username: hans, password: guess }',
      '  - client: { id: anon }',
      '  - connect: hans',
      '  - connect: { id: intruder, refused: true }',
      '  - connect: { id: anon, refused: true }',
      '  - subscribe: { client: hans, filter: "home/anna/#" }',
      '  - publish: { client: hans, topic: home/hans/bp, payload: "120/80", qos: 1, retain: true }',
      'expect:',
      '  - packet: { type: CONNACK, to: hans, fields: { mqtt.conack.val: 0 } }',
      '  - packet: { type: CONNACK, to: intruder, fields: { mqtt.conack.val: 4 } }',
      '  - packet: { type: CONNACK, to: anon, fields: { mqtt.conack.val: 5 } }',
      '  - packet: { type: SUBACK, to: hans, fields: { mqtt.suback.qos: 128 } }',
      '  - connection: { client: intruder, state: closed }',
    ].join('\n')], 'secured', SECURED));
    expect(failures(r)).toEqual([]);
    expect(r.passed).toBe(true);
    const actions = r.steps[0]!.actions;
    expect(actions[4]!.note).toMatch(/^CONNACK #\d+: refused: bad user name or password \(4\)$/);
    expect(actions[4]!.seqs).toHaveLength(1);
    expect(actions[5]!.note).toMatch(/^CONNACK #\d+: refused: not authorized \(5\)$/);
    // Set once before the first step, reset once at the end, before the cleaner (which has no user name) connects.
    expect(calls.filter((c) => c === 'broker.configure')).toHaveLength(2);
    expect(calls.indexOf('broker.configure')).toBeLessThan(calls.indexOf('clients.create'));
    expect(calls.lastIndexOf('broker.configure')).toBeLessThan(calls.lastIndexOf('clients.create'));
    expect(r.cleanup).toEqual([]);

    // Anyone may connect again, and the retained reading was deleted by the reset.
    const after = await runLesson(lab.api, lessonOf([[
      'do:',
      '  - client: { id: anyone }',
      '  - connect: anyone',
      '  - subscribe: { client: anyone, filter: "home/#" }',
      'expect:',
      '  - packet: { type: CONNACK, to: anyone, fields: { mqtt.conack.val: 0 } }',
      '  - not-received: { client: anyone, within: 500 }',
    ].join('\n')], 'open again'));
    expect(failures(after)).toEqual([]);
  });

  it('does not touch the broker for a lesson without broker:', async () => {
    const { api, calls } = wrapped();
    const r = await runLesson(api, lessonOf([SETUP]));
    expect(failures(r)).toEqual([]);
    expect(calls).not.toContain('broker.configure');
  });

  it('fails a refused: true connect that the broker accepts', async () => {
    const r = await runLesson(lab.api, lessonOf([
      'do:\n  - client: { id: s }\n  - connect: { id: s, refused: true }\n  - publish: { client: s, topic: a }',
    ]));
    const [, connect, publish] = r.steps[0]!.actions;
    expect(connect).toMatchObject({ ok: false, error: 'the broker accepted s (CONNACK return code 0), but the lesson expected it to refuse the CONNECT' });
    expect(connect!.label).toBe('connect s (the broker should refuse)');
    expect(publish).toMatchObject({ ok: false, error: 'not run: the action on line 8 failed' });
  });

  it('fails a refused: true connect that fails without a CONNACK refusal', async () => {
    const r = await runLesson(lab.api, lessonOf([
      'do:\n  - client: { id: s }\n  - connect: s\n  - connect: { id: s, refused: true }',
    ]));
    expect(r.steps[0]!.actions[2]).toMatchObject({ ok: false, error: "s could not connect, but the broker did not refuse it with a CONNACK: client 's' is already connected" });
  });

  it('fails the lesson, with the reason, on a lab whose broker cannot be configured', async () => {
    const why = 'users and ACL of the mosquitto broker are set in its own configuration, not from the lab';
    const { api, calls } = wrapped(() => Promise.reject(new Error(why)));
    const lesson = lessonOf([SETUP], 'secured', SECURED);
    const r = await runLesson(api, lesson);
    expect(r.passed).toBe(false);
    expect(r.steps).toEqual([]);
    expect(r.error).toBe(`cannot run on this lab: the lesson sets the broker's users and ACL (front matter 'broker:'), but ${why}; run it on the embedded aedes broker`);
    expect(reportLines(r).slice(1)).toEqual([`✗ ${r.error}`, 'FAILED: the lesson could not start']);
    // Nothing was set, so nothing is reset; no client was created.
    expect(calls.filter((c) => c === 'broker.configure')).toHaveLength(1);
    expect(calls).not.toContain('clients.create');

    // Step by step (the lesson pane), the first step rejects with the same reason.
    const runner = new LessonRunner(api, lesson);
    try {
      await expect(runner.next()).rejects.toThrow(r.error);
      expect(runner.done).toBe(true);
      expect(await runner.next()).toBeNull();
    } finally {
      await runner.close();
    }
  });
});

describe('timing', () => {
  it('passes the same fault-driven lesson 20 runs in a row on one lab', async () => {
    const lesson = lessonOf([
      'do:\n  - client: { id: s, clean: false }\n  - client: { id: d }\n  - connect: s\n  - connect: d\n  - subscribe: { client: d, filter: "t/#", qos: 2 }',
      [
        'do:',
        '  - fault: { match: { type: PUBREC, client: s }, action: drop, times: 1 }',
        '  - publish: { client: s, topic: t/x, payload: "v", qos: 2 }',
        '  - sever: s',
        '  - reconnect: s',
        'expect:',
        '  - order: [ { type: PUBLISH, from: s, dup: false }, { type: PUBREC, to: s, fault: drop }, { type: CONNECT, from: s }, { type: PUBLISH, from: s, dup: true }, { type: PUBREC, to: s }, { type: PUBREL, from: s }, { type: PUBCOMP, to: s } ]',
        '  - received: { client: d, payload: "v", qos: 2, count: 1 }',
        '  - connection: { client: s, state: connected }',
      ].join('\n'),
    ]);
    for (let run = 1; run <= 20; run++) {
      const r = await runLesson(lab.api, lesson);
      expect(failures(r), `run ${run}`).toEqual([]);
      expect(r.cleanup, `run ${run}`).toEqual([]);
    }
  }, 120_000);
});
