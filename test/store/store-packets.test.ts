// capture.save reads the store in place: records in time order (a released held packet can come after a
// later one), only those `keep` accepts, merged with the outer layers' packets (store records first on a tie).
import { describe, expect, it } from 'vitest';
import { storePackets } from '../../src/core/lab/capture-files.js';
import type { RecordedPacket } from '../../src/core/pcap/index.js';
import { CaptureStore } from '../../src/core/store/index.js';
import { lazyRecord } from '../../src/core/tap/lazy-record.js';

const PINGREQ = new Uint8Array([0xc0, 0x00]);

function store(times: number[]): CaptureStore {
  const s = new CaptureStore(100);
  times.forEach((time, i) => s.append(lazyRecord({ time, connId: i % 3, direction: i % 2 === 0 ? 'toBroker' : 'toClient', bytes: new Uint8Array([0xc0 | (i % 2), 0x00]) }, 4)));
  return s;
}

function read(src: ReturnType<typeof storePackets>): Array<[number, number, string]> {
  const out: Array<[number, number, string]> = [];
  for (let i = 0; i < src.length; i++) {
    const p = src.at(i);
    expect(src.connIdAt(i)).toBe(p.connId);
    out.push([p.time, p.connId, Buffer.from(p.bytes).toString('hex')]);
  }
  return out;
}

describe('storePackets', () => {
  it('gives the kept records in time order, ties in seq order, merged with outer packets', () => {
    const s = store([10, 30, 20, 30, 40, 5]);
    const outer: RecordedPacket[] = [{ time: 30, connId: 9, direction: 'toBroker', bytes: PINGREQ }, { time: 1, connId: 8, direction: 'toClient', bytes: PINGREQ }];
    const got = read(storePackets(s, (seq) => seq !== 5, outer));
    expect(got.map(([t, c]) => [t, c])).toEqual([[1, 8], [5, 2], [10, 0], [20, 2], [30, 1], [30, 0], [30, 9]]);
  });

  it('reads the records\' own bytes, and nothing when nothing is kept', () => {
    const s = store([1, 2, 3]);
    expect(read(storePackets(s, () => true, [])).map((r) => r[2])).toEqual(['c000', 'c100', 'c000']);
    expect(storePackets(s, () => false, []).length).toBe(0);
    expect(storePackets(new CaptureStore(10), () => true, []).length).toBe(0);
  });
});
