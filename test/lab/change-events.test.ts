// The tap and its fault rules announce their own changes; the Lab forwards them as 'rules' and 'step'
// events. So a change made by any path (a command, a lesson's reset, the tap itself) reaches the views.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, startLab } from './support/lab-rig.js';

afterEach(cleanup);

describe('change events come from the components', () => {
  it('rules and step mode changed on the tap directly still reach listeners of the lab', async () => {
    const lab = await startLab({ lessonDirs: [] });
    const rules: number[] = [];
    const steps: boolean[] = [];
    lab.api.on('rules', (r) => rules.push(r.length));
    lab.api.on('step', (s) => steps.push(s.on));
    const r = lab.tap.rules.add({ match: { type: 'PUBLISH' }, action: 'drop' });
    lab.tap.rules.add({ match: { type: 'PUBACK' }, action: 'delay', ms: 10 });
    lab.tap.rules.remove(r.id);
    lab.tap.rules.clear();
    lab.tap.setStepMode(true);
    lab.tap.setStepMode(false);
    expect(rules).toEqual([1, 2, 1, 0]);
    expect(steps).toEqual([true, false]);
    // The commands say nothing themselves, and the events still come once each.
    await lab.api.call('faults.add', { match: { type: 'PUBLISH' }, action: 'drop' });
    await lab.api.call('step.set', { on: true });
    expect(rules).toEqual([1, 2, 1, 0, 1]);
    expect(steps).toEqual([true, false, true]);
  });
});
