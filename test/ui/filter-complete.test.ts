// Completing field names in the display-filter box.
import { describe, expect, it } from 'vitest';
import { applyCompletion, completeAt } from '../../src/renderer/lib/filter/complete.js';

const NAMES = ['mqtt.qos', 'mqtt.topic', 'mqtt.topic_len', 'mqtt.msgid', 'mqtt.dupflag', 'lab.fault', 'lab.client'];

describe('completeAt', () => {
  it('suggests names that start with the word under the caret, shortest first', () => {
    const text = 'mqtt.qos == 1 && mqtt.to';
    expect(completeAt(text, text.length, NAMES)).toEqual({ start: 17, end: 24, options: ['mqtt.topic', 'mqtt.topic_len'] });
  });

  it('replaces only that word when one is picked', () => {
    const text = 'mqtt.qos == 1 && mqtt.to';
    const c = completeAt(text, text.length, NAMES)!;
    expect(applyCompletion(text, c, 'mqtt.topic')).toEqual({ text: 'mqtt.qos == 1 && mqtt.topic', caret: 27 });
  });

  it('offers nothing for values, strings, one letter or a complete name', () => {
    expect(completeAt('mqtt.qos == 12', 14, NAMES)).toBeNull();
    expect(completeAt('mqtt.topic contains "mqtt.q', 27, NAMES)).toBeNull();
    expect(completeAt('m', 1, NAMES)).toBeNull();
    expect(completeAt('mqtt.msgid', 10, NAMES)).toBeNull();
  });

  it('completes in the middle of an expression', () => {
    const text = 'la == drop';
    expect(completeAt(text, 2, NAMES)?.options).toEqual(['lab.fault', 'lab.client'].sort((a, b) => a.length - b.length || a.localeCompare(b)));
  });
});
