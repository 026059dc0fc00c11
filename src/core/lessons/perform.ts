// Runs one action of a step against the lab. Calls that wait for the broker's answer are awaited until
// they finish, or until the tap visibly keeps back one of the client's packets (dropped, held, stepped):
// then the lesson goes on and the call completes in its own time, as a real client's would.
import type { ConnackResult, FaultMatch, FaultRule } from '../../shared/lab.js';
import { settle, track, type InFlight, type Settled } from './in-flight.js';
import { actionLabel } from './labels.js';
import type { Action } from '../../shared/lesson.js';
import type { ActionResult } from '../../shared/lesson-results.js';
import type { RunContext } from './run-context.js';

/** The longest the engine waits for the broker to answer one action when nothing at the tap explains the wait. */
export const ACTION_TIMEOUT_MS = 10_000;
/** How long a released packet may take to arrive at the tap, for `release-next`. */
const RELEASE_WAIT_MS = 3000;
/** How long a severed client may take to notice. */
const CLOSE_WAIT_MS = 3000;

type Outcome = Omit<ActionResult, 'kind' | 'at' | 'label'>;

export async function perform(ctx: RunContext, a: Action): Promise<ActionResult> {
  const base = { kind: a.kind, at: a.at, label: actionLabel(a) };
  try {
    return { ...base, ...(await run(ctx, a)) };
  } catch (e) {
    return { ...base, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

async function run(ctx: RunContext, a: Action): Promise<Outcome> {
  const { api, obs } = ctx;
  switch (a.kind) {
    case 'client': {
      const s = await api.call('clients.create', { id: a.id, options: a.options });
      ctx.clients.set(a.id, { clientId: s.clientId, durable: a.options.clean === false || (a.options.sessionExpiryInterval ?? 0) > 0 });
      if (a.options.will?.retain === true) ctx.retainedTopics.add(a.options.will.topic);
      return { ok: true };
    }
    case 'connect':
    case 'reconnect': {
      const f = track(obs, api.call(a.kind === 'connect' ? 'clients.connect' : 'clients.reconnect', { id: a.client }), ctx.mqttId(a.client));
      const r = await settle(obs, f, ACTION_TIMEOUT_MS);
      if (a.refused === true) return refusal(ctx, a.client, f, r);
      if (r.ok === 'blocked') ctx.connecting.set(a.client, f);
      return outcome(r, 'CONNACK', (v) => `CONNACK: session present ${v.sessionPresent ? 1 : 0}`);
    }
    case 'publish': {
      await ready(ctx, a.client);
      if (a.retain) ctx.retainedTopics.add(a.topic);
      const call = api.call('clients.publish', {
        id: a.client, topic: a.topic, payload: a.payload, qos: a.qos, retain: a.retain,
        ...(a.properties === undefined ? {} : { properties: a.properties }),
      });
      const ack = a.qos === 0 ? 'the write' : a.qos === 1 ? 'PUBACK' : 'PUBCOMP';
      return outcome(await settle(obs, track(obs, call, ctx.mqttId(a.client)), ACTION_TIMEOUT_MS), ack);
    }
    case 'subscribe': {
      await ready(ctx, a.client);
      const call = api.call('clients.subscribe', { id: a.client, subscriptions: a.subscriptions });
      return outcome(await settle(obs, track(obs, call, ctx.mqttId(a.client)), ACTION_TIMEOUT_MS), 'SUBACK', (grants) => {
        const refused = grants.filter((g) => g.code >= 0x80);
        return refused.length === 0 ? undefined : `the broker refused ${refused.map((g) => `${g.filter} (0x${g.code.toString(16)})`).join(', ')}`;
      });
    }
    case 'unsubscribe': {
      await ready(ctx, a.client);
      const call = api.call('clients.unsubscribe', { id: a.client, filters: a.filters });
      return outcome(await settle(obs, track(obs, call, ctx.mqttId(a.client)), ACTION_TIMEOUT_MS), 'UNSUBACK');
    }
    case 'disconnect': {
      await ready(ctx, a.client);
      return outcome(await settle(obs, track(obs, api.call('clients.disconnect', { id: a.client })), ACTION_TIMEOUT_MS), 'the close');
    }
    case 'kill':
      return outcome(await settle(obs, track(obs, api.call('clients.kill', { id: a.client })), ACTION_TIMEOUT_MS), 'the close');
    case 'sever':
      return sever(ctx, a.client);
    case 'fault': {
      const m = a.rule.match;
      const match: FaultMatch = {};
      if (m.direction !== undefined) match.direction = m.direction;
      if (m.type !== undefined) match.type = m.type;
      if (m.client !== undefined) match.clientId = ctx.mqttId(m.client);
      if (m.topic !== undefined) match.topic = m.topic;
      if (m.qos !== undefined) match.qos = m.qos;
      if (m.nth !== undefined) match.nth = m.nth;
      const rule: Omit<FaultRule, 'id'> & { id?: string } = { match, action: a.rule.action };
      if (a.rule.id !== undefined) rule.id = a.rule.id;
      if (a.rule.ms !== undefined) rule.ms = a.rule.ms;
      if (a.rule.times !== undefined) rule.times = a.rule.times;
      if (a.rule.field !== undefined) rule.field = a.rule.field;
      const added = await api.call('faults.add', rule);
      ctx.rulesAdded.push(added.id);
      return { ok: true, note: `rule ${added.id}` };
    }
    case 'clear-faults': {
      if (a.id === undefined) {
        await api.call('faults.clear', {});
        return { ok: true };
      }
      // A rule given `times` retires itself once used up: clearing it then is already done.
      const active = (await api.call('faults.list', {})).some((r) => r.id === a.id);
      if (active) await api.call('faults.remove', { id: a.id });
      return active ? { ok: true } : { ok: true, note: `rule ${a.id} had already retired` };
    }
    case 'step-mode':
      await api.call('step.set', { on: a.on });
      return { ok: true };
    case 'release-next':
      return releaseNext(ctx, a.count);
    case 'release-all': {
      const n = await api.call('step.releaseAll', {});
      return { ok: true, note: `${n} packet${n === 1 ? '' : 's'} released` };
    }
    case 'http-post': {
      ctx.usedHttp = true;
      const r = await api.call('http.post', { client: a.client, body: a.body });
      return { ok: true, note: `stored as reading ${r.seq}` };
    }
    case 'http-poll': {
      ctx.usedHttp = true;
      const r = await api.call('http.poll', { client: a.client, everyMs: a.every, forMs: a.for });
      return { ok: true, note: `${r.polls} polls, ${r.emptyPolls} empty, ${r.readings.length} new reading${r.readings.length === 1 ? '' : 's'}` };
    }
    case 'wait':
      // The one deliberate pause: the lesson asks for time to pass (a keepalive to expire, a student to look).
      await new Promise<void>((resolve) => ctx.obs.clock.setTimeout(resolve, a.ms));
      return { ok: true };
  }
}

/** How long the refusing CONNACK may take to show in the capture after the client heard it. */
const REFUSAL_RECORD_MS = 1000;

/**
 * A connect the lesson expects the broker to refuse: it passes on a CONNACK with a return code other than 0
 * (seen in the capture), and fails when the broker accepts or when the attempt fails for another reason.
 */
async function refusal(ctx: RunContext, client: string, f: InFlight<ConnackResult>, r: Settled<ConnackResult>): Promise<Outcome> {
  if (r.ok === true) {
    return { ok: false, error: `the broker accepted ${client} (CONNACK return code 0), but the lesson expected it to refuse the CONNECT` };
  }
  if (r.ok === 'blocked') return { ok: true, note: `${r.why}; still waiting for CONNACK` };
  if (r.ok === 'timeout') return { ok: false, error: `no answer (CONNACK) within ${ACTION_TIMEOUT_MS / 1000} s; expected the broker to refuse ${client}` };
  const clientId = ctx.mqttId(client);
  const connack = await ctx.obs.waitFor(() => ctx.obs.since(f.sinceSeq).find((p) =>
    p.decoded.type === 'CONNACK' && p.direction === 'toClient' && ctx.obs.clientIdOf(p) === clientId && (p.decoded.info.reasonCode ?? 0) !== 0), REFUSAL_RECORD_MS);
  if (connack !== undefined) return { ok: true, seqs: [connack.seq], note: `CONNACK #${connack.seq}: ${r.error.message}` };
  // Through a transport that loses the packet events, the client's own words are the evidence left.
  if (/^refused: /.test(r.error.message)) return { ok: true, note: r.error.message };
  return { ok: false, error: `${client} could not connect, but the broker did not refuse it with a CONNACK: ${r.error.message}` };
}

function outcome<T>(r: Settled<T>, answer: string, note?: (value: T) => string | undefined): Outcome {
  if (r.ok === true) {
    const text = note?.(r.value);
    return text === undefined ? { ok: true } : { ok: true, note: text };
  }
  if (r.ok === false) return { ok: false, error: r.error.message };
  if (r.ok === 'blocked') return { ok: true, note: `${r.why}; still waiting for ${answer}` };
  return { ok: false, error: `no answer (${answer}) within ${ACTION_TIMEOUT_MS / 1000} s` };
}

/**
 * Before a client acts, its connect must have completed: a connect the engine stopped waiting for (step
 * mode) usually completes as soon as the lesson releases the CONNACK.
 */
async function ready(ctx: RunContext, client: string): Promise<void> {
  const f: InFlight<ConnackResult> | undefined = ctx.connecting.get(client);
  if (f === undefined) return;
  const r = await settle(ctx.obs, f, ACTION_TIMEOUT_MS);
  if (r.ok === 'blocked') throw new Error(`${client} is still connecting: ${r.why}`);
  ctx.connecting.delete(client);
  if (r.ok === 'timeout') throw new Error(`${client} is still connecting: no CONNACK within ${ACTION_TIMEOUT_MS / 1000} s`);
  if (r.ok === false) throw new Error(`${client} could not connect: ${r.error.message}`);
}

async function sever(ctx: RunContext, client: string): Promise<Outcome> {
  const conn = ctx.obs.latestConnection(ctx.mqttId(client));
  if (conn === undefined || conn.state === 'closed') return { ok: false, error: `${client} has no open connection to sever` };
  if (!(await ctx.api.call('connections.sever', { connId: conn.connId }))) return { ok: false, error: `connection ${conn.connId} of ${client} was already closed` };
  // The client must have noticed before a `reconnect` may follow.
  const gone = await ctx.obs.waitFor(() => {
    const state = ctx.obs.clients.get(client)?.state;
    const closed = ctx.obs.connections.get(conn.connId)?.state === 'closed';
    return closed && state !== 'connected' && state !== 'connecting' ? true : undefined;
  }, CLOSE_WAIT_MS);
  return gone === true ? { ok: true, note: `connection ${conn.connId} severed` } : { ok: false, error: `${client} did not notice its connection was severed within ${CLOSE_WAIT_MS} ms` };
}

async function releaseNext(ctx: RunContext, count: number): Promise<Outcome> {
  const seqs: number[] = [];
  while (seqs.length < count) {
    const p = await ctx.api.call('step.next', {});
    if (p !== null) {
      seqs.push(p.seq);
      continue;
    }
    // Nothing waits yet: the packet to release may still be on its way (the broker's answer to the last one).
    ctx.obs.waiting = (await ctx.api.call('lab.status', {})).waiting;
    const arrived = await ctx.obs.waitFor(() => (ctx.obs.waiting.length > 0 ? true : undefined), RELEASE_WAIT_MS);
    if (arrived === undefined) {
      return { ok: false, seqs, error: `nothing waited at the tap to release (released ${seqs.length} of ${count}); is step mode on, or a hold rule set?` };
    }
  }
  return { ok: true, seqs, note: `released #${seqs.join(', #')}` };
}
