// One fraction for the page's save bar and the desktop taskbar: reading fills the first 15 %, writing the rest.
import { describe, expect, it } from 'vitest';
import { saveFraction } from '../../src/shared/save-progress.js';

describe('saveFraction', () => {
  it('is 0 before anything is known, or for an empty capture', () => {
    expect(saveFraction(null)).toBe(0);
    expect(saveFraction({ phase: 'reading', done: 0, total: 0 })).toBe(0);
  });
  it('fills the first 15 % while reading and the rest while writing, never going back', () => {
    expect(saveFraction({ phase: 'reading', done: 50, total: 100 })).toBeCloseTo(0.075);
    expect(saveFraction({ phase: 'reading', done: 100, total: 100 })).toBeCloseTo(0.15);
    expect(saveFraction({ phase: 'writing', done: 0, total: 100 })).toBeCloseTo(0.15);
    expect(saveFraction({ phase: 'writing', done: 100, total: 100 })).toBeCloseTo(1);
    expect(saveFraction({ phase: 'done', done: 100, total: 100 })).toBeCloseTo(1);
  });
});
