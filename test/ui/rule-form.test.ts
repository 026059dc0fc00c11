// The fault-rule form's values to a rule: cleared number inputs (null) mean "not set", never a crash.
import { describe, expect, it } from 'vitest';
import { ruleFromForm, type RuleFormValues } from '../../src/renderer/lib/rule-form.js';

const base: RuleFormValues = { action: 'drop', direction: '', type: 'PUBACK', client: '', topic: '', qos: '', nth: null, ms: 1000, times: 1, field: 'mqtt.msgid' };

describe('ruleFromForm', () => {
  it('reads cleared number inputs (null) as not set: the rule fires always, on every match', () => {
    expect(ruleFromForm({ ...base, times: null, nth: null })).toEqual({ ok: true, rule: { match: { type: 'PUBACK' }, action: 'drop' } });
    expect(ruleFromForm({ ...base, times: '', nth: undefined })).toEqual({ ok: true, rule: { match: { type: 'PUBACK' }, action: 'drop' } });
  });

  it('takes numbers as Svelte binds them, and every match field', () => {
    const r = ruleFromForm({ ...base, action: 'delay', direction: 'toClient', type: 'PUBLISH', client: ' bob ', topic: ' home/# ', qos: '1', nth: 3, ms: 2500, times: 2 });
    expect(r).toEqual({
      ok: true,
      rule: { match: { direction: 'toClient', type: 'PUBLISH', clientId: 'bob', topic: 'home/#', qos: 1, nth: 3 }, action: 'delay', ms: 2500, times: 2 },
    });
  });

  it('names the input that is wrong', () => {
    expect(ruleFromForm({ ...base, nth: 0 })).toMatchObject({ ok: false, input: 'nth' });
    expect(ruleFromForm({ ...base, times: 1.5 })).toMatchObject({ ok: false, input: 'times', problem: expect.stringContaining('whole number') });
    expect(ruleFromForm({ ...base, action: 'delay', ms: null })).toMatchObject({ ok: false, input: 'ms' });
    expect(ruleFromForm({ ...base, action: 'delay', ms: -5 })).toMatchObject({ ok: false, input: 'ms' });
  });

  it('keeps a corrupt rule field when given, and leaves the choice to the tap when empty', () => {
    expect(ruleFromForm({ ...base, action: 'corrupt', field: ' mqtt.topic ' })).toMatchObject({ ok: true, rule: { action: 'corrupt', field: 'mqtt.topic' } });
    const r = ruleFromForm({ ...base, action: 'corrupt', field: '' });
    expect(r.ok && 'field' in r.rule).toBe(false);
  });
});
