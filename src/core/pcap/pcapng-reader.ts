// pcapng: a sequence of sections, each a Section Header Block (which fixes the byte order) followed by
// interface descriptions and packet blocks. Every block is type, total length, body, total length again.
import type { ByteSource } from './byte-source.js';
import type { CaptureRecord, CaptureTimestamp } from './capture-record.js';
import { CaptureFormatError } from './errors.js';

export const BLOCK_SHB = 0x0a0d0d0a;
export const BLOCK_IDB = 0x00000001;
export const BLOCK_OPB = 0x00000002; // obsolete Packet Block, still written by old tools
export const BLOCK_SPB = 0x00000003;
export const BLOCK_EPB = 0x00000006;
export const BLOCK_DSB = 0x0000000a;
/** Decryption Secrets Block type of a TLS key log ('TLSK'). */
export const SECRETS_TLS_KEY_LOG = 0x544c534b;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

export const OPT_END = 0;
export const OPT_IF_TSRESOL = 9;
export const OPT_IF_TSOFFSET = 14;

/** Wireshark refuses blocks above 16 MiB; allow more, but never let a garbage length drive an allocation. */
export const MAX_BLOCK_BYTES = 64 * 1024 * 1024;

interface Interface {
  linkType: number;
  snapLength: number;
  /** Timestamp units per second as 10^n or 2^n. */
  resolution: { base: 10 | 2; exponent: number };
  /** if_tsoffset: seconds to add to every timestamp. */
  offsetSeconds: number;
}

export function isPcapng(first4: Uint8Array): boolean {
  return first4.length >= 4 && first4[0] === 0x0a && first4[1] === 0x0d && first4[2] === 0x0d && first4[3] === 0x0a;
}

function viewOf(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

export interface PcapngReadOptions {
  /** Called for each Decryption Secrets Block, before the packets after it are yielded. */
  onSecrets?(type: number, data: Uint8Array): void;
}

/** Iterates the packets of a pcapng file, numbering them across sections like Wireshark. */
export function* readPcapng(src: ByteSource, opts: PcapngReadOptions = {}): Generator<CaptureRecord> {
  let offset = 0;
  let le = true;
  let interfaces: Interface[] = [];
  let frame = 0;
  let sawSection = false;

  while (offset < src.size) {
    const head = src.read(offset, 12);
    if (head.length < 12) {
      throw new CaptureFormatError(offset, `pcapng block header cut short: expected 12 bytes, ${head.length} remain`);
    }
    const hv = viewOf(head);
    let type = hv.getUint32(0, le);
    if (type === BLOCK_SHB) {
      // The type reads the same in both byte orders; the magic after the length decides the section's order.
      const magic = hv.getUint32(8, true);
      if (magic === BYTE_ORDER_MAGIC) le = true;
      else if (magic === 0x4d3c2b1a) le = false;
      else {
        throw new CaptureFormatError(offset + 8, `pcapng section header has byte-order magic ${hex32(magic)}; expected 1a2b3c4d`);
      }
      type = BLOCK_SHB;
    } else if (!sawSection) {
      throw new CaptureFormatError(offset, 'not a pcapng file: expected a Section Header Block (0a0d0d0a) first');
    }
    const total = hv.getUint32(4, le);
    if (total < 12 || total % 4 !== 0) {
      throw new CaptureFormatError(offset + 4, `pcapng block ${hex32(type)} has total length ${total}; expected a multiple of 4, at least 12`);
    }
    if (total > MAX_BLOCK_BYTES) {
      throw new CaptureFormatError(offset + 4, `pcapng block ${hex32(type)} claims ${total} bytes; expected at most ${MAX_BLOCK_BYTES}`);
    }
    const block = src.read(offset, total);
    if (block.length < total) {
      throw new CaptureFormatError(offset, `pcapng block ${hex32(type)} cut short: expected ${total} bytes, ${block.length} remain`);
    }
    const bv = viewOf(block);
    const trailer = bv.getUint32(total - 4, le);
    if (trailer !== total) {
      throw new CaptureFormatError(offset + total - 4, `pcapng block ${hex32(type)} ends with length ${trailer}; expected ${total} as at its start`);
    }

    switch (type) {
      case BLOCK_SHB: {
        const major = total >= 16 ? bv.getUint16(12, le) : -1;
        if (major !== 1) {
          throw new CaptureFormatError(offset + 12, `unsupported pcapng version ${major}: expected 1.x`);
        }
        sawSection = true;
        interfaces = [];
        break;
      }
      case BLOCK_IDB:
        interfaces.push(readInterface(block, bv, le, offset));
        break;
      case BLOCK_EPB:
      case BLOCK_OPB: {
        const enhanced = type === BLOCK_EPB;
        if (total < 32) throw new CaptureFormatError(offset, `pcapng packet block is ${total} bytes; expected at least 32`);
        const ifId = enhanced ? bv.getUint32(8, le) : bv.getUint16(8, le);
        const iface = interfaceAt(interfaces, ifId, offset + 8);
        const captured = bv.getUint32(20, le);
        if (28 + captured > total - 4) {
          throw new CaptureFormatError(offset + 20, `pcapng packet block says ${captured} captured bytes; expected at most ${total - 32} in a ${total}-byte block`);
        }
        const timestamp = toTimestamp(iface, bv.getUint32(12, le), bv.getUint32(16, le));
        frame++;
        yield record(frame, timestamp, iface, ifId, block.subarray(28, 28 + captured), bv.getUint32(24, le), offset);
        break;
      }
      case BLOCK_SPB: {
        if (total < 16) throw new CaptureFormatError(offset, `pcapng simple packet block is ${total} bytes; expected at least 16`);
        const iface = interfaceAt(interfaces, 0, offset);
        const original = bv.getUint32(8, le);
        // The captured length is implied: the original length, cut to the snap length and to the block.
        let captured = Math.min(original, total - 16);
        if (iface.snapLength > 0) captured = Math.min(captured, iface.snapLength);
        frame++;
        // A simple packet block carries no timestamp.
        yield record(frame, { seconds: 0, nanos: 0 }, iface, 0, block.subarray(12, 12 + captured), original, offset);
        break;
      }
      case BLOCK_DSB: {
        if (total < 20) throw new CaptureFormatError(offset, `pcapng decryption secrets block is ${total} bytes; expected at least 20`);
        const length = bv.getUint32(12, le);
        if (16 + length > total - 4) throw new CaptureFormatError(offset + 12, `pcapng decryption secrets block says ${length} bytes of secrets; the block holds at most ${total - 20}`);
        opts.onSecrets?.(bv.getUint32(8, le), block.subarray(16, 16 + length));
        break;
      }
      default:
        // Statistics, name resolution, custom blocks…: nothing MQTT needs.
        break;
    }
    offset += total;
  }
}

function record(
  frame: number,
  timestamp: CaptureTimestamp,
  iface: Interface,
  interfaceId: number,
  data: Uint8Array,
  originalLength: number,
  fileOffset: number,
): CaptureRecord {
  return {
    frame,
    time: timestamp.seconds * 1000 + timestamp.nanos / 1e6,
    timestamp,
    linkType: iface.linkType,
    interfaceId,
    data,
    originalLength,
    fileOffset,
  };
}

function interfaceAt(interfaces: Interface[], id: number, offset: number): Interface {
  const iface = interfaces[id];
  if (!iface) {
    throw new CaptureFormatError(offset, `pcapng packet refers to interface ${id}; expected one of the ${interfaces.length} interfaces described before it`);
  }
  return iface;
}

function readInterface(block: Uint8Array, bv: DataView, le: boolean, offset: number): Interface {
  if (block.length < 20) throw new CaptureFormatError(offset, `pcapng interface description is ${block.length} bytes; expected at least 20`);
  const iface: Interface = {
    linkType: bv.getUint16(8, le),
    snapLength: bv.getUint32(12, le),
    resolution: { base: 10, exponent: 6 },
    offsetSeconds: 0,
  };
  let at = 16;
  const end = block.length - 4;
  while (at + 4 <= end) {
    const code = bv.getUint16(at, le);
    const length = bv.getUint16(at + 2, le);
    if (code === OPT_END) break;
    if (at + 4 + length > end) {
      throw new CaptureFormatError(offset + at, `pcapng interface option ${code} of ${length} bytes runs past the end of its block`);
    }
    if (code === OPT_IF_TSRESOL && length >= 1) {
      const v = block[at + 4]!;
      iface.resolution = { base: v & 0x80 ? 2 : 10, exponent: v & 0x7f };
    } else if (code === OPT_IF_TSOFFSET && length >= 8) {
      iface.offsetSeconds = Number(bv.getBigInt64(at + 4, le));
    }
    at += 4 + Math.ceil(length / 4) * 4;
  }
  return iface;
}

/** Converts a 64-bit count of interface time units into seconds + nanoseconds without losing precision. */
function toTimestamp(iface: Interface, high: number, low: number): CaptureTimestamp {
  const { base, exponent } = iface.resolution;
  let seconds: number;
  let nanos: number;
  const units = high * 2 ** 32 + low;
  if (base === 10 && exponent <= 9 && units <= Number.MAX_SAFE_INTEGER) {
    // The common case (micro- or nanoseconds) stays in exact integer Number arithmetic.
    const perSecond = 10 ** exponent;
    seconds = Math.floor(units / perSecond);
    nanos = (units - seconds * perSecond) * 10 ** (9 - exponent);
  } else {
    const big = (BigInt(high) << 32n) | BigInt(low);
    const perSecond = base === 10 ? 10n ** BigInt(exponent) : 1n << BigInt(exponent);
    seconds = Number(big / perSecond);
    nanos = Number(((big % perSecond) * 1_000_000_000n) / perSecond);
  }
  return { seconds: seconds + iface.offsetSeconds, nanos };
}

function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
