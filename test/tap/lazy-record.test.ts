// A lazily decoded record: its tree is the dissector's, built once when first read, and until then the store
// can tell which version it would be built for.
import { generate } from 'mqtt-packet';
import { expect, it } from 'vitest';
import { dissect } from '../../src/core/dissect/index.js';
import { lazyRecord, unbuiltVersion } from '../../src/core/tap/lazy-record.js';

const bytes = new Uint8Array(generate({ cmd: 'publish', topic: 'a/b', payload: Buffer.from('x'), qos: 1, messageId: 9, dup: false, retain: false }));

it('builds the tree on first read, once, for its version; then it is a plain field', () => {
  const r = lazyRecord({ time: 1, connId: 1, direction: 'toBroker', bytes }, 5);
  expect(unbuiltVersion(r)).toBe(5);
  const d = r.decoded;
  expect(d).toEqual(dissect(bytes, { version: 5 }));
  expect(r.decoded).toBe(d);
  expect(unbuiltVersion(r)).toBeUndefined();
  expect(Object.getOwnPropertyDescriptor(r, 'decoded')).toMatchObject({ value: d, enumerable: true, writable: true });
});

it('a tree set before any read replaces it; copies and JSON see decoded like any field, and nothing else is added', () => {
  const r = lazyRecord({ time: 1, connId: 1, direction: 'toBroker', bytes }, 4);
  expect(Object.keys(r)).toEqual(['time', 'connId', 'direction', 'bytes', 'decoded']);
  expect(Object.getOwnPropertySymbols(r)).toEqual([]);
  const other = dissect(bytes, { version: 3 });
  r.decoded = other;
  expect(r.decoded).toBe(other);
  expect(unbuiltVersion(r)).toBeUndefined();
  const s = lazyRecord({ time: 1, connId: 1, direction: 'toBroker', bytes }, 4);
  expect({ ...s }.decoded).toEqual(dissect(bytes, { version: 4 }));
  expect(JSON.parse(JSON.stringify(lazyRecord({ time: 1, connId: 1, direction: 'toBroker', bytes }, 4))).decoded.type).toBe('PUBLISH');
  expect(unbuiltVersion({ decoded: other })).toBeUndefined();
});
