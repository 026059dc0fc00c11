// Checks a step's expectations against what the lab recorded since the step began. All of them wait at
// once, each up to its own `within`, and each ends as soon as the lab's events settle it; only a
// `no-packet` or `not-received` waits its whole window, because absence takes time to show.
import type { WirePacket } from '../../shared/api.js';
import type { Connection } from '../../shared/lab.js';
import { expectationLabel } from './labels.js';
import { describePacket, messageMismatch, packetMatches, packetMismatch } from './match-packet.js';
import type { Expectation, LayerMatch, MessageMatch, PacketMatch, Step } from '../../shared/lesson.js';
import type { LayerUnit } from '../../shared/transport.js';
import type { ExpectationResult } from '../../shared/lesson-results.js';
import type { RunContext } from './run-context.js';
import type { SeenMessage } from './lab-observer.js';
import { recordSummary } from '../../shared/record-issues.js';

/** How a step's question was answered: the first answer counts for grading. */
export interface QuizOutcome {
  answered: boolean;
  /** Whether the first answer was right; null when the question has no right answer. */
  correct: boolean | null;
  /** What to report: the right answer, or why there is none. */
  message?: string;
}

/** Asks a person the step's question; resolves once answered. */
export type QuizHook = (step: Step) => Promise<QuizOutcome>;

type Verdict = Omit<ExpectationResult, 'kind' | 'at' | 'label'>;

/**
 * @param quiz asks the step's question; a headless run passes one that checks only that the question can be
 *   answered from this run's capture
 * @param graded a wrong first answer fails the quiz expectation (otherwise any answer passes)
 */
export async function judge(ctx: RunContext, step: Step, quiz: QuizHook, graded = false): Promise<ExpectationResult[]> {
  const results = await Promise.all(step.expectations.map(async (e): Promise<ExpectationResult> => {
    const base = { kind: e.kind, at: e.at, label: expectationLabel(e) };
    try {
      return { ...base, ...(await check(ctx, e, step, quiz, graded)) };
    } catch (err) {
      return { ...base, passed: false, seqs: [], message: `could not be checked: ${err instanceof Error ? err.message : String(err)}` };
    }
  }));
  // "Exactly N" is judged once every expectation has had its time: more may arrive after the Nth.
  step.expectations.forEach((e, i) => {
    const r = results[i]!;
    if (!r.passed || !('count' in e) || e.count === undefined) return;
    const seen = e.kind === 'packet' ? matchingPackets(ctx, e.match).map((p) => p.seq) : e.kind === 'received' ? matchingMessages(ctx, e.match).map((_, k) => k) : [];
    if (seen.length > e.count) {
      results[i] = {
        ...r,
        passed: false,
        seqs: e.kind === 'packet' ? seen : [],
        message: `expected exactly ${e.count}; saw ${seen.length}${e.kind === 'packet' ? `: #${seen.join(', #')}` : ''}`,
      };
    }
  });
  return results;
}

async function check(ctx: RunContext, e: Expectation, step: Step, quiz: QuizHook, graded: boolean): Promise<Verdict> {
  const obs = ctx.obs;
  switch (e.kind) {
    case 'packet': {
      const need = e.count ?? 1;
      const hits = await obs.waitFor(() => {
        const h = matchingPackets(ctx, e.match);
        return h.length >= need ? h : undefined;
      }, e.within);
      if (hits !== undefined) return { passed: true, seqs: hits.map((p) => p.seq), message: `seen: ${hits.map(line).join('; ')}` };
      const some = matchingPackets(ctx, e.match);
      const partial = some.length > 0 ? `saw only ${some.length}: #${some.map((p) => p.seq).join(', #')}` : seenInstead(ctx, e.match);
      return { passed: false, seqs: some.map((p) => p.seq), message: `expected ${expectationLabel(e)}; ${partial}` };
    }
    case 'no-packet': {
      const hit = await obs.waitFor(() => matchingPackets(ctx, e.match)[0], e.within);
      if (hit === undefined) return { passed: true, seqs: [], message: `none in ${e.within} ms` };
      return { passed: false, seqs: [hit.seq], message: `expected ${expectationLabel(e)}; saw ${line(hit)}` };
    }
    case 'received': {
      const need = e.count ?? 1;
      const hits = await obs.waitFor(() => {
        const h = matchingMessages(ctx, e.match);
        return h.length >= need ? h : undefined;
      }, e.within);
      if (hits !== undefined) return { passed: true, seqs: [], message: `received: ${hits.map(messageLine).join('; ')}` };
      const some = matchingMessages(ctx, e.match);
      return { passed: false, seqs: [], message: `expected ${expectationLabel(e)}; ${some.length > 0 ? `received only ${some.length}` : messagesInstead(ctx, e.match)}` };
    }
    case 'not-received': {
      const hit = await obs.waitFor(() => matchingMessages(ctx, e.match)[0], e.within);
      if (hit === undefined) return { passed: true, seqs: [], message: `nothing in ${e.within} ms` };
      return { passed: false, seqs: [], message: `expected ${expectationLabel(e)}; received ${messageLine(hit)}` };
    }
    case 'connection': {
      const clientId = ctx.mqttId(e.client);
      const fits = (c: Connection): boolean =>
        (e.state === undefined || (e.state === 'connected' ? c.state === 'connected' : c.state === 'closed')) &&
        (e.ended === undefined || c.ended === e.ended);
      const hit = await obs.waitFor(() => {
        const c = obs.latestConnection(clientId);
        return c !== undefined && fits(c) ? c : undefined;
      }, e.within);
      if (hit !== undefined) return { passed: true, seqs: [], message: `connection ${hit.connId}: ${connectionState(hit)}` };
      const c = obs.latestConnection(clientId);
      const now = c === undefined ? `no connection of ${e.client} was seen` : `its latest connection (${c.connId}) is ${connectionState(c)}`;
      return { passed: false, seqs: [], message: `expected ${expectationLabel(e)}; ${now}` };
    }
    case 'order': {
      const done = await obs.waitFor(() => {
        const r = inOrder(ctx, e.matches);
        return r.length === e.matches.length ? r : undefined;
      }, e.within);
      if (done !== undefined) return { passed: true, seqs: done.map((p) => p.seq), message: `in order: ${done.map((p) => `${p.decoded.type} #${p.seq}`).join(' → ')}` };
      const got = inOrder(ctx, e.matches);
      const missing = e.matches[got.length]!;
      const after = got.length === 0 ? '' : `${got.map((p) => `${p.decoded.type} #${p.seq}`).join(' → ')}, then `;
      const last = got.at(-1)?.seq ?? 0;
      return {
        passed: false,
        seqs: got.map((p) => p.seq),
        message: `expected ${expectationLabel(e)}; saw ${after}no ${describePacket(missing)}${got.length === 0 ? '' : ' after it'}; ${seenInstead(ctx, missing, last)}`,
      };
    }
    case 'tls-record':
    case 'ws-frame':
      return checkLayer(ctx, e);
    case 'quiz': {
      const o = await quiz(step);
      if (!o.answered) return { passed: false, seqs: [], message: o.message ?? 'not answered' };
      if (graded && o.correct === false) return { passed: false, seqs: [], message: `the first answer was wrong${o.message === undefined ? '' : `; right: ${o.message}`}` };
      return { passed: true, seqs: [], message: o.message ?? (o.correct === true ? 'answered right' : 'answered') };
    }
  }
}

/** Polls the client's latest connection's records or frames: they are not events, so nothing wakes a wait. */
async function checkLayer(ctx: RunContext, e: Extract<Expectation, { kind: 'tls-record' | 'ws-frame' }>): Promise<Verdict> {
  const layer = e.kind === 'tls-record' ? 'tls' : 'ws';
  const clientId = ctx.mqttId(e.client);
  const deadline = Date.now() + e.within;
  let seen: LayerUnit[] = [];
  let connId: number | undefined;
  for (;;) {
    connId = ctx.obs.latestConnection(clientId)?.connId;
    if (connId !== undefined) {
      seen = (await ctx.api.call('transport.units', { connId })).filter((u) => u.layer === layer);
      const hit = seen.find((u) => layerMismatch(ctx, e.match, u) === null);
      if (hit !== undefined) return { passed: true, seqs: hit.packets, message: `seen: ${hit.summary}${hit.packets.length > 0 ? ` (carried #${hit.packets.join(', #')})` : ''}` };
    }
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const why = connId === undefined ? `no connection of ${e.client} was seen`
    : seen.length === 0 ? `${e.client}'s connection ${connId} has no ${layer === 'tls' ? 'TLS records (is it a TLS client?)' : 'WebSocket frames (is it a WebSocket client?)'}`
      : `saw ${seen.slice(0, 4).map((u) => `'${u.summary}', which ${layerMismatch(ctx, e.match, u)}`).join('; ')}${seen.length > 4 ? ` (${seen.length} in all)` : ''}`;
  return { passed: false, seqs: [], message: `expected ${expectationLabel(e)}; ${why}` };
}

function layerMismatch(ctx: RunContext, m: LayerMatch, u: LayerUnit): string | null {
  const fields = u.fields[0]?.children ?? [];
  const field = (filter: string) => fields.find((f) => f.filter === filter);
  if (m.direction !== undefined && u.direction !== m.direction) return `goes ${u.direction}`;
  if (m.content !== undefined && !(field('tls.record.content_type')?.display ?? '').startsWith(m.content)) return `is not ${m.content}`;
  if (m.handshake !== undefined && !u.summary.includes(m.handshake)) return `holds no ${m.handshake}`;
  if (m.opcode !== undefined && !(field('websocket.opcode')?.display ?? '').startsWith(m.opcode)) return `is not a ${m.opcode} frame`;
  if (m.masked !== undefined && field('websocket.mask')?.value !== m.masked) return m.masked ? 'is not masked' : 'is masked';
  if (m.carries !== undefined) {
    const types = u.packets.map((s) => ctx.obs.packets.find((p) => p.seq === s)?.decoded.type);
    if (!types.includes(m.carries)) return types.length === 0 ? 'carries no MQTT bytes' : `carries ${types.join(', ')}`;
  }
  return null;
}

function matchingPackets(ctx: RunContext, m: PacketMatch): WirePacket[] {
  return ctx.obs.packets.filter((p) => packetMatches(m, p, ctx));
}

function matchingMessages(ctx: RunContext, m: MessageMatch): SeenMessage[] {
  return ctx.obs.messages.filter((s) => messageMismatch(m, s.id, s.message) === null);
}

/** Earliest packets fitting the matches one after another (greedy: the earliest fit never hurts later ones). */
function inOrder(ctx: RunContext, matches: PacketMatch[]): WirePacket[] {
  const out: WirePacket[] = [];
  for (const p of ctx.obs.packets) {
    const next = matches[out.length];
    if (next === undefined) break;
    if (packetMatches(next, p, ctx)) out.push(p);
  }
  return out;
}

/**
 * What the step saw instead, for a failure message: the packets of the same type and party with the
 * first criterion each missed, or else every packet of the party ("saw PUBLISH #7, PUBREC #8").
 */
function seenInstead(ctx: RunContext, m: PacketMatch, afterSeq = 0): string {
  const party: PacketMatch = { fields: [] };
  if (m.from !== undefined) party.from = m.from;
  if (m.to !== undefined) party.to = m.to;
  if (m.direction !== undefined) party.direction = m.direction;
  const related = ctx.obs.packets.filter((p) => p.seq > afterSeq && packetMatches(party, p, ctx));
  const who = m.from !== undefined ? ` from ${m.from}` : m.to !== undefined ? ` to ${m.to}` : '';
  if (related.length === 0) return `saw no packets${who}${afterSeq > 0 ? ` after #${afterSeq}` : ''}`;
  const sameType = m.type === undefined ? [] : related.filter((p) => p.decoded.type === m.type);
  if (sameType.length > 0) {
    return `saw ${sameType.slice(0, 3).map((p) => `${p.decoded.type} #${p.seq}, which ${packetMismatch(m, p, ctx) ?? 'matched'}`).join('; ')}`;
  }
  const shown = related.slice(0, 8).map((p) => `${p.decoded.type} #${p.seq}`);
  return `saw${who}: ${shown.join(', ')}${related.length > 8 ? `, … (${related.length} in all)` : ''}`;
}

function messagesInstead(ctx: RunContext, m: MessageMatch): string {
  const theirs = ctx.obs.messages.filter((s) => s.id === m.client);
  if (theirs.length === 0) return `${m.client} received nothing`;
  return `${m.client} received ${theirs.slice(0, 3).map((s) => `${messageLine(s)}, which ${messageMismatch(m, s.id, s.message)}`).join('; ')}`;
}

function line(p: WirePacket): string {
  return `#${p.seq} ${recordSummary(p)}${p.fault === undefined ? '' : ` [${p.fault.action}${p.fault.released === true ? ', released' : ''}]`}`;
}

function messageLine(s: SeenMessage): string {
  const m = s.message;
  const text = m.text ?? `0x${m.payload}`;
  return `'${text.length > 40 ? `${text.slice(0, 40)}…` : text}' on ${m.topic} (qos ${m.qos}${m.retain ? ', retained' : ''}${m.dup ? ', dup' : ''})`;
}

function connectionState(c: Connection): string {
  return c.state === 'closed' ? `closed (${c.ended ?? 'unknown end'})` : c.state;
}
