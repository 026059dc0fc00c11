// Fault rules: which packets the tap drops, delays, holds, corrupts or severs on. Pure logic, no
// sockets, so a rule's matching is tested without a network.
import type { Direction, FaultMatch, FaultRule } from '../../shared/lab.js';
import type { PacketInfo, PacketTypeName } from '../../shared/packet.js';
import { topicMatches } from '../dissect/topic-rules.js';
import { PACKET_TYPES } from '../dissect/spec.js';

/** What a rule matches on: the packet's facts (packet-facts.ts), never its field tree. */
export interface RuleSubject {
  direction: Direction;
  clientId: string | undefined;
  type: PacketTypeName;
  info: PacketInfo;
}

interface Armed {
  rule: FaultRule;
  /** Packets that matched so far (for `nth`). */
  seen: number;
  /** Times the rule acted (for `times`). */
  fired: number;
}

export class FaultRules {
  private armed: Armed[] = [];
  private nextId = 1;
  private readonly listeners = new Set<() => void>();

  /**
   * Called after a rule is added, removed or the list cleared, so whoever shows the rules hears of every
   * change whichever command made it. A rule firing is told by the record it acted on instead.
   */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  /** Adds a rule; returns it with an id. Invalid rules are refused with a message a lecturer can act on. */
  add(rule: Omit<FaultRule, 'id'> & { id?: string }): FaultRule {
    const problem = ruleProblem(rule);
    if (problem !== null) throw new Error(`fault rule: ${problem}`);
    const id = rule.id ?? `r${this.nextId++}`;
    if (this.armed.some((a) => a.rule.id === id)) throw new Error(`fault rule: a rule named '${id}' exists already`);
    const full: FaultRule = { ...rule, id };
    this.armed.push({ rule: full, seen: 0, fired: 0 });
    this.changed();
    return full;
  }

  remove(id: string): boolean {
    const removed = this.retire(id);
    if (removed) this.changed();
    return removed;
  }

  clear(): void {
    this.armed = [];
    this.changed();
  }

  private retire(id: string): boolean {
    const before = this.armed.length;
    this.armed = this.armed.filter((a) => a.rule.id !== id);
    return this.armed.length !== before;
  }

  list(): Array<FaultRule & { fired: number }> {
    return this.armed.map((a) => ({ ...a.rule, fired: a.fired }));
  }

  get size(): number {
    return this.armed.length;
  }

  /** The first rule that acts on this packet, counting it; rules used up by `times` are retired. */
  decide(p: RuleSubject): FaultRule | null {
    for (const a of this.armed) {
      if (!matches(a.rule.match, p)) continue;
      a.seen++;
      if (a.rule.match.nth !== undefined && a.seen !== a.rule.match.nth) continue;
      a.fired++;
      if (a.rule.times !== undefined && a.fired >= a.rule.times) this.retire(a.rule.id);
      return a.rule;
    }
    return null;
  }
}

export function matches(m: FaultMatch, p: RuleSubject): boolean {
  if (m.direction !== undefined && m.direction !== p.direction) return false;
  if (m.type !== undefined && m.type.toUpperCase() !== p.type) return false;
  if (m.clientId !== undefined && m.clientId !== p.clientId) return false;
  if (m.qos !== undefined && m.qos !== p.info.qos) return false;
  if (m.topic !== undefined) {
    const { topic, topics } = p.info;
    const named = topic !== undefined ? [topic] : topics ?? [];
    // A rule's topic is a filter against PUBLISH topics, and names a filter exactly for (UN)SUBSCRIBE.
    if (!named.some((t) => t === m.topic || topicMatches(m.topic!, t))) return false;
  }
  return true;
}

const ACTIONS = new Set(['drop', 'delay', 'hold', 'corrupt', 'sever']);

export function ruleProblem(r: Partial<FaultRule>): string | null {
  if (r.action === undefined || !ACTIONS.has(r.action)) return `action must be one of drop, delay, hold, corrupt, sever (got '${String(r.action)}')`;
  if (r.match === undefined || typeof r.match !== 'object') return 'match is required (use {} to match every packet)';
  const m = r.match;
  if (m.type !== undefined && !PACKET_TYPES.includes(m.type.toUpperCase() as never)) return `unknown packet type '${m.type}'`;
  if (m.direction !== undefined && m.direction !== 'toBroker' && m.direction !== 'toClient') return `direction must be toBroker or toClient (got '${m.direction}')`;
  if (m.qos !== undefined && ![0, 1, 2].includes(m.qos)) return `qos must be 0, 1 or 2 (got ${m.qos})`;
  if (m.nth !== undefined && (!Number.isInteger(m.nth) || m.nth < 1)) return `nth counts from 1 (got ${m.nth})`;
  if (r.action === 'delay' && (r.ms === undefined || !(r.ms >= 0) || r.ms > 600_000)) return 'delay needs ms between 0 and 600000';
  if (r.times !== undefined && (!Number.isInteger(r.times) || r.times < 1)) return `times must be a whole number from 1 (got ${r.times})`;
  return null;
}
