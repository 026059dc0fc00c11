// Two short lessons for the fake lab, in the shared lesson format, with a tiny engine that runs their actions
// through the fake lab's API and checks the packets captured since the step began. It exists so the lesson
// pane can be shown and tested without the real engine; it understands only what these lessons use.
import type { LessonList, WirePacket } from '../../../shared/api.js';
import type { ActionResult, ExpectationResult, StepResult } from '../../../shared/lesson-results.js';
import type { Action, ActionBody, Expectation, ExpectationBody, Lesson, PacketMatch, Step } from '../../../shared/lesson.js';
import type { FakeLab } from '../fake-lab.js';
import { findField } from '../fields.js';
import { actionWords, expectationWords } from '../lesson-words.js';
import type { AnswerResult, LessonsApi } from '../lessons-api.js';

const at = { line: 1, col: 1 };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const act = (a: ActionBody): Action => ({ ...a, at }) as Action;
const expect = (e: ExpectationBody): Expectation => ({ ...e, at }) as Expectation;
const pm = (m: Partial<PacketMatch>): PacketMatch => ({ fields: [], ...m });

function lesson(id: string, title: string, order: number, objectives: string[], intro: string, steps: Array<Omit<Step, 'index' | 'at' | 'highlight'> & { highlight?: string[] }>): Lesson {
  const full: Step[] = steps.map((s, index) => ({ highlight: [], ...s, index, at }));
  return {
    file: `demo/${id}.md`, id, title, order, objectives, requires: [],
    blocks: [{ kind: 'markdown', line: 1, text: intro }, ...full.map((s) => ({ kind: 'step' as const, index: s.index }))],
    steps: full,
  };
}

const QOS1 = lesson('qos1-lost-puback', 'QoS 1 and the lost PUBACK', 1,
  ['See the two packets of a QoS 1 publish', 'See what a lost PUBACK really causes', 'Meet the DUP flag'],
  [
    '# QoS 1: at least once',
    '',
    'A QoS 1 `PUBLISH` carries a **packet identifier**; the receiver answers `PUBACK` with the same id, and until',
    'then the sender keeps the message. What happens when that `PUBACK` never arrives?',
    '',
    '> MQTT 3.1.1 does *not* resend on the same connection: the resend comes after a **reconnect**, with `DUP = 1`.',
  ].join('\n'),
  [
    {
      title: 'Two clients',
      text: 'A `sensor` that keeps its session (clean session **off**) and a `dashboard` that listens.',
      actions: [
        act({ kind: 'client', id: 'sensor', options: { clean: false } }),
        act({ kind: 'client', id: 'dashboard', options: {} }),
        act({ kind: 'connect', client: 'sensor' }),
        act({ kind: 'connect', client: 'dashboard' }),
        act({ kind: 'subscribe', client: 'dashboard', subscriptions: [{ filter: 'home/#', qos: 1 }] }),
      ],
      expectations: [
        expect({ kind: 'packet', match: pm({ type: 'CONNECT', from: 'sensor', fields: [{ filter: 'mqtt.conflag.cleansess', value: false }] }), within: 1000 }),
        expect({ kind: 'packet', match: pm({ type: 'SUBACK', to: 'dashboard' }), within: 1000 }),
      ],
      highlight: ['mqtt.conflag.cleansess'],
      view: 'sequence',
    },
    {
      title: 'Publish at QoS 1',
      predict: { at, prompt: 'How many packets cross between the sensor and the broker for one QoS 1 message?', choices: ['1', '2', '4'], answer: 1 },
      actions: [act({ kind: 'publish', client: 'sensor', topic: 'home/temp', payload: '{"temperature": 21.5}', qos: 1, retain: false })],
      expectations: [
        expect({ kind: 'order', matches: [pm({ type: 'PUBLISH', from: 'sensor', qos: 1 }), pm({ type: 'PUBACK', to: 'sensor' })], within: 1000 }),
        expect({ kind: 'received', match: { client: 'dashboard', topic: 'home/temp' }, within: 1000 }),
      ],
      highlight: ['mqtt.msgid'],
      explain: 'Two: the `PUBLISH` and its `PUBACK`, matched by the **Message Identifier** (`mqtt.msgid`). Click both arrows and compare.',
    },
    {
      title: 'Lose the PUBACK',
      predict: { at, prompt: 'The broker sends PUBACK but the tap drops it. What does the sensor do next?', choices: ['Resends the PUBLISH at once', 'Nothing, until it reconnects', 'Disconnects'], answer: 1 },
      actions: [
        act({ kind: 'fault', rule: { match: { type: 'PUBACK', direction: 'toClient', client: 'sensor' }, action: 'drop', times: 1 } }),
        act({ kind: 'publish', client: 'sensor', topic: 'home/temp', payload: '{"temperature": 22.0}', qos: 1, retain: false }),
      ],
      expectations: [
        expect({ kind: 'packet', match: pm({ type: 'PUBACK', to: 'sensor', fault: 'drop' }), within: 1000 }),
        expect({ kind: 'no-packet', match: pm({ type: 'PUBLISH', from: 'sensor', dup: true }), within: 800 }),
      ],
      explain: 'The sensor still holds the message (**in flight** in the Clients panel). Nothing is resent on this connection.',
    },
    {
      title: 'Reconnect',
      actions: [act({ kind: 'sever', client: 'sensor' }), act({ kind: 'wait', ms: 300 }), act({ kind: 'reconnect', client: 'sensor' })],
      expectations: [
        expect({ kind: 'packet', match: pm({ type: 'PUBLISH', from: 'sensor', dup: true }), within: 1000 }),
        expect({ kind: 'packet', match: pm({ type: 'PUBACK', to: 'sensor' }), within: 1000 }),
        expect({ kind: 'quiz' }),
      ],
      question: {
        at, prompt: 'Why may the dashboard receive 22.0 twice?',
        choices: ['The broker has a bug', 'QoS 1 is "at least once": the resent PUBLISH is delivered again', 'The tap copied it'], answer: 1,
        explain: 'The broker cannot tell the DUP PUBLISH from a new one: *at least once* allows duplicates. QoS 2 prevents them.',
      },
      highlight: ['mqtt.dupflag'],
      explain: 'The **DUP flag** (`mqtt.dupflag`) is set on the resent PUBLISH: filter with `mqtt.dupflag == 1` to find it.',
    },
  ]);

const WILL = lesson('last-will', 'Last Will and Testament', 2,
  ['Put a will in a CONNECT', 'See it published after an ungraceful end', 'See that DISCONNECT discards it'],
  [
    '# Last Will and Testament',
    '',
    'A client may leave a **will** in its `CONNECT`: a topic and a message the broker publishes *for* it if the',
    'connection ends without a `DISCONNECT` (a crash, a lost network, a missed keepalive).',
  ].join('\n'),
  [
    {
      title: 'A door sensor with a will',
      actions: [
        act({ kind: 'client', id: 'monitor', options: {} }),
        act({ kind: 'connect', client: 'monitor' }),
        act({ kind: 'subscribe', client: 'monitor', subscriptions: [{ filter: 'home/+/status', qos: 1 }] }),
        act({ kind: 'client', id: 'door', options: { will: { topic: 'home/door/status', payload: 'offline', qos: 1, retain: true } } }),
        act({ kind: 'connect', client: 'door' }),
      ],
      expectations: [expect({ kind: 'packet', match: pm({ type: 'CONNECT', from: 'door', fields: [{ filter: 'mqtt.conflag.willflag', value: true }] }), within: 1000 })],
      highlight: ['mqtt.conflag.willflag', 'mqtt.willtopic'],
      explain: 'Open the CONNECT from `door` and expand **Connect Flags**: Will Flag, Will QoS and Will Retain are set.',
    },
    {
      title: 'The door dies',
      predict: { at, prompt: 'Who sends "offline" to the monitor?', choices: ['The door, just before dying', 'The broker', 'Nobody'], answer: 1 },
      actions: [act({ kind: 'kill', client: 'door' })],
      expectations: [expect({ kind: 'received', match: { client: 'monitor', topic: 'home/door/status', payload: 'offline' }, within: 1000 })],
      explain: 'The broker publishes the will on the door’s behalf: it is marked ☠ in the sequence diagram.',
    },
  ]);

const LESSONS = [QOS1, WILL];

function matches(p: WirePacket, m: PacketMatch, ids: Map<string, string>): boolean {
  const cid = (c: string): string => ids.get(c) ?? c;
  if (m.type !== undefined && p.decoded.type !== m.type) return false;
  if (m.from !== undefined && !(p.direction === 'toBroker' && p.clientId === cid(m.from))) return false;
  if (m.to !== undefined && !(p.direction === 'toClient' && p.clientId === cid(m.to))) return false;
  if (m.direction !== undefined && p.direction !== m.direction) return false;
  const i = p.decoded.info;
  if (m.qos !== undefined && i.qos !== m.qos) return false;
  if (m.dup !== undefined && !!i.dup !== m.dup) return false;
  if (m.retain !== undefined && !!i.retain !== m.retain) return false;
  if (m.topic !== undefined && i.topic !== m.topic && !(i.topics ?? []).includes(m.topic)) return false;
  if (m.fault !== undefined && p.fault?.action !== m.fault) return false;
  return m.fields.every((f) => findField(p.decoded.fields, f.filter)?.value === f.value);
}

export function fakeLessons(lab: FakeLab): LessonsApi {
  let current: Lesson | null = null;
  let nextIndex = 0;
  const answered = new Set<number>();
  const waiters = new Map<number, () => void>();

  const run = async (step: Step): Promise<StepResult> => {
    const t0 = performance.now();
    const afterSeq = lab.tap.packets.at(-1)?.seq ?? 0;
    const ids = new Map([...lab.clients.values()].map((c) => [c.id, c.clientId]));
    const actions: ActionResult[] = [];
    let failed = false;
    for (const a of step.actions) {
      const r: ActionResult = { kind: a.kind, at: a.at, label: actionWords(a).replace(/\*\*|`/g, ''), ok: !failed };
      if (failed) r.error = 'not run: an earlier action failed';
      else {
        try {
          await perform(lab, a);
        } catch (e) {
          failed = true;
          r.ok = false;
          r.error = e instanceof Error ? e.message : String(e);
        }
      }
      actions.push(r);
    }
    const longest = Math.max(400, ...step.expectations.map((e) => ('within' in e ? Math.min(e.within, 1000) : 0)));
    await sleep(longest);
    for (const c of lab.clients.values()) ids.set(c.id, c.clientId);
    const ps = lab.tap.packets.filter((p) => p.seq > afterSeq);
    const expectations: ExpectationResult[] = [];
    for (const e of step.expectations) {
      let passed = false;
      let seqs: number[] = [];
      if (e.kind === 'packet' || e.kind === 'no-packet') {
        seqs = ps.filter((p) => matches(p, e.match, ids)).map((p) => p.seq);
        passed = e.kind === 'packet' ? seqs.length > 0 : seqs.length === 0;
      } else if (e.kind === 'order') {
        let k = 0;
        for (const p of ps) {
          if (k < e.matches.length && matches(p, e.matches[k]!, ids)) {
            seqs.push(p.seq);
            k++;
          }
        }
        passed = k === e.matches.length;
      } else if (e.kind === 'received' || e.kind === 'not-received') {
        const c = lab.clients.get(e.match.client);
        const got = (c?.messages ?? []).filter((m) => m.time >= t0 + performance.timeOrigin &&
          (e.match.topic === undefined || m.topic === e.match.topic) && (e.match.payload === undefined || m.text === e.match.payload));
        passed = e.kind === 'received' ? got.length > 0 : got.length === 0;
      } else if (e.kind === 'quiz') {
        if (!answered.has(step.index)) await new Promise<void>((resolve) => waiters.set(step.index, resolve));
        passed = true;
      }
      expectations.push({ kind: e.kind, at: e.at, label: expectationWords(e).replace(/\*\*|`/g, ''), passed, message: passed ? 'seen' : 'not seen', seqs });
    }
    const r: StepResult = {
      index: step.index, at: step.at, passed: !failed && expectations.every((x) => x.passed), actions, expectations,
      afterSeq, lastSeq: lab.tap.packets.at(-1)?.seq ?? afterSeq, durationMs: performance.now() - t0,
    };
    if (step.title !== undefined) r.title = step.title;
    return r;
  };

  return {
    list: async (): Promise<LessonList> => ({
      lessons: LESSONS.map((l) => ({ id: l.id, title: l.title, order: l.order ?? 0, objectives: l.objectives, steps: l.steps.length, file: l.file, requires: [], origin: 'built-in' })),
      problems: [],
    }),
    get: async (id) => {
      const l = LESSONS.find((x) => x.id === id);
      if (!l) throw new Error(`no lesson '${id}'`);
      return l;
    },
    start: async (id) => {
      const l = LESSONS.find((x) => x.id === id);
      if (!l) throw new Error(`no lesson '${id}'`);
      for (const name of new Set(l.steps.flatMap((s) => s.actions.filter((a) => a.kind === 'client').map((a) => (a as { id: string }).id)))) {
        if (lab.clients.has(name)) await lab.call('clients.remove', { id: name });
      }
      await lab.call('faults.clear', {});
      current = l;
      nextIndex = 0;
      answered.clear();
      return { steps: l.steps.length };
    },
    next: async () => {
      if (!current) throw new Error('no lesson is running: start one first');
      const step = current.steps[nextIndex];
      if (!step) return null;
      nextIndex++;
      const r = await run(step);
      lab.emit('lesson-step', r);
      return r;
    },
    answer: async (step, given): Promise<AnswerResult> => {
      const s = current?.steps[step];
      const q = s?.question ?? s?.predict;
      if (!q) throw new Error(`step ${step + 1} asks no question`);
      const choice = given.choice;
      // The demo lab's lessons are multiple choice only: open questions read a real capture.
      if (choice === undefined) throw new Error('the demo lab has no open questions');
      answered.add(step);
      waiters.get(step)?.();
      const r: AnswerResult = { correct: q.answer === undefined ? null : q.answer === choice };
      const explain = q.choiceExplain?.[choice] ?? q.explain;
      if (explain !== undefined) r.explain = explain;
      return r;
    },
    choose: async () => {
      throw new Error('the demo lab has no steps with a choice');
    },
    close: async () => {
      current = null;
      return ['fault rules cleared'];
    },
  };
}

async function perform(lab: FakeLab, a: Action): Promise<void> {
  switch (a.kind) {
    case 'client':
      if (lab.clients.has(a.id)) await lab.call('clients.remove', { id: a.id });
      await lab.call('clients.create', { id: a.id, options: a.options });
      return;
    case 'connect': case 'reconnect':
      await lab.call(a.kind === 'connect' ? 'clients.connect' : 'clients.reconnect', { id: a.client });
      return;
    case 'disconnect': case 'kill':
      await lab.call(a.kind === 'disconnect' ? 'clients.disconnect' : 'clients.kill', { id: a.client });
      return;
    case 'sever': {
      const clientId = lab.clients.get(a.client)?.clientId;
      const conn = [...lab.conns.values()].find((c) => c.info.clientId === clientId && c.info.state !== 'closed');
      if (conn) await lab.call('connections.sever', { connId: conn.info.connId });
      return;
    }
    case 'publish':
      await lab.call('clients.publish', { id: a.client, topic: a.topic, payload: a.payload, qos: a.qos, retain: a.retain });
      return;
    case 'subscribe':
      await lab.call('clients.subscribe', { id: a.client, subscriptions: a.subscriptions });
      return;
    case 'unsubscribe':
      await lab.call('clients.unsubscribe', { id: a.client, filters: a.filters });
      return;
    case 'fault': {
      const { client, ...match } = a.rule.match;
      const rule = { ...a.rule, match: { ...match, ...(client ? { clientId: lab.clients.get(client)?.clientId ?? client } : {}) } };
      await lab.call('faults.add', rule);
      return;
    }
    case 'clear-faults':
      await lab.call('faults.clear', {});
      return;
    case 'step-mode':
      await lab.call('step.set', { on: a.on });
      return;
    case 'release-next':
      for (let i = 0; i < a.count; i++) await lab.call('step.next', {});
      return;
    case 'release-all':
      await lab.call('step.releaseAll', {});
      return;
    case 'wait':
      await sleep(a.ms);
      return;
  }
}
