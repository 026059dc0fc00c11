// Opens a capture in either format, deciding by the magic number rather than by the file name. Pure: the
// offline viewer runs it in the page; capture-file.ts adds reading from disk in Node.
import { memorySource, type ByteSource } from './byte-source.js';
import type { CaptureRecord } from './capture-record.js';
import { CaptureFormatError } from './errors.js';
import { pcapByteOrder, readPcap } from './pcap-reader.js';
import { isPcapng, readPcapng, type PcapngReadOptions } from './pcapng-reader.js';

export type CaptureFormat = 'pcap' | 'pcapng';

export function detectCaptureFormat(first4: Uint8Array): CaptureFormat | null {
  if (isPcapng(first4)) return 'pcapng';
  if (pcapByteOrder(first4)) return 'pcap';
  return null;
}

/** Iterates the frames of a pcap or pcapng capture held in memory or behind a ByteSource. */
export function* readCapture(input: Uint8Array | ByteSource, opts: PcapngReadOptions = {}): Generator<CaptureRecord> {
  const src = input instanceof Uint8Array ? memorySource(input) : input;
  const first = src.read(0, 4);
  const format = detectCaptureFormat(first);
  if (format === 'pcapng') yield* readPcapng(src, opts);
  else if (format === 'pcap') yield* readPcap(src);
  else if (src.size === 0) throw new CaptureFormatError(0, 'capture file is empty: expected a pcap or pcapng header');
  else {
    const seen = Array.from(first, (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new CaptureFormatError(0, `not a capture file: starts with ${seen}; expected pcap magic (a1b2c3d4, a1b23c4d) or pcapng (0a0d0d0a)`);
  }
}
