// Fault rules at the tap and step mode.
import type { FaultRule } from '../../shared/lab.js';
import type { LabStore } from './lab.svelte.js';

type LiveRule = FaultRule & { fired: number };

export class FaultsStore {
  #rules = $state.raw<LiveRule[]>([]);
  /**
   * Rules that fired their last time and left the tap (a one-shot "lose the next PUBACK"), newest first, so
   * a student can still see what acted after it is gone.
   */
  history = $state.raw<Array<LiveRule & { doneAt: number }>>([]);

  get rules(): LiveRule[] {
    return this.#rules;
  }

  set rules(next: LiveRule[]) {
    const kept = new Set(next.map((r) => r.id));
    const now = Date.now();
    for (const r of this.#rules) {
      if (!kept.has(r.id) && r.times !== undefined && !this.#removed.has(r.id)) this.#vanished.set(r.id, { rule: r, at: now });
    }
    this.#removed.clear();
    this.#rules = next;
    this.settle();
  }

  /** Rules gone from the list without the user removing them, until their packets tell why (see settle). */
  #vanished = new Map<string, { rule: LiveRule; at: number }>();

  /**
   * Moves vanished rules into the history once the capture holds as many packets they acted on as they had
   * times: gone because they fired their last time, not because a lesson, another window or Clear all
   * removed them. The packet may arrive a frame after the rules event, so this runs after every frame.
   */
  settle(): void {
    if (this.#vanished.size === 0) return;
    const now = Date.now();
    const spent: Array<LiveRule & { doneAt: number }> = [];
    for (const [id, v] of this.#vanished) {
      if (this.#actedOn(id) >= (v.rule.times ?? Infinity)) {
        spent.push({ ...v.rule, fired: v.rule.times ?? v.rule.fired, doneAt: v.at });
        this.#vanished.delete(id);
      } else if (now - v.at > 15_000) this.#vanished.delete(id);
    }
    if (spent.length) this.history = [...spent, ...this.history].slice(0, 20);
  }

  #actedOn(id: string): number {
    return this.lab.capture.ruleHits.get(id) ?? 0;
  }

  /** Ids the user removed (or cleared): those did not retire by firing and stay out of the history. */
  #removed = new Set<string>();
  /** Whether step mode holds keepalive pings too (off: a lecture is not interrupted by PINGREQs). */
  stepPings = $state(false);

  constructor(private readonly lab: LabStore) {}

  async add(rule: Omit<FaultRule, 'id'>): Promise<boolean> {
    const r = await this.lab.run('Adding the rule', () => this.lab.api.call('faults.add', rule));
    if (!r) return false;
    // The `rules` event brings the list too; do not wait for it to show the new rule.
    if (!this.rules.some((x) => x.id === r.id)) this.rules = [...this.rules, { ...r, fired: 0 }];
    return true;
  }

  async remove(id: string): Promise<void> {
    this.#removed.add(id);
    await this.lab.run('Removing the rule', () => this.lab.api.call('faults.remove', { id }));
    this.rules = this.rules.filter((r) => r.id !== id);
  }

  async clear(): Promise<void> {
    for (const r of this.#rules) this.#removed.add(r.id);
    await this.lab.run('Clearing the rules', () => this.lab.api.call('faults.clear', {}));
    this.rules = [];
  }

  async setStep(on: boolean): Promise<void> {
    await this.lab.run('Switching step mode', () => this.lab.api.call('step.set', { on, pings: this.stepPings }));
    this.lab.step = { ...this.lab.step, on };
  }

  async next(): Promise<void> {
    await this.lab.run('Releasing a packet', () => this.lab.api.call('step.next', {}));
  }

  async release(seq: number): Promise<void> {
    await this.lab.run('Releasing a packet', () => this.lab.api.call('step.release', { seq }));
  }

  async releaseAll(): Promise<void> {
    await this.lab.run('Releasing all packets', () => this.lab.api.call('step.releaseAll', {}));
  }
}
