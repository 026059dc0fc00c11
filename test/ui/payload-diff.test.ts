// The diff a topic's history shows between one message and the one before it (src/renderer/lib/payload-diff).
import { describe, expect, it } from 'vitest';
import { payloadDiff, signed } from '../../src/renderer/lib/payload-diff.js';

const t = (text: string | undefined, cut = false): { text: string | undefined; cut: boolean } => ({ text, cut });

describe('payloadDiff', () => {
  it('names each JSON leaf that changed, appeared or went, with the change of a number', () => {
    const d = payloadDiff(t('{"temperature": 20.5, "humidity": 45, "room": {"door": "open"}}'), t('{"temperature":20.7,"humidity":45,"room":{"window":"shut"}}'));
    expect(d).toEqual({
      kind: 'leaves',
      changes: [
        { path: 'temperature', kind: 'changed', before: '20.5', after: '20.7', delta: 0.2 },
        { path: 'room.door', kind: 'removed', before: 'open' },
        { path: 'room.window', kind: 'added', after: 'shut' },
      ],
    });
  });

  it('tells a number from the same digits as a string, and walks arrays by index', () => {
    expect(payloadDiff(t('{"n": 1}'), t('{"n": "1"}'))).toEqual({ kind: 'leaves', changes: [{ path: 'n', kind: 'changed', before: '1', after: '1' }] });
    expect(payloadDiff(t('[1, 2]'), t('[1, 3, 4]'))).toEqual({
      kind: 'leaves',
      changes: [{ path: '1', kind: 'changed', before: '2', after: '3', delta: 1 }, { path: '2', kind: 'added', after: '4' }],
    });
  });

  it('compares bare numbers, and calls reordered or respaced JSON the same', () => {
    expect(payloadDiff(t('21.5'), t('20.25'))).toEqual({ kind: 'leaves', changes: [{ path: '', kind: 'changed', before: '21.5', after: '20.25', delta: -1.25 }] });
    expect(payloadDiff(t('{"a":1,"b":2}'), t('{ "b": 2, "a": 1 }'))).toEqual({ kind: 'same' });
    expect(payloadDiff(t('on'), t('on'))).toEqual({ kind: 'same' });
  });

  it('gives other text as it was, and does not compare binary or cut payloads', () => {
    expect(payloadDiff(t('back at six'), t('back at seven'))).toEqual({ kind: 'text', before: 'back at six', after: 'back at seven' });
    expect(payloadDiff(t('{"a": 1'), t('{"a": 2}'))).toEqual({ kind: 'text', before: '{"a": 1', after: '{"a": 2}' });
    expect(payloadDiff(undefined, t('x'))).toEqual({ kind: 'first' });
    expect(payloadDiff(t(undefined), t('x')).kind).toBe('incomparable');
    expect(payloadDiff(t('{"a": 1, "b": "…'), t('{"a": 2}', false))).toEqual({ kind: 'text', before: '{"a": 1, "b": "…', after: '{"a": 2}' });
    expect(payloadDiff(t('{"a": 1}', true), t('{"a": 2}'))).toEqual({ kind: 'incomparable', why: 'only the start of the payload is here' });
  });

  it('signs changes the way the history prints them', () => {
    expect([signed(0.4), signed(-1), signed(0)]).toEqual(['+0.4', '−1', '±0']);
  });
});
