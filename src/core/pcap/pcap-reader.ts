// Classic libpcap files: a 24-byte global header, then records of a 16-byte header plus captured bytes.
// The magic number tells both the byte order of the writer and whether fractions are micro- or nanoseconds.
import type { ByteSource } from './byte-source.js';
import type { CaptureRecord } from './capture-record.js';
import { CaptureFormatError } from './errors.js';

export const PCAP_MAGIC_MICROS = 0xa1b2c3d4;
export const PCAP_MAGIC_NANOS = 0xa1b23c4d;

const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;
/** Far above any real snap length; a bigger claim means the file is garbage, not that we should allocate. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

export interface PcapHeader {
  littleEndian: boolean;
  nanosecond: boolean;
  versionMajor: number;
  versionMinor: number;
  snapLength: number;
  linkType: number;
}

/** Recognises the magic at the start of a file; null when it is not classic pcap. */
export function pcapByteOrder(first4: Uint8Array): { littleEndian: boolean; nanosecond: boolean } | null {
  if (first4.length < 4) return null;
  const dv = new DataView(first4.buffer, first4.byteOffset, 4);
  for (const littleEndian of [true, false]) {
    const magic = dv.getUint32(0, littleEndian);
    if (magic === PCAP_MAGIC_MICROS) return { littleEndian, nanosecond: false };
    if (magic === PCAP_MAGIC_NANOS) return { littleEndian, nanosecond: true };
  }
  return null;
}

export function readPcapHeader(src: ByteSource): PcapHeader {
  const head = src.read(0, GLOBAL_HEADER);
  const order = pcapByteOrder(head);
  if (!order) throw new CaptureFormatError(0, 'not a pcap file: expected magic a1b2c3d4 or a1b23c4d');
  if (head.length < GLOBAL_HEADER) {
    throw new CaptureFormatError(head.length, `pcap global header cut short: expected ${GLOBAL_HEADER} bytes, file has ${head.length}`);
  }
  const dv = new DataView(head.buffer, head.byteOffset, GLOBAL_HEADER);
  const le = order.littleEndian;
  const versionMajor = dv.getUint16(4, le);
  if (versionMajor !== 2) {
    throw new CaptureFormatError(4, `unsupported pcap version ${versionMajor}.${dv.getUint16(6, le)}: expected 2.x`);
  }
  return {
    ...order,
    versionMajor,
    versionMinor: dv.getUint16(6, le),
    snapLength: dv.getUint32(16, le),
    // The top four bits may carry FCS information (pcap spec, "LinkType and additional information").
    linkType: dv.getUint32(20, le) & 0x0fffffff,
  };
}

/** Iterates the records of a classic pcap file; throws CaptureFormatError where the file stops making sense. */
export function* readPcap(src: ByteSource): Generator<CaptureRecord> {
  const header = readPcapHeader(src);
  const le = header.littleEndian;
  const fractionToNanos = header.nanosecond ? 1 : 1000;
  let offset = GLOBAL_HEADER;
  let frame = 0;
  while (offset < src.size) {
    const rh = src.read(offset, RECORD_HEADER);
    if (rh.length < RECORD_HEADER) {
      throw new CaptureFormatError(offset, `pcap record header cut short: expected ${RECORD_HEADER} bytes, ${rh.length} remain`);
    }
    const dv = new DataView(rh.buffer, rh.byteOffset, RECORD_HEADER);
    const seconds = dv.getUint32(0, le);
    const fraction = dv.getUint32(4, le);
    const captured = dv.getUint32(8, le);
    const original = dv.getUint32(12, le);
    if (captured > MAX_RECORD_BYTES) {
      throw new CaptureFormatError(
        offset + 8,
        `pcap record ${frame + 1} claims ${captured} captured bytes; expected at most ${MAX_RECORD_BYTES} (is the file corrupt?)`,
      );
    }
    const data = src.read(offset + RECORD_HEADER, captured);
    if (data.length < captured) {
      throw new CaptureFormatError(
        offset + RECORD_HEADER,
        `pcap record ${frame + 1} cut short: expected ${captured} captured bytes, ${data.length} remain`,
      );
    }
    // A fraction of a second or more is malformed but harmless: carry it into the seconds.
    const total = fraction * fractionToNanos;
    const carry = Math.floor(total / 1e9);
    const nanos = total - carry * 1e9;
    frame++;
    yield {
      frame,
      time: (seconds + carry) * 1000 + nanos / 1e6,
      timestamp: { seconds: seconds + carry, nanos },
      linkType: header.linkType,
      interfaceId: 0,
      data,
      originalLength: original,
      fileOffset: offset,
    };
    offset += RECORD_HEADER + captured;
  }
}
