// Fault rules at the tap and step mode.
import type { FaultRule } from '../../shared/lab.js';
import type { LabStore } from './lab.svelte.js';

export class FaultsStore {
  rules = $state.raw<Array<FaultRule & { fired: number }>>([]);
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
    await this.lab.run('Removing the rule', () => this.lab.api.call('faults.remove', { id }));
    this.rules = this.rules.filter((r) => r.id !== id);
  }

  async clear(): Promise<void> {
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
