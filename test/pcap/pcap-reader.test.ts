import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureFormatError, readCapture, readCaptureFile, type CaptureRecord } from '../../src/core/pcap/index.js';
import { BE, LE, pcapFile } from './helpers/captures.js';
import { SKIP_TSHARK, titled, tshark } from './helpers/tools.js';

const dir = mkdtempSync(join(tmpdir(), 'mqtt-lab-pcap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const frames = [
  { seconds: 1_700_000_000, fraction: 123_456, data: Uint8Array.of(1, 2, 3) },
  { seconds: 1_700_000_001, fraction: 999_999, data: new Uint8Array(1500).fill(7), originalLength: 1514 },
  { seconds: 1_700_000_002, fraction: 0, data: new Uint8Array(0) },
];

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

describe('classic pcap reader', () => {
  for (const [name, le] of [['little-endian', LE], ['big-endian', BE]] as const) {
    it(`reads a ${name} microsecond file`, () => {
      const recs = all(pcapFile(frames, { linkType: 1, littleEndian: le }));
      expect(recs.map((r) => r.frame)).toEqual([1, 2, 3]);
      expect(recs.map((r) => r.linkType)).toEqual([1, 1, 1]);
      expect(recs[0]!.timestamp).toEqual({ seconds: 1_700_000_000, nanos: 123_456_000 });
      expect(recs[0]!.time).toBeCloseTo(1_700_000_000_123.456, 3);
      expect(recs[1]!.data.length).toBe(1500);
      expect(recs[1]!.originalLength).toBe(1514);
      expect(recs[2]!.data.length).toBe(0);
      expect(recs[0]!.fileOffset).toBe(24);
    });

    it(`reads a ${name} nanosecond file`, () => {
      const recs = all(pcapFile([{ seconds: 5, fraction: 123_456_789, data: Uint8Array.of(9) }], { linkType: 101, littleEndian: le, nanos: true }));
      expect(recs[0]!.timestamp).toEqual({ seconds: 5, nanos: 123_456_789 });
      expect(recs[0]!.time).toBeCloseTo(5123.456789, 6);
      expect(recs[0]!.linkType).toBe(101);
    });
  }

  it.skipIf(!!SKIP_TSHARK)(titled('reads the same timestamps and lengths as tshark', SKIP_TSHARK), () => {
    for (const le of [LE, BE]) {
      for (const nanos of [false, true]) {
        const frames = [
          { seconds: 1_700_000_000, fraction: nanos ? 123_456_789 : 123_456, data: new Uint8Array(60).fill(1) },
          { seconds: 1_700_000_009, fraction: nanos ? 999_999_999 : 999_999, data: new Uint8Array(61).fill(2), originalLength: 1000 },
        ];
        const bytes = pcapFile(frames, { linkType: 1, littleEndian: le, nanos });
        const path = join(dir, `times-${le}-${nanos}.pcap`);
        writeFileSync(path, bytes);
        const theirs = tshark(['-r', path, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.time_epoch', '-e', 'frame.cap_len', '-e', 'frame.len'])
          .trim()
          .split('\n')
          .map((l) => l.split('\t'));
        const ours = all(bytes).map((r) => [
          String(r.frame),
          `${r.timestamp.seconds}.${String(r.timestamp.nanos).padStart(9, '0')}`,
          String(r.data.length),
          String(r.originalLength),
        ]);
        expect(ours).toEqual(theirs);
      }
    }
  });

  it('masks the FCS bits out of the link type', () => {
    const file = pcapFile(frames.slice(0, 1), { linkType: 1 });
    file[23] = 0x10; // FCS present bit in the top nibble (little-endian high byte)
    expect(all(file)[0]!.linkType).toBe(1);
  });

  it('reads the same records from a file, block by block', () => {
    const many = Array.from({ length: 3000 }, (_, i) => ({ seconds: i, fraction: 0, data: new Uint8Array(700).fill(i & 0xff) }));
    const bytes = pcapFile(many, { linkType: 1 });
    const path = join(dir, 'many.pcap');
    writeFileSync(path, bytes);
    let n = 0;
    for (const r of readCaptureFile(path)) {
      expect(r.data.length).toBe(700);
      expect(r.data[0]).toBe((r.frame - 1) & 0xff);
      n++;
    }
    expect(n).toBe(3000);
  });

  it('names the offset of a record cut short', () => {
    const file = pcapFile(frames, { linkType: 1 });
    const cut = file.subarray(0, 24 + 16 + 3 + 16 + 100);
    const recs: CaptureRecord[] = [];
    const err = errorOf(() => {
      for (const r of readCapture(cut)) recs.push(r);
    });
    expect(recs).toHaveLength(1);
    expect(err.offset).toBe(24 + 16 + 3 + 16);
    expect(err.message).toBe('pcap record 2 cut short: expected 1500 captured bytes, 100 remain (at byte offset 59)');
  });

  it('names the offset of a record header cut short', () => {
    const file = pcapFile(frames.slice(0, 1), { linkType: 1 });
    const err = errorOf(() => all(file.subarray(0, file.length - 3 - 5)));
    expect(err.message).toBe('pcap record header cut short: expected 16 bytes, 11 remain (at byte offset 24)');
  });

  it('refuses an absurd captured length instead of allocating it', () => {
    const file = pcapFile(frames.slice(0, 1), { linkType: 1 });
    new DataView(file.buffer).setUint32(24 + 8, 0xfffffff0, true);
    const err = errorOf(() => all(file));
    expect(err.offset).toBe(32);
    expect(err.message).toMatch(/claims 4294967280 captured bytes; expected at most 67108864/);
  });

  it('rejects garbage, empty files and a short global header', () => {
    expect(errorOf(() => all(new TextEncoder().encode('hello world, not a capture'))).message).toBe(
      'not a capture file: starts with 68 65 6c 6c; expected pcap magic (a1b2c3d4, a1b23c4d) or pcapng (0a0d0d0a) (at byte offset 0)',
    );
    expect(errorOf(() => all(new Uint8Array(0))).message).toMatch(/capture file is empty/);
    const short = pcapFile([], { linkType: 1 }).subarray(0, 10);
    expect(errorOf(() => all(short)).message).toBe('pcap global header cut short: expected 24 bytes, file has 10 (at byte offset 10)');
  });

  it('rejects an unknown pcap version', () => {
    const file = pcapFile([], { linkType: 1 });
    file[4] = 3;
    expect(errorOf(() => all(file)).message).toBe('unsupported pcap version 3.4: expected 2.x (at byte offset 4)');
  });
});
