import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generate, type Packet } from 'mqtt-packet';
import { CaptureStore, FilterError, FilterViews } from '../../src/core/store/index.js';
import { readCaptureRecords } from '../../src/core/pcap/decoded-records.js';
import { lazyRecord } from '../../src/core/tap/lazy-record.js';
import { evaluate } from '../../src/shared/filter/evaluate.js';
import { parseFilter } from '../../src/shared/filter/parse.js';

const CAPTURES = ['qos-tour', 'puback-dropped', 'will-after-sever'].map((n) => readFileSync(new URL(`../../lessons/captures/${n}.pcapng`, import.meta.url)));

/** The repository's real captures, each packet appended as the tap appends it: bytes, lazily decoded. */
function captured(): CaptureStore {
  const store = new CaptureStore(100_000);
  for (const file of CAPTURES) {
    for (const r of readCaptureRecords(file, [1883])) {
      if (r.clientId !== undefined) store.setClientId(r.record.connId, r.clientId);
      store.append(lazyRecord({ time: r.record.time, connId: r.record.connId, direction: r.record.direction, bytes: r.record.bytes }, r.record.decoded.version));
    }
  }
  return store;
}

/** Every record checked the plain way: the shared evaluator over the whole tree, nothing answered from columns. */
function byTree(store: CaptureStore, filter: string): number[] {
  const expr = parseFilter(filter)!;
  const out: number[] = [];
  for (let s = store.firstSeq!; s <= store.lastSeq!; s++) {
    const r = store.get(s)!;
    if (evaluate(expr, { seq: s, connId: r.connId, clientId: store.clientIdOf(r.connId), direction: r.direction, fault: r.fault, decoded: r.decoded })) out.push(s);
  }
  return out;
}

const SUMMARY_LEVEL = [
  'mqtt.qos == 1', 'mqtt.qos > 0 && mqtt.retain', 'mqtt.dupflag == 1', 'mqtt.msgtype == 3', 'lab.type == PUBACK',
  'mqtt.topic contains "temp"', 'mqtt.topic == "home/kitchen/temp"', '!mqtt.topic', 'lab.client == "sensor"',
  'lab.dir == toClient && lab.type == PUBLISH', 'lab.len >= 20', 'lab.issues', 'not lab.fault', 'mqtt', 'lab.conn == 1 || lab.seq < 5',
];
const FIELD_LEVEL = ['mqtt.msgid == 17642', 'mqtt.kalive', 'mqtt.willmsg contains "offline"', 'mqtt.conack.val == 0', 'mqtt.sub.qos == 1'];

describe('FilterViews over real captures', () => {
  it('answers every filter exactly as the evaluator does over whole trees', () => {
    const store = captured();
    expect(store.size).toBeGreaterThan(30);
    const views = new FilterViews(store);
    for (const f of [...SUMMARY_LEVEL, ...FIELD_LEVEL]) {
      const want = byTree(store, f);
      const got = views.window(f, 0, 10_000).seqs;
      expect({ f, got }).toEqual({ f, got: want });
    }
    // The filters above are not vacuous: some match, some do not match everything.
    expect(byTree(store, 'mqtt.qos == 1').length).toBeGreaterThan(0);
    expect(byTree(store, 'mqtt.dupflag == 1').length).toBeGreaterThan(0);
    expect(byTree(store, 'mqtt.willmsg contains "offline"').length + byTree(store, 'mqtt.msgid == 17642').length).toBeGreaterThan(1);
  });

  it('builds no tree for a filter on summary-level fields, nor for field-level ones on regular packets', () => {
    const store = captured();
    const views = new FilterViews(store);
    for (const f of SUMMARY_LEVEL.filter((x) => x !== 'lab.issues')) views.window(f, 0, 100);
    expect(store.treesBuilt).toBe(0);
    // A SUBSCRIBE's filters (also mqtt.topic), a packet id, a will message: read from the bytes by the lean reader.
    for (const f of FIELD_LEVEL) views.window(f, 0, 100);
    expect(store.treesBuilt).toBe(0);
  });
});

const publish = (topic: string, qos: 0 | 1): Packet =>
  ({ cmd: 'publish', topic, payload: Buffer.from('x'), qos, dup: false, retain: false, ...(qos > 0 ? { messageId: 1 } : {}) }) as Packet;

function add(store: CaptureStore, p: Packet): number {
  return store.append(lazyRecord({ time: 1, connId: 1, direction: 'toBroker', bytes: new Uint8Array(generate(p)) }, 4)).seq;
}

describe('FilterViews pages', () => {
  it('pages the whole capture and a filtered view by position, with the view size', () => {
    const store = new CaptureStore(1000);
    for (let i = 0; i < 100; i++) add(store, publish(`t/${i}`, (i % 3 === 0 ? 1 : 0)));
    const views = new FilterViews(store);
    expect(views.window(undefined, 10, 3)).toEqual({ total: 100, offset: 10, seqs: [11, 12, 13] });
    expect(views.window('', 98, 10)).toEqual({ total: 100, offset: 98, seqs: [99, 100] });
    const q1 = views.window('mqtt.qos == 1', 2, 3);
    expect(q1).toEqual({ total: 34, offset: 2, seqs: [7, 10, 13] });
    expect(views.window('mqtt.qos == 1', 500, 3)).toEqual({ total: 34, offset: 34, seqs: [] });
    expect(views.indexOf('mqtt.qos == 1', 10)).toBe(3);
    expect(views.indexOf('mqtt.qos == 1', 11)).toBe(-1);
    expect(views.indexOf(undefined, 11)).toBe(10);
    expect(views.indexOf(undefined, 1000)).toBe(-1);
  });

  it('extends a kept view as records arrive, drops what the store evicts, and starts again after clear', () => {
    const store = new CaptureStore(10);
    const views = new FilterViews(store);
    for (let i = 0; i < 6; i++) add(store, publish('a', i % 2 === 0 ? 1 : 0));
    expect(views.window('mqtt.qos == 1', 0, 100).seqs).toEqual([1, 3, 5]);
    for (let i = 0; i < 8; i++) add(store, publish('a', 1));
    // seqs 1..4 evicted (capacity 10), 7..14 new.
    expect(views.window('mqtt.qos == 1', 0, 100)).toEqual({ total: 9, offset: 0, seqs: [5, 7, 8, 9, 10, 11, 12, 13, 14] });
    expect(views.indexOf('mqtt.qos == 1', 7)).toBe(1);
    store.clear();
    expect(views.window('mqtt.qos == 1', 0, 100)).toEqual({ total: 0, offset: 0, seqs: [] });
    add(store, publish('a', 0));
    const s = add(store, publish('a', 1));
    expect(views.window('mqtt.qos == 1', 0, 100).seqs).toEqual([s]);
  });

  it('tests a record again when its fault changes', () => {
    const store = new CaptureStore(10);
    const views = new FilterViews(store);
    add(store, publish('a', 0));
    const held = store.append({ ...lazyRecord({ time: 1, connId: 1, direction: 'toBroker', bytes: new Uint8Array(generate(publish('a', 1))) }, 4), fault: { action: 'hold' } }).seq;
    expect(views.window('lab.fault == hold', 0, 10).seqs).toEqual([held]);
    store.setFault(held, undefined);
    views.updated(held);
    expect(views.window('lab.fault == hold', 0, 10).seqs).toEqual([]);
    store.setFault(held, { action: 'hold', released: true });
    views.updated(held);
    expect(views.window('lab.fault == hold', 0, 10).seqs).toEqual([held]);
  });

  it('prepares a view in slices, letting other work run between them, with the same matches', async () => {
    const store = new CaptureStore(50_000);
    for (let i = 0; i < 20_000; i++) add(store, publish(`t/${i}`, i % 5 === 0 ? 1 : 0));
    const views = new FilterViews(store);
    let ranBetween = false;
    setTimeout(() => {
      ranBetween = true;
    }, 0);
    await views.prepare('mqtt.msgid == 1', 0);
    expect(ranBetween).toBe(true);
    expect(views.window('mqtt.msgid == 1', 0, 5)).toEqual({ total: 4000, offset: 0, seqs: [1, 6, 11, 16, 21] });
    await expect(views.prepare('mqtt.qos ==', 0)).rejects.toThrow(FilterError);
  });

  it('answers a syntax error with the parser\'s message', () => {
    const views = new FilterViews(new CaptureStore(10));
    expect(() => views.window('mqtt.qos = 1', 0, 10)).toThrow(FilterError);
    expect(() => views.window('mqtt.qos = 1', 0, 10)).toThrow("display filter: Use '==' to compare: a single '=' at column 10 is not an operator");
  });
});
