import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureFormatError, readCapture, type CaptureRecord } from '../../src/core/pcap/index.js';
import { BE, LE, PcapngBuilder } from './helpers/captures.js';
import { SKIP_TSHARK, titled, tshark } from './helpers/tools.js';

const dir = mkdtempSync(join(tmpdir(), 'mqtt-lab-pcapng-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function all(bytes: Uint8Array): CaptureRecord[] {
  return [...readCapture(bytes)];
}

function errorOf(fn: () => unknown): CaptureFormatError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CaptureFormatError);
    return err as CaptureFormatError;
  }
  throw new Error('expected an error');
}

const US = 1_700_000_000_123_456n; // epoch microseconds

describe('pcapng reader', () => {
  for (const [name, le] of [['little-endian', LE], ['big-endian', BE]] as const) {
    it(`reads ${name} sections with EPB, SPB and OPB and skips unknown blocks`, () => {
      const file = new PcapngBuilder(le)
        .section()
        .iface(1)
        .block(0x00000004, new Uint8Array(8)) // name resolution block: skipped
        .epb(0, US, Uint8Array.of(1, 2, 3, 4, 5))
        .block(0x0bad0bad, Uint8Array.of(1, 2, 3, 4)) // unknown: skipped
        .spb(Uint8Array.of(6, 7, 8))
        .opb(0, US + 1n, Uint8Array.of(9))
        .bytes();
      const recs = all(file);
      expect(recs.map((r) => [r.frame, r.linkType, Array.from(r.data)])).toEqual([
        [1, 1, [1, 2, 3, 4, 5]],
        [2, 1, [6, 7, 8]],
        [3, 1, [9]],
      ]);
      expect(recs[0]!.timestamp).toEqual({ seconds: 1_700_000_000, nanos: 123_456_000 });
      expect(recs[0]!.time).toBeCloseTo(1_700_000_000_123.456, 3);
      expect(recs[2]!.timestamp).toEqual({ seconds: 1_700_000_000, nanos: 123_457_000 });
    });
  }

  it('honours if_tsresol in powers of ten and of two, and if_tsoffset', () => {
    const file = new PcapngBuilder()
      .section()
      .iface(1, { tsresol: 9 })
      .iface(101, { tsresol: 0x80 | 10 })
      .iface(228, { tsresol: 3, tsoffset: 100n })
      .epb(0, 1_700_000_000_123_456_789n, Uint8Array.of(0))
      .epb(1, (5n << 10n) | 512n, Uint8Array.of(1))
      .epb(2, 2_500n, Uint8Array.of(2))
      .bytes();
    const recs = all(file);
    expect(recs[0]!.timestamp).toEqual({ seconds: 1_700_000_000, nanos: 123_456_789 });
    expect(recs[1]!.timestamp).toEqual({ seconds: 5, nanos: 500_000_000 });
    expect(recs[2]!.timestamp).toEqual({ seconds: 102, nanos: 500_000_000 });
    expect(recs.map((r) => [r.interfaceId, r.linkType])).toEqual([[0, 1], [1, 101], [2, 228]]);
  });

  it.skipIf(!!SKIP_TSHARK)(titled('reads the same timestamps and lengths as tshark, in both byte orders', SKIP_TSHARK), () => {
    for (const le of [LE, BE]) {
      const file = new PcapngBuilder(le)
        .section()
        .iface(1, { tsresol: 9 })
        .iface(1, { tsresol: 0x80 | 20 })
        .iface(1, { tsresol: 3, tsoffset: 1_600_000_000n })
        .iface(1)
        .epb(0, 1_700_000_000_123_456_789n, new Uint8Array(60).fill(1))
        .epb(1, (1_700_000_001n << 20n) | (1n << 19n), new Uint8Array(61).fill(2))
        .epb(2, 2_500n, new Uint8Array(62).fill(3))
        .opb(3, US, new Uint8Array(63).fill(4))
        .bytes();
      const path = join(dir, `times-${le ? 'le' : 'be'}.pcapng`);
      writeFileSync(path, file);
      const theirs = tshark(['-r', path, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.time_epoch', '-e', 'frame.cap_len'])
        .trim()
        .split('\n')
        .map((l) => l.split('\t'));
      const ours = all(file).map((r) => [String(r.frame), `${r.timestamp.seconds}.${String(r.timestamp.nanos).padStart(9, '0')}`, String(r.data.length)]);
      expect(ours).toEqual(theirs);
    }
  });

  it('numbers frames across sections and restarts interfaces per section', () => {
    const file = new PcapngBuilder().section().iface(1).epb(0, US, Uint8Array.of(1)).bytes();
    const second = new PcapngBuilder(BE).section().iface(113).epb(0, US, Uint8Array.of(2)).bytes();
    const both = new Uint8Array(file.length + second.length);
    both.set(file);
    both.set(second, file.length);
    expect(all(both).map((r) => [r.frame, r.linkType])).toEqual([[1, 1], [2, 113]]);
  });

  it('cuts a simple packet block to the snap length', () => {
    const file = new PcapngBuilder().section().iface(1, { snapLength: 4 }).spb(Uint8Array.of(1, 2, 3, 4, 0, 0, 0, 0), 8).bytes();
    const [r] = all(file);
    expect(Array.from(r!.data)).toEqual([1, 2, 3, 4]);
    expect(r!.originalLength).toBe(8);
  });

  it('names the offset of a block cut short', () => {
    const file = new PcapngBuilder().section().iface(1).epb(0, US, new Uint8Array(100)).bytes();
    const err = errorOf(() => all(file.subarray(0, file.length - 10)));
    expect(err.offset).toBe(28 + 36);
    expect(err.message).toBe('pcapng block 00000006 cut short: expected 132 bytes, 122 remain (at byte offset 64)');
  });

  it('rejects a block whose trailing length differs', () => {
    const file = new PcapngBuilder().section().iface(1).epb(0, US, new Uint8Array(4)).bytes();
    file[file.length - 4] = 99;
    expect(errorOf(() => all(file)).message).toBe('pcapng block 00000006 ends with length 99; expected 36 as at its start (at byte offset 96)');
  });

  it('rejects a length that is not a multiple of 4', () => {
    const file = new PcapngBuilder().section().iface(1).bytes();
    new DataView(file.buffer).setUint32(28 + 4, 30, true);
    expect(errorOf(() => all(file)).message).toBe('pcapng block 00000001 has total length 30; expected a multiple of 4, at least 12 (at byte offset 32)');
  });

  it('rejects a packet for an interface that was never described', () => {
    const file = new PcapngBuilder().section().iface(1).epb(3, US, Uint8Array.of(1)).bytes();
    expect(errorOf(() => all(file)).message).toBe('pcapng packet refers to interface 3; expected one of the 1 interfaces described before it (at byte offset 72)');
  });

  it('rejects a bad byte-order magic and a missing section header', () => {
    const file = new PcapngBuilder().section().bytes();
    file[8] = 0;
    expect(errorOf(() => all(file)).message).toMatch(/byte-order magic 1a2b3c00; expected 1a2b3c4d \(at byte offset 8\)/);
  });

  it('rejects an absurd block length without allocating it', () => {
    const file = new PcapngBuilder().section().iface(1).bytes();
    new DataView(file.buffer).setUint32(28 + 4, 0xfffffff0, true);
    expect(errorOf(() => all(file)).message).toMatch(/claims 4294967280 bytes; expected at most 67108864/);
  });
});
