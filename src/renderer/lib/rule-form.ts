// The custom fault-rule form's raw values turned into a FaultRule, or the one problem that stops it.
// Number inputs bound with Svelte give a number, or null once cleared, never a string: every value is read
// through `text()` so a cleared "Times" or "nth" means "not set" instead of throwing.
import type { Direction, FaultAction, FaultRule, QoS } from '../../shared/lab.js';

export interface RuleFormValues {
  action: FaultAction;
  direction: '' | Direction;
  type: string;
  client: string;
  topic: string;
  qos: string;
  nth: number | string | null | undefined;
  ms: number | string | null | undefined;
  times: number | string | null | undefined;
  field: string;
}

export type RuleFormResult = { ok: true; rule: Omit<FaultRule, 'id'> } | { ok: false; problem: string; input: keyof RuleFormValues };

function text(v: unknown): string {
  return v === null || v === undefined ? '' : String(v).trim();
}

/** A whole number ≥ min, undefined when empty, or a problem to show beside the input. */
function count(v: unknown, min: number, what: string): number | undefined | string {
  const s = text(v);
  if (s === '') return undefined;
  const n = Number(s);
  if (!Number.isInteger(n) || n < min) return `${what} must be a whole number ≥ ${min}, or empty`;
  return n;
}

export function ruleFromForm(f: RuleFormValues): RuleFormResult {
  const rule: Omit<FaultRule, 'id'> = { match: {}, action: f.action };
  if (f.direction) rule.match.direction = f.direction;
  if (f.type) rule.match.type = f.type;
  if (text(f.client)) rule.match.clientId = text(f.client);
  if (text(f.topic)) rule.match.topic = text(f.topic);
  if (text(f.qos) !== '') rule.match.qos = Number(f.qos) as QoS;
  const nth = count(f.nth, 1, '"Only the nth match"');
  if (typeof nth === 'string') return { ok: false, problem: nth, input: 'nth' };
  if (nth !== undefined) rule.match.nth = nth;
  if (f.action === 'delay') {
    const ms = count(f.ms, 0, 'The delay');
    if (typeof ms === 'string') return { ok: false, problem: ms, input: 'ms' };
    if (ms === undefined) return { ok: false, problem: 'A delay rule needs a delay in ms', input: 'ms' };
    rule.ms = ms;
  }
  // Without a field the tap picks the packet id or the topic itself.
  if (f.action === 'corrupt' && text(f.field)) rule.field = text(f.field);
  const times = count(f.times, 1, '"Times"');
  if (typeof times === 'string') return { ok: false, problem: times, input: 'times' };
  if (times !== undefined) rule.times = times;
  return { ok: true, rule };
}
