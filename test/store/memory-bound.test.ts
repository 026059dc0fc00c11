// A record costs the store a few dozen bytes: typed columns and its bytes in the shared arena, no object and
// no tree per record. Bounded and quick here; bench/store.ts measures a million.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { generate, type Packet } from 'mqtt-packet';
import { CaptureStore } from '../../src/core/store/index.js';
import { lazyRecord } from '../../src/core/tap/lazy-record.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function held(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const PACKETS: Uint8Array[] = ([
  { cmd: 'publish', topic: 'home/kitchen/temp', payload: Buffer.from('{"t":21.5}'), qos: 1, messageId: 9, dup: false, retain: false },
  { cmd: 'puback', messageId: 9 },
  { cmd: 'publish', topic: 'home/hall/door', payload: Buffer.from('open'), qos: 0, dup: false, retain: false },
  { cmd: 'pingreq' },
] as Packet[]).map((p) => new Uint8Array(generate(p)));

function fill(store: CaptureStore, n: number): void {
  for (let i = 0; i < n; i++) {
    store.append(lazyRecord({ time: 1_000 + i, connId: 1 + (i % 7), direction: i % 2 === 0 ? 'toBroker' : 'toClient', bytes: PACKETS[i % PACKETS.length]! }, 4));
  }
}

describe('CaptureStore memory', () => {
  it('holds 100,000 real packets in well under 100 bytes each', () => {
    const n = 100_000;
    const before = held();
    const store = new CaptureStore(n);
    fill(store, n);
    const perRecord = (held() - before) / n;
    console.log(`capture store: ${perRecord.toFixed(1)} bytes per record with ${n} records (packets of ${PACKETS.map((p) => p.length).join('/')} bytes)`);
    expect(store.size).toBe(n);
    expect(perRecord).toBeLessThan(100);
    expect(store.get(n)!.decoded.type).toBe('PINGREQ');
  });

  it('at capacity takes no more memory however many records go by', () => {
    const store = new CaptureStore(20_000);
    fill(store, 20_000);
    const columns = store.columnBytes;
    const before = held();
    fill(store, 100_000);
    expect(store.size).toBe(20_000);
    expect(store.firstSeq).toBe(100_001);
    expect(store.columnBytes).toBeLessThanOrEqual(columns + 1_048_576); // at most one arena chunk more
    expect(held() - before).toBeLessThan(2 * 1_048_576);
  });
});
