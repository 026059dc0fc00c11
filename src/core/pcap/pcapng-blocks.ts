// Encodes the three pcapng blocks a writer needs (little-endian, as most writers use).
import { BLOCK_DSB, BLOCK_EPB, BLOCK_IDB, BLOCK_SHB, BYTE_ORDER_MAGIC, OPT_END, SECRETS_TLS_KEY_LOG } from './pcapng-reader.js';

const OPT_SHB_USERAPPL = 4;
const OPT_IF_NAME = 2;

interface Option {
  code: number;
  value: Uint8Array;
}

function textOption(code: number, text: string): Option {
  return { code, value: new TextEncoder().encode(text) };
}

function optionsLength(options: Option[]): number {
  if (options.length === 0) return 0;
  return options.reduce((n, o) => n + 4 + pad4(o.value.length), 0) + 4;
}

function writeOptions(dv: DataView, bytes: Uint8Array, at: number, options: Option[]): void {
  if (options.length === 0) return;
  for (const o of options) {
    dv.setUint16(at, o.code, true);
    dv.setUint16(at + 2, o.value.length, true);
    bytes.set(o.value, at + 4);
    at += 4 + pad4(o.value.length);
  }
  dv.setUint16(at, OPT_END, true);
  dv.setUint16(at + 2, 0, true);
}

function block(type: number, bodyLength: number): { bytes: Uint8Array; dv: DataView } {
  const total = 12 + bodyLength;
  const bytes = new Uint8Array(total);
  const dv = new DataView(bytes.buffer);
  dv.setUint32(0, type, true);
  dv.setUint32(4, total, true);
  dv.setUint32(total - 4, total, true);
  return { bytes, dv };
}

export function sectionHeaderBlock(application?: string): Uint8Array {
  const options = application ? [textOption(OPT_SHB_USERAPPL, application)] : [];
  const { bytes, dv } = block(BLOCK_SHB, 16 + optionsLength(options));
  dv.setUint32(8, BYTE_ORDER_MAGIC, true);
  dv.setUint16(12, 1, true); // version 1.0
  dv.setUint16(14, 0, true);
  dv.setBigInt64(16, -1n, true); // section length not known in advance
  writeOptions(dv, bytes, 24, options);
  return bytes;
}

/** An interface with the default timestamp resolution of microseconds. */
export function interfaceDescriptionBlock(linkType: number, snapLength: number, name?: string): Uint8Array {
  const options = name ? [textOption(OPT_IF_NAME, name)] : [];
  const { bytes, dv } = block(BLOCK_IDB, 8 + optionsLength(options));
  dv.setUint16(8, linkType, true);
  dv.setUint32(12, snapLength, true);
  writeOptions(dv, bytes, 16, options);
  return bytes;
}

/** `micros`: epoch microseconds, the interface's default resolution. */
export function enhancedPacketBlock(interfaceId: number, micros: number, data: Uint8Array, originalLength = data.length): Uint8Array {
  const { bytes, dv } = block(BLOCK_EPB, 20 + pad4(data.length));
  const high = Math.floor(micros / 2 ** 32);
  dv.setUint32(8, interfaceId, true);
  dv.setUint32(12, high, true);
  dv.setUint32(16, micros - high * 2 ** 32, true);
  dv.setUint32(20, data.length, true);
  dv.setUint32(24, originalLength, true);
  bytes.set(data, 28);
  return bytes;
}

/**
 * A Decryption Secrets Block holding a TLS key log (NSS format): Wireshark and tshark decrypt the TLS
 * connections that follow it with no key log file configured.
 */
export function tlsKeyLogBlock(keyLog: string): Uint8Array {
  const data = new TextEncoder().encode(keyLog);
  const { bytes, dv } = block(BLOCK_DSB, 8 + pad4(data.length));
  dv.setUint32(8, SECRETS_TLS_KEY_LOG, true);
  dv.setUint32(12, data.length, true);
  bytes.set(data, 16);
  return bytes;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}
