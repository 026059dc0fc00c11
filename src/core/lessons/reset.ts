// Leaves the lab as a lesson found it, so the next lesson (or the same one again) starts clean: no fault
// rules, step mode off, nothing held at the tap, the lesson's clients gone, the broker's users and ACL
// removed (when the lesson set them), and nothing left in the broker by the clients: no retained messages
// and no persistent sessions with queued messages. The broker keeps those beyond the clients' lives, so
// they are undone the MQTT way, with packets that show in the capture.
import type { LabApi } from '../../shared/api.js';
import type { RunContext } from './run-context.js';

/** A bound for every call of the reset: a reset must end even when the broker no longer answers. */
const RESET_CALL_MS = 5000;
const CLEANER_ID = 'lesson-reset';

type Attempt = (what: string, call: () => Promise<unknown>) => Promise<void>;

/** Runs one bounded reset call; a failure is noted in `problems` and the reset goes on. */
function attempter(problems: string[]): Attempt {
  return (what, call) => bounded(call(), what).then(() => undefined, (e: Error) => {
    problems.push(`${what}: ${e.message}`);
  });
}

/** What a lesson may have left at the tap: fault rules, step mode and the packets it held. */
async function clearTapState(attempt: Attempt, api: LabApi): Promise<void> {
  await attempt('clear fault rules', () => api.call('faults.clear', {}));
  await attempt('turn step mode off', () => api.call('step.set', { on: false }));
  await attempt('release held packets', () => api.call('step.releaseAll', {}));
}

/** Before a lesson: no rules, no step mode, nothing waiting, and none of the lesson's client ids taken. */
export async function prepareLab(api: LabApi, clientIds: string[]): Promise<string[]> {
  const problems: string[] = [];
  const attempt = attempter(problems);
  await clearTapState(attempt, api);
  let existing = new Set<string>();
  await attempt('list clients', async () => {
    existing = new Set((await api.call('clients.list', {})).map((c) => c.id));
  });
  for (const id of [...clientIds, CLEANER_ID]) {
    if (existing.has(id)) await attempt(`remove client ${id}`, () => api.call('clients.remove', { id }));
  }
  return problems;
}

/** After a lesson; returns what could not be undone (never throws). */
export async function resetLab(ctx: RunContext): Promise<string[]> {
  const { api } = ctx;
  const problems: string[] = [];
  const attempt = attempter(problems);
  await clearTapState(attempt, api);
  for (const id of ctx.clients.keys()) await attempt(`remove client ${id}`, () => api.call('clients.remove', { id }));
  // Before the cleaner connects: it has no user name, and the lesson's users and ACL would refuse it.
  if (ctx.brokerConfigured) {
    await attempt("reset the broker's users and ACL", () => api.call('broker.configure', {}));
    ctx.brokerConfigured = false;
  }

  if (ctx.usedHttp) {
    await attempt('reset the web server', () => api.call('http.reset', {}));
    ctx.usedHttp = false;
  }
  const durable = [...new Set([...ctx.clients.values()].filter((c) => c.durable).map((c) => c.clientId))];
  if (ctx.retainedTopics.size > 0) {
    await attempt('clear retained messages', async () => {
      await api.call('clients.create', { id: CLEANER_ID, options: { clientId: `${CLEANER_ID}-${Date.now().toString(36)}`, clean: true } });
      try {
        await api.call('clients.connect', { id: CLEANER_ID });
        // An empty retained message deletes the topic's retained message [MQTT-3.3.1-10].
        for (const topic of ctx.retainedTopics) await api.call('clients.publish', { id: CLEANER_ID, topic, payload: '', qos: 1, retain: true });
      } finally {
        await api.call('clients.remove', { id: CLEANER_ID });
      }
    });
  }
  for (const clientId of durable) {
    // Connecting with clean session 1 discards the stored session and its queued messages [MQTT-3.1.2-6].
    await attempt(`discard the session of ${clientId}`, async () => {
      await api.call('clients.create', { id: CLEANER_ID, options: { clientId, clean: true } });
      try {
        await api.call('clients.connect', { id: CLEANER_ID });
      } finally {
        await api.call('clients.remove', { id: CLEANER_ID });
      }
    });
  }
  ctx.clients.clear();
  ctx.retainedTopics.clear();
  ctx.connecting.clear();
  return problems;
}

function bounded<T>(call: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${RESET_CALL_MS / 1000} s`)), RESET_CALL_MS);
  });
  return Promise.race([call, late]).finally(() => clearTimeout(timer));
}
